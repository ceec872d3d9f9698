// src/sweep/worker_process.h: starts one orch-worker, follows its output, forwards stop signals.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/run_ending.h"

namespace orch::sweep {

/// One `@progress {...}` line of a worker.
struct ProgressUpdate {
  int64_t done = 0;
  int64_t total = 0;
  std::vector<std::pair<std::string, double>> headline;
};

/// Parses the JSON of a progress line; nullopt when it is not one.
std::optional<ProgressUpdate> ParseProgressLine(std::string_view line);

struct WorkerLaunch {
  std::string executable;
  std::vector<std::string> args;
  /// Added to the environment (`OMP_WAIT_POLICY=PASSIVE`, ...).
  std::vector<std::string> environment;
  /// Everything the worker prints goes here too (appended).
  std::filesystem::path stdout_log;
  std::filesystem::path stderr_log;
  /// Also print the worker's stderr lines on ours (as they come).
  bool echo_stderr = true;
};

struct WorkerExit {
  pid_t pid = 0;
  int exit_code = -1;       ///< when it exited
  int signal = 0;           ///< when a signal ended it
  std::string stderr_tail;  ///< the last ~4 KiB it wrote to stderr
  /// The worker's own `@ending {...}` line: how it saw the run end, printed before it records
  /// that in the store (which a full disk can refuse).
  std::optional<store::RecordedEnding> ending;
  /// A stop was forwarded to it (SIGINT) before it exited.
  bool stop_forwarded = false;
  /// "exit code 1", "killed by signal 9 (SIGKILL)".
  std::string Describe() const;
};

/// Starts the worker in a process group of its own (so a terminal's Ctrl-C reaches only the
/// front end, which forwards it once) with SIGINT and SIGTERM blocked until it has installed
/// its handlers (a stop that arrives while it loads its libraries waits, and is honoured), calls
/// `on_progress` for its progress lines, tees its output to the logs (and its stderr lines to our
/// stderr), and returns when it has exited. While it runs: when `*stop_requests` reaches 1 the
/// worker gets SIGINT (it checkpoints and ends), at 2 or more SIGKILL. `on_started` receives the
/// pid.
WorkerExit RunWorkerProcess(const WorkerLaunch& launch,
                            const std::function<void(const ProgressUpdate&)>& on_progress,
                            const std::atomic<int>* stop_requests,
                            const std::function<void(pid_t)>& on_started = {});

/// `$ORCH_WORKER` when set (another build of the worker: one linked against a CUDA LibTorch, or
/// an uninstrumented one beside a sanitizer build of the front end), else `orch-worker` beside
/// the running executable.
std::filesystem::path WorkerExecutable();

}  // namespace orch::sweep
