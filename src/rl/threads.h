// src/rl/threads.h: the intra-op thread budget of a run.
#pragma once

namespace orch::rl {

/// Applies the intra-op thread budget of this process (LibTorch's setting is per calling thread:
/// call it on the thread that runs the workload). `threads` >= 1.
void ConfigureIntraOpThreads(int threads);

/// max(1, cores / parallel_runs): the budget of one of `parallel_runs` runs sharing the machine.
int ThreadBudget(int parallel_runs);

}  // namespace orch::rl
