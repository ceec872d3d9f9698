// src/store/deletion.cpp: deleting runs and sweeps (`orch rm`), the store's one way to forget.
// Everything about a run goes in one transaction, so a store never holds half a run; the files
// of its directory are removed by the caller after the commit.
#include <fmt/format.h>

#include "store/results_store.h"
#include "store/store_internal.h"

namespace orch::store {

std::vector<std::string> ResultsStore::SweepsOfRun(int64_t run_id) {
  return internal::Guarded(path_, "reading a run's sweeps", [&] {
    SQLite::Statement query(*db_, R"sql(
      SELECT s.name FROM sweep_run m JOIN sweep s ON s.sweep_id = m.sweep_id
      WHERE m.run_id = ? ORDER BY s.sweep_id
    )sql");
    query.bind(1, run_id);
    std::vector<std::string> names;
    while (query.executeStep()) names.push_back(query.getColumn(0).getString());
    return names;
  });
}

int64_t ResultsStore::MetricPointCount(int64_t run_id) {
  return internal::Guarded(path_, "counting a run's metric points", [&] {
    SQLite::Statement query(*db_, "SELECT COUNT(*) FROM metric WHERE run_id = ?");
    query.bind(1, run_id);
    query.executeStep();
    return query.getColumn(0).getInt64();
  });
}

void ResultsStore::Delete(const std::vector<int64_t>& run_ids,
                          const std::vector<int64_t>& sweep_ids) {
  Write(fmt::format("deleting {} run(s) and {} sweep(s)", run_ids.size(), sweep_ids.size()), [&] {
    SQLite::Statement status(*db_, "SELECT status FROM run WHERE run_id = ?");
    for (int64_t run_id : run_ids) {
      status.reset();
      status.bind(1, run_id);
      if (!status.executeStep()) {
        throw StoreError(fmt::format("results store '{}' has no run #{}.", path_.string(), run_id));
      }
      const std::string state = status.getColumn(0).getString();
      if (state == "queued" || state == "running") {
        throw StoreError(fmt::format(
            "run #{} is {}: a run is deleted only once it has ended (stop or cancel it first); "
            "nothing was deleted.",
            run_id, state));
      }
    }
    // metric and metric_latest have no foreign key (their rows are the bulk of a store); the
    // run's other tables cascade
    for (const char* sql :
         {"UPDATE run SET resumed_from = NULL WHERE resumed_from = ?",
          "DELETE FROM metric WHERE run_id = ?", "DELETE FROM metric_latest WHERE run_id = ?",
          "DELETE FROM run WHERE run_id = ?"}) {
      SQLite::Statement statement(*db_, sql);
      for (int64_t run_id : run_ids) {
        statement.reset();
        statement.bind(1, run_id);
        statement.exec();
      }
    }
    // a run kept (in another sweep too) forgets the deleted sweep that first launched it
    for (const char* sql : {"UPDATE run SET sweep_id = NULL WHERE sweep_id = ?",
                            "DELETE FROM sweep WHERE sweep_id = ?"}) {
      SQLite::Statement statement(*db_, sql);
      for (int64_t sweep_id : sweep_ids) {
        statement.reset();
        statement.bind(1, sweep_id);
        statement.exec();
      }
    }
  });
}

}  // namespace orch::store
