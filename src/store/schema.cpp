// src/store/schema.cpp
#include "store/schema.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <string>

#include "store/results_store.h"
#include "store/store_internal.h"

namespace orch::store::internal {
namespace {

// schema version 1: results-store.md §3 with orch's run model. Differences from the design:
// run statuses queued/running/completed/failed/interrupted (and the dedupe index over
// queued/running/completed); run.name, algo, config_path, config_yaml (only when it differs
// from the shared config row), overrides_json, thread_budget and run_dir; no run.label (name
// replaces it); code_version.git_sha is NULL outside git, code_version.orch_version is part of
// the code identity, and since NULLs never collide in a UNIQUE constraint the identity is an
// expression index over ifnull(git_sha, ''); host columns are NOT NULL (with '' and 0 for
// unknown) so that its UNIQUE key works the same way; lookup indexes for names and listings.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE experiment (
  experiment_id INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE,
  description   TEXT,
  created_at_ms INTEGER NOT NULL
);

CREATE TABLE sweep (
  sweep_id      INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiment(experiment_id),
  name          TEXT    NOT NULL,
  spec_yaml     TEXT    NOT NULL,
  spec_sha256   TEXT    NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (experiment_id, name)
);

CREATE TABLE code_version (
  code_id      INTEGER PRIMARY KEY,
  git_sha      TEXT,                              -- NULL outside a git repository
  git_dirty    INTEGER NOT NULL CHECK (git_dirty IN (0,1)),
  diff_sha256  TEXT    NOT NULL DEFAULT '',       -- '' when clean
  diff_text    TEXT,                              -- NULL if clean or over 1 MiB
  branch       TEXT,
  remote_url   TEXT,
  orch_version TEXT    NOT NULL,
  build_info   TEXT                               -- compiler, build type, ... (JSON)
);
CREATE UNIQUE INDEX code_version_identity
  ON code_version(ifnull(git_sha, ''), diff_sha256, orch_version);

CREATE TABLE host (
  host_id   INTEGER PRIMARY KEY,
  hostname  TEXT    NOT NULL,
  cpu_model TEXT    NOT NULL DEFAULT '',
  n_cpus    INTEGER NOT NULL DEFAULT 0,
  mem_bytes INTEGER NOT NULL DEFAULT 0,
  gpu       TEXT    NOT NULL DEFAULT '',
  os        TEXT    NOT NULL DEFAULT '',
  info_json TEXT,
  UNIQUE (hostname, cpu_model, n_cpus, mem_bytes, gpu, os)
);

CREATE TABLE config (
  config_id     INTEGER PRIMARY KEY,
  config_sha256 TEXT NOT NULL UNIQUE,
  resolved_yaml TEXT NOT NULL,                    -- what the first run of this config received
  resolved_json TEXT NOT NULL CHECK (json_valid(resolved_json))
);

CREATE TABLE run (
  run_id           INTEGER PRIMARY KEY,
  run_uuid         TEXT    NOT NULL UNIQUE,       -- also the run directory's name
  name             TEXT    NOT NULL,
  experiment_id    INTEGER NOT NULL REFERENCES experiment(experiment_id),
  sweep_id         INTEGER REFERENCES sweep(sweep_id),
  config_id        INTEGER NOT NULL REFERENCES config(config_id),
  code_id          INTEGER NOT NULL REFERENCES code_version(code_id),
  host_id          INTEGER REFERENCES host(host_id),
  algo             TEXT    NOT NULL,
  task             TEXT    NOT NULL,
  variant          TEXT    NOT NULL DEFAULT '',
  seed             INTEGER NOT NULL,
  config_path      TEXT    NOT NULL,
  config_yaml      TEXT,                          -- NULL when equal to config.resolved_yaml
  overrides_json   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(overrides_json)),
  thread_budget    INTEGER NOT NULL DEFAULT 1,
  run_dir          TEXT    NOT NULL,              -- relative to the store's directory
  status           TEXT    NOT NULL CHECK (status IN
                     ('queued','running','completed','failed','interrupted')),
  attempt          INTEGER NOT NULL DEFAULT 1,    -- incremented on resume
  replica          INTEGER NOT NULL DEFAULT 0,    -- > 0: a deliberate rerun of an identical run
  resumed_from     INTEGER REFERENCES run(run_id),
  pid              INTEGER,
  created_at_ms    INTEGER NOT NULL,
  started_at_ms    INTEGER,
  ended_at_ms      INTEGER,
  heartbeat_at_ms  INTEGER,
  exit_code        INTEGER,
  error_text       TEXT,
  stdout_path      TEXT,
  stderr_path      TEXT,
  budget_env_steps INTEGER NOT NULL,
  last_env_step    INTEGER NOT NULL DEFAULT 0,
  param_count      INTEGER,
  peak_rss_bytes   INTEGER,
  ms_per_iter      REAL
);
CREATE UNIQUE INDEX run_dedupe     ON run(config_id, code_id, replica)
  WHERE status IN ('queued','running','completed');
CREATE INDEX        run_by_group   ON run(experiment_id, variant, task, seed);
CREATE INDEX        run_by_status  ON run(status, heartbeat_at_ms);
CREATE INDEX        run_by_sweep   ON run(sweep_id);
CREATE INDEX        run_by_name    ON run(name, created_at_ms);
CREATE INDEX        run_by_created ON run(created_at_ms);

CREATE TABLE run_event (
  event_id INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
  ts_ms    INTEGER NOT NULL,
  kind     TEXT    NOT NULL,
  detail   TEXT
);
CREATE INDEX run_event_by_run ON run_event(run_id, ts_ms);

CREATE TABLE run_param (
  run_id     INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
  key        TEXT    NOT NULL,
  value_text TEXT    NOT NULL,
  value_num  REAL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX run_param_by_key ON run_param(key, value_text);

CREATE TABLE run_tag (
  run_id INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
  key    TEXT    NOT NULL,
  value  TEXT    NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE metric_key (
  key_id INTEGER PRIMARY KEY,
  name   TEXT NOT NULL UNIQUE,
  kind   TEXT NOT NULL DEFAULT 'train' CHECK (kind IN ('train','eval','aux','system'))
);

CREATE TABLE metric (
  run_id  INTEGER NOT NULL,
  key_id  INTEGER NOT NULL,
  step    INTEGER NOT NULL,
  value   REAL,
  wall_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id, step)
) WITHOUT ROWID;

CREATE TABLE metric_latest (
  run_id  INTEGER NOT NULL,
  key_id  INTEGER NOT NULL,
  step    INTEGER NOT NULL,
  value   REAL,
  wall_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id)
) WITHOUT ROWID;

CREATE TABLE run_summary (
  run_id         INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
  key_id         INTEGER NOT NULL REFERENCES metric_key(key_id),
  budget_steps   INTEGER NOT NULL,
  n_points       INTEGER NOT NULL,
  auc_norm       REAL,
  final_value    REAL,
  max_value      REAL,
  computed_at_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id, budget_steps)
) WITHOUT ROWID;

CREATE TABLE task_ref (
  task      TEXT PRIMARY KEY,
  score_min REAL NOT NULL,
  score_max REAL NOT NULL,
  source    TEXT
) WITHOUT ROWID;

CREATE TABLE checkpoint (
  ckpt_id       INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
  step          INTEGER NOT NULL,
  path          TEXT    NOT NULL,
  sha256        TEXT    NOT NULL,
  bytes         INTEGER NOT NULL,
  is_final      INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (run_id, step)
);

CREATE TABLE artifact (
  artifact_id   INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
  kind          TEXT    NOT NULL,
  path          TEXT    NOT NULL,
  sha256        TEXT,
  bytes         INTEGER,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (run_id, path)
);
)sql";

constexpr std::string_view kWhatToDo =
    "Point --store or ORCH_RESULTS_DB at an orch results store (default results/orch.db), or at "
    "a path that does not exist yet to start a new one.";

}  // namespace

// schema version 2: which runs make up a sweep. A run can belong to several sweeps (a sweep
// adopts an identical run that already completed), each time as one job with its variant and
// axis values.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE sweep_run (
  sweep_id  INTEGER NOT NULL REFERENCES sweep(sweep_id) ON DELETE CASCADE,
  run_id    INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
  job_index INTEGER NOT NULL,
  variant   TEXT    NOT NULL DEFAULT '',
  task      TEXT    NOT NULL DEFAULT '',
  axes_json TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(axes_json)),
  PRIMARY KEY (sweep_id, run_id)
) WITHOUT ROWID;
CREATE INDEX sweep_run_by_run ON sweep_run(run_id);
)sql";

// schema version 3: views for reading the store with plain SQL or pandas.read_sql (README,
// "Getting data out"): every metric point and every run parameter in long form, each row with
// its run, sweep, variant and seed (a run in two sweeps appears once per sweep), and the last
// point of each metric of each run. run_summary goes: nothing wrote it (orch compare computes
// its summaries from the metrics each time).
constexpr std::string_view kSchemaV3 = R"sql(
DROP TABLE run_summary;
CREATE VIEW metric_long AS
  SELECT r.run_id, r.run_uuid AS uuid, s.name AS sweep, coalesce(sr.variant, r.variant) AS variant,
         r.task, r.seed, r.status, k.name AS key, m.step, m.value, m.wall_ms
  FROM metric m
  JOIN run r ON r.run_id = m.run_id
  JOIN metric_key k ON k.key_id = m.key_id
  LEFT JOIN sweep_run sr ON sr.run_id = r.run_id
  LEFT JOIN sweep s ON s.sweep_id = sr.sweep_id;
CREATE VIEW metric_final AS
  SELECT r.run_id, r.run_uuid AS uuid, s.name AS sweep, coalesce(sr.variant, r.variant) AS variant,
         r.task, r.seed, r.status, k.name AS key, ml.step, ml.value
  FROM metric_latest ml
  JOIN run r ON r.run_id = ml.run_id
  JOIN metric_key k ON k.key_id = ml.key_id
  LEFT JOIN sweep_run sr ON sr.run_id = r.run_id
  LEFT JOIN sweep s ON s.sweep_id = sr.sweep_id;
CREATE VIEW run_params AS
  SELECT r.run_id, r.run_uuid AS uuid, s.name AS sweep, coalesce(sr.variant, r.variant) AS variant,
         r.task, r.seed, r.status, p.key, p.value_text, p.value_num
  FROM run_param p
  JOIN run r ON r.run_id = p.run_id
  LEFT JOIN sweep_run sr ON sr.run_id = r.run_id
  LEFT JOIN sweep s ON s.sweep_id = sr.sweep_id;
)sql";

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {{1, kSchemaV1}, {2, kSchemaV2}, {3, kSchemaV3}};
  return migrations;
}

FileIdentity Identify(SQLite::Database& db) {
  // one statement, so one snapshot: another connection may be migrating the file right now
  SQLite::Statement query(db, R"sql(
    SELECT (SELECT application_id FROM pragma_application_id),
           (SELECT user_version FROM pragma_user_version),
           (SELECT count(*) FROM sqlite_master)
  )sql");
  query.executeStep();
  FileIdentity identity;
  identity.application_id = query.getColumn(0).getInt();
  identity.user_version = query.getColumn(1).getInt();
  identity.schema_objects = query.getColumn(2).getInt64();
  return identity;
}

void CheckIdentity(const FileIdentity& identity, const std::filesystem::path& path,
                   int latest_version) {
  // a database another program made, marked or not
  if (identity.application_id != kApplicationId &&
      (identity.application_id != 0 || identity.schema_objects > 0)) {
    std::string mark =
        identity.application_id != 0
            ? fmt::format("application_id 0x{:08x}", static_cast<uint32_t>(identity.application_id))
            : std::string("it has tables but no orch application_id");
    throw StoreError(fmt::format(
        "'{}' is a SQLite database of another application ({}), not an orch results store. {}",
        path.string(), mark, kWhatToDo));
  }
  // a store written by a newer orch
  if (identity.user_version > latest_version) {
    throw StoreError(fmt::format(
        "results store '{}' has schema version {}, newer than this orch understands ({}): a "
        "newer orch wrote it. Upgrade orch to read or write it; this orch leaves it untouched.",
        path.string(), identity.user_version, latest_version));
  }
}

void Migrate(SQLite::Database& db, const std::filesystem::path& path,
             const std::vector<Migration>& migrations) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  FileIdentity current = Identify(db);
  if (current.user_version >= latest && current.application_id == kApplicationId) return;
  WriteTransaction(db, path, "migrating the schema", [&] {
    // another connection may have migrated the file since it was opened
    FileIdentity identity = Identify(db);
    CheckIdentity(identity, path, latest);
    for (const Migration& migration : migrations) {
      if (migration.version <= identity.user_version) continue;
      try {
        db.exec(std::string(migration.sql));
      } catch (const SQLite::Exception& error) {
        throw StoreError(fmt::format(
            "results store '{}': migrating the schema from version {} to {} failed (SQLite: "
            "{}); the file was left at version {}. This is a bug in orch: please report it.",
            path.string(), migration.version - 1, migration.version, error.what(),
            identity.user_version));
      }
    }
    db.exec(fmt::format("PRAGMA user_version = {}", latest));
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  });
}

}  // namespace orch::store::internal
