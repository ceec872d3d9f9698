// src/app/stop_signals.h: Ctrl-C and SIGTERM in the front end. The first asks the workers to
// checkpoint and end; the second kills them. The launchers poll the count.
#pragma once

#include <atomic>

namespace orch::app {

/// Installs the SIGINT and SIGTERM handler. `first` and `second` are written to stderr (from
/// the handler, so they must outlive the process: string literals) on the first and on every
/// later signal.
void InstallStopSignals(const char* first, const char* second);

/// Installs the SIGUSR1 handler of a SLURM task (`--signal=B:USR1@N`: the time limit is near):
/// a stop request (a checkpoint, never a kill), counted in TimeLimitSignals.
void InstallTimeLimitSignal();
std::atomic<int>& TimeLimitSignals();

/// How many stop signals have arrived.
std::atomic<int>& StopRequests();

}  // namespace orch::app
