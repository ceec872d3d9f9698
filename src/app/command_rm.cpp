// src/app/command_rm.cpp: `orch rm`, deleting what a person no longer wants in the store: a
// debugging run, a sweep launched with a mistake, the failed runs of a sweep. Keeping results
// is what orch is for, so it first shows what would go and deletes only with --yes; runs still
// queued or running are refused, and a sweep's run that another sweep also holds is kept.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app/commands.h"
#include "app/run_filter_options.h"
#include "app/store_options.h"
#include "common/error.h"
#include "common/string_util.h"
#include "sweep/slurm/sweep_dir.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;

/// One run to delete, as listed before.
struct Doomed {
  store::RunDetails run;
  std::vector<std::string> sweeps;
  int64_t points = 0;
  int64_t file_bytes = 0;
};

/// The bytes of the files under `directory` (0 when it is gone).
int64_t DirectoryBytes(const fs::path& directory) {
  int64_t bytes = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) bytes += static_cast<int64_t>(it->file_size(error));
  }
  return bytes;
}

/// A name that is one folder's name: a deletion never follows one that could reach the store
/// itself or beyond (a store edited by hand, say).
bool PlainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

/// A run's folder to remove: the runs/<uuid> orch wrote, or nullopt for any other recorded path.
std::optional<fs::path> RunFolder(const fs::path& store_dir, const store::RunDetails& run) {
  if (!PlainName(run.summary.uuid) || run.run_dir != "runs/" + run.summary.uuid) return {};
  return store_dir / run.run_dir;
}

}  // namespace

const CommandSpec& RmSpec() {
  static const CommandSpec spec = {
      "rm",
      "[RUN...]",
      "delete runs or sweeps from the store, with their metrics and files (with --yes)",
      "Lists each RUN (id, uuid prefix or name) and, for --sweep NAME, the sweep with every\n"
      "run of it that no other sweep holds, with their metric points and the size of their\n"
      "files, and deletes nothing. With --yes it deletes them: every row about them in one\n"
      "transaction, then their run directories (checkpoints, logs, artifacts) unless\n"
      "--keep-files, and a SLURM sweep's directory. Runs still queued or running are refused\n"
      "(stop or cancel them first). orch sweep --resume runs a deleted job of a sweep again.\n"
      "\n"
      "The filters of orch ls (--status, --algo, --name, --tag, --where) pick the runs instead\n"
      "of naming them: every run of the store that matches them all, or with --sweep every\n"
      "run of the sweep that does; the sweep itself then stays.",
      WithRunFilterOptions({StoreOption(),
                            {"sweep", "NAME", "delete this sweep and its runs (repeatable)"},
                            {"yes", "", "delete; without it, only list what would be deleted"},
                            {"keep-files", "", "leave the run directories on disk"}}),
      "  orch rm 17 18                   # what would go\n"
      "  orch rm 17 18 --yes\n"
      "  orch rm --sweep lr_typo --yes\n"
      "  orch rm --sweep ablations --status failed --yes   # then orch sweep --resume\n"};
  return spec;
}

int RunRm(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(RmSpec(), args);
  if (!parsed) return kExitOk;
  const std::vector<std::string> sweep_names = parsed->Values("sweep");
  const bool filtered = HasRunFilter(*parsed);
  if (parsed->positional.empty() && sweep_names.empty() && !filtered) {
    throw UsageError(
        "orch rm needs runs (RUN...), --sweep NAME or a filter (--status failed, --where "
        "KEY=VALUE, ...). See 'orch rm --help'");
  }
  if (filtered && !parsed->positional.empty()) {
    throw UsageError(fmt::format(
        "orch rm takes runs by name (RUN...) or by filter, not both: drop '{}' or the filter",
        Join(parsed->positional, " ")));
  }
  const std::optional<store::RunFilter> filter =
      filtered ? std::optional<store::RunFilter>(RunFilterFrom(*parsed)) : std::nullopt;
  const fs::path store_path = StorePath(*parsed);
  std::error_code exists_error;
  if (!fs::exists(store_path, exists_error)) {
    throw UsageError(fmt::format("no results store at {}; pass --store PATH", store_path.string()));
  }
  auto store = OpenStoreForWriting(store_path);

  // what goes: the named runs, or those the filter picks (from the sweeps, when named), or
  // each named sweep with its runs that no kept sweep holds
  std::vector<store::SweepRecord> sweeps;
  std::set<std::string> doomed_sweeps;
  for (const auto& name : sweep_names) {
    sweeps.push_back(store->RequireSweep(name));
    doomed_sweeps.insert(sweeps.back().name);
  }
  std::vector<int64_t> run_ids;
  for (const auto& reference : parsed->positional) run_ids.push_back(store->ResolveRun(reference));
  std::vector<std::string> kept;
  if (filter) {
    std::vector<std::optional<int64_t>> scopes;
    for (const auto& sweep : sweeps) scopes.emplace_back(sweep.sweep_id);
    if (scopes.empty()) scopes.emplace_back();
    for (const auto& scope : scopes) {
      store::RunFilter scoped = *filter;
      scoped.sweep_id = scope;
      for (const auto& run : store->ListRuns(scoped)) run_ids.push_back(run.run_id);
    }
    for (const auto& sweep : sweeps) {
      kept.push_back(fmt::format("sweep '{}' stays: the filter picks runs from it", sweep.name));
    }
    sweeps.clear();
  }
  for (const auto& sweep : sweeps) {
    for (const auto& member : store->SweepMembers(sweep.sweep_id)) {
      std::vector<std::string> others;
      for (const auto& name : store->SweepsOfRun(member.run_id)) {
        if (doomed_sweeps.count(name) == 0) others.push_back(name);
      }
      if (others.empty()) {
        run_ids.push_back(member.run_id);
      } else if (std::find(run_ids.begin(), run_ids.end(), member.run_id) == run_ids.end()) {
        kept.push_back(fmt::format("run #{} of sweep '{}' stays: sweep {} holds it too",
                                   member.run_id, sweep.name, Join(others, ", ")));
      }
    }
  }
  std::sort(run_ids.begin(), run_ids.end());
  run_ids.erase(std::unique(run_ids.begin(), run_ids.end()), run_ids.end());

  std::vector<Doomed> doomed;
  std::vector<std::string> live;
  int64_t points = 0;
  int64_t bytes = 0;
  for (int64_t run_id : run_ids) {
    Doomed entry{store->GetRun(run_id), store->SweepsOfRun(run_id), store->MetricPointCount(run_id),
                 0};
    entry.file_bytes = DirectoryBytes(store->directory() / entry.run.run_dir);
    const std::string& status = entry.run.summary.status;
    if (status == "queued" || status == "running") {
      live.push_back(fmt::format("run #{} ({}) is {}", run_id, entry.run.summary.name, status));
    }
    points += entry.points;
    bytes += entry.file_bytes;
    doomed.push_back(std::move(entry));
  }
  if (!live.empty()) {
    throw UsageError(fmt::format(
        "{}: a run is deleted only once it has ended. Stop it first (Ctrl-C in its orch run or "
        "sweep, orch cancel NAME for a SLURM sweep); nothing was deleted",
        Join(live, "; ")));
  }

  if (doomed.empty() && filter) {
    std::fprintf(stderr, "orch: no run matches the filter; nothing deleted\n");
    return kExitOk;
  }
  if (!doomed.empty()) {
    std::printf("%6s  %-8s  %-28s  %-11s  %9s  %10s  %s\n", "id", "run", "name", "status", "points",
                "files", "sweeps");
    for (const auto& entry : doomed) {
      const store::RunSummary& run = entry.run.summary;
      std::printf("%6lld  %-8s  %-28s  %-11s  %9lld  %10s  %s\n",
                  static_cast<long long>(run.run_id), run.uuid.substr(0, 8).c_str(),
                  run.name.substr(0, 28).c_str(), run.status.c_str(),
                  static_cast<long long>(entry.points), FormatBytes(entry.file_bytes).c_str(),
                  entry.sweeps.empty() ? "-" : Join(entry.sweeps, ",").c_str());
    }
  }
  for (const auto& line : kept) std::printf("%s\n", line.c_str());
  std::string what = fmt::format("{} run{} ({} metric points, {} of files)", doomed.size(),
                                 doomed.size() == 1 ? "" : "s", points, FormatBytes(bytes));
  for (const auto& sweep : sweeps) what += fmt::format(" and sweep '{}'", sweep.name);
  if (!parsed->Flag("yes")) {
    std::fprintf(stderr, "orch: would delete %s; nothing deleted: add --yes to delete\n",
                 what.c_str());
    return kExitOk;
  }

  std::vector<int64_t> sweep_ids;
  for (const auto& sweep : sweeps) sweep_ids.push_back(sweep.sweep_id);
  store->Delete(run_ids, sweep_ids);
  // the rows are gone; files that will not go are said, and the exit code says it too
  int exit_code = kExitOk;
  if (!parsed->Flag("keep-files")) {
    // each folder as shown, and where it is (nullopt: not one orch made, left alone)
    std::vector<std::pair<std::string, std::optional<fs::path>>> folders;
    for (const auto& entry : doomed) {
      folders.emplace_back(entry.run.run_dir, RunFolder(store->directory(), entry.run));
    }
    for (const auto& sweep : sweeps) {
      std::optional<fs::path> folder;
      if (PlainName(sweep.name)) folder = sweep::slurm::DefaultSweepDir(store_path, sweep.name);
      folders.emplace_back("sweeps/" + sweep.name, folder);
    }
    for (const auto& [shown, folder] : folders) {
      std::error_code error;
      if (folder) fs::remove_all(*folder, error);
      if (!folder || error) {
        std::fprintf(
            stderr, "orch: left %s on disk: %s\n", shown.c_str(),
            folder ? error.message().c_str() : "not a folder orch made for it (runs/<uuid>)");
        exit_code = kExitFailed;
      }
    }
  }
  std::fprintf(stderr, "orch: deleted %s%s\n", what.c_str(),
               parsed->Flag("keep-files") ? "; the files stay on disk" : "");
  return exit_code;
}

}  // namespace orch::app
