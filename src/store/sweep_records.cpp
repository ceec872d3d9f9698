// src/store/sweep_records.cpp: the sweeps of a store and the runs that make them up.
#include <fmt/format.h>

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

    // a known name: the same sweep; a new definition replaces the old one and its members
    SQLite::Statement existing(*db_, R"sql(
      SELECT sweep_id, spec_sha256 FROM sweep WHERE experiment_id = :experiment AND name = :name
    )sql");
    existing.bind(":experiment", experiment_key);
    existing.bind(":name", name);
    if (existing.executeStep()) {
      sweep_id = existing.getColumn(0).getInt64();
      if (existing.getColumn(1).getString() != spec_sha256) {
        SQLite::Statement update(*db_, R"sql(
          UPDATE sweep SET spec_yaml = :spec, spec_sha256 = :sha WHERE sweep_id = :id
        )sql");
        update.bind(":spec", spec_yaml);
        update.bind(":sha", spec_sha256);
        update.bind(":id", sweep_id);
        update.exec();
        SQLite::Statement forget(*db_, "DELETE FROM sweep_run WHERE sweep_id = :id");
        forget.bind(":id", sweep_id);
        forget.exec();
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
