// src/sweep/run_launch.cpp
#include "sweep/run_launch.h"

#include <fmt/format.h>

#include <chrono>

#include "store/results_store.h"

namespace orch::sweep {

RunOutcome LaunchRun(const RunLaunch& launch,
                     const std::function<void(const ProgressUpdate&)>& on_progress,
                     const std::atomic<int>* stop_requests,
                     const std::function<void(pid_t)>& on_started) {
  WorkerLaunch worker;
  worker.executable = WorkerExecutable().string();
  worker.args = {"--store",   std::filesystem::absolute(launch.store_path).string(),
                 "--run",     std::to_string(launch.run_id),
                 "--threads", std::to_string(launch.threads)};
  if (launch.resume_from) {
    worker.args.insert(worker.args.end(), {"--resume", launch.resume_from->string()});
  }
  // passive OpenMP waiting: spinning threads collapse throughput on shared cores (build.md §4)
  worker.environment = {"OMP_WAIT_POLICY=PASSIVE",
                        "OMP_NUM_THREADS=" + std::to_string(launch.threads)};
  worker.stdout_log = launch.run_dir / "stdout.log";
  worker.stderr_log = launch.run_dir / "stderr.log";
  worker.echo_stderr = launch.echo_stderr;

  auto started = std::chrono::steady_clock::now();
  RunOutcome outcome;
  outcome.exit = RunWorkerProcess(worker, on_progress, stop_requests, on_started);
  outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // the worker records its own ending; one that died without a word is recorded here
  auto store = store::ResultsStore::Open(launch.store_path);
  store::RunDetails details = store->GetRun(launch.run_id);
  if (details.summary.status == "running" || details.summary.status == "queued") {
    std::string reason = "worker " + outcome.exit.Describe();
    if (!outcome.exit.stderr_tail.empty()) reason += "; stderr:\n" + outcome.exit.stderr_tail;
    store->FinishRun(launch.run_id, store::RunStatus::kFailed,
                     outcome.exit.signal != 0 ? 128 + outcome.exit.signal : outcome.exit.exit_code,
                     reason);
    details = store->GetRun(launch.run_id);
  }
  outcome.status = details.summary.status;
  outcome.last_step = details.summary.last_step;
  outcome.budget_steps = details.summary.budget_steps;
  outcome.error_text = details.summary.error_text;
  return outcome;
}

std::string ResumeCommand(const std::string& uuid, const std::filesystem::path& store_path) {
  return fmt::format("orch run --resume {} --store {}", uuid.substr(0, 8), store_path.string());
}

}  // namespace orch::sweep
