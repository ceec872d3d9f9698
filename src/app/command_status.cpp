// src/app/command_status.cpp: `orch status`, where each run of a sweep stands: from the store,
// and for a SLURM sweep from its shards (merged first, as orch collect does) and the queue.
#include <fmt/format.h>

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
    row.status = run->second.status;
    row.last_step = run->second.last_step;
    row.budget = run->second.budget_steps;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

const CommandSpec& StatusSpec() {
  static const CommandSpec spec = {
      "status",
      "[NAME]",
      "where each run of a sweep stands (SLURM: shards and queue)",
      "One line per run: its status and progress and, for a sweep submitted with\n"
      "launcher=slurm, its task's state in the SLURM queue. For a SLURM sweep the shards are\n"
      "merged into the store first, as orch collect does. --wait returns when no run of the\n"
      "sweep is queued or running any more (polling the queue).",
      {StoreOption(), SweepDirOption(), {"wait", "", "wait until nothing is queued or running"}},
      "  orch status multi_gamma_ablations\n"
      "  orch status multi_gamma_ablations --wait\n"};
  return spec;
}

int RunStatus(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(StatusSpec(), args);
  if (!parsed) return kExitOk;
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
