// src/app/command_run.cpp: `orch run`, one run recorded in the results store.
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/commands.h"
#include "app/config_pipeline.h"
#include "app/progress_display.h"
#include "app/provenance.h"
#include "app/run_record.h"
#include "app/store_options.h"
#include "app/worker_process.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/string_util.h"
#include "common/uuid.h"
#include "config/json_writer.h"
#include "config/key_path.h"
#include "config/yaml_loader.h"
#include "config/yaml_writer.h"
#include "common/file_io.h"
#include "store/results_store.h"

namespace orch::app {
namespace {

std::atomic<int> g_stop_requests{0};

void OnStopSignal(int) {
  int requests = g_stop_requests.fetch_add(1) + 1;
  const char* message =
      requests == 1 ? "\norch: stopping: the run writes a checkpoint and ends (Ctrl-C again to "
                      "kill it)\n"
                    : "\norch: killing the worker\n";
  (void)!write(STDERR_FILENO, message, std::char_traits<char>::length(message));
}

struct RunPlan {
  int64_t run_id = 0;
  std::string uuid;
  std::string name;
  std::string algo;
  std::string unit;
  std::filesystem::path run_dir;
  int threads = 1;
  std::optional<std::filesystem::path> resume_from;
};

/// Starts the worker for `plan`, shows its progress, and records how it ended when the worker
/// could not (a crash, a kill). Returns the exit code of `orch run`.
int LaunchAndWait(store::ResultsStore& store, const std::filesystem::path& store_path,
                  const RunPlan& plan) {
  WorkerLaunch launch;
  launch.executable = WorkerExecutable().string();
  launch.args = {"--store", std::filesystem::absolute(store_path).string(), "--run",
                 std::to_string(plan.run_id), "--threads", std::to_string(plan.threads)};
  if (plan.resume_from) launch.args.insert(launch.args.end(), {"--resume", plan.resume_from->string()});
  // passive OpenMP waiting: spinning threads collapse throughput on shared cores (build.md §4)
  launch.environment = {"OMP_WAIT_POLICY=PASSIVE", "OMP_NUM_THREADS=" + std::to_string(plan.threads)};
  launch.stdout_log = plan.run_dir / "stdout.log";
  launch.stderr_log = plan.run_dir / "stderr.log";

  std::fprintf(stderr, "orch: run %s (%s)%s; run dir %s\n", plan.uuid.substr(0, 8).c_str(),
               plan.name.c_str(), plan.resume_from ? ", resuming" : "",
               plan.run_dir.string().c_str());
  ProgressDisplay display(plan.algo, plan.unit, stderr);
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  auto started = std::chrono::steady_clock::now();
  WorkerExit exit = RunWorkerProcess(
      launch, [&](const ProgressUpdate& update) { display.Update(update); }, &g_stop_requests);
  display.Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // the worker records its own ending; a worker that died without a word is recorded here
  store::RunDetails details = store.GetRun(plan.run_id);
  if (details.summary.status == "running" || details.summary.status == "queued") {
    std::string reason = "worker " + exit.Describe();
    if (!exit.stderr_tail.empty()) reason += "; stderr:\n" + exit.stderr_tail;
    store.FinishRun(plan.run_id, store::RunStatus::kFailed,
                    exit.signal != 0 ? 128 + exit.signal : exit.exit_code, reason);
    details = store.GetRun(plan.run_id);
  }
  const std::string& status = details.summary.status;
  std::fprintf(stderr, "orch: run %s %s after %s (%lld of %lld %s)\n",
               plan.uuid.substr(0, 8).c_str(), status.c_str(),
               ProgressDisplay::FormatDuration(seconds).c_str(),
               static_cast<long long>(details.summary.last_step),
               static_cast<long long>(details.summary.budget_steps), plan.unit.c_str());
  if (status == "failed") {
    std::fprintf(stderr, "orch: %s\n", details.summary.error_text.c_str());
  }
  if (status == "interrupted" || status == "failed") {
    std::fprintf(stderr, "orch: continue it with: orch run --resume %s --store %s\n",
                 plan.uuid.substr(0, 8).c_str(), store_path.string().c_str());
  }
  std::fprintf(stderr, "orch: orch show %s --store %s\n", plan.uuid.substr(0, 8).c_str(),
               store_path.string().c_str());
  if (status == "completed") return kExitOk;
  if (status == "interrupted") return kExitInterrupted;
  return kExitFailed;
}

int StartNewRun(const ParsedArgs& parsed) {
  // compose and validate before touching the store: an invalid config writes nothing
  ConfigSource source{parsed.positional[0], parsed.Value("config-dir"), true};
  std::vector<std::string> texts(parsed.positional.begin() + 1, parsed.positional.end());
  ConfigPipeline pipeline(source);
  config::ComposedConfig composed = pipeline.Compose(config::ParseOverrides(texts));
  int status = ReportDiagnostics(composed.diagnostics, "configuration");
  if (status != kExitOk) return status;
  const config::Node& tree = composed.tree;

  std::filesystem::path store_path = StorePath(parsed);
  auto store = OpenStoreForWriting(store_path);

  RunPlan plan;
  plan.uuid = NewUuid();
  plan.name = parsed.Value("name").value_or(DefaultRunName(tree, plan.uuid));
  plan.algo = config::FindPath(tree, "algo")->AsString();
  plan.unit = ProgressUnit(tree);
  const config::Node* threads = config::FindPath(tree, "run.threads");
  plan.threads = threads != nullptr && threads->IsInt() && threads->AsInt() > 0
                     ? static_cast<int>(threads->AsInt())
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // the run directory holds what the worker receives, beside the store
  std::string relative_run_dir = "runs/" + plan.uuid;
  plan.run_dir = store->directory() / relative_run_dir;
  std::filesystem::create_directories(plan.run_dir / "checkpoints");
  const std::string yaml = config::ToYaml(tree);
  WriteFileAtomically(plan.run_dir / "config.yaml", yaml);
  config::Node overrides_node = config::Node::MakeList();
  for (const auto& text : texts) overrides_node.MutableList().push_back(config::Node::String(text));
  WriteFileAtomically(plan.run_dir / "overrides.yaml", config::ToYaml(overrides_node));

  store::NewRun run;
  run.uuid = plan.uuid;
  run.name = plan.name;
  run.algo = plan.algo;
  const config::Node* env_name = config::FindPath(tree, "env.name");
  run.task = env_name != nullptr && env_name->IsString() ? env_name->AsString() : "";
  run.seed = config::FindPath(tree, "seed")->AsInt();
  run.config_path = source.primary_file;
  run.config_yaml = yaml;
  run.config_json = config::CanonicalJson(tree);
  run.config_sha256 = Sha256Hex(run.config_json);
  run.overrides = texts;
  run.params = FlattenParams(tree);
  run.code = CollectCodeVersion(pipeline.primary().root);
  run.host = CollectHostInfo();
  run.thread_budget = plan.threads;
  run.budget_steps = BudgetSteps(tree);
  run.run_dir = relative_run_dir;
  run.rerun = parsed.Flag("rerun");
  try {
    plan.run_id = store->CreateRun(run);
  } catch (const store::DuplicateRunError&) {
    std::filesystem::remove_all(plan.run_dir);  // nothing of this attempt stays behind
    throw;
  }
  return LaunchAndWait(*store, store_path, plan);
}

int ResumeRun(const ParsedArgs& parsed, const std::string& reference) {
  if (!parsed.positional.empty()) {
    throw UsageError("orch run --resume takes no CONFIG or overrides: a resumed run keeps its "
                     "recorded config");
  }
  std::filesystem::path store_path = StorePath(parsed);
  auto store = OpenStoreForWriting(store_path);
  int64_t run_id = store->ResolveRun(reference);
  store::RunDetails details = store->GetRun(run_id);
  const std::string& status = details.summary.status;
  if (status == "completed") {
    throw UsageError(fmt::format("run {} already completed; nothing to resume",
                                 details.summary.uuid.substr(0, 8)));
  }
  if (status == "running" || status == "queued") {
    throw UsageError(fmt::format("run {} is {} (worker pid {}); stop it first, or wait a minute "
                                 "for its heartbeat to go stale",
                                 details.summary.uuid.substr(0, 8), status,
                                 details.pid.value_or(0)));
  }

  RunPlan plan;
  plan.run_id = run_id;
  plan.uuid = details.summary.uuid;
  plan.name = details.summary.name;
  plan.algo = details.summary.algo;
  plan.run_dir = store->directory() / details.run_dir;
  config::Node tree = config::ParseYamlValue(details.config_yaml, "stored config");
  plan.unit = ProgressUnit(tree);
  plan.threads = static_cast<int>(details.thread_budget);

  // the newest checkpoint whose file is intact; none means a restart from scratch
  int64_t from_step = -1;
  if (auto checkpoint = store->LatestCheckpoint(run_id)) {
    std::filesystem::path file = store->directory() / checkpoint->path;
    if (!std::filesystem::exists(file) || Sha256FileHex(file) != checkpoint->sha256) {
      throw OrchError(fmt::format("the newest checkpoint of run {} ({}) is missing or does not "
                                  "match its recorded SHA-256",
                                  plan.uuid.substr(0, 8), file.string()));
    }
    from_step = checkpoint->step;
    plan.resume_from = std::filesystem::absolute(file);
  }
  store->PrepareResume(run_id, from_step);
  return LaunchAndWait(*store, store_path, plan);
}

}  // namespace

const CommandSpec& RunSpec() {
  static const CommandSpec spec = {
      "run",
      "CONFIG [OVERRIDE...] [--store PATH] [--name NAME] [--config-dir DIR] | --resume RUN",
      "compose, validate and run one job in a worker process, recorded in the results store",
      "The config is composed and validated first (an invalid config exits 2 and writes\n"
      "nothing). The run is recorded in the store (resolved config, overrides, git state,\n"
      "host, seed, thread budget), its files go to <store dir>/runs/<uuid>/, and a worker\n"
      "process runs it, sending metrics and checkpoints to the store. Ctrl-C stops it after a\n"
      "checkpoint (status interrupted, exit 130); a second Ctrl-C kills it. --resume continues\n"
      "a failed or interrupted run from its newest checkpoint.",
      {
          StoreOption(),
          {"name", "NAME", "run name (default: run.name, else <algo>-<env>-<uuid prefix>)"},
          {"config-dir", "DIR", "config root (default: nearest ancestor named 'configs')"},
          {"resume", "RUN", "continue a failed or interrupted run (id, uuid prefix or name)"},
          {"rerun", "", "run even if an identical run (same config and code) exists"},
      },
      "  orch run configs/tam/pendulum.yaml\n"
      "  orch run configs/tam/pendulum.yaml tam.episodes=2000 seed=3 --name short\n"
      "  orch run --resume 3f2a9c1b\n"};
  return spec;
}

int RunRun(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(RunSpec(), args);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  try {
    if (auto reference = parsed.Value("resume")) return ResumeRun(parsed, *reference);
    if (parsed.positional.empty()) {
      throw UsageError("orch run needs a CONFIG file (or --resume RUN). See 'orch run --help'");
    }
    return StartNewRun(parsed);
  } catch (const store::StoreError& error) {
    std::fprintf(stderr, "orch: %s\n", error.what());
    return kExitUsage;
  }
}

}  // namespace orch::app
