// src/sweep/run_launch.h: runs one recorded run in a worker process to its end, and records how
// it ended when the worker could not.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "sweep/worker_process.h"

namespace orch::sweep {

/// A run the store knows (queued, or made running again by PrepareResume), ready to start.
struct RunLaunch {
  std::filesystem::path store_path;
  int64_t run_id = 0;
  std::filesystem::path run_dir;  ///< absolute
  int threads = 1;
  std::optional<std::filesystem::path> resume_from;  ///< a checkpoint file, absolute
  /// Echo the worker's stderr lines to ours (a single run); a sweep keeps them in the logs.
  bool echo_stderr = true;
};

/// How a run ended.
struct RunOutcome {
  std::string status;  ///< completed, failed, interrupted
  WorkerExit exit;
  double seconds = 0.0;
  int64_t last_step = 0;
  int64_t budget_steps = 0;
  std::string error_text;  ///< the store's error text of a failed run
  /// The worker found the run taken by another launcher and left it alone (status is then
  /// that run's, not this launch's).
  bool refused = false;
};

/// Starts `orch-worker` for a run this launcher has claimed (run_claim.h; OpenMP set to wait
/// passively, OMP_NUM_THREADS = threads), forwards stop requests (1: SIGINT, 2: SIGKILL),
/// reports progress, waits, and records the ending the worker could not: the one it printed
/// (a full disk), else its crash (exit status and the tail of its stderr), else, stopped
/// before its first checkpoint, interrupted. A run another launcher's worker holds is left
/// alone. Opens its own store connection, so several can run at once on different threads.
RunOutcome LaunchRun(const RunLaunch& launch,
                     const std::function<void(const ProgressUpdate&)>& on_progress,
                     const std::atomic<int>* stop_requests,
                     const std::function<void(pid_t)>& on_started = {});

/// `orch run --resume <uuid prefix> --store '<path>'`: the command that continues a run, quoted
/// for the shell.
std::string ResumeCommand(const std::string& uuid, const std::filesystem::path& store_path);

}  // namespace orch::sweep
