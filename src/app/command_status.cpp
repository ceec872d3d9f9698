// src/app/command_status.cpp: `orch status`, where each run of a sweep stands: from the store,
// and for a SLURM sweep from its shards (merged first, as orch collect does) and the queue.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "app/commands.h"
#include "app/store_options.h"
#include "app/sweep_dir_option.h"
#include "common/error.h"
#include "common/string_util.h"
#include "sweep/slurm/collect.h"
#include "sweep/slurm/slurm_cli.h"
#include "sweep/slurm/sweep_dir.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;

struct StatusRow {
  std::string job;
  std::string uuid;
  std::string status;
  int64_t last_step = 0;
  int64_t budget = 0;
  std::string scheduler;  ///< the SLURM state of its task, "" when not in the queue
};

std::string Progress(const StatusRow& row) {
  if (row.budget <= 0) return "-";
  return fmt::format("{}/{} ({:.0f}%)", row.last_step, row.budget,
                     100.0 * static_cast<double>(row.last_step) / static_cast<double>(row.budget));
}

/// Prints the rows and the counts; returns whether anything is still queued or running.
bool Print(const std::string& title, const std::vector<StatusRow>& rows) {
  std::printf("%s\n", title.c_str());
  std::printf("  %-28s %-9s %-12s %-18s %s\n", "job", "run", "status", "progress", "slurm");
  std::map<std::string, int> counts;
  bool active = false;
  for (const auto& row : rows) {
    std::printf("  %-28s %-9s %-12s %-18s %s\n", row.job.substr(0, 28).c_str(),
                row.uuid.substr(0, 8).c_str(), row.status.c_str(), Progress(row).c_str(),
                row.scheduler.empty() ? "-" : row.scheduler.c_str());
    ++counts[row.status];
    active |= row.status == "queued" || row.status == "running" || !row.scheduler.empty();
  }
  std::vector<std::string> parts;
  for (const char* status :
       {"completed", "running", "queued", "failed", "interrupted", "not started"}) {
    if (counts[status] > 0) parts.push_back(fmt::format("{} {}", counts[status], status));
  }
  std::printf("%zu runs: %s\n", rows.size(), parts.empty() ? "none" : Join(parts, ", ").c_str());
  return active;
}

/// A SLURM sweep: collect, then each run's state with its task's.
std::vector<StatusRow> SlurmRows(const fs::path& dir, bool* queue_busy) {
  std::vector<sweep::slurm::Submission> submissions = sweep::slurm::ReadSubmissions(dir);
  std::optional<std::map<std::string, std::string>> queue;
  if (sweep::slurm::SlurmCommandsPresent()) {
    queue = sweep::slurm::QueueStates(sweep::slurm::SubmittedJobIds(submissions));
  }
  *queue_busy = queue && !queue->empty();
  sweep::slurm::CollectReport report =
      sweep::slurm::CollectSweep(dir, queue, sweep::slurm::EndedState);
  std::vector<StatusRow> rows;
  for (const auto& run : report.runs) {
    StatusRow row;
    row.job = run.task.label;
    row.uuid = run.task.uuid;
    row.status = !run.problem.empty() ? "unmerged" : run.has_shard ? run.status : "not started";
    row.last_step = run.last_step;
    row.budget = run.budget_steps;
    if (auto job = sweep::slurm::TaskJobId(submissions, run.task.index); job && queue) {
      auto state = queue->find(*job);
      if (state != queue->end()) row.scheduler = *job + " " + state->second;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

/// A run's status as shown: a run a stopped sweep set aside before its turn is "interrupted" in
/// the store but never started, and says so (a resumed sweep may be about to start it).
std::string ShownStatus(const store::RunSummary& run) {
  return run.status == "interrupted" && !run.started_at_ms ? "not started" : run.status;
}

/// A local sweep: its runs as the store has them.
std::vector<StatusRow> StoreRows(const ParsedArgs& parsed, const std::string& name) {
  auto store = OpenStoreForReading(parsed);
  const store::SweepRecord sweep = store->RequireSweep(name);
  std::map<int64_t, store::RunSummary> runs;
  store::RunFilter filter;
  filter.sweep_id = sweep.sweep_id;
  for (auto& run : store->ListRuns(filter)) runs[run.run_id] = run;
  std::vector<StatusRow> rows;
  for (const auto& member : store->SweepMembers(sweep.sweep_id)) {
    auto run = runs.find(member.run_id);
    if (run == runs.end()) continue;
    StatusRow row;
    row.job =
        fmt::format("#{}{}", member.job_index, member.variant.empty() ? "" : " " + member.variant);
    row.uuid = run->second.uuid;
    row.status = ShownStatus(run->second);
    row.last_step = run->second.last_step;
    row.budget = run->second.budget_steps;
    rows.push_back(std::move(row));
  }
  return rows;
}

/// Every sweep of the store, a line each, newest first: how many of its runs stand where, and
/// how far its runs have come together (so that a person can find a sweep's name, and see at a
/// glance which sweeps still have work left).
int PrintSweeps(const ParsedArgs& parsed) {
  auto store = OpenStoreForReading(parsed);
  std::vector<store::SweepRecord> sweeps = store->ListSweeps();
  if (sweeps.empty()) {
    std::printf("no sweeps in %s\n", StorePath(parsed).string().c_str());
    return kExitOk;
  }
  std::sort(sweeps.begin(), sweeps.end(), [](const auto& a, const auto& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms > b.created_at_ms
                                              : a.sweep_id > b.sweep_id;
  });
  std::printf("%-32s %5s %9s %7s %6s %6s %11s %11s %8s  %s\n", "sweep", "runs", "completed",
              "running", "queued", "failed", "interrupted", "not started", "progress", "created");
  for (const auto& sweep : sweeps) {
    store::RunFilter filter;
    filter.sweep_id = sweep.sweep_id;
    std::map<std::string, int> counts;
    int64_t steps = 0;
    int64_t budget = 0;
    const std::vector<store::RunSummary> runs = store->ListRuns(filter);
    for (const auto& run : runs) {
      ++counts[ShownStatus(run)];
      // a completed run counts whole: some end before their budget's last step
      steps +=
          run.status == "completed" ? run.budget_steps : std::min(run.last_step, run.budget_steps);
      budget += run.budget_steps;
    }
    const std::string progress = budget > 0
                                     ? fmt::format("{:.0f}%", 100.0 * static_cast<double>(steps) /
                                                                  static_cast<double>(budget))
                                     : "-";
    std::printf("%-32s %5zu %9d %7d %6d %6d %11d %11d %8s  %s\n", PrintableText(sweep.name).c_str(),
                runs.size(), counts["completed"], counts["running"], counts["queued"],
                counts["failed"], counts["interrupted"], counts["not started"], progress.c_str(),
                FormatTimestamp(sweep.created_at_ms).c_str());
  }
  std::printf("orch status NAME lists a sweep's runs\n");
  return kExitOk;
}

}  // namespace

const CommandSpec& StatusSpec() {
  static const CommandSpec spec = {
      "status",
      "[NAME]",
      "where each run of a sweep stands (SLURM: shards and queue); without NAME, every sweep",
      "One line per run: its status and progress and, for a sweep submitted with\n"
      "launcher=slurm, its task's state in the SLURM queue. For a SLURM sweep the shards are\n"
      "merged into the store first, as orch collect does. --wait returns when no run of the\n"
      "sweep is queued or running any more (polling the queue). Without NAME, one line per\n"
      "sweep of the store, newest first: its runs by status and their progress together.",
      {StoreOption(), SweepDirOption(), {"wait", "", "wait until nothing is queued or running"}},
      "  orch status\n"
      "  orch status multi_gamma_ablations\n"
      "  orch status multi_gamma_ablations --wait\n"};
  return spec;
}

int RunStatus(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(StatusSpec(), args);
  if (!parsed) return kExitOk;
  if (parsed->positional.empty() && !parsed->Value("sweep-dir")) {
    if (parsed->Flag("wait")) throw UsageError("--wait needs a sweep: orch status NAME --wait");
    return PrintSweeps(*parsed);
  }
  std::optional<fs::path> dir = FindSweepDir(*parsed);
  const bool wait = parsed->Flag("wait");
  auto last_line = std::chrono::steady_clock::now();
  while (true) {
    std::vector<StatusRow> rows;
    std::string title;
    bool busy = false;
    if (dir) {
      rows = SlurmRows(*dir, &busy);
      title = fmt::format("sweep {} (slurm, {})", sweep::slurm::ReadManifest(*dir).sweep,
                          dir->string());
    } else {
      rows = StoreRows(*parsed, parsed->positional[0]);
      title = fmt::format("sweep {} (local)", parsed->positional[0]);
      for (const auto& row : rows) busy |= row.status == "queued" || row.status == "running";
    }
    if (!wait || !busy) {
      Print(title, rows);
      return kExitOk;
    }
    if (std::chrono::steady_clock::now() - last_line > std::chrono::seconds(10)) {
      size_t done = 0;
      for (const auto& row : rows) done += row.status == "completed";
      std::fprintf(stderr, "orch: waiting: %zu of %zu runs completed\n", done, rows.size());
      last_line = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(dir ? 500 : 1000));
  }
}

}  // namespace orch::app
