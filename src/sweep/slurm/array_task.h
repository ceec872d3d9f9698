// src/sweep/slurm/array_task.h: `orch run --sweep-dir DIR --index I`, one SLURM array task. It
// runs job I of the sweep in a worker that records everything in the run's own shard, never in
// the main store (which may be on another machine), and continues from the shard's newest
// checkpoint when SLURM requeued it (distributed.md §4).
#pragma once

#include <atomic>
#include <filesystem>

namespace orch::sweep::slurm {

/// Runs job `index` of the sweep in `sweep_dir` to its end. `*stop_requests` is raised by the
/// stop signals (USR1 before the time limit, TERM on preemption, cancel or requeue): the worker
/// checkpoints and ends interrupted. `*time_limit_signals` counts the USR1s: after one, a task
/// that may still be requeued (SLURM_RESTART_COUNT < max_num_timeout) requeues itself.
/// Returns the exit code: 0 completed, 1 failed, 130 interrupted, 2 bad usage.
int RunArrayTask(const std::filesystem::path& sweep_dir, int64_t index,
                 std::atomic<int>* stop_requests, const std::atomic<int>* time_limit_signals);

}  // namespace orch::sweep::slurm
