// src/store/shard.cpp
#include "store/shard.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include "common/string_util.h"
#include "store/store_internal.h"

namespace orch::store {
namespace {

namespace fs = std::filesystem;

/// ATTACHes a file for the life of the object (ATTACH and DETACH may not run inside a
/// transaction, so they frame it).
class Attached {
 public:
  Attached(SQLite::Database& db, const fs::path& path, bool immutable, const char* alias)
      : db_(db), alias_(alias) {
    SQLite::Statement attach(db_, fmt::format("ATTACH DATABASE :uri AS {}", alias_));
    attach.bind(":uri", internal::FileUri(path, immutable));
    attach.exec();
  }
  ~Attached() {
    try {
      db_.exec(fmt::format("DETACH DATABASE {}", alias_));
    } catch (const std::exception&) {
      // a failed transaction may hold it a moment longer; the connection's end detaches it
    }
  }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  SQLite::Database& db_;
  std::string alias_;
};

std::string InList(const std::vector<std::string>& uuids) {
  std::vector<std::string> quoted;
  for (const auto& uuid : uuids) {
    std::string text = "'";
    for (char c : uuid) text += c == '\'' ? std::string("''") : std::string(1, c);
    quoted.push_back(text + "'");
  }
  return "(" + Join(quoted, ",") + ")";
}

/// The lifecycle columns a shard is authoritative for.
constexpr const char* kLifecycle =
    "status, attempt, pid, started_at_ms, ended_at_ms, heartbeat_at_ms, exit_code, error_text, "
    "last_env_step, param_count, peak_rss_bytes, ms_per_iter";

/// What identifies the state of a run's record, to tell whether a merge would change anything.
std::string Fingerprint(SQLite::Database& db, const char* schema, int64_t run_id) {
  SQLite::Statement query(db,
                          fmt::format(R"sql(
    SELECT json_array({lifecycle}),
           (SELECT count(*) || '/' || ifnull(sum(step), 0) || '/' || ifnull(max(wall_ms), 0)
              FROM {s}.metric WHERE run_id = :run_id),
           (SELECT group_concat(step || ':' || sha256, ',') FROM {s}.checkpoint
              WHERE run_id = :run_id),
           (SELECT count(*) || '/' || ifnull(max(ts_ms), 0) FROM {s}.run_event
              WHERE run_id = :run_id) ||
           (SELECT '/' || count(*) || '/' || ifnull(group_concat(sha256), '') FROM {s}.artifact
              WHERE run_id = :run_id)
    FROM {s}.run WHERE run_id = :run_id
  )sql",
                                      fmt::arg("lifecycle", kLifecycle), fmt::arg("s", schema)));
  query.bind(":run_id", run_id);
  if (!query.executeStep()) return "";
  std::string out;
  for (int i = 0; i < 4; ++i) out += internal::TextOrEmpty(query.getColumn(i)) + "|";
  return out;
}

int64_t RunIdOf(SQLite::Database& db, const char* schema, const std::string& uuid) {
  SQLite::Statement query(db,
                          fmt::format("SELECT run_id FROM {}.run WHERE run_uuid = :uuid", schema));
  query.bind(":uuid", uuid);
  return query.executeStep() ? query.getColumn(0).getInt64() : -1;
}

}  // namespace

bool IsShardPath(const fs::path& path) { return EndsWith(path.filename().string(), kShardSuffix); }

void CopyRunRecords(ResultsStore& target, const fs::path& source,
                    const std::vector<std::string>& uuids, const std::string& run_dir) {
  if (uuids.empty()) return;
  SQLite::Database& db = target.database();
  const std::string action =
      fmt::format("copying {} run record(s) from {}", uuids.size(), source.string());
  internal::Guarded(target.path(), action, [&] {
    // a shard or record file is written once and then only read (and may sit on a network
    // filesystem): immutable; a main store may be written meanwhile: through its WAL
    Attached attached(db, source, /*immutable=*/IsShardPath(source), "source");
    internal::WriteTransaction(db, target.path(), action, [&] {
      const std::string runs = "(SELECT * FROM source.run WHERE run_uuid IN " + InList(uuids) + ")";
      const std::string ids =
          "(SELECT run_id FROM source.run WHERE run_uuid IN " + InList(uuids) + ")";
      SQLite::Statement count(db, "SELECT count(*) FROM " + runs);
      count.executeStep();
      if (count.getColumn(0).getInt64() != static_cast<int64_t>(uuids.size())) {
        throw StoreError(
            fmt::format("{} lacks some of the runs {}", source.string(), Join(uuids, ", ")));
      }
      // what the runs reference first (foreign keys), then the runs and what hangs off them
      db.exec(
          "INSERT OR IGNORE INTO main.experiment SELECT * FROM source.experiment WHERE "
          "experiment_id IN (SELECT experiment_id FROM " +
          runs +
          " UNION SELECT "
          "experiment_id FROM source.sweep WHERE sweep_id IN (SELECT sweep_id FROM " +
          runs + "))");
      db.exec(
          "INSERT OR IGNORE INTO main.sweep SELECT * FROM source.sweep WHERE sweep_id IN "
          "(SELECT sweep_id FROM " +
          runs + ")");
      db.exec(
          "INSERT OR IGNORE INTO main.config SELECT * FROM source.config WHERE config_id IN "
          "(SELECT config_id FROM " +
          runs + ")");
      db.exec(
          "INSERT OR IGNORE INTO main.code_version SELECT * FROM source.code_version WHERE "
          "code_id IN (SELECT code_id FROM " +
          runs + ")");
      db.exec(
          "INSERT OR IGNORE INTO main.host SELECT * FROM source.host WHERE host_id IN "
          "(SELECT host_id FROM " +
          runs + ")");
      // a copy is never a resume of a run the target lacks
      db.exec("INSERT INTO main.run SELECT * FROM " + runs);
      db.exec("UPDATE main.run SET resumed_from = NULL WHERE run_id IN " + ids);
      if (!run_dir.empty()) {
        SQLite::Statement update(db, "UPDATE main.run SET run_dir = :dir WHERE run_id IN " + ids);
        update.bind(":dir", run_dir);
        update.exec();
      }
      for (const char* table : {"run_param", "run_tag", "run_event"}) {
        db.exec(fmt::format("INSERT INTO main.{0} SELECT * FROM source.{0} WHERE run_id IN {1}",
                            table, ids));
      }
    });
  });
}

ShardMerge MergeShard(ResultsStore& main, const fs::path& shard_path, const std::string& uuid) {
  SQLite::Database& db = main.database();
  const std::string action = fmt::format("merging shard {}", shard_path.string());
  ShardMerge merge;
  internal::Guarded(main.path(), action, [&] {
    // not immutable: the run may still be writing it, and a hot journal must be rolled back
    Attached attached(db, shard_path, /*immutable=*/false, "shard");
    std::string check = db.execAndGet("PRAGMA shard.quick_check").getString();
    if (check != "ok") {
      throw StoreError(fmt::format(
          "shard {} is damaged (PRAGMA quick_check: {}); nothing of it was merged. The run's "
          "directory keeps it for inspection; `orch sweep --resume` runs the run again.",
          shard_path.string(), check));
    }
    internal::WriteTransaction(db, main.path(), action, [&] {
      merge = ShardMerge{};
      const int64_t from = RunIdOf(db, "shard", uuid);
      const int64_t to = RunIdOf(db, "main", uuid);
      if (from < 0)
        throw StoreError(fmt::format("shard {} has no run {}", shard_path.string(), uuid));
      if (to < 0) {
        throw StoreError(
            fmt::format("results store {} has no run {} (the shard {} belongs to "
                        "another store)",
                        main.path().string(), uuid, shard_path.string()));
      }
      {
        SQLite::Statement state(db, "SELECT status, last_env_step FROM shard.run WHERE run_id = ?");
        state.bind(1, from);
        state.executeStep();
        merge.status = state.getColumn(0).getString();
        merge.last_step = state.getColumn(1).getInt64();
      }
      // compare what would change; an unchanged run is not rewritten
      const std::string before = Fingerprint(db, "main", to);
      const std::string after = Fingerprint(db, "shard", from);
      auto run = [&](const std::string& sql) {
        SQLite::Statement statement(db, sql);
        if (sql.find(":to") != std::string::npos) statement.bind(":to", to);
        if (sql.find(":from") != std::string::npos) statement.bind(":from", from);
        statement.exec();
      };
      if (before != after) {
        merge.changed = true;
        run(fmt::format(
            "UPDATE main.run SET ({0}) = (SELECT {0} FROM shard.run WHERE run_id = :from) "
            "WHERE run_id = :to",
            kLifecycle));
        db.exec(
            "INSERT INTO main.metric_key(name, kind) SELECT name, kind FROM shard.metric_key "
            "WHERE true ON CONFLICT(name) DO NOTHING");
        for (const char* table : {"metric", "metric_latest"}) {
          run(fmt::format("DELETE FROM main.{} WHERE run_id = :to", table));
          run(
              fmt::format("INSERT INTO main.{0}(run_id, key_id, step, value, wall_ms) "
                          "SELECT :to, mk.key_id, m.step, m.value, m.wall_ms FROM shard.{0} m "
                          "JOIN shard.metric_key sk ON sk.key_id = m.key_id "
                          "JOIN main.metric_key mk ON mk.name = sk.name WHERE m.run_id = :from",
                          table));
        }
        run("DELETE FROM main.artifact WHERE run_id = :to");
        run("INSERT INTO main.artifact(run_id, kind, path, sha256, bytes, created_at_ms) "
            "SELECT :to, a.kind, r.run_dir || '/' || a.path, a.sha256, a.bytes, a.created_at_ms "
            "FROM shard.artifact a, main.run r WHERE a.run_id = :from AND r.run_id = :to");
        // checkpoint paths are relative to the shard's directory, the run's own
        run("DELETE FROM main.checkpoint WHERE run_id = :to");
        run("INSERT INTO main.checkpoint(run_id, step, path, sha256, bytes, is_final, "
            "created_at_ms) SELECT :to, c.step, r.run_dir || '/' || c.path, c.sha256, c.bytes, "
            "c.is_final, c.created_at_ms FROM shard.checkpoint c, main.run r "
            "WHERE c.run_id = :from AND r.run_id = :to");
        run("DELETE FROM main.run_event WHERE run_id = :to");
        run("INSERT INTO main.run_event(run_id, ts_ms, kind, detail) SELECT :to, ts_ms, kind, "
            "detail FROM shard.run_event WHERE run_id = :from ORDER BY event_id");
        run("INSERT OR REPLACE INTO main.run_tag(run_id, key, value) SELECT :to, key, value "
            "FROM shard.run_tag WHERE run_id = :from");
      }
      SQLite::Statement rows(db, "SELECT count(*) FROM main.metric WHERE run_id = ?");
      rows.bind(1, to);
      rows.executeStep();
      merge.metric_rows = rows.getColumn(0).getInt64();
    });
  });
  return merge;
}

}  // namespace orch::store
