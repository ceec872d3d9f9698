// src/sweep/slurm/collect.h: `orch collect`, merging a SLURM sweep's per-run shards into its
// main store (store/shard.h does the SQL).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sweep/slurm/sweep_dir.h"

namespace orch::sweep::slurm {

struct CollectedRun {
  TaskEntry task;
  bool has_shard = false;  ///< false: its task has not started yet
  std::string status;      ///< the shard's
  int64_t last_step = 0;
  int64_t budget_steps = 0;
  bool changed = false;  ///< the merge changed the main store
  std::string problem;   ///< why it could not be merged (a damaged shard, say); nothing was
};

struct CollectReport {
  std::vector<CollectedRun> runs;
  size_t changed = 0;
  size_t unchanged = 0;
  size_t not_started = 0;
  size_t problems = 0;
  /// Runs whose shard said running although their task had left the queue (cancelled, or the
  /// node was lost): recorded as interrupted, to be continued by `orch sweep --resume`.
  size_t ended_unrecorded = 0;
};

/// How a task that left the queue ended, by its job id (slurm_cli.h's EndedState), for the
/// interrupted run's error text; nullopt when SLURM does not know.
using EndedStateLookup = std::function<std::optional<std::string>(const std::string& job_id)>;

/// Merges every shard of the sweep in `sweep_dir` into the main store named in its manifest.
/// `queue` (QueueStates of the sweep's jobs; nullopt when SLURM cannot be asked) tells runs
/// whose task is gone; their shard is closed as interrupted first, with how SLURM says the task
/// ended when `ended_state` knows. Each run is merged in its own transaction, and a damaged
/// shard does not stop the others.
CollectReport CollectSweep(const std::filesystem::path& sweep_dir,
                           const std::optional<std::map<std::string, std::string>>& queue,
                           const EndedStateLookup& ended_state = nullptr);

}  // namespace orch::sweep::slurm
