// src/store/sweep_records.cpp: the sweeps of a store and the runs that make them up.
#include <fmt/format.h>

#include "common/error.h"
#include "common/string_util.h"
#include "store/results_store.h"
#include "store/store_internal.h"

namespace orch::store {
namespace {

SweepRecord ReadSweep(SQLite::Statement& query) {
  SweepRecord sweep;
  sweep.sweep_id = query.getColumn(0).getInt64();
  sweep.name = query.getColumn(1).getString();
  sweep.experiment = query.getColumn(2).getString();
  sweep.spec_yaml = query.getColumn(3).getString();
  sweep.spec_sha256 = query.getColumn(4).getString();
  sweep.created_at_ms = query.getColumn(5).getInt64();
  return sweep;
}

/// The `# orch sweep:` lines of a recorded definition (what was launched and with which
/// overrides), indented, for messages.
std::string DefinitionHeader(const std::string& spec_yaml) {
  std::string header;
  size_t start = 0;
  while (start < spec_yaml.size()) {
    size_t end = spec_yaml.find('\n', start);
    if (end == std::string::npos) end = spec_yaml.size();
    std::string_view line = std::string_view(spec_yaml).substr(start, end - start);
    if (line.substr(0, 13) == "# orch sweep:") {
      header += (header.empty() ? "  " : "\n  ") + std::string(line.substr(14));
    }
    start = end + 1;
  }
  return header.empty() ? "  (no header)" : header;
}

constexpr std::string_view kSweepColumns = R"sql(
  s.sweep_id, s.name, e.name, s.spec_yaml, s.spec_sha256, s.created_at_ms
  FROM sweep s JOIN experiment e ON e.experiment_id = s.experiment_id
)sql";

}  // namespace

int64_t ResultsStore::RecordSweep(const std::string& name, const std::string& experiment,
                                  const std::string& spec_yaml, const std::string& spec_sha256) {
  int64_t sweep_id = 0;
  const int64_t now = NowMs();
  Write(fmt::format("recording sweep '{}'", name), [&] {
    SQLite::Statement add_experiment(*db_, R"sql(
      INSERT INTO experiment(name, created_at_ms) VALUES (:name, :now)
      ON CONFLICT(name) DO NOTHING
    )sql");
    add_experiment.bind(":name", experiment);
    add_experiment.bind(":now", now);
    add_experiment.exec();
    SQLite::Statement experiment_id(*db_,
                                    "SELECT experiment_id FROM experiment WHERE name = :name");
    experiment_id.bind(":name", experiment);
    experiment_id.executeStep();
    const int64_t experiment_key = experiment_id.getColumn(0).getInt64();

    // a known name is the same sweep only with the same definition: history is never rewritten
    SQLite::Statement existing(*db_, R"sql(
      SELECT s.sweep_id, s.spec_sha256, s.spec_yaml, s.created_at_ms,
             (SELECT COUNT(*) FROM sweep_run r WHERE r.sweep_id = s.sweep_id)
      FROM sweep s WHERE s.experiment_id = :experiment AND s.name = :name
    )sql");
    existing.bind(":experiment", experiment_key);
    existing.bind(":name", name);
    if (existing.executeStep()) {
      sweep_id = existing.getColumn(0).getInt64();
      if (existing.getColumn(1).getString() != spec_sha256) {
        throw SweepConflictError(fmt::format(
            "sweep '{}' is already recorded in results store '{}' with another definition ({} "
            "runs, recorded {}):\n{}\nand this launch is:\n{}\nA sweep's record is never "
            "rewritten. Record this launch as a new sweep with --name NEW_NAME, or launch the "
            "recorded one again with `orch sweep --resume {} --store {}`.",
            name, path_.string(), existing.getColumn(4).getInt64(),
            internal::FormatUtc(existing.getColumn(3).getInt64()),
            DefinitionHeader(existing.getColumn(2).getString()),
            DefinitionHeader(spec_yaml) +
                (DefinitionHeader(spec_yaml) == DefinitionHeader(existing.getColumn(2).getString())
                     ? "\n  (the sweep file's text has changed since)"
                     : ""),
            ShellQuote(name), ShellQuote(path_.string())));
      }
      return;
    }
    SQLite::Statement insert(*db_, R"sql(
      INSERT INTO sweep(experiment_id, name, spec_yaml, spec_sha256, created_at_ms)
      VALUES (:experiment, :name, :spec, :sha, :now)
    )sql");
    insert.bind(":experiment", experiment_key);
    insert.bind(":name", name);
    insert.bind(":spec", spec_yaml);
    insert.bind(":sha", spec_sha256);
    insert.bind(":now", now);
    insert.exec();
    sweep_id = db_->getLastInsertRowid();
  });
  return sweep_id;
}

std::optional<SweepRecord> ResultsStore::FindSweep(std::string_view name) {
  return internal::Guarded(path_, fmt::format("looking up sweep '{}'", name),
                           [&]() -> std::optional<SweepRecord> {
                             SQLite::Statement query(*db_, fmt::format(R"sql(
      SELECT {} WHERE s.name = :name ORDER BY s.created_at_ms DESC LIMIT 1
    )sql",
                                                                       kSweepColumns));
                             query.bind(":name", std::string(name));
                             if (!query.executeStep()) return std::nullopt;
                             return ReadSweep(query);
                           });
}

std::vector<SweepRecord> ResultsStore::ListSweeps() {
  return internal::Guarded(path_, "listing sweeps", [&] {
    SQLite::Statement query(*db_,
                            fmt::format("SELECT {} ORDER BY s.created_at_ms DESC", kSweepColumns));
    std::vector<SweepRecord> sweeps;
    while (query.executeStep()) sweeps.push_back(ReadSweep(query));
    return sweeps;
  });
}

SweepRecord ResultsStore::RequireSweep(std::string_view name) {
  if (std::optional<SweepRecord> sweep = FindSweep(name)) return *sweep;
  std::vector<std::string> names;
  for (const auto& known : ListSweeps()) names.push_back(known.name);
  std::string suggestion = DidYouMeanSentence(name, names);
  throw UsageError(fmt::format(
      "no sweep '{}' in {}.{}{} {}", name, path_.string(), suggestion.empty() ? "" : " ",
      suggestion,
      names.empty() ? "The store has no sweeps yet." : "Known sweeps: " + Join(names, ", ")));
}

void ResultsStore::AddSweepMember(int64_t sweep_id, const SweepMember& member) {
  Write(fmt::format("adding run #{} to sweep #{}", member.run_id, sweep_id), [&] {
    SQLite::Statement insert(*db_, R"sql(
      INSERT INTO sweep_run(sweep_id, run_id, job_index, variant, task, axes_json)
      VALUES (:sweep, :run, :job, :variant, :task, :axes)
      ON CONFLICT(sweep_id, run_id) DO UPDATE
        SET job_index = excluded.job_index, variant = excluded.variant, task = excluded.task,
            axes_json = excluded.axes_json
    )sql");
    insert.bind(":sweep", sweep_id);
    insert.bind(":run", member.run_id);
    insert.bind(":job", member.job_index);
    insert.bind(":variant", member.variant);
    insert.bind(":task", member.task);
    insert.bind(":axes", member.axes_json);
    insert.exec();
  });
}

std::vector<SweepMember> ResultsStore::SweepMembers(int64_t sweep_id) {
  return internal::Guarded(path_, fmt::format("listing the runs of sweep #{}", sweep_id), [&] {
    SQLite::Statement query(*db_, R"sql(
      SELECT run_id, job_index, variant, task, axes_json FROM sweep_run
      WHERE sweep_id = :sweep ORDER BY job_index, run_id
    )sql");
    query.bind(":sweep", sweep_id);
    std::vector<SweepMember> members;
    while (query.executeStep()) {
      SweepMember member;
      member.run_id = query.getColumn(0).getInt64();
      member.job_index = query.getColumn(1).getInt64();
      member.variant = query.getColumn(2).getString();
      member.task = query.getColumn(3).getString();
      member.axes_json = query.getColumn(4).getString();
      members.push_back(std::move(member));
    }
    return members;
  });
}

}  // namespace orch::store
