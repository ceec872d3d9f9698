// src/app/worker_main.cpp: orch-worker, the process that runs one workload. It links LibTorch;
// `orch run` (and the sweep launchers) start it, one run per process (architecture.md, 3).
//
//   orch-worker --store PATH --run RUN_ID [--resume CHECKPOINT] [--threads N]
//
// Exit codes: 0 completed, 1 failed, 130 interrupted (after a checkpoint), 2 bad usage.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "algos/algorithm.h"
#include "app/store_sinks.h"
#include "app/workload_registry.h"
#include "common/file_io.h"
#include "common/string_util.h"
#include "config/key_path.h"
#include "config/yaml_loader.h"
#include "rl/allocator.h"
#include "rl/device.h"
#include "rl/failure_text.h"
#include "rl/threads.h"
#include "store/results_store.h"
#include "store/run_ending.h"

namespace orch::app {
namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

struct WorkerArgs {
  std::string store;
  int64_t run_id = -1;
  std::optional<std::string> resume;
  int threads = 1;
};

WorkerArgs ParseWorkerArgs(int argc, char** argv) {
  WorkerArgs args;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--store") {
      args.store = value();
    } else if (flag == "--run") {
      args.run_id = std::stoll(value());
    } else if (flag == "--resume") {
      args.resume = value();
    } else if (flag == "--threads") {
      args.threads = std::stoi(value());
    } else {
      throw std::invalid_argument("unknown argument " + flag);
    }
  }
  if (args.store.empty() || args.run_id < 0) {
    throw std::invalid_argument(
        "usage: orch-worker --store PATH --run RUN_ID "
        "[--resume CHECKPOINT] [--threads N]");
  }
  return args;
}

/// Every few seconds, on its own connection: flushes the metrics the workload logged since the
/// last flush and beats the run's heartbeat, so that a long stretch without new metrics (an
/// evaluation, a pretraining burst) neither looks like a dead worker nor risks its points.
class HeartbeatThread {
 public:
  HeartbeatThread(const std::string& store_path, int64_t run_id, StoreMetricSink& metrics)
      : metrics_(metrics), thread_([this, store_path, run_id] { Loop(store_path, run_id); }) {}
  ~HeartbeatThread() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void Loop(const std::string& store_path, int64_t run_id) {
    try {
      auto store = store::ResultsStore::Open(store_path);
      std::unique_lock<std::mutex> lock(mutex_);
      while (!wake_.wait_for(lock, std::chrono::seconds(5), [this] { return done_; })) {
        lock.unlock();
        try {
          metrics_.Flush();
        } catch (const std::exception& error) {
          // the points stay pending; the workload's own next flush retries them
          std::fprintf(stderr, "orch-worker: metric flush deferred: %s\n", error.what());
        }
        store->Heartbeat(run_id, -1);
        lock.lock();
      }
    } catch (const std::exception& error) {
      std::fprintf(stderr, "orch-worker: heartbeat stopped: %s\n", error.what());
    }
  }

  StoreMetricSink& metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

/// The worker's exit code when the run was not its to start (another launcher's worker has
/// it): nothing is written, and the launcher leaves the run alone.
constexpr int kExitClaimRefused = 75;

/// Tells the launcher how the run ended (`@ending` on stdout, which needs no disk), then
/// records it. When the store cannot take it (a full disk), leaves it in ending.json for
/// whoever can write the store next, and says so.
void RecordEnding(store::ResultsStore& store, int64_t run_id, const std::filesystem::path& run_dir,
                  const store::RecordedEnding& ending) {
  std::fprintf(stdout, "@ending %s\n", store::EndingJson(ending).c_str());
  std::fflush(stdout);
  try {
    store.FinishRun(run_id, store::ParseStatus(ending.status).value_or(store::RunStatus::kFailed),
                    ending.exit_code, ending.error);
  } catch (const store::StoreError& error) {
    std::fprintf(stderr, "orch-worker: cannot record the run's ending: %s\n", error.what());
    try {
      WriteFileAtomically(run_dir / store::kEndingFileName, store::EndingJson(ending));
    } catch (const std::exception& file_error) {
      std::fprintf(stderr, "orch-worker: nor leave it in %s: %s\n", store::kEndingFileName,
                   file_error.what());
    }
  }
}

int64_t PeakRssBytes() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

int RunWorker(const WorkerArgs& args) {
  auto store = store::ResultsStore::Open(args.store);
  store::RunDetails run = store->GetRun(args.run_id);
  std::filesystem::path run_dir = store->directory() / run.run_dir;
  std::ofstream log(run_dir / "run.log", std::ios::app);

  config::Node config = config::ParseYamlValue(run.config_yaml, (run_dir / "config.yaml").string());
  const config::Node* algo = config.Find("algo");
  if (algo == nullptr || !algo->IsString()) throw std::runtime_error("the config has no algo");

  // where the run computes, checked before anything is built: a CUDA run on a CPU-only worker
  // fails here, saying which LibTorch this is and how to get a CUDA one
  const config::Node* device_node = config::FindPath(config, "run.device");
  std::string requested =
      device_node != nullptr && device_node->IsString() ? device_node->AsString() : "cpu";
  const algos::AlgorithmDescriptor* descriptor = algos::FindAlgorithm(algo->AsString());
  const bool on_cuda = descriptor != nullptr && descriptor->computes_on_cuda;
  if (requested == "auto" && !on_cuda) requested = "cpu";
  const std::string device = rl::ResolveDevice(requested);
  if (device != "cpu" && !on_cuda) {
    throw std::runtime_error(fmt::format(
        "run.device resolved to {} ({}), but {} computes on the CPU only in this version of "
        "orch; use run.device=cpu",
        device, rl::LibTorchDescription(), algo->AsString()));
  }

  rl::TuneAllocatorForTraining();
  rl::ConfigureIntraOpThreads(args.threads);
  rl::WorkloadRegistry registry;
  RegisterBuiltinWorkloads(registry);
  std::unique_ptr<rl::Workload> workload;
  try {
    workload = registry.Get(algo->AsString()).factory(config);
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("{}: building the workload: {}", algo->AsString(),
                                         rl::DescribeFailure(error, &config)));
  }

  try {
    store->MarkRunning(args.run_id, getpid());
    store->RecordDevice(args.run_id, device);
  } catch (const store::ClaimRefusedError& refused) {
    // another launcher's worker has this run: it is not ours to record anything about
    std::fprintf(stderr, "orch-worker: not starting: %s\n", refused.what());
    return kExitClaimRefused;
  }
  log << fmt::format("worker {} started run {} ({}), {} thread(s){}\n", getpid(), run.summary.uuid,
                     algo->AsString(), args.threads,
                     args.resume ? " resuming from " + *args.resume : std::string());
  log.flush();

  StoreMetricSink metrics(args.store, args.run_id);
  const config::Node* keep = config::FindPath(config, "run.keep_checkpoints");
  StoreCheckpointSink checkpoints(*store, args.run_id, run_dir,
                                  keep != nullptr && keep->IsInt() ? keep->AsInt() : 0);
  ProgressLineSink progress(stdout);

  rl::RunContext context;
  const config::Node* seed = config.Find("seed");
  context.seed = seed != nullptr && seed->IsInt() ? static_cast<uint64_t>(seed->AsInt()) : 0;
  context.threads = args.threads;
  context.metrics = &metrics;
  context.checkpoints = &checkpoints;
  context.progress = &progress;
  context.stop = rl::StopToken(&g_stop);
  context.device = device;
  context.run_dir = run_dir;
  if (args.resume) context.resume_from = std::filesystem::path(*args.resume);
  context.log = &log;

  HeartbeatThread heartbeat(args.store, args.run_id, metrics);
  auto started = std::chrono::steady_clock::now();
  store::RecordedEnding ending;
  try {
    rl::WorkloadOutcome outcome = workload->Run(context);
    metrics.Flush();
    store->SetRunStats(args.run_id, metrics.param_count(), PeakRssBytes(), std::nullopt);
    if (outcome == rl::WorkloadOutcome::kInterrupted) {
      ending = {"interrupted", 130, "stopped on request after a checkpoint"};
    } else {
      ending = {"completed", 0, ""};
    }
  } catch (const std::exception& error) {
    try {
      metrics.Flush();
    } catch (const std::exception&) {
      // the failure below is what matters
    }
    ending = {"failed", 1,
              fmt::format("{}: {}", algo->AsString(), rl::DescribeFailure(error, &config))};
    std::fprintf(stderr, "orch-worker: %s\n", ending.error.c_str());
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // what the workload left in its directory (analyses, plot data, snapshots), as artifacts
  try {
    store->SetArtifacts(args.run_id, CollectArtifacts(run_dir, store->directory()));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "orch-worker: artifacts not recorded: %s\n", error.what());
  }
  RecordEnding(*store, args.run_id, run_dir, ending);
  log << fmt::format("{} after {:.1f} s{}\n", ending.status, seconds,
                     ending.error.empty() ? "" : ": " + ending.error);
  return static_cast<int>(ending.exit_code.value_or(1));
}

}  // namespace
}  // namespace orch::app

int main(int argc, char** argv) {
  std::signal(SIGINT, orch::app::OnStopSignal);
  std::signal(SIGTERM, orch::app::OnStopSignal);
  std::signal(SIGPIPE, SIG_IGN);
  // the launcher starts us with the stop signals blocked; one that came while we loaded is
  // delivered now, to the handler, and the run stops at its first check
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
  orch::app::WorkerArgs args;
  try {
    args = orch::app::ParseWorkerArgs(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "orch-worker: %s\n", error.what());
    return 2;
  }
  try {
    return orch::app::RunWorker(args);
  } catch (const std::exception& error) {
    // failures before the workload started (store, config, registry, building the workload)
    std::string message = orch::rl::DescribeFailure(error, nullptr);
    std::fprintf(stderr, "orch-worker: %s\n", message.c_str());
    orch::store::RecordedEnding ending{"failed", 1, message};
    std::fprintf(stdout, "@ending %s\n", orch::store::EndingJson(ending).c_str());
    std::fflush(stdout);
    try {
      // only a run that is still this launch's (queued, or claimed without a worker yet)
      auto store = orch::store::ResultsStore::Open(args.store);
      orch::store::RunDetails run = store->GetRun(args.run_id);
      const bool ours = run.summary.status == "queued" ||
                        (run.summary.status == "running" && (!run.pid || *run.pid == getpid()));
      if (ours) store->FinishRun(args.run_id, orch::store::RunStatus::kFailed, 1, message);
    } catch (const std::exception&) {
      // the store itself is the problem: the launcher records what we printed
    }
    return 1;
  }
}
