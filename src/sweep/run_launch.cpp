// src/sweep/run_launch.cpp
#include "sweep/run_launch.h"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "common/file_io.h"
#include "common/string_util.h"
#include "store/results_store.h"
#include "store/run_ending.h"

namespace orch::sweep {
namespace {

/// How a worker that did not record its ending ended: what it said (`@ending`, or the
/// ending.json it left), else what its exit status says.
store::RecordedEnding EndingOf(const WorkerExit& exit, const std::filesystem::path& run_dir) {
  if (exit.ending) return *exit.ending;
  if (auto left = store::ReadEndingFile(run_dir)) return *left;
  store::RecordedEnding ending;
  if (exit.stop_forwarded && (exit.signal == SIGINT || exit.signal == SIGTERM)) {
    // stopped on request before it could checkpoint: nothing is lost, a resume starts over
    ending.status = "interrupted";
    ending.exit_code = 130;
    ending.error = "stopped on request before its first checkpoint";
    return ending;
  }
  ending.status = "failed";
  ending.exit_code = exit.signal != 0 ? 128 + exit.signal : exit.exit_code;
  ending.error = "worker " + exit.Describe();
  if (!exit.stderr_tail.empty()) ending.error += "; stderr:\n" + exit.stderr_tail;
  return ending;
}

/// Records `ending`. A full disk does not lose it: the launcher says so once and retries until
/// there is space, or until a second stop request, which leaves it in the run directory's
/// ending.json (when that can still be written) for the next orch command that opens the store.
void RecordEnding(store::ResultsStore& store, const RunLaunch& launch,
                  const store::RecordedEnding& ending, const std::atomic<int>* stop_requests) {
  const auto status = store::ParseStatus(ending.status).value_or(store::RunStatus::kFailed);
  bool told = false;
  while (true) {
    try {
      store.FinishRun(launch.run_id, status, ending.exit_code, ending.error);
      if (told)
        std::fprintf(stderr, "orch: run #%lld's ending is recorded\n",
                     static_cast<long long>(launch.run_id));
      return;
    } catch (const store::StoreError& error) {
      if (!error.disk_full()) throw;
      if (!told) {
        std::fprintf(stderr,
                     "orch: the disk is full: run #%lld ended %s, and that waits to be recorded; "
                     "retrying every 2 s until there is space (Ctrl-C twice leaves it to the next "
                     "orch command)\n",
                     static_cast<long long>(launch.run_id), ending.status.c_str());
        told = true;
      }
      if (stop_requests != nullptr && stop_requests->load() >= 2) {
        try {
          WriteFileAtomically(launch.run_dir / store::kEndingFileName, store::EndingJson(ending));
        } catch (const std::exception&) {
          // the worker's own copy, if it wrote one, is all there is
        }
        return;
      }
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }
}

}  // namespace

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

  // the connection stays open while the worker runs: with it, SQLite's shared-memory file
  // stays too, and a store on a disk that fills up meanwhile can still be read and its last
  // writes retried (a new connection must create that file, which a full disk refuses)
  auto store = store::ResultsStore::Open(launch.store_path);

  auto started = std::chrono::steady_clock::now();
  RunOutcome outcome;
  outcome.exit = RunWorkerProcess(worker, on_progress, stop_requests, on_started);
  outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // the worker records its own ending; what it could not record (it crashed, or the disk was
  // full) is recorded here, for a run that is still this worker's
  store::RunDetails details = store->GetRun(launch.run_id);
  const bool unfinished = details.summary.status == "running" || details.summary.status == "queued";
  const bool ours = !details.pid || *details.pid == outcome.exit.pid;
  if (unfinished && ours) {
    RecordEnding(*store, launch, EndingOf(outcome.exit, launch.run_dir), stop_requests);
    details = store->GetRun(launch.run_id);
  }
  outcome.refused = unfinished && !ours;
  outcome.status = details.summary.status;
  outcome.last_step = details.summary.last_step;
  outcome.budget_steps = details.summary.budget_steps;
  outcome.error_text = details.summary.error_text;
  return outcome;
}

std::string ResumeCommand(const std::string& uuid, const std::filesystem::path& store_path) {
  return fmt::format("orch run --resume {} --store {}", uuid.substr(0, 8),
                     ShellQuote(store_path.string()));
}

}  // namespace orch::sweep
