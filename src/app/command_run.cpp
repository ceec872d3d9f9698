// src/app/command_run.cpp: `orch run`, one run recorded in the results store.

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/commands.h"
#include "app/config_pipeline.h"
#include "app/config_schema.h"
#include "app/progress_display.h"
#include "app/provenance.h"
#include "app/run_record.h"
#include "app/run_recording.h"
#include "app/stop_signals.h"
#include "app/store_options.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/sha256.h"
#include "common/string_util.h"
#include "common/uuid.h"
#include "config/json_writer.h"
#include "config/key_path.h"
#include "config/yaml_loader.h"
#include "config/yaml_writer.h"
#include "store/results_store.h"
#include "sweep/run_claim.h"
#include "sweep/run_launch.h"
#include "sweep/slurm/array_task.h"

namespace orch::app {
namespace {

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

/// Runs the recorded run of `plan` in a worker, shows its progress, and says how it ended.
/// Returns the exit code of `orch run`.
int LaunchAndWait(const std::filesystem::path& store_path, const RunPlan& plan) {
  std::fprintf(stderr, "orch: run %s (%s)%s; run dir %s\n", plan.uuid.substr(0, 8).c_str(),
               plan.name.c_str(), plan.resume_from ? ", resuming" : "",
               plan.run_dir.string().c_str());
  ProgressDisplay display(plan.algo, plan.unit, stderr);
  InstallStopSignals(
      "\norch: stopping: the run writes a checkpoint and ends (Ctrl-C again to kill it)\n",
      "\norch: killing the worker\n");

  sweep::RunLaunch launch;
  launch.store_path = store_path;
  launch.run_id = plan.run_id;
  launch.run_dir = plan.run_dir;
  launch.threads = plan.threads;
  launch.resume_from = plan.resume_from;
  sweep::RunOutcome outcome = sweep::LaunchRun(
      launch, [&](const sweep::ProgressUpdate& update) { display.Update(update); },
      &StopRequests());
  display.Finish();

  std::fprintf(stderr, "orch: run %s %s after %s (%lld of %lld %s)\n",
               plan.uuid.substr(0, 8).c_str(), outcome.status.c_str(),
               ProgressDisplay::FormatDuration(outcome.seconds).c_str(),
               static_cast<long long>(outcome.last_step),
               static_cast<long long>(outcome.budget_steps), plan.unit.c_str());
  if (outcome.status == "failed") std::fprintf(stderr, "orch: %s\n", outcome.error_text.c_str());
  if (outcome.status == "interrupted" || outcome.status == "failed") {
    std::fprintf(stderr, "orch: continue it with: %s\n",
                 sweep::ResumeCommand(plan.uuid, store_path).c_str());
  }
  std::fprintf(stderr, "orch: orch show %s --store %s\n", plan.uuid.substr(0, 8).c_str(),
               ShellQuote(store_path.string()).c_str());
  if (outcome.status == "completed") return kExitOk;
  if (outcome.status == "interrupted") return kExitInterrupted;
  return kExitFailed;
}

/// A config whose `hydra.sweeper.params` declare a sweep is a sweep: `orch run` says so rather
/// than run one of its jobs.
void RefuseConfigSweep(config::ComposedConfig& composed) {
  const auto& params = composed.hydra.sweeper_params;
  if (params.empty()) return;
  std::vector<std::string> keys;
  for (const auto& param : params) keys.push_back(param.key);
  composed.diagnostics.Error(
      params.front().MakeOrigin(), "hydra.sweeper.params",
      fmt::format("this config declares a sweep over {}, and orch run runs one job",
                  Join(keys, ", ")),
      "Run the sweep with `orch sweep CONFIG` (or `orch run -m CONFIG`), or list its jobs with "
      "`orch plan CONFIG`",
      "hydra");
}

int StartNewRun(const ParsedArgs& parsed) {
  if (auto name = parsed.Value("name")) {
    if (auto problem = NameProblem(*name)) {
      throw UsageError(fmt::format("--name {}: {}", ShellQuote(PrintableText(*name)), *problem));
    }
  }
  // compose and validate before touching the store: an invalid config writes nothing
  ConfigSource source{parsed.positional[0], parsed.Value("config-dir"), true};
  std::vector<std::string> texts(parsed.positional.begin() + 1, parsed.positional.end());
  ConfigPipeline pipeline(source);
  config::ComposedConfig composed = pipeline.Compose(config::ParseOverrides(texts));
  RefuseConfigSweep(composed);
  int status = ReportDiagnostics(composed.diagnostics, "configuration");
  if (status != kExitOk) return status;
  const config::Node& tree = composed.tree;

  std::filesystem::path store_path = StorePath(parsed);
  auto store = OpenStoreForWriting(store_path);

  RunRequest request;
  request.tree = &tree;
  request.config_path = source.primary_file;
  request.overrides = texts;
  request.name = parsed.Value("name");
  request.code = CollectCodeVersion(pipeline.primary().root);
  request.host = CollectHostInfo();
  request.threads = ThreadsForRun(tree, 1);
  request.rerun = parsed.Flag("rerun");
  RecordedRun recorded = RecordNewRun(*store, request);

  if (sweep::RunClaim claim = sweep::ClaimQueued(*store, recorded.run_id); !claim.claimed) {
    throw UsageError(
        fmt::format("cannot start run {}: {}", recorded.uuid.substr(0, 8), claim.refusal));
  }
  store.reset();

  RunPlan plan;
  plan.run_id = recorded.run_id;
  plan.uuid = recorded.uuid;
  plan.name = recorded.name;
  plan.algo = config::FindPath(tree, "algo")->AsString();
  plan.unit = ProgressUnit(tree);
  plan.run_dir = recorded.run_dir;
  plan.threads = request.threads;
  return LaunchAndWait(store_path, plan);
}

int ResumeRun(const ParsedArgs& parsed, const std::string& reference) {
  if (!parsed.positional.empty()) {
    throw UsageError(
        "orch run --resume takes no CONFIG or overrides: a resumed run keeps its "
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
    throw UsageError(
        fmt::format("run {} is {} (worker pid {}); stop it first, or wait a minute "
                    "for its heartbeat to go stale",
                    details.summary.uuid.substr(0, 8), status, details.pid.value_or(0)));
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

  // the newest intact checkpoint (a damaged newest one is passed over, and said so)
  sweep::RunClaim claim = sweep::ClaimForResume(*store, run_id);
  for (const auto& note : claim.notes) std::fprintf(stderr, "orch: %s\n", note.c_str());
  if (!claim.claimed) throw UsageError(fmt::format("cannot resume: {}", claim.refusal));
  plan.resume_from = claim.resume_from;
  return LaunchAndWait(store_path, plan);
}

/// One array task of a SLURM sweep: the job, its shard, requeues (slurm/array_task.h).
int RunSweepTask(const ParsedArgs& parsed, const std::string& sweep_dir) {
  auto index_text = parsed.Value("index");
  if (!index_text || !parsed.positional.empty()) {
    throw UsageError("orch run --sweep-dir DIR needs --index I and no CONFIG or overrides");
  }
  int64_t index = -1;
  try {
    index = std::stoll(*index_text);
  } catch (const std::exception&) {
  }
  if (index < 0) throw UsageError("--index needs a job number, got '" + *index_text + "'");
  InstallStopSignals("\norch: stopping: the run writes a checkpoint and ends\n",
                     "\norch: killing the worker\n");
  InstallTimeLimitSignal();
  return sweep::slurm::RunArrayTask(sweep_dir, index, &StopRequests(), &TimeLimitSignals());
}

}  // namespace

const CommandSpec& RunSpec() {
  static const CommandSpec spec = {
      "run",
      "CONFIG [OVERRIDE...]",
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
          {"multirun", "", "run the overrides' sweep (Hydra's -m): the same as orch sweep", "m"},
          {"sweep-dir", "DIR",
           "with --index: run one job of a sweep submitted to SLURM (what its array tasks run)"},
          {"index", "I", "the job of --sweep-dir to run"},
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
  if (parsed.Flag("multirun")) {
    // Hydra's multirun: the sweep command with the same config, overrides and store
    std::vector<std::string> sweep_args = parsed.positional;
    for (const char* option : {"store", "name", "config-dir"}) {
      if (auto value = parsed.Value(option)) {
        sweep_args.insert(sweep_args.end(), {std::string("--") + option, *value});
      }
    }
    return RunSweep(sweep_args);
  }
  try {
    if (auto sweep_dir = parsed.Value("sweep-dir")) return RunSweepTask(parsed, *sweep_dir);
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
