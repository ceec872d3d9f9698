// src/store/results_store.cpp: opening a store (recognition, connection settings, migrations)
// and the write path of a run's lifecycle (results-store.md §2, §4). Reads are in
// results_store_queries.cpp, the metric writer in metric_writer.cpp.
#include "store/results_store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/json.h"
#include "common/string_util.h"
#include "store/run_ending.h"
#include "store/schema.h"
#include "store/shard.h"
#include "store/store_internal.h"

namespace orch::store {
namespace {

namespace fs = std::filesystem;
using internal::BindOptional;
using internal::BindTextOrNull;

constexpr int kBusyTimeoutMs = 10'000;

/// How MarkStaleRuns' error text starts.
constexpr std::string_view kStaleReason = "worker stopped sending heartbeats at";

/// What the lifecycle updates need to know about a run.
struct RunState {
  std::string uuid;
  std::string name;
  std::string status;
  std::optional<int64_t> pid;
  std::string error_text;
  int64_t config_id = 0;
  int64_t code_id = 0;
  int64_t replica = 0;
};

std::string ShortUuid(const std::string& uuid) { return uuid.substr(0, 8); }

/// The message for a file that SQLite says is not a database (SQLITE_NOTADB).
StoreError NotADatabase(const fs::path& path) {
  return StoreError(fmt::format(
      "'{}' is not a SQLite database (it does not start with the SQLite header), so it is not "
      "an orch results store. Point --store or ORCH_RESULTS_DB at your results store (default "
      "results/orch.db), or move the file aside to start a new store at this path.",
      path.string()));
}

/// The connection settings of results-store.md §2, in order. A read-only connection cannot
/// change the journal mode (and a store that has been written is WAL already).
void ApplyConnectionSettings(SQLite::Database& db, const fs::path& path, ResultsStore::Mode mode) {
  internal::RetryBusy(path, "setting up the connection", [&] {
    // a shard may sit on a network filesystem, where WAL's shared memory does not work
    if (mode == ResultsStore::Mode::kReadWrite) {
      db.exec(IsShardPath(path) ? "PRAGMA journal_mode = DELETE" : "PRAGMA journal_mode = WAL");
    }
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec(fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs));
    db.exec("PRAGMA temp_store = MEMORY");
  });
}

StoreError NoSuchRun(const fs::path& path, int64_t run_id) {
  return StoreError(fmt::format("results store '{}' has no run #{}. List the runs with `orch ls`.",
                                path.string(), run_id));
}

RunState LoadRunState(SQLite::Database& db, const fs::path& path, int64_t run_id) {
  SQLite::Statement query(db, R"sql(
    SELECT run_uuid, name, status, pid, ifnull(error_text, ''), config_id, code_id, replica
    FROM run WHERE run_id = :run_id
  )sql");
  query.bind(":run_id", run_id);
  if (!query.executeStep()) throw NoSuchRun(path, run_id);
  RunState state;
  state.uuid = query.getColumn(0).getString();
  state.name = query.getColumn(1).getString();
  state.status = query.getColumn(2).getString();
  state.pid = internal::OptionalInt(query.getColumn(3));
  state.error_text = query.getColumn(4).getString();
  state.config_id = query.getColumn(5).getInt64();
  state.code_id = query.getColumn(6).getInt64();
  state.replica = query.getColumn(7).getInt64();
  return state;
}

void InsertEvent(SQLite::Database& db, int64_t run_id, int64_t ts_ms, std::string_view kind,
                 std::string_view detail) {
  SQLite::Statement insert(db, R"sql(
    INSERT INTO run_event(run_id, ts_ms, kind, detail) VALUES (:run_id, :ts_ms, :kind, :detail)
  )sql");
  insert.bind(":run_id", run_id);
  insert.bind(":ts_ms", ts_ms);
  insert.bind(":kind", std::string(kind));
  BindTextOrNull(insert, ":detail", std::string(detail));
  insert.exec();
}

/// Runs an `INSERT ... ON CONFLICT DO NOTHING` then the `SELECT` of the row's id (W1).
int64_t GetOrCreate(SQLite::Statement& insert, SQLite::Statement& select) {
  insert.exec();
  if (!select.executeStep()) {
    throw StoreError("a row just inserted could not be read back (a bug in orch; please report)");
  }
  return select.getColumn(0).getInt64();
}

int64_t GetOrCreateExperiment(SQLite::Database& db, const std::string& name, int64_t now) {
  SQLite::Statement insert(db, R"sql(
    INSERT INTO experiment(name, created_at_ms) VALUES (:name, :now)
    ON CONFLICT(name) DO NOTHING
  )sql");
  insert.bind(":name", name);
  insert.bind(":now", now);
  SQLite::Statement select(db, "SELECT experiment_id FROM experiment WHERE name = :name");
  select.bind(":name", name);
  return GetOrCreate(insert, select);
}

int64_t GetOrCreateCode(SQLite::Database& db, const CodeVersion& code) {
  SQLite::Statement insert(db, R"sql(
    INSERT INTO code_version(git_sha, git_dirty, diff_sha256, diff_text, branch, remote_url,
                             orch_version, build_info)
    VALUES (:git_sha, :git_dirty, :diff_sha256, :diff_text, :branch, :remote_url,
            :orch_version, :build_info)
    ON CONFLICT(ifnull(git_sha, ''), diff_sha256, orch_version) DO NOTHING
  )sql");
  BindOptional(insert, ":git_sha", code.git_sha);
  insert.bind(":git_dirty", code.dirty ? 1 : 0);
  insert.bind(":diff_sha256", code.diff_sha256);
  BindOptional(insert, ":diff_text", code.diff_text);
  BindOptional(insert, ":branch", code.branch);
  BindOptional(insert, ":remote_url", code.remote_url);
  insert.bind(":orch_version", code.orch_version);
  BindTextOrNull(insert, ":build_info", code.build_info_json);
  SQLite::Statement select(db, R"sql(
    SELECT code_id FROM code_version
    WHERE ifnull(git_sha, '') = ifnull(:git_sha, '') AND diff_sha256 = :diff_sha256
      AND orch_version = :orch_version
  )sql");
  BindOptional(select, ":git_sha", code.git_sha);
  select.bind(":diff_sha256", code.diff_sha256);
  select.bind(":orch_version", code.orch_version);
  return GetOrCreate(insert, select);
}

int64_t GetOrCreateHost(SQLite::Database& db, const HostInfo& host) {
  SQLite::Statement insert(db, R"sql(
    INSERT INTO host(hostname, cpu_model, n_cpus, mem_bytes, os)
    VALUES (:hostname, :cpu_model, :n_cpus, :mem_bytes, :os)
    ON CONFLICT(hostname, cpu_model, n_cpus, mem_bytes, gpu, os) DO NOTHING
  )sql");
  SQLite::Statement select(db, R"sql(
    SELECT host_id FROM host
    WHERE hostname = :hostname AND cpu_model = :cpu_model AND n_cpus = :n_cpus
      AND mem_bytes = :mem_bytes AND gpu = '' AND os = :os
  )sql");
  for (SQLite::Statement* statement : {&insert, &select}) {
    statement->bind(":hostname", host.hostname);
    statement->bind(":cpu_model", host.cpu_model);
    statement->bind(":n_cpus", host.cpus);
    statement->bind(":mem_bytes", host.memory_bytes);
    statement->bind(":os", host.os);
  }
  return GetOrCreate(insert, select);
}

int64_t GetOrCreateConfig(SQLite::Database& db, const NewRun& run) {
  SQLite::Statement insert(db, R"sql(
    INSERT INTO config(config_sha256, resolved_yaml, resolved_json)
    VALUES (:config_sha256, :resolved_yaml, :resolved_json)
    ON CONFLICT(config_sha256) DO NOTHING
  )sql");
  insert.bind(":config_sha256", run.config_sha256);
  insert.bind(":resolved_yaml", run.config_yaml);
  insert.bind(":resolved_json", run.config_json);
  SQLite::Statement select(db, "SELECT config_id FROM config WHERE config_sha256 = :config_sha256");
  select.bind(":config_sha256", run.config_sha256);
  return GetOrCreate(insert, select);
}

/// A queued, running or completed run with this config, code and replica number (other than
/// `except_run_id`).
std::optional<std::pair<int64_t, RunState>> FindTwin(SQLite::Database& db, const fs::path& path,
                                                     int64_t config_id, int64_t code_id,
                                                     int64_t replica, int64_t except_run_id) {
  SQLite::Statement query(db, R"sql(
    SELECT run_id FROM run
    WHERE config_id = :config_id AND code_id = :code_id AND replica = :replica
      AND run_id <> :except_run_id AND status IN ('queued','running','completed')
  )sql");
  query.bind(":config_id", config_id);
  query.bind(":code_id", code_id);
  query.bind(":replica", replica);
  query.bind(":except_run_id", except_run_id);
  if (!query.executeStep()) return std::nullopt;
  int64_t twin_id = query.getColumn(0).getInt64();
  query.reset();
  return std::make_pair(twin_id, LoadRunState(db, path, twin_id));
}

std::string OverridesJson(const std::vector<std::string>& overrides) {
  JsonWriter json;
  json.BeginArray();
  for (const auto& text : overrides) json.String(text);
  json.EndArray();
  return json.Take();
}

/// The first line of `text`, at most 200 characters.
std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 200) line = line.substr(0, 197) + "...";
  return line;
}

}  // namespace

const char* StatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kQueued:
      return "queued";
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

std::optional<RunStatus> ParseStatus(std::string_view name) {
  for (RunStatus status : {RunStatus::kQueued, RunStatus::kRunning, RunStatus::kCompleted,
                           RunStatus::kFailed, RunStatus::kInterrupted}) {
    if (name == StatusName(status)) return status;
  }
  return std::nullopt;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- opening

std::unique_ptr<ResultsStore> ResultsStore::Open(const fs::path& path, Mode mode) {
  // refuse what cannot be a store before SQLite touches it
  std::error_code error;
  const bool exists = fs::exists(path, error);
  if (!exists && mode != Mode::kReadWrite) {
    throw StoreError(
        fmt::format("results store '{}' does not exist. Check --store or ORCH_RESULTS_DB (default "
                    "results/orch.db); the first `orch run` creates the store.",
                    path.string()));
  }
  if (exists && fs::is_directory(path, error)) {
    throw StoreError(fmt::format(
        "'{}' is a directory, not a results store. Point --store or ORCH_RESULTS_DB at a file, "
        "e.g. '{}'.",
        path.string(), (path / "orch.db").string()));
  }
  // the file is only ever read through SQLite: closing any other descriptor of it would drop
  // the POSIX locks that this process's SQLite connections hold on it (sqlite.org/howtocorrupt)
  if (!exists && path.has_parent_path()) {
    fs::create_directories(path.parent_path(), error);
    if (error) {
      throw StoreError(fmt::format(
          "cannot create the directory of results store '{}': {}. Choose another path with "
          "--store or ORCH_RESULTS_DB.",
          path.string(), error.message()));
    }
  }

  // the connection; SQLite opens the file lazily, so a bad file shows on the first read
  // URIs allowed so that ATTACH can name a shard as immutable (shard.cpp)
  const int flags = (mode == Mode::kReadWrite ? SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE
                                              : SQLite::OPEN_READONLY) |
                    SQLite::OPEN_URI;
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(
        mode == Mode::kSnapshot ? internal::FileUri(path, /*immutable=*/true) : path.string(),
        flags, kBusyTimeoutMs);
  } catch (const SQLite::Exception& open_error) {
    throw internal::TranslateError(path, "opening it", open_error);
  }

  // recognise the file before changing anything in it
  internal::FileIdentity identity;
  try {
    identity = internal::Identify(*db);
  } catch (const SQLite::Exception& read_error) {
    if (read_error.getErrorCode() == SQLITE_NOTADB) throw NotADatabase(path);
    throw internal::TranslateError(path, "reading its header", read_error);
  }
  internal::CheckIdentity(identity, path, internal::kSchemaVersion);

  ApplyConnectionSettings(*db, path, mode);
  if (mode == Mode::kReadWrite) {
    internal::Migrate(*db, path, internal::Migrations());
  } else if (identity.user_version < internal::kSchemaVersion) {
    // a read-only connection cannot migrate
    if (identity.schema_objects == 0) {
      throw StoreError(fmt::format(
          "results store '{}' is empty: no run has been recorded in it yet.", path.string()));
    }
    throw StoreError(fmt::format(
        "results store '{}' has schema version {}, older than this orch's ({}). Open it once "
        "read-write (e.g. with `orch run`) to migrate it.",
        path.string(), identity.user_version, internal::kSchemaVersion));
  }
  return std::unique_ptr<ResultsStore>(new ResultsStore(path, std::move(db), mode));
}

ResultsStore::ResultsStore(fs::path path, std::unique_ptr<SQLite::Database> db, Mode mode)
    : path_(std::move(path)), db_(std::move(db)), mode_(mode) {}

ResultsStore::~ResultsStore() {
  // let SQLite refresh its statistics, bounded and without waiting for a busy store
  db_->tryExec("PRAGMA busy_timeout = 0");
  db_->tryExec("PRAGMA analysis_limit = 400");
  db_->tryExec("PRAGMA optimize");
}

void ResultsStore::Write(const std::string& action, const std::function<void()>& body) {
  if (mode_ != Mode::kReadWrite) {
    throw StoreError(
        fmt::format("results store '{}' is open read-only; {} needs a read-write "
                    "store (a bug in orch; please report).",
                    path_.string(), action));
  }
  internal::WriteTransaction(*db_, path_, action, body);
}

int ResultsStore::SchemaVersion() {
  return internal::Guarded(path_, "reading the schema version",
                           [&] { return db_->execAndGet("PRAGMA user_version").getInt(); });
}

// --- run lifecycle

int64_t ResultsStore::CreateRun(const NewRun& run) {
  if (run.uuid.empty()) throw StoreError("a new run needs a uuid (a bug in orch; please report)");
  int64_t run_id = 0;
  const int64_t now = NowMs();
  Write(fmt::format("recording run {}", run.uuid), [&] {
    // experiment, code version, host and config: get or create (W1)
    const int64_t experiment_id = GetOrCreateExperiment(*db_, run.experiment, now);
    const int64_t code_id = GetOrCreateCode(*db_, run.code);
    const int64_t host_id = GetOrCreateHost(*db_, run.host);
    const int64_t config_id = GetOrCreateConfig(*db_, run);

    // a deliberate rerun takes the next replica number, which is part of the identity
    int64_t replica = 0;
    if (run.rerun) {
      SQLite::Statement next(*db_, R"sql(
        SELECT IFNULL(MAX(replica), -1) + 1 FROM run
        WHERE config_id = :config_id AND code_id = :code_id
      )sql");
      next.bind(":config_id", config_id);
      next.bind(":code_id", code_id);
      next.executeStep();
      replica = next.getColumn(0).getInt64();
    }

    // the same config and code queued, running or completed: a duplicate (W2)
    if (auto twin = FindTwin(*db_, path_, config_id, code_id, replica, 0)) {
      const auto& [twin_id, state] = *twin;
      throw DuplicateRunError(
          fmt::format("results store '{}' already has this run: {} '{}' (#{}, {}) has the same "
                      "resolved config (sha256 {}) and code version. Show it with `orch show "
                      "{} --store {}`; to run it again anyway, pass --rerun (or change a value "
                      "such as the seed, or the code).",
                      path_.string(), ShortUuid(state.uuid), state.name, twin_id, state.status,
                      run.config_sha256.substr(0, 12), ShortUuid(state.uuid),
                      ShellQuote(path_.string())),
          twin_id);
    }

    // the run, queued; its YAML is kept only if it differs from the shared config row's
    SQLite::Statement insert(*db_, R"sql(
      INSERT INTO run(run_uuid, name, experiment_id, config_id, code_id, host_id, algo, task,
                      variant, seed, config_path, config_yaml, overrides_json, thread_budget,
                      run_dir, status, created_at_ms, budget_env_steps, replica, sweep_id)
      VALUES (:uuid, :name, :experiment_id, :config_id, :code_id, :host_id, :algo, :task,
              :variant, :seed, :config_path,
              CASE WHEN :config_yaml = (SELECT resolved_yaml FROM config
                                        WHERE config_id = :config_id)
                   THEN NULL ELSE :config_yaml END,
              :overrides_json, :thread_budget, :run_dir, 'queued', :now, :budget, :replica,
              :sweep_id)
    )sql");
    insert.bind(":uuid", run.uuid);
    insert.bind(":name", run.name);
    insert.bind(":experiment_id", experiment_id);
    insert.bind(":config_id", config_id);
    insert.bind(":code_id", code_id);
    insert.bind(":host_id", host_id);
    insert.bind(":algo", run.algo);
    insert.bind(":task", run.task);
    insert.bind(":variant", run.variant);
    insert.bind(":seed", run.seed);
    insert.bind(":config_path", run.config_path);
    insert.bind(":config_yaml", run.config_yaml);
    insert.bind(":overrides_json", OverridesJson(run.overrides));
    insert.bind(":thread_budget", run.thread_budget);
    insert.bind(":run_dir", run.run_dir);
    insert.bind(":now", now);
    insert.bind(":budget", run.budget_steps);
    insert.bind(":replica", replica);
    BindOptional(insert, ":sweep_id", run.sweep_id);
    insert.exec();
    run_id = db_->getLastInsertRowid();

    // its flattened params
    SQLite::Statement param(*db_, R"sql(
      INSERT INTO run_param(run_id, key, value_text, value_num)
      VALUES (:run_id, :key, :value_text, :value_num)
    )sql");
    for (const FlatParam& flat : run.params) {
      param.reset();
      param.bind(":run_id", run_id);
      param.bind(":key", flat.key);
      param.bind(":value_text", flat.value_text);
      BindOptional(param, ":value_num", flat.value_number);
      param.exec();
    }
    InsertEvent(*db_, run_id, now, "queued", "");
  });
  return run_id;
}

bool ResultsStore::ClaimQueuedRun(int64_t run_id) {
  const int64_t now = NowMs();
  bool claimed = false;
  Write(fmt::format("claiming run #{}", run_id), [&] {
    SQLite::Statement update(*db_, R"sql(
      UPDATE run SET status = 'running', pid = NULL, heartbeat_at_ms = :now,
                     started_at_ms = :now
      WHERE run_id = :run_id AND status = 'queued'
    )sql");
    update.bind(":now", now);
    update.bind(":run_id", run_id);
    claimed = update.exec() == 1;
  });
  return claimed;
}

bool ResultsStore::AbandonQueuedRun(int64_t run_id, const std::string& reason) {
  const int64_t now = NowMs();
  bool abandoned = false;
  Write(fmt::format("setting aside run #{}", run_id), [&] {
    SQLite::Statement update(*db_, R"sql(
      UPDATE run SET status = 'interrupted', ended_at_ms = :now, exit_code = 130,
                     error_text = :reason
      WHERE run_id = :run_id AND status = 'queued'
    )sql");
    update.bind(":now", now);
    update.bind(":reason", reason);
    update.bind(":run_id", run_id);
    abandoned = update.exec() == 1;
    if (abandoned) InsertEvent(*db_, run_id, now, "interrupted", FirstLine(reason));
  });
  return abandoned;
}

void ResultsStore::MarkRunning(int64_t run_id, int64_t pid) {
  const int64_t now = NowMs();
  Write(fmt::format("starting run #{}", run_id), [&] {
    RunState state = LoadRunState(*db_, path_, run_id);
    // a queued run starts; a run claimed or prepared for resume (running, no pid yet) gets its
    // worker
    const bool queued = state.status == "queued";
    const bool resumed = state.status == "running" && !state.pid;
    if (!queued && !resumed) {
      throw ClaimRefusedError(fmt::format(
          "run {} '{}' is {}{}; only a queued run, or one prepared for resume, can start.",
          ShortUuid(state.uuid), state.name, state.status,
          state.pid ? fmt::format(" (worker pid {})", *state.pid) : std::string()));
    }
    SQLite::Statement update(*db_, R"sql(
      UPDATE run SET status = 'running', pid = :pid, heartbeat_at_ms = :now,
                     started_at_ms = CASE WHEN status = 'queued' THEN :now ELSE started_at_ms END
      WHERE run_id = :run_id
    )sql");
    update.bind(":pid", pid);
    update.bind(":now", now);
    update.bind(":run_id", run_id);
    update.exec();
    InsertEvent(*db_, run_id, now, "started", fmt::format("worker pid {}", pid));
  });
}

void ResultsStore::Heartbeat(int64_t run_id, int64_t last_step) {
  const int64_t now = NowMs();
  Write(fmt::format("recording a heartbeat of run #{}", run_id), [&] {
    // the step only moves forward (a negative step just beats)
    SQLite::Statement update(*db_, R"sql(
      UPDATE run SET heartbeat_at_ms = :now, last_env_step = max(last_env_step, :step)
      WHERE run_id = :run_id
    )sql");
    update.bind(":now", now);
    update.bind(":step", last_step);
    update.bind(":run_id", run_id);
    if (update.exec() == 0) throw NoSuchRun(path_, run_id);
  });
}

void ResultsStore::FinishRun(int64_t run_id, RunStatus status, std::optional<int64_t> exit_code,
                             const std::string& error_text) {
  if (status != RunStatus::kCompleted && status != RunStatus::kFailed &&
      status != RunStatus::kInterrupted) {
    throw StoreError(fmt::format("a run cannot finish as {} (a bug in orch; please report)",
                                 StatusName(status)));
  }
  const int64_t now = NowMs();
  Write(fmt::format("finishing run #{}", run_id), [&] {
    RunState state = LoadRunState(*db_, path_, run_id);
    // a worker that outlived its stale mark still has the last word
    const bool marked_stale =
        state.status == "failed" && StartsWith(state.error_text, kStaleReason);
    if (state.status != "queued" && state.status != "running" && !marked_stale) {
      throw StoreError(fmt::format("run {} '{}' already ended ({}); it cannot end again as {}.",
                                   ShortUuid(state.uuid), state.name, state.status,
                                   StatusName(status)));
    }
    SQLite::Statement update(*db_, R"sql(
      UPDATE run SET status = :status, ended_at_ms = :now, exit_code = :exit_code,
                     error_text = :error_text
      WHERE run_id = :run_id
    )sql");
    update.bind(":status", StatusName(status));
    update.bind(":now", now);
    BindOptional(update, ":exit_code", exit_code);
    BindTextOrNull(update, ":error_text", error_text);
    update.bind(":run_id", run_id);
    update.exec();

    // the event says how it ended
    std::string detail = exit_code ? fmt::format("exit code {}", *exit_code) : std::string();
    if (!error_text.empty()) {
      detail += (detail.empty() ? "" : ": ") + FirstLine(error_text);
    }
    if (marked_stale) detail += (detail.empty() ? "" : " ") + std::string("(after a stale mark)");
    InsertEvent(*db_, run_id, now, StatusName(status), detail);
  });
}

void ResultsStore::SetRunStats(int64_t run_id, std::optional<int64_t> param_count,
                               std::optional<int64_t> peak_rss_bytes,
                               std::optional<double> ms_per_iter) {
  Write(fmt::format("recording the overhead of run #{}", run_id), [&] {
    // a missing figure keeps what is there; the parameter count of a resumed run, whose
    // workload logged it in an earlier attempt only, comes from that metric; the peak memory
    // is the largest of the attempts'
    SQLite::Statement update(
        *db_, fmt::format(R"sql(
      UPDATE run SET param_count    = coalesce(:param_count, param_count, CAST({} AS INTEGER)),
                     peak_rss_bytes = CASE WHEN peak_rss_bytes IS NULL THEN :peak_rss_bytes
                                           WHEN :peak_rss_bytes IS NULL THEN peak_rss_bytes
                                           ELSE max(peak_rss_bytes, :peak_rss_bytes) END,
                     ms_per_iter    = coalesce(:ms_per_iter, ms_per_iter)
      WHERE run_id = :run_id
    )sql",
                          internal::LoggedMetricSql(":run_id", "system/param_count", "latest")));
    BindOptional(update, ":param_count", param_count);
    BindOptional(update, ":peak_rss_bytes", peak_rss_bytes);
    BindOptional(update, ":ms_per_iter", ms_per_iter);
    update.bind(":run_id", run_id);
    if (update.exec() == 0) throw NoSuchRun(path_, run_id);
  });
}

void ResultsStore::AddEvent(int64_t run_id, std::string_view kind, std::string_view detail) {
  const int64_t now = NowMs();
  Write(fmt::format("recording an event of run #{}", run_id), [&] {
    LoadRunState(*db_, path_, run_id);
    InsertEvent(*db_, run_id, now, kind, detail);
  });
}

void ResultsStore::RegisterCheckpoint(int64_t run_id, const CheckpointRecord& checkpoint) {
  const int64_t now = NowMs();
  Write(fmt::format("registering a checkpoint of run #{}", run_id), [&] {
    LoadRunState(*db_, path_, run_id);
    // W6: one checkpoint per step
    SQLite::Statement upsert(*db_, R"sql(
      INSERT INTO checkpoint(run_id, step, path, sha256, bytes, is_final, created_at_ms)
      VALUES (:run_id, :step, :path, :sha256, :bytes, :is_final, :created_at_ms)
      ON CONFLICT(run_id, step) DO UPDATE
        SET path = excluded.path, sha256 = excluded.sha256, bytes = excluded.bytes,
            is_final = excluded.is_final, created_at_ms = excluded.created_at_ms
    )sql");
    upsert.bind(":run_id", run_id);
    upsert.bind(":step", checkpoint.step);
    upsert.bind(":path", checkpoint.path);
    upsert.bind(":sha256", checkpoint.sha256);
    upsert.bind(":bytes", checkpoint.bytes);
    upsert.bind(":is_final", checkpoint.is_final ? 1 : 0);
    upsert.bind(":created_at_ms", checkpoint.created_at_ms != 0 ? checkpoint.created_at_ms : now);
    upsert.exec();
  });
}

std::optional<CheckpointRecord> ResultsStore::LatestCheckpoint(int64_t run_id) {
  return internal::Guarded(path_, fmt::format("reading the checkpoints of run #{}", run_id),
                           [&]() -> std::optional<CheckpointRecord> {
                             SQLite::Statement query(*db_, R"sql(
          SELECT step, path, sha256, bytes, is_final, created_at_ms FROM checkpoint
          WHERE run_id = :run_id ORDER BY step DESC LIMIT 1
        )sql");
                             query.bind(":run_id", run_id);
                             if (!query.executeStep()) return std::nullopt;
                             CheckpointRecord record;
                             record.step = query.getColumn(0).getInt64();
                             record.path = query.getColumn(1).getString();
                             record.sha256 = query.getColumn(2).getString();
                             record.bytes = query.getColumn(3).getInt64();
                             record.is_final = query.getColumn(4).getInt() != 0;
                             record.created_at_ms = query.getColumn(5).getInt64();
                             return record;
                           });
}

void ResultsStore::PrepareResume(int64_t run_id, int64_t checkpoint_step) {
  const int64_t now = NowMs();
  Write(fmt::format("preparing run #{} for resume", run_id), [&] {
    RunState state = LoadRunState(*db_, path_, run_id);
    if (state.status != "failed" && state.status != "interrupted") {
      throw ClaimRefusedError(
          fmt::format("run {} '{}' is {}; only a failed or interrupted run can be resumed.",
                      ShortUuid(state.uuid), state.name, state.status));
    }
    // an identical run started since would make this one a duplicate
    if (auto twin = FindTwin(*db_, path_, state.config_id, state.code_id, state.replica, run_id)) {
      const auto& [twin_id, twin_state] = *twin;
      throw DuplicateRunError(
          fmt::format("cannot resume run {} '{}': run {} '{}' (#{}) has the same config and code "
                      "and is {}.",
                      ShortUuid(state.uuid), state.name, ShortUuid(twin_state.uuid),
                      twin_state.name, twin_id, twin_state.status),
          twin_id);
    }

    // W9: drop the points after the checkpoint, so replayed steps never duplicate
    SQLite::Statement drop_points(*db_, R"sql(
      DELETE FROM metric WHERE run_id = :run_id AND step > :step
    )sql");
    drop_points.bind(":run_id", run_id);
    drop_points.bind(":step", checkpoint_step);
    drop_points.exec();

    // rebuild the latest value of every key from what is left
    SQLite::Statement drop_latest(*db_, "DELETE FROM metric_latest WHERE run_id = :run_id");
    drop_latest.bind(":run_id", run_id);
    drop_latest.exec();
    SQLite::Statement rebuild(*db_, R"sql(
      INSERT INTO metric_latest(run_id, key_id, step, value, wall_ms)
      SELECT m.run_id, m.key_id, m.step, m.value, m.wall_ms
      FROM metric m
      JOIN (SELECT key_id, MAX(step) AS s FROM metric WHERE run_id = :run_id GROUP BY key_id) x
        ON x.key_id = m.key_id AND x.s = m.step
      WHERE m.run_id = :run_id
    )sql");
    rebuild.bind(":run_id", run_id);
    rebuild.exec();

    // checkpoints after the resume point belong to the abandoned attempt
    SQLite::Statement drop_checkpoints(*db_, R"sql(
      DELETE FROM checkpoint WHERE run_id = :run_id AND step > :step
    )sql");
    drop_checkpoints.bind(":run_id", run_id);
    drop_checkpoints.bind(":step", checkpoint_step);
    drop_checkpoints.exec();

    // running again, without a worker until MarkRunning
    SQLite::Statement update(*db_, R"sql(
      UPDATE run SET status = 'running', attempt = attempt + 1, last_env_step = max(:step, 0),
                     started_at_ms = :now, heartbeat_at_ms = :now, ended_at_ms = NULL,
                     exit_code = NULL, error_text = NULL, pid = NULL
      WHERE run_id = :run_id
    )sql");
    update.bind(":step", checkpoint_step);
    update.bind(":now", now);
    update.bind(":run_id", run_id);
    update.exec();
    InsertEvent(*db_, run_id, now, "resumed",
                checkpoint_step < 0 ? std::string("from scratch")
                                    : fmt::format("from step {}", checkpoint_step));
  });
}

int ResultsStore::MarkStaleRuns(int64_t now_ms, int64_t stale_after_ms) {
  // a read-only store only reads: its stale runs wait for a read-write connection
  if (mode_ != Mode::kReadWrite) return 0;
  // look first without the write lock: usually nothing is stale
  struct Stale {
    int64_t run_id;
    int64_t beat_ms;
    std::string run_dir;
  };
  auto find_stale = [&] {
    std::vector<Stale> stale;
    SQLite::Statement query(*db_, R"sql(
      SELECT run_id, coalesce(heartbeat_at_ms, started_at_ms, created_at_ms) AS beat, run_dir
      FROM run
      WHERE status = 'running'
        AND coalesce(heartbeat_at_ms, started_at_ms, created_at_ms) < :now - :stale_after
      ORDER BY run_id
    )sql");
    query.bind(":now", now_ms);
    query.bind(":stale_after", stale_after_ms);
    while (query.executeStep()) {
      stale.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getInt64(),
                       query.getColumn(2).getString()});
    }
    return stale;
  };
  if (internal::Guarded(path_, "looking for stale runs", find_stale).empty()) return 0;

  int marked = 0;
  Write("marking stale runs as failed", [&] {
    marked = 0;
    SQLite::Statement update(*db_, R"sql(
      UPDATE run SET status = :status, ended_at_ms = :now, exit_code = :exit_code,
                     error_text = :reason
      WHERE run_id = :run_id AND status = 'running'
    )sql");
    for (const Stale& run : find_stale()) {
      // a run with a shard runs on another machine: its shard, not this store, hears its
      // heartbeats, and `orch collect` brings them here
      if (fs::exists(directory() / run.run_dir / kRunShardName)) continue;
      // the ending a worker could not record (a full disk) is the truth; silence is a failure
      std::optional<RecordedEnding> ending = ReadEndingFile(directory() / run.run_dir);
      std::string status = ending ? ending->status : "failed";
      std::optional<int64_t> exit_code = ending ? ending->exit_code : std::nullopt;
      std::string reason =
          ending ? ending->error
                 : fmt::format(
                       "{} {} (none for {} s; a run counts as failed after {} s without "
                       "one)",
                       kStaleReason, internal::FormatUtc(run.beat_ms),
                       (now_ms - run.beat_ms) / 1000, stale_after_ms / 1000);
      update.reset();
      update.bind(":status", status);
      update.bind(":now", now_ms);
      BindOptional(update, ":exit_code", exit_code);
      BindTextOrNull(update, ":reason", reason);
      update.bind(":run_id", run.run_id);
      update.exec();
      std::string detail = ending ? "recorded late from ending.json" : reason;
      if (ending && !ending->error.empty()) detail += ": " + FirstLine(ending->error);
      InsertEvent(*db_, run.run_id, now_ms, status, detail);
      ++marked;
    }
  });
  return marked;
}

void ResultsStore::ForgetCheckpoint(int64_t run_id, int64_t step) {
  Write(fmt::format("forgetting a pruned checkpoint of run #{}", run_id), [&] {
    SQLite::Statement drop(*db_, "DELETE FROM checkpoint WHERE run_id = :run_id AND step = :step");
    drop.bind(":run_id", run_id);
    drop.bind(":step", step);
    drop.exec();
  });
}

std::vector<CheckpointRecord> ResultsStore::Checkpoints(int64_t run_id) {
  return internal::Guarded(path_, fmt::format("reading the checkpoints of run #{}", run_id), [&] {
    std::vector<CheckpointRecord> records;
    SQLite::Statement query(*db_, R"sql(
      SELECT step, path, sha256, bytes, is_final, created_at_ms FROM checkpoint
      WHERE run_id = :run_id ORDER BY step
    )sql");
    query.bind(":run_id", run_id);
    while (query.executeStep()) {
      CheckpointRecord record;
      record.step = query.getColumn(0).getInt64();
      record.path = query.getColumn(1).getString();
      record.sha256 = query.getColumn(2).getString();
      record.bytes = query.getColumn(3).getInt64();
      record.is_final = query.getColumn(4).getInt() != 0;
      record.created_at_ms = query.getColumn(5).getInt64();
      records.push_back(std::move(record));
    }
    return records;
  });
}

std::unique_ptr<MetricWriter> ResultsStore::OpenMetricWriter(int64_t run_id, int64_t flush_rows,
                                                             int64_t flush_interval_ms) {
  internal::Guarded(path_, fmt::format("opening a metric writer for run #{}", run_id),
                    [&] { LoadRunState(*db_, path_, run_id); });
  return std::make_unique<MetricWriter>(*this, run_id, flush_rows, flush_interval_ms);
}

bool ResultsStore::IntegrityCheck(std::string* message) {
  std::vector<std::string> lines = internal::Guarded(path_, "checking its integrity", [&] {
    std::vector<std::string> out;
    SQLite::Statement query(*db_, "PRAGMA integrity_check");
    while (query.executeStep()) out.push_back(query.getColumn(0).getString());
    return out;
  });
  const bool ok = lines.size() == 1 && lines[0] == "ok";
  if (message != nullptr) {
    message->clear();
    for (const auto& line : lines) *message += (message->empty() ? "" : "\n") + line;
  }
  return ok;
}

std::optional<std::string> ResultsStore::QuickCheck(int64_t budget_ms) {
  // the progress handler interrupts the check once the budget is spent
  struct Deadline {
    std::chrono::steady_clock::time_point at;
  } deadline{std::chrono::steady_clock::now() + std::chrono::milliseconds(budget_ms)};
  sqlite3_progress_handler(
      db_->getHandle(), 10'000,
      [](void* data) -> int {
        return std::chrono::steady_clock::now() > static_cast<Deadline*>(data)->at ? 1 : 0;
      },
      &deadline);
  std::vector<std::string> lines;
  std::optional<std::string> problem;
  try {
    SQLite::Statement query(*db_, "PRAGMA quick_check(20)");
    while (query.executeStep()) lines.push_back(query.getColumn(0).getString());
    if (!(lines.size() == 1 && lines[0] == "ok")) problem = Join(lines, "; ");
  } catch (const SQLite::Exception& error) {
    if (error.getErrorCode() != SQLITE_INTERRUPT) problem = error.what();
  }
  sqlite3_progress_handler(db_->getHandle(), 0, nullptr, nullptr);
  return problem;
}

}  // namespace orch::store
