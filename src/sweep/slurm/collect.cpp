// src/sweep/slurm/collect.cpp
#include "sweep/slurm/collect.h"

#include <fmt/format.h>

#include "store/results_store.h"
#include "store/shard.h"

namespace orch::sweep::slurm {
namespace {

namespace fs = std::filesystem;

/// A shard that says running although its task is no longer in the queue ended unrecorded:
/// closed as interrupted, saying how SLURM ended the task where it knows (a TIMEOUT or
/// OUT_OF_MEMORY the worker could not record, say).
bool CloseIfOrphaned(const fs::path& shard_path, const std::string& uuid,
                     const std::optional<std::string>& job_id,
                     const std::map<std::string, std::string>& queue,
                     const EndedStateLookup& ended_state) {
  if (job_id && queue.count(*job_id) > 0) return false;
  auto shard = store::ResultsStore::Open(shard_path);
  int64_t run_id = shard->ResolveRun(uuid);
  if (shard->GetRun(run_id).summary.status != "running") return false;
  std::optional<std::string> ended;
  if (job_id && ended_state) ended = ended_state(*job_id);
  const std::string how =
      ended ? fmt::format("ended {} without recording an end", *ended)
            : std::string(
                  "left the queue without recording an end (cancelled, or its node was "
                  "lost)");
  shard->FinishRun(run_id, store::RunStatus::kInterrupted, std::nullopt,
                   fmt::format("its SLURM task {} {}; `orch sweep --resume` continues it from "
                               "its newest checkpoint",
                               job_id.value_or("?"), how));
  return true;
}

}  // namespace

CollectReport CollectSweep(const fs::path& sweep_dir,
                           const std::optional<std::map<std::string, std::string>>& queue,
                           const EndedStateLookup& ended_state) {
  Manifest manifest = ReadManifest(sweep_dir);
  std::vector<Submission> submissions = ReadSubmissions(sweep_dir);
  auto main = store::ResultsStore::Open(manifest.store_path);
  CollectReport report;
  for (const auto& task : manifest.tasks) {
    CollectedRun run;
    run.task = task;
    const fs::path shard_path = task.run_dir / std::string(store::kRunShardName);
    run.has_shard = fs::exists(shard_path);
    if (!run.has_shard) {
      ++report.not_started;
      report.runs.push_back(std::move(run));
      continue;
    }
    try {
      if (queue && CloseIfOrphaned(shard_path, task.uuid, TaskJobId(submissions, task.index),
                                   *queue, ended_state)) {
        ++report.ended_unrecorded;
      }
      store::ShardMerge merge = store::MergeShard(*main, shard_path, task.uuid);
      run.status = merge.status;
      run.last_step = merge.last_step;
      run.changed = merge.changed;
      ++(merge.changed ? report.changed : report.unchanged);
      run.budget_steps = main->GetRun(main->ResolveRun(task.uuid)).summary.budget_steps;
    } catch (const std::exception& error) {
      run.problem = error.what();
      ++report.problems;
    }
    report.runs.push_back(std::move(run));
  }
  return report;
}

}  // namespace orch::sweep::slurm
