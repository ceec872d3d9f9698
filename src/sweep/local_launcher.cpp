// src/sweep/local_launcher.cpp
#include "sweep/local_launcher.h"

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <charconv>
#include <exception>
#include <thread>

#include "store/results_store.h"
#include "sweep/run_claim.h"

namespace orch::sweep {

std::optional<FailurePolicy> FailurePolicy::Parse(std::string_view text) {
  FailurePolicy policy;
  if (text == "continue") return policy;
  if (text == "stop") {
    policy.kind = Kind::kStop;
    return policy;
  }
  constexpr std::string_view kRetry = "retry:";
  if (text.substr(0, kRetry.size()) == kRetry) {
    std::string_view number = text.substr(kRetry.size());
    int retries = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), retries);
    if (error != std::errc() || end != number.data() + number.size() || retries < 1) {
      return std::nullopt;
    }
    policy.kind = Kind::kRetry;
    policy.retries = retries;
    return policy;
  }
  return std::nullopt;
}

std::string FailurePolicy::ToString() const {
  switch (kind) {
    case Kind::kContinue:
      return "continue";
    case Kind::kStop:
      return "stop";
    case Kind::kRetry:
      return fmt::format("retry:{}", retries);
  }
  return "continue";
}

std::vector<LaunchResult> RunLocally(const std::vector<LaunchItem>& items,
                                     const LocalLaunchOptions& options, LaunchObserver& observer,
                                     std::atomic<int>* stop_requests) {
  std::vector<LaunchResult> results(items.size());
  for (size_t i = 0; i < items.size(); ++i) results[i].item = items[i];
  const int jobs = std::max(1, options.jobs);

  // each slot waits on a process, so more slots than cores are fine
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                              static_cast<size_t>(jobs) + 1);
  tbb::task_arena arena(jobs);
  std::atomic<size_t> next{0};
  // parallel_for orders the setup above before every slot and every slot before its return, but
  // through libtbb, which is not built with ThreadSanitizer, so it cannot see that order and
  // reports the results (read by the workers, then moved by this thread) as races. This pair of
  // release/acquire edges states the same order in code it sees; it costs two atomics per slot.
  std::atomic<int> slots_done{0};
  slots_done.store(0, std::memory_order_release);
  arena.execute([&] {
    tbb::parallel_for(
        0, jobs,
        [&](int) {
          slots_done.load(std::memory_order_acquire);
          // a slot takes the next item in order until none is left or the sweep stops
          for (size_t index = next++; index < items.size(); index = next++) {
            if (stop_requests->load() > 0) continue;
            LaunchResult& result = results[index];
            // take the run now that its turn has come; another launcher may have it already
            RunClaim claim;
            {
              auto store = store::ResultsStore::Open(options.store_path);
              claim = result.item.resume ? ClaimForResume(*store, result.item.run_id)
                                         : ClaimQueued(*store, result.item.run_id);
            }
            result.notes = claim.notes;
            if (!claim.claimed) {
              result.skipped = claim.refusal;
              observer.OnSkipped(result.item, claim.refusal);
              continue;
            }
            RunLaunch launch;
            launch.store_path = options.store_path;
            launch.run_id = result.item.run_id;
            launch.run_dir = result.item.run_dir;
            launch.threads = result.item.threads;
            launch.resume_from = claim.resume_from;
            launch.echo_stderr = false;
            result.started = true;
            while (true) {
              ++result.attempts;
              observer.OnStarted(result.item, result.attempts);
              result.outcome = LaunchRun(
                  launch,
                  [&](const ProgressUpdate& update) { observer.OnProgress(result.item, update); },
                  stop_requests);
              bool failed = result.outcome.status == "failed" && !result.outcome.refused;
              bool retry = failed && options.on_failure.kind == FailurePolicy::Kind::kRetry &&
                           result.attempts <= options.on_failure.retries &&
                           stop_requests->load() == 0;
              observer.OnFinished(result.item, result.outcome, retry);
              if (failed && options.on_failure.kind == FailurePolicy::Kind::kStop) {
                int expected = 0;
                stop_requests->compare_exchange_strong(expected, 1);
              }
              if (!retry) break;
              auto store = store::ResultsStore::Open(options.store_path);
              RunClaim again = ClaimForResume(*store, result.item.run_id);
              result.notes.insert(result.notes.end(), again.notes.begin(), again.notes.end());
              if (!again.claimed) break;
              launch.resume_from = again.resume_from;
            }
          }
          slots_done.fetch_add(1, std::memory_order_release);
        },
        tbb::simple_partitioner());
  });
  slots_done.load(std::memory_order_acquire);
  return results;
}

}  // namespace orch::sweep

namespace orch::sweep {
namespace {

class LocalLauncher : public Launcher {
 public:
  LaunchReport Launch(const SweepLaunch& sweep, const std::vector<LaunchItem>& items,
                      LaunchObserver& observer, std::atomic<int>* stop_requests) override {
    LocalLaunchOptions options;
    options.store_path = sweep.store_path;
    options.jobs = sweep.jobs;
    options.on_failure = sweep.on_failure;
    // TBB's workers write into the stack frame of the thread that runs the arena (the slots'
    // counter, the task tree's root). That thread is one of its own, joined here, so the front
    // end's stack is never memory they touched: ThreadSanitizer cannot see TBB's internal
    // synchronisation and reported the front end's next use of that stack as a race.
    LaunchReport report;
    std::exception_ptr failure;
    std::thread arena_thread([&] {
      try {
        report.results = RunLocally(items, options, observer, stop_requests);
      } catch (...) {
        failure = std::current_exception();
      }
    });
    arena_thread.join();
    if (failure) std::rethrow_exception(failure);
    return report;
  }
};

}  // namespace

LauncherKind LocalLauncherKind() {
  return {"local", "worker processes on this machine, --jobs at once; waits for them",
          [](const config::Node& options, Diagnostics& diagnostics) -> std::unique_ptr<Launcher> {
            CheckLauncherKeys(options, {}, diagnostics);
            return std::make_unique<LocalLauncher>();
          }};
}

}  // namespace orch::sweep
