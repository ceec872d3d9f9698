// src/sweep/slurm/slurm_launcher.cpp
#include "sweep/slurm/slurm_launcher.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "common/error.h"
#include "common/file_io.h"
#include "common/string_util.h"
#include "common/uuid.h"
#include "store/results_store.h"
#include "store/shard.h"
#include "sweep/slurm/collect.h"
#include "sweep/slurm/job_arrays.h"
#include "sweep/slurm/slurm_cli.h"
#include "sweep/slurm/slurm_settings.h"
#include "sweep/slurm/sweep_dir.h"

namespace orch::sweep {
namespace {

namespace fs = std::filesystem;
using slurm::SlurmSettings;

fs::path OrchExecutable() {
  std::error_code error;
  return fs::read_symlink("/proc/self/exe", error);
}

/// The options every job of the sweep shares (arrays and the collect job).
std::vector<std::string> PlacementOptions(const SlurmSettings& settings) {
  std::vector<std::string> options;
  for (auto [flag, value] :
       {std::pair<const char*, const std::string*>{"partition", &settings.partition},
        {"qos", &settings.qos},
        {"account", &settings.account}}) {
    if (!value->empty()) options.push_back(fmt::format("--{}={}", flag, *value));
  }
  return options;
}

/// The batch script of one array: every #SBATCH option, the setup lines, and `exec orch run`,
/// so that orch is the batch shell itself and receives the B:USR1 signal.
std::string ArrayScript(const SlurmSettings& settings, const std::string& job_name,
                        const fs::path& sweep_dir, const std::string& array, int64_t offset) {
  std::vector<std::string> options = {
      "--job-name=" + job_name,
      fmt::format("--array={}%{}", array, settings.array_parallelism),
      fmt::format("--time={}", settings.timeout_min),
      fmt::format("--nodes={}", settings.nodes),
      fmt::format("--ntasks-per-node={}", settings.tasks_per_node),
      fmt::format("--cpus-per-task={}", settings.cpus_per_task),
      fmt::format("--mem={}M", static_cast<int64_t>(std::ceil(settings.mem_gb * 1024))),
  };
  if (settings.gpus_per_node > 0) {
    options.push_back(fmt::format("--gpus-per-node={}", settings.gpus_per_node));
  }
  std::vector<std::string> shared = PlacementOptions(settings);
  options.insert(options.end(), shared.begin(), shared.end());
  for (auto [flag, value] :
       {std::pair<const char*, const std::string*>{"constraint", &settings.constraint},
        {"exclude", &settings.exclude},
        {"gres", &settings.gres},
        {"comment", &settings.comment}}) {
    if (!value->empty()) options.push_back(fmt::format("--{}={}", flag, *value));
  }
  options.push_back("--output=" + (sweep_dir / "slurm" / "%A_%a.out").string());
  options.push_back("--open-mode=append");
  options.push_back("--requeue");
  options.push_back(fmt::format("--signal=B:USR1@{}", settings.signal_delay_s));
  for (const auto& [flag, value] : settings.additional_parameters) {
    options.push_back(value.empty() ? "--" + flag : fmt::format("--{}={}", flag, value));
  }

  std::string script = "#!/bin/bash\n";
  script +=
      fmt::format("# orch sweep {}: job index = SLURM_ARRAY_TASK_ID + {}\n", job_name, offset);
  for (const auto& option : options) script += "#SBATCH " + option + "\n";
  for (const auto& line : settings.setup) script += line + "\n";
  script += fmt::format("exec {} run --sweep-dir {} --index \"$((SLURM_ARRAY_TASK_ID + {}))\"\n",
                        SingleQuoted(OrchExecutable().string()), SingleQuoted(sweep_dir.string()),
                        offset);
  return script;
}

class SlurmLauncher : public Launcher {
 public:
  explicit SlurmLauncher(SlurmSettings settings) : settings_(std::move(settings)) {}

  bool Waits() const override { return false; }

  std::optional<int> CoresPerRun() const override {
    return static_cast<int>(settings_.cpus_per_task);
  }

  std::set<std::string> Refresh(const SweepLaunch& sweep) override {
    // before anything is recorded: without SLURM's commands nothing can be submitted
    if (!slurm::SlurmCommandsPresent()) {
      throw UsageError(
          "launcher=slurm: sbatch is not on PATH (run orch sweep on a SLURM login node; "
          "Debian's slurm-client provides the commands); nothing was recorded or submitted");
    }
    const fs::path dir = SweepDir(sweep);
    std::set<std::string> in_flight;
    if (!fs::exists(dir / slurm::kManifestName)) return in_flight;
    std::vector<slurm::Submission> submissions = slurm::ReadSubmissions(dir);
    std::optional<std::map<std::string, std::string>> queue;
    if (slurm::SlurmCommandsPresent()) queue = slurm::QueueStates(SubmittedJobIds(submissions));
    slurm::CollectReport report = slurm::CollectSweep(dir, queue, slurm::EndedState);
    for (const auto& run : report.runs) {
      if (!run.problem.empty()) {
        std::fprintf(stderr, "orch: %s: %s\n", run.task.label.c_str(), run.problem.c_str());
      }
      std::optional<std::string> job = slurm::TaskJobId(submissions, run.task.index);
      if (queue && job && queue->count(*job) > 0) in_flight.insert(run.task.uuid);
    }
    return in_flight;
  }

  LaunchReport Launch(const SweepLaunch& sweep, const std::vector<LaunchItem>& items,
                      LaunchObserver&, std::atomic<int>*) override {
    const fs::path dir = SweepDir(sweep);
    fs::create_directories(dir / "slurm");

    // the manifest: earlier submissions' jobs stay (a requeued task still needs its entry)
    slurm::Manifest manifest;
    if (fs::exists(dir / slurm::kManifestName)) manifest = slurm::ReadManifest(dir);
    manifest.sweep = sweep.name;
    manifest.store_path = sweep.store_path;
    manifest.max_num_timeout = settings_.max_num_timeout;
    for (const auto& item : items) {
      slurm::TaskEntry entry{static_cast<int64_t>(item.job_index), item.uuid, item.label,
                             item.run_dir, item.threads};
      auto same = std::find_if(manifest.tasks.begin(), manifest.tasks.end(),
                               [&](const auto& task) { return task.index == entry.index; });
      if (same != manifest.tasks.end()) {
        *same = entry;
      } else {
        manifest.tasks.push_back(entry);
      }
    }
    std::sort(manifest.tasks.begin(), manifest.tasks.end(),
              [](const auto& a, const auto& b) { return a.index < b.index; });

    // the runs' records, from which each task makes its shard (the main store stays here)
    std::vector<std::string> uuids;
    for (const auto& task : manifest.tasks) uuids.push_back(task.uuid);
    const fs::path partial =
        dir / fmt::format(".records-{}{}", NewUuid().substr(0, 8), store::kShardSuffix);
    {
      auto records = store::ResultsStore::Open(partial);
      store::CopyRunRecords(*records, sweep.store_path, uuids);
    }
    fs::rename(partial, dir / slurm::kRecordsName);
    slurm::WriteManifest(dir, manifest);

    // arrays: the job index is the task id plus the array's offset, every task id below
    // MaxArraySize
    std::vector<int64_t> indices;
    for (const auto& item : items) indices.push_back(static_cast<int64_t>(item.job_index));
    const std::string job_name = settings_.name.empty() ? sweep.name : settings_.name;
    const int64_t stamp = store::NowMs();
    std::vector<std::string> array_ids;
    LaunchReport report;
    report.detached = true;
    for (const auto& array : slurm::SplitIntoArrays(indices, slurm::MaxArraySize())) {
      const fs::path script =
          dir / "slurm" / fmt::format("array-{}-{}.sbatch", stamp, array.offset);
      WriteFileAtomically(script,
                          ArrayScript(settings_, job_name, dir, array.ranges, array.offset));
      std::string id = slurm::Submit({script.string()});
      slurm::AppendSubmission(dir, {"array", id, array.offset, array.ranges});
      array_ids.push_back(id);
      report.lines.push_back(fmt::format("array job {}: {} run(s), jobs {}..{} of the sweep", id,
                                         array.task_ids.size(), array.offset,
                                         array.offset + array.task_ids.back()));
    }

    // the collect job merges the shards once every task has ended, failed ones too
    if (settings_.collect_job) {
      std::vector<std::string> args = {
          "--dependency=afterany:" + Join(array_ids, ":"),
          "--job-name=" + job_name + "-collect",
          "--output=" + (dir / "slurm" / "collect-%j.out").string(),
          "--time=10",
          "--cpus-per-task=1",
      };
      std::vector<std::string> shared = PlacementOptions(settings_);
      args.insert(args.end(), shared.begin(), shared.end());
      args.push_back("--wrap");
      args.push_back(fmt::format("exec {} collect --sweep-dir {}",
                                 SingleQuoted(OrchExecutable().string()),
                                 SingleQuoted(dir.string())));
      std::string id = slurm::Submit(args);
      slurm::AppendSubmission(dir, {"collect", id, 0, ""});
      report.lines.push_back(fmt::format("collect job {} (after every task has ended)", id));
    }
    report.lines.push_back(fmt::format("at most {} at once, {} min each, {} CPU(s) per run",
                                       settings_.array_parallelism, settings_.timeout_min,
                                       settings_.cpus_per_task));
    report.lines.push_back("sweep directory " + dir.string());
    return report;
  }

 private:
  fs::path SweepDir(const SweepLaunch& sweep) const {
    return settings_.sweep_dir ? fs::absolute(*settings_.sweep_dir)
                               : slurm::DefaultSweepDir(sweep.store_path, sweep.name);
  }

  SlurmSettings settings_;
};

}  // namespace

LauncherKind SlurmLauncherKind() {
  return {"slurm", "SLURM job arrays; returns after submitting (orch status, collect, cancel)",
          [](const config::Node& options, Diagnostics& diagnostics) -> std::unique_ptr<Launcher> {
            return std::make_unique<SlurmLauncher>(slurm::ReadSlurmSettings(options, diagnostics));
          }};
}

}  // namespace orch::sweep
