// src/sweep/slurm/array_task.cpp
#include "sweep/slurm/array_task.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "common/error.h"
#include "common/uuid.h"
#include "store/results_store.h"
#include "store/shard.h"
#include "sweep/run_claim.h"
#include "sweep/run_launch.h"
#include "sweep/slurm/slurm_cli.h"
#include "sweep/slurm/sweep_dir.h"

namespace orch::sweep::slurm {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

/// The run's shard, made from the sweep's records on the task's first start. Made under a
/// temporary name and renamed, so that a task killed meanwhile leaves no half-made shard.
fs::path EnsureShard(const fs::path& sweep_dir, const TaskEntry& task) {
  const fs::path shard = task.run_dir / std::string(store::kRunShardName);
  if (fs::exists(shard)) return shard;
  const fs::path partial =
      task.run_dir / fmt::format(".{}-{}{}", NewUuid().substr(0, 8), getpid(), store::kShardSuffix);
  {
    auto made = store::ResultsStore::Open(partial);
    store::CopyRunRecords(*made, sweep_dir / kRecordsName, {task.uuid}, ".");
  }
  fs::rename(partial, shard);
  return shard;
}

}  // namespace

int RunArrayTask(const fs::path& sweep_dir, int64_t index, std::atomic<int>* stop_requests,
                 const std::atomic<int>* time_limit_signals) {
  Manifest manifest = ReadManifest(sweep_dir);
  const TaskEntry* task = manifest.Find(index);
  if (task == nullptr) {
    throw UsageError(
        fmt::format("sweep {} ({}) has no job {}", manifest.sweep, sweep_dir.string(), index));
  }
  const std::string job = Env("SLURM_JOB_ID");
  const std::string restarts = Env("SLURM_RESTART_COUNT");
  std::fprintf(stderr, "orch: sweep %s job %s (%s), SLURM job %s%s, host %s\n",
               manifest.sweep.c_str(), task->label.c_str(), task->uuid.substr(0, 8).c_str(),
               job.empty() ? "-" : job.c_str(),
               restarts.empty() ? "" : fmt::format(", restart {}", restarts).c_str(),
               fs::path(Env("HOSTNAME")).string().c_str());

  const fs::path shard_path = EnsureShard(sweep_dir, *task);
  auto shard = store::ResultsStore::Open(shard_path);
  const int64_t run_id = shard->ResolveRun(task->uuid);
  shard->AddEvent(run_id, "slurm",
                  fmt::format("array task {}_{} (job {}), restart {}, on {}",
                              Env("SLURM_ARRAY_JOB_ID"), Env("SLURM_ARRAY_TASK_ID"), job,
                              restarts.empty() ? "0" : restarts, Env("SLURMD_NODENAME")));

  // this task is the run's only launcher: a shard still saying running is a previous attempt
  // that was killed without recording its end
  store::RunDetails details = shard->GetRun(run_id);
  if (details.summary.status == "completed") {
    std::fprintf(stderr, "orch: run %s already completed; nothing to do\n",
                 task->uuid.substr(0, 8).c_str());
    return 0;
  }
  if (details.summary.status == "running") {
    shard->FinishRun(run_id, store::RunStatus::kInterrupted, std::nullopt,
                     "its previous SLURM attempt ended without recording its end (killed, "
                     "requeued or its node lost)");
  }
  RunClaim claim = details.summary.status == "queued" ? ClaimQueued(*shard, run_id)
                                                      : ClaimForResume(*shard, run_id);
  for (const auto& note : claim.notes) std::fprintf(stderr, "orch: %s\n", note.c_str());
  if (!claim.claimed) throw OrchError("cannot start the run: " + claim.refusal);
  shard.reset();

  RunLaunch launch;
  launch.store_path = shard_path;
  launch.run_id = run_id;
  launch.run_dir = task->run_dir;
  launch.threads = task->threads;
  launch.resume_from = claim.resume_from;
  launch.echo_stderr = true;
  RunOutcome outcome = LaunchRun(launch, {}, stop_requests);
  std::fprintf(stderr, "orch: run %s %s after %.1f s (%lld of %lld)\n",
               task->uuid.substr(0, 8).c_str(), outcome.status.c_str(), outcome.seconds,
               static_cast<long long>(outcome.last_step),
               static_cast<long long>(outcome.budget_steps));

  if (outcome.status == "completed") return 0;
  if (outcome.status != "interrupted") return 1;
  // stopped by the time-limit signal: requeue when allowed, so the run continues by itself
  if (time_limit_signals->load() > 0 && !job.empty()) {
    const int64_t restart_count = restarts.empty() ? 0 : std::stoll(restarts);
    if (restart_count < manifest.max_num_timeout && Requeue(job)) {
      std::fprintf(stderr, "orch: requeued SLURM job %s (restart %lld of at most %lld)\n",
                   job.c_str(), static_cast<long long>(restart_count + 1),
                   static_cast<long long>(manifest.max_num_timeout));
    } else {
      std::fprintf(stderr,
                   "orch: time limit reached and no requeue left (max_num_timeout %lld); "
                   "`orch sweep --resume %s` continues it\n",
                   static_cast<long long>(manifest.max_num_timeout), manifest.sweep.c_str());
    }
  }
  return 130;
}

}  // namespace orch::sweep::slurm
