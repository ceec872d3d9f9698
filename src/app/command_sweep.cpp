// src/app/command_sweep.cpp: `orch sweep` (and `orch run -m`), a sweep of runs in parallel
// worker processes, resumable by name.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "app/commands.h"
#include "app/config_pipeline.h"
#include "app/progress_display.h"
#include "app/provenance.h"
#include "app/run_record.h"
#include "app/run_recording.h"
#include "app/stop_signals.h"
#include "app/store_options.h"
#include "app/sweep_planning.h"
#include "app/sweep_progress.h"
#include "common/error.h"
#include "common/json.h"
#include "common/sha256.h"
#include "common/string_util.h"
#include "config/key_path.h"
#include "sweep/launcher.h"
#include "sweep/sweep_spec.h"

namespace orch::app {
namespace {

/// What a job of a re-launched sweep does, given the runs with its identity.
enum class JobAction { kNew, kAlreadyCompleted, kRunningElsewhere, kStartQueued, kResume };

struct JobDecision {
  JobAction action = JobAction::kNew;
  int64_t run_id = 0;
  std::string uuid;
};

JobDecision Decide(const std::vector<store::RunSummary>& twins) {
  JobDecision decision;
  auto find = [&](const char* status) -> const store::RunSummary* {
    for (const auto& run : twins) {
      if (run.status == status) return &run;
    }
    return nullptr;
  };
  if (const auto* run = find("completed")) {
    return {JobAction::kAlreadyCompleted, run->run_id, run->uuid};
  }
  if (const auto* run = find("running")) {
    return {JobAction::kRunningElsewhere, run->run_id, run->uuid};
  }
  if (const auto* run = find("queued")) return {JobAction::kStartQueued, run->run_id, run->uuid};
  // twins are newest first: the newest interrupted or failed run continues
  if (!twins.empty()) return {JobAction::kResume, twins.front().run_id, twins.front().uuid};
  return decision;
}

std::string AxesJson(const sweep::SweepJob& job) {
  JsonWriter json;
  json.BeginObject();
  for (const auto& [key, value] : job.axis_values) json.Key(key).String(value);
  json.EndObject();
  return json.Take();
}

/// Runs recorded by this launch that will not start after all (the sweep stopped first) end
/// as interrupted, so that they block nothing and `orch sweep --resume` starts them.
void SetAside(store::ResultsStore& store, const std::vector<int64_t>& run_ids,
              const std::string& sweep_name) {
  const std::string reason = fmt::format(
      "not started: sweep {} was stopped before this run's turn; `orch sweep --resume {}` "
      "starts it",
      sweep_name, ShellQuote(sweep_name));
  for (int64_t run_id : run_ids) store.AbandonQueuedRun(run_id, reason);
}

/// `run.threads` when positive, else the launcher's cores per run, else the machine's cores
/// shared among the runs at once.
int ThreadsFor(const config::Node& tree, const sweep::Launcher& launcher, int jobs) {
  const std::optional<int> cores = launcher.CoresPerRun();
  const config::Node* threads = config::FindPath(tree, "run.threads");
  if (!cores || (threads != nullptr && threads->IsInt() && threads->AsInt() > 0)) {
    return ThreadsForRun(tree, jobs);
  }
  return *cores;
}

/// For a launcher that returns at once: nothing starts or ends while it submits.
sweep::LaunchObserver* NoObserver() {
  class Silent : public sweep::LaunchObserver {
   public:
    void OnStarted(const sweep::LaunchItem&, int) override {}
    void OnProgress(const sweep::LaunchItem&, const sweep::ProgressUpdate&) override {}
    void OnFinished(const sweep::LaunchItem&, const sweep::RunOutcome&, bool) override {}
    void OnSkipped(const sweep::LaunchItem&, const std::string&) override {}
  };
  static Silent silent;
  return &silent;
}

int LaunchSweep(const sweep::SweepSpec& spec, const ParsedArgs& parsed) {
  // where the runs execute, checked with everything else before anything is written
  std::string launcher_kind;
  std::unique_ptr<sweep::Launcher> launcher = sweep::MakeLauncher(spec, &launcher_kind);
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto text = parsed.Value("jobs")) {
    try {
      jobs = std::stoi(*text);
    } catch (const std::exception&) {
      jobs = 0;
    }
    if (jobs < 1) throw UsageError("--jobs needs a positive number, got '" + *text + "'");
  }
  std::string policy_text = parsed.Value("on-failure").value_or("continue");
  std::optional<sweep::FailurePolicy> policy = sweep::FailurePolicy::Parse(policy_text);
  if (!policy) {
    throw UsageError("--on-failure takes continue, stop or retry:N, got '" + policy_text + "'");
  }
  uint64_t shuffle_seed = 0;
  if (auto text = parsed.Value("shuffle-seed")) shuffle_seed = std::stoull(*text);

  // Ctrl-C from here on is reported and leaves nothing half-recorded
  InstallStopSignals(
      "\norch: stopping the sweep: no new run starts; running runs write a "
      "checkpoint and end (Ctrl-C again to kill them)\n",
      "\norch: killing the sweep's workers\n");

  // every job composed and validated before the store is touched
  ConfigSource source{spec.config.string(), parsed.Value("config-dir"), true};
  ConfigPipeline pipeline(source);
  SweepPlan plan = PlanSweep(spec, pipeline, shuffle_seed);
  int status = ReportDiagnostics(plan.problems, "sweep");
  if (status != kExitOk) return status;
  if (StopRequests().load() > 0) {
    std::fprintf(stderr, "orch: sweep %s stopped before anything was recorded\n",
                 spec.name.c_str());
    return kExitInterrupted;
  }

  std::filesystem::path store_path = StorePath(parsed);
  sweep::SweepLaunch launch;
  launch.name = spec.name;
  launch.store_path = std::filesystem::absolute(store_path);
  launch.jobs = jobs;
  launch.on_failure = *policy;
  // what earlier launches did elsewhere comes in first (SLURM shards), and what is still in
  // a scheduler's queue is not launched again
  const std::set<std::string> in_flight = launcher->Refresh(launch);
  auto store = OpenStoreForWriting(store_path);
  const std::string recorded = sweep::RecordedText(spec);
  int64_t sweep_id = store->RecordSweep(spec.name, spec.experiment, recorded, Sha256Hex(recorded));
  store::CodeVersion code = CollectCodeVersion(pipeline.primary().root);
  store::HostInfo host = CollectHostInfo();

  // each job: an identical run completed, running, queued, stopped, or none yet
  std::vector<sweep::LaunchItem> items;
  std::vector<int64_t> recorded_here;  // set aside again if the sweep stops before they start
  size_t completed = 0, elsewhere = 0, resumed = 0;
  int64_t total_work = 0;
  for (const PlannedJob& planned : plan.jobs) {
    if (StopRequests().load() > 0) break;
    const sweep::SweepJob& job = planned.job;
    JobDecision decision = Decide(store->FindRunsByIdentity(planned.config_sha256, code));
    sweep::LaunchItem item;
    item.job_index = job.index;
    item.label = job.Label();
    item.threads = ThreadsFor(planned.tree, *launcher, jobs);
    if (decision.action == JobAction::kNew) {
      RunRequest request;
      request.tree = &planned.tree;
      request.config_path = spec.config.string();
      request.overrides = job.OverrideTexts();
      request.code = code;
      request.host = host;
      request.threads = item.threads;
      request.sweep_id = sweep_id;
      request.variant = job.variant;
      try {
        RecordedRun run = RecordNewRun(*store, request);
        decision.run_id = run.run_id;
        decision.uuid = run.uuid;
        recorded_here.push_back(run.run_id);
      } catch (const store::DuplicateRunError&) {
        // another launcher of the same sweep recorded it a moment ago: take it as it is now
        decision = Decide(store->FindRunsByIdentity(planned.config_sha256, code));
      }
    }
    const config::Node* env_name = config::FindPath(planned.tree, "env.name");
    store->AddSweepMember(
        sweep_id, {decision.run_id, static_cast<int64_t>(job.index), job.variant,
                   env_name && env_name->IsString() ? env_name->AsString() : "", AxesJson(job)});
    if (decision.action == JobAction::kAlreadyCompleted) {
      ++completed;
      continue;
    }
    if (decision.action == JobAction::kRunningElsewhere || in_flight.count(decision.uuid) > 0) {
      ++elsewhere;
      continue;
    }
    if (decision.action == JobAction::kResume) {
      item.resume = true;
      ++resumed;
    }
    item.run_id = decision.run_id;
    item.uuid = decision.uuid;
    item.run_dir =
        std::filesystem::absolute(store->directory() / store->GetRun(decision.run_id).run_dir);
    total_work += BudgetSteps(planned.tree);
    items.push_back(std::move(item));
  }
  if (StopRequests().load() > 0) {
    SetAside(*store, recorded_here, spec.name);
    std::fprintf(stderr,
                 "orch: sweep %s stopped while recording its runs (%zu of %zu jobs recorded now, "
                 "set aside as interrupted); continue it with: orch sweep --resume %s --store "
                 "%s\n",
                 spec.name.c_str(), recorded_here.size(), plan.jobs.size(),
                 ShellQuote(spec.name).c_str(), ShellQuote(store_path.string()).c_str());
    return kExitInterrupted;
  }

  std::string name = spec.name;
  if (items.empty()) {
    std::fprintf(stderr,
                 "orch: sweep %s: all %zu runs %s; nothing to start (orch compare --sweep %s "
                 "--store %s)\n",
                 name.c_str(), plan.jobs.size(),
                 elsewhere > 0
                     ? fmt::format("completed or running elsewhere ({} running)", elsewhere).c_str()
                     : "already completed",
                 ShellQuote(name).c_str(), ShellQuote(store_path.string()).c_str());
    return kExitOk;
  }
  const std::string counts =
      fmt::format("{} jobs: {} to start, {} to resume, {} already completed{}", plan.jobs.size(),
                  items.size() - resumed, resumed, completed,
                  elsewhere > 0 ? fmt::format(", {} running elsewhere", elsewhere) : "");
  const std::string store_option = " --store " + ShellQuote(store_path.string());
  if (!launcher->Waits()) {
    store.reset();
    sweep::LaunchReport report = launcher->Launch(launch, items, *NoObserver(), &StopRequests());
    std::fprintf(stderr, "orch: sweep %s: %s; submitted to %s\n", name.c_str(), counts.c_str(),
                 launcher_kind.c_str());
    for (const auto& line : report.lines) std::fprintf(stderr, "orch:   %s\n", line.c_str());
    const std::string quoted = ShellQuote(name);
    std::fprintf(stderr,
                 "orch: follow it with: orch status %s%s   (then orch collect, orch compare "
                 "--sweep %s; orch cancel %s stops it)\n",
                 quoted.c_str(), store_option.c_str(), quoted.c_str(), quoted.c_str());
    return kExitOk;
  }
  std::fprintf(stderr, "orch: sweep %s: %s; %d at once, on-failure %s; store %s\n", name.c_str(),
               counts.c_str(), jobs, policy->ToString().c_str(), store_path.string().c_str());
  store.reset();  // each worker slot opens its own connection

  SweepProgress progress(name, items.size(), total_work, stderr);
  auto started = std::chrono::steady_clock::now();
  std::vector<sweep::LaunchResult> results =
      launcher->Launch(launch, items, progress, &StopRequests()).results;
  progress.Finish();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // runs recorded now that never got their turn are set aside, not left queued
  std::vector<int64_t> unstarted;
  for (const auto& result : results) {
    if (!result.started && result.skipped.empty() &&
        std::find(recorded_here.begin(), recorded_here.end(), result.item.run_id) !=
            recorded_here.end()) {
      unstarted.push_back(result.item.run_id);
    }
  }
  if (!unstarted.empty()) SetAside(*OpenStoreForWriting(store_path), unstarted, name);

  // the summary: counts, then every failure with the command that continues it
  size_t done = 0, failed = 0, interrupted = 0, not_started = 0, skipped = 0;
  std::string failures;
  std::string notes;
  for (const auto& result : results) {
    for (const auto& note : result.notes) {
      notes +=
          fmt::format("  {} ({}): {}\n", result.item.label, result.item.uuid.substr(0, 8), note);
    }
    if (!result.skipped.empty() || result.outcome.refused) {
      ++skipped;
      continue;
    }
    if (!result.started) {
      ++not_started;
      continue;
    }
    if (result.outcome.status == "completed") ++done;
    if (result.outcome.status == "interrupted") ++interrupted;
    if (result.outcome.status == "failed") {
      ++failed;
      std::string first_line = Split(result.outcome.error_text, '\n').front();
      std::string alone = "orch run " + ShellQuote(spec.config.string());
      for (const auto& text : plan.jobs[result.item.job_index].job.OverrideTexts()) {
        alone += " " + ShellQuote(text);
      }
      alone += " --store " + ShellQuote(store_path.string());
      failures += fmt::format("  {} ({}): {}\n    continue it: {}\n    run it alone: {} --rerun\n",
                              result.item.label, result.item.uuid.substr(0, 8), first_line,
                              sweep::ResumeCommand(result.item.uuid, store_path), alone);
    }
  }
  std::fprintf(stderr,
               "orch: sweep %s finished in %s: %zu completed now, %zu already completed, %zu "
               "failed, %zu interrupted, %zu not started%s\n",
               name.c_str(), ProgressDisplay::FormatDuration(seconds).c_str(), done, completed,
               failed, interrupted, not_started,
               skipped > 0 ? fmt::format(", {} taken by another launcher", skipped).c_str() : "");
  if (!notes.empty()) std::fprintf(stderr, "orch: notes:\n%s", notes.c_str());
  if (!failures.empty()) std::fprintf(stderr, "orch: failed runs:\n%s", failures.c_str());
  if (interrupted + not_started > 0 || failed > 0) {
    std::fprintf(stderr, "orch: continue the sweep with: orch sweep --resume %s%s\n",
                 ShellQuote(name).c_str(), store_option.c_str());
  }
  std::fprintf(stderr, "orch: orch ls --sweep %s%s\n", ShellQuote(name).c_str(),
               store_option.c_str());
  if (StopRequests().load() > 0 && failed == 0 &&
      policy->kind != sweep::FailurePolicy::Kind::kStop) {
    return kExitInterrupted;
  }
  return failed > 0 ? kExitFailed : (interrupted > 0 ? kExitInterrupted : kExitOk);
}

}  // namespace

const CommandSpec& SweepCommandSpec() {
  static const CommandSpec spec = {
      "sweep",
      "SWEEP_FILE|CONFIG [OVERRIDE...]",
      "run a sweep: every job in its own worker process, N at once, recorded and resumable",
      "Expands a sweep file (sweeps/*.yaml) or the sweep overrides of a command line into jobs,\n"
      "composes and validates every job first (any problem: exit 2, nothing written), records\n"
      "the sweep, and runs the jobs in worker processes, N at once (--jobs, default the number\n"
      "of cores; each run gets run.threads intra-op threads, or max(1, cores / N) when\n"
      "run.threads is 0). Runs are identified by their resolved config and code version, so\n"
      "launching the same sweep again skips completed runs, resumes interrupted ones from their\n"
      "newest checkpoint and reruns failed ones (from their checkpoint too). Ctrl-C stops\n"
      "launching, asks running runs to checkpoint and end, and exits 130; a second Ctrl-C kills\n"
      "them. Exit code 1 when a run failed. launcher=slurm (with launcher.KEY=VALUE options, or\n"
      "a launcher: block in the sweep file) submits the jobs as SLURM job arrays instead and\n"
      "returns; orch status, collect and cancel follow them.",
      {
          {"jobs", "N", "runs at once (default: the number of cores)"},
          {"on-failure", "POLICY",
           "continue (default), stop (no new runs; running ones checkpoint), or retry:N"},
          {"name", "NAME", "sweep name (default: the sweep file's name, or <config>-<hash>)"},
          {"resume", "NAME", "launch the recorded sweep NAME again"},
          StoreOption(),
          {"config-dir", "DIR", "config root (default: nearest ancestor named 'configs')"},
          {"shuffle-seed", "N", "seed of shuffle(...) (default 0)"},
      },
      "  orch sweep sweeps/tam_memory.yaml --jobs 2\n"
      "  orch sweep configs/tam/pendulum.yaml seed=range(3) tam.memory.enabled=false,true\n"
      "  orch sweep --resume tam_memory\n"
      "  orch sweep sweeps/multi_gamma_ablations.yaml launcher=slurm launcher.timeout_min=1440\n"};
  return spec;
}

int RunSweep(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(SweepCommandSpec(), args);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  try {
    sweep::SweepSpec spec;
    if (auto name = parsed.Value("resume")) {
      if (!parsed.positional.empty()) {
        throw UsageError(
            "orch sweep --resume takes no SWEEP_FILE, CONFIG or overrides: the "
            "sweep is launched as recorded");
      }
      auto store = OpenStoreForReading(parsed);
      const store::SweepRecord record = store->RequireSweep(*name);
      spec = sweep::LoadRecordedSweep(record.spec_yaml, record.name);
    } else {
      if (parsed.positional.empty()) {
        throw UsageError(
            "orch sweep needs a SWEEP_FILE or CONFIG (or --resume NAME). See "
            "'orch sweep --help'");
      }
      const std::string& target = parsed.positional[0];
      std::vector<std::string> texts(parsed.positional.begin() + 1, parsed.positional.end());
      if (sweep::IsSweepFile(target)) {
        spec = sweep::LoadSweepFile(target);
        spec.command_line = texts;
        if (auto name = parsed.Value("name")) spec.name = *name;
      } else {
        spec = sweep::SweepFromCommandLine(target, texts, parsed.Value("name").value_or(""));
      }
    }
    // a sweep is named on the command line and in messages: printable, not empty
    if (auto problem = NameProblem(spec.name);
        problem && !std::all_of(spec.name.begin(), spec.name.end(), ::isdigit)) {
      throw UsageError(
          fmt::format("sweep name {}: {}", ShellQuote(PrintableText(spec.name)), *problem));
    }
    return LaunchSweep(spec, parsed);
  } catch (const store::StoreError& error) {
    std::fprintf(stderr, "orch: %s\n", error.what());
    return kExitUsage;
  }
}

}  // namespace orch::app
