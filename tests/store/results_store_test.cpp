// Tests src/store/results_store.cpp.
#include "store/results_store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/run_ending.h"
#include "store/schema.h"
#include "store/store_internal.h"

namespace orch::store {
namespace {

namespace fs = std::filesystem;

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

/// The message of the StoreError `body` throws (a failure if it throws none).
template <typename Fn>
std::string StoreErrorOf(Fn&& body) {
  try {
    body();
  } catch (const StoreError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no StoreError was thrown";
  return {};
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int64_t Count(ResultsStore& store, const std::string& sql) {
  return store.database().execAndGet(sql).getInt64();
}

class StoreTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("orch-store-") + info->name() + "-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    path_ = dir_ / "results" / "orch.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<ResultsStore> OpenStore() { return ResultsStore::Open(path_); }

  /// A complete new run; `seed` makes its config (and so its identity) unique.
  static NewRun MakeRun(const std::string& name, int64_t seed, const std::string& algo = "ppo") {
    NewRun run;
    run.uuid = fmt::format("{:08x}-1111-4222-8333-{:012x}", 0x3f2a0000 + seed, seed);
    run.name = name;
    run.experiment = "ablation";
    run.algo = algo;
    run.task = "cheetah-run";
    run.variant = "A1";
    run.seed = seed;
    run.config_path = "configs/" + algo + "/cheetah.yaml";
    run.config_yaml = fmt::format("algo: {}\nseed: {}\n", algo, seed);
    run.config_json = fmt::format(R"({{"algo":"{}","seed":{}}})", algo, seed);
    run.config_sha256 = fmt::format("{:064x}", seed + (algo == "ppo" ? 0 : 1'000'000));
    run.overrides = {"seed=" + std::to_string(seed), "algo.lr=0.0003", "+tag=x y"};
    run.params = {{"algo", algo, std::nullopt},
                  {"algo.lr", "0.0003", 0.0003},
                  {"seed", std::to_string(seed), static_cast<double>(seed)}};
    run.code.git_sha = std::string(40, 'a');
    run.code.dirty = true;
    run.code.diff_sha256 = std::string(64, 'd');
    run.code.diff_text = "diff --git a/x b/x\n";
    run.code.branch = "main";
    run.code.remote_url = "git@example.com:lab/orch.git";
    run.code.orch_version = "0.1.0";
    run.code.build_info_json = R"({"compiler":"gcc 12"})";
    run.host = {"node7", "AMD EPYC 7B13", 2, 8LL << 30, "Debian 12"};
    run.thread_budget = 2;
    run.budget_steps = 100'000;
    run.run_dir = "runs/" + run.uuid;
    return run;
  }

  fs::path dir_;
  fs::path path_;
};

// --- opening, schema and migrations

TEST_F(StoreTest, OpenCreatesTheStoreWithItsDirectoryAndSchema) {
  auto store = OpenStore();
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_EQ(store->SchemaVersion(), internal::kSchemaVersion);
  EXPECT_EQ(store->database().execAndGet("PRAGMA application_id").getInt(),
            internal::kApplicationId);
  EXPECT_EQ(store->database().execAndGet("PRAGMA journal_mode").getString(), "wal");
  for (const char* table :
       {"experiment", "sweep", "code_version", "host", "config", "run", "run_event", "run_param",
        "run_tag", "metric_key", "metric", "metric_latest", "task_ref", "checkpoint", "artifact"}) {
    EXPECT_TRUE(store->database().tableExists(table)) << table;
  }
  // schema 3: run_summary (which nothing wrote) is gone; the reading views are there
  EXPECT_FALSE(store->database().tableExists("run_summary"));
  for (const char* view : {"metric_long", "metric_final", "run_params"}) {
    EXPECT_EQ(Count(*store, fmt::format("SELECT count(*) FROM sqlite_master WHERE type = 'view' "
                                        "AND name = '{}'",
                                        view)),
              1)
        << view;
  }
  for (const char* index : {"run_dedupe", "run_by_group", "run_by_status", "run_by_sweep",
                            "run_event_by_run", "run_param_by_key", "code_version_identity"}) {
    EXPECT_EQ(Count(*store, fmt::format("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                        "AND name = '{}'",
                                        index)),
              1)
        << index;
  }
  EXPECT_EQ(store->directory(), path_.parent_path());
}

TEST_F(StoreTest, MetricTablesAreWithoutRowid) {
  auto store = OpenStore();
  for (const char* table : {"metric", "metric_latest"}) {
    std::string sql =
        store->database()
            .execAndGet(fmt::format("SELECT sql FROM sqlite_master WHERE name = '{}'", table))
            .getString();
    EXPECT_NE(sql.find("WITHOUT ROWID"), std::string::npos) << sql;
    EXPECT_NE(sql.find("PRIMARY KEY (run_id, key_id"), std::string::npos) << sql;
  }
}

TEST_F(StoreTest, EveryConnectionGetsTheSettings) {
  auto store = OpenStore();
  auto& db = store->database();
  EXPECT_EQ(db.execAndGet("PRAGMA synchronous").getInt(), 1);  // NORMAL
  EXPECT_EQ(db.execAndGet("PRAGMA foreign_keys").getInt(), 1);
  EXPECT_EQ(db.execAndGet("PRAGMA busy_timeout").getInt(), 10000);
  EXPECT_EQ(db.execAndGet("PRAGMA temp_store").getInt(), 2);  // MEMORY
}

TEST_F(StoreTest, ReopenKeepsTheDataAndTheVersion) {
  int64_t run_id = 0;
  {
    auto store = OpenStore();
    run_id = store->CreateRun(MakeRun("first", 1));
  }
  auto store = OpenStore();
  EXPECT_EQ(store->SchemaVersion(), internal::kSchemaVersion);
  EXPECT_EQ(store->GetRun(run_id).summary.name, "first");
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM run"), 1);
}

TEST_F(StoreTest, AnEmptyFileBecomesANewStore) {
  fs::create_directories(path_.parent_path());
  WriteFile(path_, "");
  auto store = OpenStore();
  EXPECT_EQ(store->SchemaVersion(), internal::kSchemaVersion);
  EXPECT_TRUE(store->database().tableExists("metric"));
}

TEST_F(StoreTest, MigrationsRunForwardInOneTransaction) {
  fs::create_directories(path_.parent_path());
  SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  std::vector<internal::Migration> migrations = {
      {1, "CREATE TABLE a (x INTEGER);"},
      {2, "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);"},
  };
  internal::Migrate(db, path_, migrations);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 2);
  EXPECT_EQ(db.execAndGet("PRAGMA application_id").getInt(), internal::kApplicationId);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM a").getInt(), 1);

  // only the new step runs; a failing step undoes the whole migration
  migrations.push_back({3, "CREATE TABLE c (z INTEGER); INSERT INTO missing VALUES (1);"});
  std::string message = StoreErrorOf([&] { internal::Migrate(db, path_, migrations); });
  EXPECT_NE(message.find("from version 2 to 3"), std::string::npos) << message;
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 2);
  EXPECT_FALSE(db.tableExists("c"));
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM a").getInt(), 1);

  // a current store is left alone
  migrations.pop_back();
  internal::Migrate(db, path_, migrations);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM a").getInt(), 1);
}

TEST_F(StoreTest, RandomBytesAreNotAStore) {
  fs::create_directories(path_.parent_path());
  std::mt19937 random(7);
  std::string bytes(8192, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  WriteFile(path_, bytes);
  std::string message = StoreErrorOf([&] { OpenStore(); });
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("not a SQLite database"), std::string::npos) << message;
  EXPECT_NE(message.find("ORCH_RESULTS_DB"), std::string::npos) << message;
  EXPECT_EQ(ReadFile(path_), bytes);
  // read-only says the same
  EXPECT_NE(StoreErrorOf([&] {
              ResultsStore::Open(path_, ResultsStore::Mode::kReadOnly);
            }).find("not a SQLite database"),
            std::string::npos);
}

TEST_F(StoreTest, ATextFileIsNotAStore) {
  fs::create_directories(path_.parent_path());
  const std::string text = "run,step,value\nppo,1000,12.5\n";
  WriteFile(path_, text);
  std::string message = StoreErrorOf([&] { OpenStore(); });
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("not a SQLite database"), std::string::npos) << message;
  EXPECT_EQ(ReadFile(path_), text);
}

TEST_F(StoreTest, ACorruptStoreIsReported) {
  {
    auto store = OpenStore();
    store->CreateRun(MakeRun("doomed", 1));
  }
  // keep the header, wreck the rest of the first page (the schema's b-tree)
  std::string bytes = ReadFile(path_);
  ASSERT_GT(bytes.size(), 4096u);
  for (size_t offset = 100; offset < 4096; ++offset) bytes[offset] = static_cast<char>(0xA5);
  WriteFile(path_, bytes);
  std::string message = StoreErrorOf([&] { OpenStore(); });
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("corrupt"), std::string::npos) << message;
  EXPECT_NE(message.find(".recover"), std::string::npos) << message;
}

TEST_F(StoreTest, AnotherApplicationsDatabaseIsLeftAlone) {
  fs::create_directories(path_.parent_path());
  {
    SQLite::Database other(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    other.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)");
  }
  std::string message = StoreErrorOf([&] { OpenStore(); });
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("another application"), std::string::npos) << message;
  EXPECT_NE(message.find("ORCH_RESULTS_DB"), std::string::npos) << message;
  {
    // untouched: still in rollback-journal mode, no orch tables
    SQLite::Database other(path_, SQLite::OPEN_READONLY);
    EXPECT_EQ(other.execAndGet("PRAGMA journal_mode").getString(), "delete");
    EXPECT_FALSE(other.tableExists("run"));
  }

  // a database marked with another application_id, even without tables
  fs::path marked = dir_ / "marked.db";
  {
    SQLite::Database other(marked, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    other.exec("PRAGMA application_id = 1234");
  }
  message = StoreErrorOf([&] { ResultsStore::Open(marked); });
  EXPECT_NE(message.find("application_id 0x000004d2"), std::string::npos) << message;
}

TEST_F(StoreTest, ANewerSchemaIsRefused) {
  { OpenStore(); }
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 99");
  }
  for (auto mode : {ResultsStore::Mode::kReadWrite, ResultsStore::Mode::kReadOnly}) {
    std::string message = StoreErrorOf([&] { ResultsStore::Open(path_, mode); });
    EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
    EXPECT_NE(message.find("schema version 99, newer"), std::string::npos) << message;
    EXPECT_NE(message.find("Upgrade orch"), std::string::npos) << message;
  }
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 99);
}

TEST_F(StoreTest, ReadOnlyNeedsAnExistingStore) {
  std::string message =
      StoreErrorOf([&] { ResultsStore::Open(path_, ResultsStore::Mode::kReadOnly); });
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_NE(message.find("ORCH_RESULTS_DB"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_FALSE(fs::exists(path_.parent_path()));
}

TEST_F(StoreTest, ReadOnlyReadsButDoesNotWrite) {
  int64_t run_id = 0;
  {
    auto store = OpenStore();
    run_id = store->CreateRun(MakeRun("readable", 1));
  }
  auto store = ResultsStore::Open(path_, ResultsStore::Mode::kReadOnly);
  EXPECT_EQ(store->ListRuns().size(), 1u);
  EXPECT_EQ(store->GetRun(run_id).summary.name, "readable");
  std::string message = StoreErrorOf([&] { store->CreateRun(MakeRun("refused", 2)); });
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
  // stale runs wait for a read-write connection
  EXPECT_EQ(store->MarkStaleRuns(NowMs() + 3'600'000, 1), 0);
}

TEST_F(StoreTest, ReadOnlyEmptyFileIsExplained) {
  fs::create_directories(path_.parent_path());
  WriteFile(path_, "");
  std::string message =
      StoreErrorOf([&] { ResultsStore::Open(path_, ResultsStore::Mode::kReadOnly); });
  EXPECT_NE(message.find("is empty"), std::string::npos) << message;
}

TEST_F(StoreTest, ConcurrentOpensOfANewStoreMigrateOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
    threads.emplace_back([&] {
      try {
        auto store = OpenStore();
        if (store->SchemaVersion() != internal::kSchemaVersion) ++failures;
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto store = OpenStore();
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM sqlite_master WHERE name = 'run'"), 1);
}

// --- recording runs

TEST_F(StoreTest, StatusNamesRoundTrip) {
  for (RunStatus status : {RunStatus::kQueued, RunStatus::kRunning, RunStatus::kCompleted,
                           RunStatus::kFailed, RunStatus::kInterrupted}) {
    EXPECT_EQ(ParseStatus(StatusName(status)), status);
  }
  EXPECT_EQ(ParseStatus("finished"), std::nullopt);
  EXPECT_STREQ(StatusName(RunStatus::kInterrupted), "interrupted");
}

TEST_F(StoreTest, CreateRunRoundTripsEveryField) {
  auto store = OpenStore();
  NewRun run = MakeRun("ppo-cheetah", 3);
  const int64_t before = NowMs();
  const int64_t run_id = store->CreateRun(run);
  const int64_t after = NowMs();

  RunDetails details = store->GetRun(run_id);
  const RunSummary& summary = details.summary;
  EXPECT_EQ(summary.run_id, run_id);
  EXPECT_EQ(summary.uuid, run.uuid);
  EXPECT_EQ(summary.name, "ppo-cheetah");
  EXPECT_EQ(summary.status, "queued");
  EXPECT_EQ(summary.algo, "ppo");
  EXPECT_EQ(summary.task, "cheetah-run");
  EXPECT_EQ(summary.variant, "A1");
  EXPECT_EQ(summary.seed, 3);
  EXPECT_EQ(summary.git_sha, run.code.git_sha);
  EXPECT_TRUE(summary.dirty);
  EXPECT_EQ(summary.config_sha256, run.config_sha256);
  EXPECT_GE(summary.created_at_ms, before);
  EXPECT_LE(summary.created_at_ms, after);
  EXPECT_EQ(summary.started_at_ms, std::nullopt);
  EXPECT_EQ(summary.ended_at_ms, std::nullopt);
  EXPECT_EQ(summary.heartbeat_at_ms, std::nullopt);
  EXPECT_EQ(summary.last_step, 0);
  EXPECT_EQ(summary.budget_steps, 100'000);
  EXPECT_EQ(summary.attempt, 1);
  EXPECT_EQ(summary.exit_code, std::nullopt);
  EXPECT_EQ(summary.error_text, "");
  EXPECT_TRUE(summary.headline.empty());

  EXPECT_EQ(details.experiment, "ablation");
  EXPECT_EQ(details.config_path, "configs/ppo/cheetah.yaml");
  EXPECT_EQ(details.config_yaml, run.config_yaml);
  EXPECT_EQ(details.config_json, run.config_json);
  EXPECT_EQ(details.overrides, run.overrides);
  ASSERT_EQ(details.params.size(), 3u);
  for (size_t param_idx = 0; param_idx < 3; ++param_idx) {
    EXPECT_EQ(details.params[param_idx].key, run.params[param_idx].key);
    EXPECT_EQ(details.params[param_idx].value_text, run.params[param_idx].value_text);
    EXPECT_EQ(details.params[param_idx].value_number, run.params[param_idx].value_number);
  }
  EXPECT_EQ(details.code.git_sha, run.code.git_sha);
  EXPECT_EQ(details.code.dirty, run.code.dirty);
  EXPECT_EQ(details.code.diff_sha256, run.code.diff_sha256);
  EXPECT_EQ(details.code.diff_text, run.code.diff_text);
  EXPECT_EQ(details.code.branch, run.code.branch);
  EXPECT_EQ(details.code.remote_url, run.code.remote_url);
  EXPECT_EQ(details.code.orch_version, "0.1.0");
  EXPECT_EQ(details.code.build_info_json, run.code.build_info_json);
  EXPECT_EQ(details.host.hostname, "node7");
  EXPECT_EQ(details.host.cpu_model, "AMD EPYC 7B13");
  EXPECT_EQ(details.host.cpus, 2);
  EXPECT_EQ(details.host.memory_bytes, 8LL << 30);
  EXPECT_EQ(details.host.os, "Debian 12");
  EXPECT_EQ(details.thread_budget, 2);
  EXPECT_EQ(details.pid, std::nullopt);
  EXPECT_EQ(details.run_dir, run.run_dir);
  EXPECT_EQ(details.param_count, std::nullopt);
  EXPECT_EQ(details.peak_rss_bytes, std::nullopt);
  EXPECT_EQ(details.ms_per_iter, std::nullopt);
  EXPECT_TRUE(details.metrics.empty());
  EXPECT_TRUE(details.checkpoints.empty());
  ASSERT_EQ(details.events.size(), 1u);
  EXPECT_EQ(details.events[0].kind, "queued");
  EXPECT_EQ(details.events[0].ts_ms, summary.created_at_ms);

  // the lifecycle fills the rest
  store->MarkRunning(run_id, 4242);
  store->Heartbeat(run_id, 5000);
  store->SetRunStats(run_id, 123456, 789 << 20, 1.25);
  store->FinishRun(run_id, RunStatus::kCompleted, 0, "");
  details = store->GetRun(run_id);
  EXPECT_EQ(details.summary.status, "completed");
  EXPECT_EQ(details.pid, 4242);
  EXPECT_TRUE(details.summary.started_at_ms.has_value());
  EXPECT_TRUE(details.summary.ended_at_ms.has_value());
  EXPECT_TRUE(details.summary.heartbeat_at_ms.has_value());
  EXPECT_EQ(details.summary.last_step, 5000);
  EXPECT_EQ(details.summary.exit_code, 0);
  EXPECT_EQ(details.param_count, 123456);
  EXPECT_EQ(details.peak_rss_bytes, 789 << 20);
  EXPECT_EQ(details.ms_per_iter, 1.25);
}

TEST_F(StoreTest, OutsideGitTheCodeVersionIsNullAndShared) {
  auto store = OpenStore();
  NewRun first = MakeRun("a", 1);
  NewRun second = MakeRun("b", 2);
  for (NewRun* run : {&first, &second}) {
    run->code = CodeVersion{};
    run->code.orch_version = "0.1.0";
  }
  int64_t first_id = store->CreateRun(first);
  store->CreateRun(second);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM code_version"), 1);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM code_version WHERE git_sha IS NULL"), 1);
  EXPECT_EQ(Count(*store, "SELECT count(DISTINCT code_id) FROM run"), 1);
  RunDetails details = store->GetRun(first_id);
  EXPECT_EQ(details.code.git_sha, std::nullopt);
  EXPECT_FALSE(details.code.dirty);
  EXPECT_EQ(details.code.branch, std::nullopt);

  // hosts and experiments are shared too; another orch version is another code version
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM host"), 1);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM experiment"), 1);
  NewRun third = MakeRun("c", 3);
  third.code = CodeVersion{};
  third.code.orch_version = "0.2.0";
  store->CreateRun(third);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM code_version"), 2);
}

TEST_F(StoreTest, AnIdenticalLiveRunIsADuplicate) {
  auto store = OpenStore();
  const int64_t first_id = store->CreateRun(MakeRun("original", 5));
  NewRun again = MakeRun("again", 5);
  again.uuid = "99999999-0000-4000-8000-000000000000";
  try {
    store->CreateRun(again);
    ADD_FAILURE() << "no DuplicateRunError";
  } catch (const DuplicateRunError& error) {
    EXPECT_EQ(error.existing_run_id(), first_id);
    std::string message = error.what();
    EXPECT_NE(message.find("'original'"), std::string::npos) << message;
    EXPECT_NE(message.find("queued"), std::string::npos) << message;
  }
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM run"), 1);

  // once the first failed the config may run again, sharing the config row but keeping its YAML
  store->FinishRun(first_id, RunStatus::kFailed, 1, "boom");
  again.config_yaml = "algo: ppo\nseed: 5\nlog_every: 10\n";
  const int64_t again_id = store->CreateRun(again);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM config"), 1);
  EXPECT_EQ(store->GetRun(again_id).config_yaml, again.config_yaml);
  EXPECT_EQ(store->GetRun(first_id).config_yaml, MakeRun("original", 5).config_yaml);

  // and the failed one cannot be resumed while its twin is queued
  std::string message = StoreErrorOf([&] { store->PrepareResume(first_id, -1); });
  EXPECT_NE(message.find("same config and code"), std::string::npos) << message;
}

TEST_F(StoreTest, LifecycleRecordsAnEventForEveryStatusChange) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("events", 1));
  store->MarkRunning(run_id, 100);
  // a second worker cannot take it over
  std::string message = StoreErrorOf([&] { store->MarkRunning(run_id, 101); });
  EXPECT_NE(message.find("running (worker pid 100)"), std::string::npos) << message;
  store->AddEvent(run_id, "note", "halfway");
  store->FinishRun(run_id, RunStatus::kFailed, 3, "Traceback\nValueError: nan loss");
  message = StoreErrorOf([&] { store->FinishRun(run_id, RunStatus::kCompleted, 0, ""); });
  EXPECT_NE(message.find("already ended (failed)"), std::string::npos) << message;

  RunDetails details = store->GetRun(run_id);
  std::vector<std::string> kinds;
  for (const auto& event : details.events) kinds.push_back(event.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"queued", "started", "note", "failed"}));
  EXPECT_EQ(details.events[1].detail, "worker pid 100");
  EXPECT_EQ(details.events[2].detail, "halfway");
  EXPECT_EQ(details.events[3].detail, "exit code 3: Traceback");
  EXPECT_EQ(details.summary.error_text, "Traceback\nValueError: nan loss");
  EXPECT_EQ(details.summary.exit_code, 3);

  // unknown runs are named in the error
  message = StoreErrorOf([&] { store->AddEvent(999, "note", ""); });
  EXPECT_NE(message.find("no run #999"), std::string::npos) << message;
  message = StoreErrorOf([&] { store->Heartbeat(999, 1); });
  EXPECT_NE(message.find("no run #999"), std::string::npos) << message;
  message = StoreErrorOf([&] { store->GetRun(999); });
  EXPECT_NE(message.find("no run #999"), std::string::npos) << message;
}

TEST_F(StoreTest, AQueuedRunCanBeInterruptedBeforeItStarts) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("early", 1));
  store->FinishRun(run_id, RunStatus::kInterrupted, std::nullopt, "");
  RunDetails details = store->GetRun(run_id);
  EXPECT_EQ(details.summary.status, "interrupted");
  EXPECT_EQ(details.summary.exit_code, std::nullopt);
  EXPECT_EQ(details.events.back().kind, "interrupted");
}

TEST_F(StoreTest, HeartbeatOnlyMovesTheStepForward) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("beats", 1));
  store->MarkRunning(run_id, 1);
  store->Heartbeat(run_id, 3000);
  store->Heartbeat(run_id, -1);
  store->Heartbeat(run_id, 2000);
  EXPECT_EQ(store->GetRun(run_id).summary.last_step, 3000);
}

TEST_F(StoreTest, SetRunStatsKeepsWhatIsNotGiven) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("stats", 1));
  store->SetRunStats(run_id, 1000, std::nullopt, 2.5);
  store->SetRunStats(run_id, std::nullopt, 4096, std::nullopt);
  RunDetails details = store->GetRun(run_id);
  EXPECT_EQ(details.param_count, 1000);
  EXPECT_EQ(details.peak_rss_bytes, 4096);
  EXPECT_EQ(details.ms_per_iter, 2.5);
  // a later attempt with a smaller peak keeps the run's largest
  store->SetRunStats(run_id, std::nullopt, 1024, std::nullopt);
  EXPECT_EQ(store->GetRun(run_id).peak_rss_bytes, 4096);
}

TEST_F(StoreTest, AResumedRunTakesItsParameterCountFromTheMetricItsFirstAttemptLogged) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("resumed", 1));
  store->MarkRunning(run_id, 100);
  {
    auto writer = store->OpenMetricWriter(run_id);
    writer->Add("system/param_count", 0, 184379.0);
  }
  // the first attempt was killed before its stats; the second logs no count of its own
  store->SetRunStats(run_id, std::nullopt, 2048, std::nullopt);
  EXPECT_EQ(store->GetRun(run_id).param_count, 184379);
}

TEST_F(StoreTest, CheckpointsUpsertOnStepAndTheNewestWins) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("ckpt", 1));
  EXPECT_EQ(store->LatestCheckpoint(run_id), std::nullopt);
  store->RegisterCheckpoint(run_id, {1000, "runs/x/checkpoints/1000.pt", "aa", 10, false, 5});
  store->RegisterCheckpoint(run_id, {3000, "runs/x/checkpoints/3000.pt", "bb", 30, false, 6});
  store->RegisterCheckpoint(run_id, {2000, "runs/x/checkpoints/2000.pt", "cc", 20, false, 7});
  // the same step again replaces the row
  store->RegisterCheckpoint(run_id, {3000, "runs/x/checkpoints/3000b.pt", "dd", 31, true, 0});

  auto latest = store->LatestCheckpoint(run_id);
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->step, 3000);
  EXPECT_EQ(latest->path, "runs/x/checkpoints/3000b.pt");
  EXPECT_EQ(latest->sha256, "dd");
  EXPECT_EQ(latest->bytes, 31);
  EXPECT_TRUE(latest->is_final);
  EXPECT_GT(latest->created_at_ms, 1'000'000);  // 0 means now

  RunDetails details = store->GetRun(run_id);
  ASSERT_EQ(details.checkpoints.size(), 3u);
  EXPECT_EQ(details.checkpoints[0].step, 1000);
  EXPECT_EQ(details.checkpoints[0].created_at_ms, 5);
  EXPECT_EQ(details.checkpoints[2].step, 3000);
}

// --- listing and references

TEST_F(StoreTest, ListRunsNewestFirstWithFilters) {
  auto store = OpenStore();
  std::vector<int64_t> ids;
  ids.push_back(store->CreateRun(MakeRun("ppo-cheetah", 1, "ppo")));
  ids.push_back(store->CreateRun(MakeRun("tdmpc2-cheetah", 2, "tdmpc2")));
  ids.push_back(store->CreateRun(MakeRun("ppo-walker", 3, "ppo")));
  ids.push_back(store->CreateRun(MakeRun("tam-cheetah", 4, "tam")));
  store->MarkRunning(ids[1], 7);
  store->FinishRun(ids[2], RunStatus::kFailed, 1, "oops");

  auto ids_of = [](const std::vector<RunSummary>& runs) {
    std::vector<int64_t> out;
    for (const auto& run : runs) out.push_back(run.run_id);
    return out;
  };
  EXPECT_EQ(ids_of(store->ListRuns()), (std::vector<int64_t>{ids[3], ids[2], ids[1], ids[0]}));

  RunFilter by_algo;
  by_algo.algo = "ppo";
  EXPECT_EQ(ids_of(store->ListRuns(by_algo)), (std::vector<int64_t>{ids[2], ids[0]}));
  RunFilter by_status;
  by_status.status = "running";
  EXPECT_EQ(ids_of(store->ListRuns(by_status)), (std::vector<int64_t>{ids[1]}));
  RunFilter by_name;
  by_name.name_contains = "cheetah";
  EXPECT_EQ(ids_of(store->ListRuns(by_name)), (std::vector<int64_t>{ids[3], ids[1], ids[0]}));
  RunFilter limited;
  limited.limit = 2;
  EXPECT_EQ(ids_of(store->ListRuns(limited)), (std::vector<int64_t>{ids[3], ids[2]}));
  RunFilter combined;
  combined.algo = "ppo";
  combined.status = "failed";
  auto failed = store->ListRuns(combined);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].name, "ppo-walker");
  EXPECT_EQ(failed[0].error_text, "oops");

  RunFilter bad;
  bad.status = "finished";
  std::string message = StoreErrorOf([&] { store->ListRuns(bad); });
  EXPECT_NE(message.find("unknown run status 'finished'"), std::string::npos) << message;
}

TEST_F(StoreTest, ListRunsShowsTheLatestHeadlineValues) {
  auto store = OpenStore();
  const int64_t first = store->CreateRun(MakeRun("first", 1));
  const int64_t second = store->CreateRun(MakeRun("second", 2));
  {
    auto writer = store->OpenMetricWriter(first);
    writer->Add("eval/episode_return", 1000, 10.0);
    writer->Add("eval/episode_return", 2000, 20.0);
    writer->Add("train/loss", 2000, 0.5);
    writer->Add("train/loss", 1000, 0.7);
  }
  {
    auto writer = store->OpenMetricWriter(second);
    writer->Add("train/loss", 500, kNan);
  }
  auto runs = store->ListRuns({}, {"eval/episode_return", "train/loss", "missing/key"});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].run_id, first);
  using Headline = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(runs[1].headline, (Headline{{"eval/episode_return", 20.0}, {"train/loss", 0.5}}));
  // the second has no eval value; its NaN loss reads back as NaN
  ASSERT_EQ(runs[0].headline.size(), 1u);
  EXPECT_EQ(runs[0].headline[0].first, "train/loss");
  EXPECT_TRUE(std::isnan(runs[0].headline[0].second));
  EXPECT_EQ(runs[0].last_step, 500);
}

TEST_F(StoreTest, ResolveRunByIdUuidPrefixAndName) {
  auto store = OpenStore();
  NewRun first = MakeRun("cheetah", 1);
  NewRun second = MakeRun("walker", 2);
  NewRun third = MakeRun("cheetah", 3);
  first.uuid = "aaaa1111-0000-4000-8000-000000000001";
  second.uuid = "bbbb2222-0000-4000-8000-000000000002";
  third.uuid = "aaaa3333-0000-4000-8000-000000000003";
  const int64_t first_id = store->CreateRun(first);
  const int64_t second_id = store->CreateRun(second);
  const int64_t third_id = store->CreateRun(third);

  EXPECT_EQ(store->ResolveRun(std::to_string(second_id)), second_id);
  EXPECT_EQ(store->ResolveRun(first.uuid), first_id);
  EXPECT_EQ(store->ResolveRun("bbbb"), second_id);
  EXPECT_EQ(store->ResolveRun("aaaa11"), first_id);
  EXPECT_EQ(store->ResolveRun(" walker "), second_id);
  EXPECT_EQ(store->ResolveRun("aaaa33"), third_id);
  // a name used twice names no run by itself: both are listed, with their ids
  std::string message = StoreErrorOf([&] { store->ResolveRun("cheetah"); });
  EXPECT_NE(message.find("ambiguous"), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("aaaa1111 'cheetah' (#{}", first_id)), std::string::npos)
      << message;
  EXPECT_NE(message.find(fmt::format("aaaa3333 'cheetah' (#{}", third_id)), std::string::npos)
      << message;
}

TEST_F(StoreTest, ResolveRunRefusesAmbiguousAndUnknownReferences) {
  auto store = OpenStore();
  NewRun first = MakeRun("cheetah", 1);
  NewRun second = MakeRun("cheetah-long", 2);
  first.uuid = "abcd1111-0000-4000-8000-000000000001";
  second.uuid = "abcd2222-0000-4000-8000-000000000002";
  store->CreateRun(first);
  store->CreateRun(second);

  std::string message = StoreErrorOf([&] { store->ResolveRun("abcd"); });
  EXPECT_NE(message.find("ambiguous"), std::string::npos) << message;
  EXPECT_NE(message.find("abcd1111 'cheetah'"), std::string::npos) << message;
  EXPECT_NE(message.find("abcd2222 'cheetah-long'"), std::string::npos) << message;

  message = StoreErrorOf([&] { store->ResolveRun("cheetha"); });
  EXPECT_NE(message.find("no run matches 'cheetha'"), std::string::npos) << message;
  EXPECT_NE(message.find("Did you mean"), std::string::npos) << message;
  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;

  // nothing close: the newest runs are listed; three characters are not a prefix
  message = StoreErrorOf([&] { store->ResolveRun("abc"); });
  EXPECT_NE(message.find("The newest runs are"), std::string::npos) << message;
  EXPECT_NE(message.find("abcd2222"), std::string::npos) << message;
  message = StoreErrorOf([&] { store->ResolveRun("12345"); });
  EXPECT_NE(message.find("no run matches '12345'"), std::string::npos) << message;
}

// --- metrics

TEST_F(StoreTest, MetricWriterBatchesUntilTheRowThreshold) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("batch", 1));
  auto writer = store->OpenMetricWriter(run_id, /*flush_rows=*/5, /*flush_interval_ms=*/60'000);
  for (int step = 0; step < 4; ++step) writer->Add("train/loss", step * 10, step);
  EXPECT_EQ(writer->rows_pending(), 4);
  EXPECT_EQ(writer->rows_written(), 0);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"), 0);
  EXPECT_EQ(store->GetRun(run_id).summary.heartbeat_at_ms, std::nullopt);

  writer->Add("train/loss", 40, 4.0);
  EXPECT_EQ(writer->rows_pending(), 0);
  EXPECT_EQ(writer->rows_written(), 5);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"), 5);
  // each flush beats the heartbeat and records the furthest step
  RunSummary summary = store->GetRun(run_id).summary;
  EXPECT_TRUE(summary.heartbeat_at_ms.has_value());
  EXPECT_EQ(summary.last_step, 40);

  writer->Add("train/loss", 50, 5.0);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"), 5);
  writer->Flush();
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"), 6);
  EXPECT_EQ(store->GetRun(run_id).summary.last_step, 50);
}

TEST_F(StoreTest, MetricWriterFlushesAfterTheInterval) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("interval", 1));
  auto writer = store->OpenMetricWriter(run_id, /*flush_rows=*/1000, /*flush_interval_ms=*/50);
  writer->Add("train/loss", 0, 1.0);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  writer->Add("train/loss", 10, 2.0);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"), 2);
}

TEST_F(StoreTest, TheDestructorFlushes) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("dtor", 1));
  {
    auto writer = store->OpenMetricWriter(run_id);
    for (int step = 0; step < 10; ++step) writer->Add("train/loss", step, 1.0);
  }
  EXPECT_EQ(store->Series(run_id, "train/loss").size(), 10u);
}

TEST_F(StoreTest, ALaterPointAtTheSameStepReplacesTheEarlier) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("upsert", 1));
  auto writer = store->OpenMetricWriter(run_id, 100, 60'000);
  writer->Add("train/loss", 10, 1.0);
  writer->Add("train/loss", 10, 2.0);  // same batch
  writer->Flush();
  writer->Add("train/loss", 20, 3.0);
  writer->Add("train/loss", 20, 4.0);
  writer->Flush();
  writer->Add("train/loss", 10, 5.0);  // a later batch
  writer->Flush();
  auto series = store->Series(run_id, "train/loss");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].step, 10);
  EXPECT_EQ(series[0].value, 5.0);
  EXPECT_EQ(series[1].step, 20);
  EXPECT_EQ(series[1].value, 4.0);
  EXPECT_EQ(writer->rows_written(), 5);
  EXPECT_GT(series[0].wall_ms, 0);
}

TEST_F(StoreTest, NanIsStoredAsNull) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("nan", 1));
  {
    auto writer = store->OpenMetricWriter(run_id);
    writer->Add("train/loss", 0, 1.5);
    writer->Add("train/loss", 10, kNan);
    writer->Add("train/grad", 10, std::numeric_limits<double>::infinity());
  }
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric WHERE value IS NULL"), 1);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric_latest WHERE value IS NULL"), 1);
  auto series = store->Series(run_id, "train/loss");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].value, 1.5);
  EXPECT_EQ(series[1].value, std::nullopt);
  EXPECT_EQ(store->Series(run_id, "train/grad")[0].value, std::numeric_limits<double>::infinity());
  auto keys = store->MetricKeys(run_id);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1].name, "train/loss");
  EXPECT_EQ(keys[1].last_value, std::nullopt);
}

TEST_F(StoreTest, LatestValuesFollowTheFurthestStep) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("latest", 1));
  auto writer = store->OpenMetricWriter(run_id, 100, 60'000);
  writer->Add("eval/episode_return", 100, 7.0);
  writer->Add("eval/episode_return", 300, 9.0);
  writer->Add("eval/episode_return", 200, 8.0);
  writer->Flush();
  auto latest = [&] {
    return store->database()
        .execAndGet("SELECT step || ':' || value FROM metric_latest")
        .getString();
  };
  EXPECT_EQ(latest(), "300:9.0");
  // an older step in a later batch does not move it back; the same step updates it
  writer->Add("eval/episode_return", 50, 1.0);
  writer->Flush();
  EXPECT_EQ(latest(), "300:9.0");
  writer->Add("eval/episode_return", 300, 9.5);
  writer->Flush();
  EXPECT_EQ(latest(), "300:9.5");
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric_latest"), 1);
}

TEST_F(StoreTest, KeyKindsComeFromNames) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("kinds", 1));
  {
    auto writer = store->OpenMetricWriter(run_id);
    for (const char* key : {"eval/episode_return", "aux_value_ce/g0.97", "aux/mae/h1",
                            "system/rss_bytes", "train/loss", "episode_return"}) {
      writer->Add(key, 0, 1.0);
    }
  }
  std::map<std::string, std::string> kinds;
  for (const auto& key : store->MetricKeys(run_id)) kinds[key.name] = key.kind;
  EXPECT_EQ(kinds, (std::map<std::string, std::string>{{"aux/mae/h1", "aux"},
                                                       {"aux_value_ce/g0.97", "aux"},
                                                       {"episode_return", "train"},
                                                       {"eval/episode_return", "eval"},
                                                       {"system/rss_bytes", "system"},
                                                       {"train/loss", "train"}}));
}

TEST_F(StoreTest, WritersShareKeyIds) {
  auto store = OpenStore();
  const int64_t first = store->CreateRun(MakeRun("first", 1));
  const int64_t second = store->CreateRun(MakeRun("second", 2));
  {
    auto writer_a = store->OpenMetricWriter(first);
    auto writer_b = store->OpenMetricWriter(second);
    writer_a->Add("train/loss", 0, 1.0);
    writer_b->Add("train/loss", 0, 2.0);
  }
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric_key"), 1);
  EXPECT_EQ(store->Series(first, "train/loss")[0].value, 1.0);
  EXPECT_EQ(store->Series(second, "train/loss")[0].value, 2.0);
}

TEST_F(StoreTest, MetricKeysSummariseEachKey) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("summary", 1));
  {
    auto writer = store->OpenMetricWriter(run_id);
    for (int step = 1; step <= 10; ++step) writer->Add("train/loss", step * 100, 1.0 / step);
    writer->Add("eval/episode_return", 1000, 42.0);
  }
  RunDetails details = store->GetRun(run_id);
  ASSERT_EQ(details.metrics.size(), 2u);
  const MetricKeySummary& eval = details.metrics[0];
  EXPECT_EQ(eval.name, "eval/episode_return");
  EXPECT_EQ(eval.kind, "eval");
  EXPECT_EQ(eval.points, 1);
  EXPECT_EQ(eval.first_step, 1000);
  EXPECT_EQ(eval.last_step, 1000);
  EXPECT_EQ(eval.last_value, 42.0);
  const MetricKeySummary& loss = details.metrics[1];
  EXPECT_EQ(loss.points, 10);
  EXPECT_EQ(loss.first_step, 100);
  EXPECT_EQ(loss.last_step, 1000);
  EXPECT_EQ(loss.last_value, 0.1);

  // every point, by key then step
  std::vector<std::string> seen;
  store->ForEachMetric(run_id, [&](const std::string& key, const MetricPoint& point) {
    seen.push_back(key + "@" + std::to_string(point.step));
  });
  ASSERT_EQ(seen.size(), 11u);
  EXPECT_EQ(seen[0], "eval/episode_return@1000");
  EXPECT_EQ(seen[1], "train/loss@100");
  EXPECT_EQ(seen[10], "train/loss@1000");
  EXPECT_TRUE(store->Series(run_id, "no/such/key").empty());
}

TEST_F(StoreTest, AMetricWriterNeedsAnExistingRun) {
  auto store = OpenStore();
  std::string message = StoreErrorOf([&] { store->OpenMetricWriter(77); });
  EXPECT_NE(message.find("no run #77"), std::string::npos) << message;
}

// --- resume and stale runs

TEST_F(StoreTest, PrepareResumeKeepsPointsUpToTheCheckpoint) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("resume", 1));
  const int64_t other_id = store->CreateRun(MakeRun("other", 2));
  store->MarkRunning(run_id, 10);
  {
    auto writer = store->OpenMetricWriter(run_id);
    auto other = store->OpenMetricWriter(other_id);
    for (int step = 0; step <= 100; step += 10) {
      writer->Add("train/loss", step, step);
      if (step % 20 == 0) writer->Add("eval/episode_return", step, -step);
      other->Add("train/loss", step, step);
    }
  }
  store->RegisterCheckpoint(run_id, {50, "runs/r/checkpoints/50.pt", "aa", 1, false, 0});
  store->RegisterCheckpoint(run_id, {90, "runs/r/checkpoints/90.pt", "bb", 1, false, 0});
  store->FinishRun(run_id, RunStatus::kFailed, 1, "crash");

  store->PrepareResume(run_id, 50);
  RunDetails details = store->GetRun(run_id);
  EXPECT_EQ(details.summary.status, "running");
  EXPECT_EQ(details.summary.attempt, 2);
  EXPECT_EQ(details.summary.last_step, 50);
  EXPECT_EQ(details.summary.ended_at_ms, std::nullopt);
  EXPECT_EQ(details.summary.exit_code, std::nullopt);
  EXPECT_EQ(details.summary.error_text, "");
  EXPECT_EQ(details.pid, std::nullopt);
  EXPECT_EQ(details.events.back().kind, "resumed");
  EXPECT_EQ(details.events.back().detail, "from step 50");
  // points up to step 50 stay; the later checkpoint belongs to the abandoned attempt
  EXPECT_EQ(store->Series(run_id, "train/loss").size(), 6u);
  EXPECT_EQ(store->Series(run_id, "train/loss").back().step, 50);
  EXPECT_EQ(store->Series(run_id, "eval/episode_return").back().step, 40);
  EXPECT_EQ(store->Series(other_id, "train/loss").size(), 11u);
  ASSERT_EQ(details.checkpoints.size(), 1u);
  EXPECT_EQ(details.checkpoints[0].step, 50);
  // latest values rebuilt from what is left
  auto headline = store->ListRuns({}, {"train/loss", "eval/episode_return"});
  ASSERT_EQ(headline.back().run_id, run_id);
  using Headline = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(headline.back().headline,
            (Headline{{"train/loss", 50.0}, {"eval/episode_return", -40.0}}));
  for (const auto& key : details.metrics) {
    EXPECT_EQ(key.last_step, key.name == "train/loss" ? 50 : 40) << key.name;
  }

  // the worker then takes it and writes on
  store->MarkRunning(run_id, 11);
  {
    auto writer = store->OpenMetricWriter(run_id);
    writer->Add("train/loss", 60, 600.0);
  }
  EXPECT_EQ(store->Series(run_id, "train/loss").back().value, 600.0);
  EXPECT_EQ(store->GetRun(run_id).pid, 11);
}

TEST_F(StoreTest, PrepareResumeFromScratchDropsEveryPoint) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("scratch", 1));
  {
    auto writer = store->OpenMetricWriter(run_id);
    for (int step = 0; step < 5; ++step) writer->Add("train/loss", step, 1.0);
  }
  store->FinishRun(run_id, RunStatus::kInterrupted, 130, "stopped");
  store->PrepareResume(run_id, -1);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"), 0);
  EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric_latest"), 0);
  RunDetails details = store->GetRun(run_id);
  EXPECT_EQ(details.summary.last_step, 0);
  EXPECT_EQ(details.events.back().detail, "from scratch");
}

TEST_F(StoreTest, PrepareResumeRefusesRunsThatDidNotStop) {
  auto store = OpenStore();
  const int64_t queued = store->CreateRun(MakeRun("queued", 1));
  const int64_t running = store->CreateRun(MakeRun("running", 2));
  const int64_t completed = store->CreateRun(MakeRun("completed", 3));
  store->MarkRunning(running, 1);
  store->FinishRun(completed, RunStatus::kCompleted, 0, "");
  {
    auto writer = store->OpenMetricWriter(completed);
    writer->Add("train/loss", 10, 1.0);
  }
  for (int64_t run_id : {queued, running, completed}) {
    std::string message = StoreErrorOf([&] { store->PrepareResume(run_id, 0); });
    EXPECT_NE(message.find("only a failed or interrupted run can be resumed"), std::string::npos)
        << message;
  }
  EXPECT_NE(StoreErrorOf([&] { store->PrepareResume(completed, 0); }).find("is completed"),
            std::string::npos);
  EXPECT_EQ(store->GetRun(completed).summary.status, "completed");
  EXPECT_EQ(store->Series(completed, "train/loss").size(), 1u);
}

TEST_F(StoreTest, MarkStaleRunsFailsRunsWithoutHeartbeats) {
  auto store = OpenStore();
  const int64_t stale = store->CreateRun(MakeRun("stale", 1));
  const int64_t fresh = store->CreateRun(MakeRun("fresh", 2));
  const int64_t queued = store->CreateRun(MakeRun("queued", 3));
  store->MarkRunning(stale, 1);
  store->MarkRunning(fresh, 2);
  const int64_t now = NowMs();
  const int64_t beat = now - 120'000;
  store->database().exec(
      fmt::format("UPDATE run SET heartbeat_at_ms = {} WHERE run_id = {}", beat, stale));

  EXPECT_EQ(store->MarkStaleRuns(now, 60'000), 1);
  RunDetails details = store->GetRun(stale);
  EXPECT_EQ(details.summary.status, "failed");
  EXPECT_EQ(details.summary.ended_at_ms, now);
  const std::string expected = "worker stopped sending heartbeats at " + internal::FormatUtc(beat);
  EXPECT_NE(details.summary.error_text.find(expected), std::string::npos)
      << details.summary.error_text;
  EXPECT_NE(details.summary.error_text.find("none for 120 s"), std::string::npos);
  EXPECT_EQ(details.events.back().kind, "failed");
  EXPECT_EQ(details.events.back().detail, details.summary.error_text);
  EXPECT_EQ(store->GetRun(fresh).summary.status, "running");
  EXPECT_EQ(store->GetRun(queued).summary.status, "queued");
  EXPECT_EQ(store->MarkStaleRuns(now, 60'000), 0);

  // a stale run can be resumed
  store->PrepareResume(stale, -1);
  EXPECT_EQ(store->GetRun(stale).summary.status, "running");
}

TEST_F(StoreTest, AWorkerThatOutlivesItsStaleMarkStillFinishes) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("slow", 1));
  store->MarkRunning(run_id, 1);
  ASSERT_EQ(store->MarkStaleRuns(NowMs() + 120'000, 60'000), 1);
  store->FinishRun(run_id, RunStatus::kCompleted, 0, "");
  RunDetails details = store->GetRun(run_id);
  EXPECT_EQ(details.summary.status, "completed");
  EXPECT_EQ(details.summary.error_text, "");
  EXPECT_EQ(details.events.back().detail, "exit code 0 (after a stale mark)");
  // any other failure is final
  std::string message = StoreErrorOf([&] { store->FinishRun(run_id, RunStatus::kFailed, 1, ""); });
  EXPECT_NE(message.find("already ended (completed)"), std::string::npos) << message;
}

TEST_F(StoreTest, IntegrityCheckPasses) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("intact", 1));
  {
    auto writer = store->OpenMetricWriter(run_id);
    for (int step = 0; step < 1000; ++step) writer->Add("train/loss", step, step * 0.5);
  }
  std::string message = "unset";
  EXPECT_TRUE(store->IntegrityCheck(&message));
  EXPECT_EQ(message, "ok");
  EXPECT_TRUE(store->IntegrityCheck());
}

// --- concurrency: four writers, one file

constexpr int kWriters = 4;
constexpr int kStepsPerWriter = 2'500;
constexpr int kKeysPerStep = 8;

/// Writes one run's metrics with small batches through its own connection.
void WriteOneRun(const fs::path& path, int64_t run_id) {
  auto store = ResultsStore::Open(path);
  store->MarkRunning(run_id, getpid());
  auto writer = store->OpenMetricWriter(run_id, /*flush_rows=*/50, /*flush_interval_ms=*/20);
  for (int step = 0; step < kStepsPerWriter; ++step) {
    for (int key_idx = 0; key_idx < kKeysPerStep; ++key_idx) {
      writer->Add(fmt::format("train/k{}", key_idx), step, step + key_idx);
    }
    if (step % 500 == 0) store->Heartbeat(run_id, step);
  }
  writer->Flush();
  store->FinishRun(run_id, RunStatus::kCompleted, 0, "");
}

class StoreConcurrencyTest : public StoreTest {
 protected:
  std::vector<int64_t> CreateRuns() {
    auto store = OpenStore();
    std::vector<int64_t> ids;
    for (int writer_idx = 0; writer_idx < kWriters; ++writer_idx) {
      ids.push_back(store->CreateRun(MakeRun(fmt::format("writer{}", writer_idx), writer_idx)));
    }
    return ids;
  }

  void ExpectEveryRow(const std::vector<int64_t>& ids) {
    auto store = OpenStore();
    EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric"),
              int64_t{kWriters} * kStepsPerWriter * kKeysPerStep);
    for (int64_t run_id : ids) {
      EXPECT_EQ(Count(*store, fmt::format("SELECT count(*) FROM metric WHERE run_id = {}", run_id)),
                int64_t{kStepsPerWriter} * kKeysPerStep);
      RunSummary summary = store->GetRun(run_id).summary;
      EXPECT_EQ(summary.status, "completed");
      EXPECT_EQ(summary.last_step, kStepsPerWriter - 1);
    }
    EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric_key"), kKeysPerStep);
    EXPECT_EQ(Count(*store, "SELECT count(*) FROM metric_latest"), kWriters * kKeysPerStep);
    std::string message;
    EXPECT_TRUE(store->IntegrityCheck(&message)) << message;
  }
};

TEST_F(StoreConcurrencyTest, FourProcessesWriteTheSameStore) {
  std::vector<int64_t> ids = CreateRuns();
  // the children wait on a pipe so that they start together
  int start[2];
  ASSERT_EQ(pipe(start), 0);
  std::vector<pid_t> children;
  for (int64_t run_id : ids) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(start[1]);
      char byte = 0;
      if (read(start[0], &byte, 1) < 0) _exit(3);
      int code = 0;
      try {
        WriteOneRun(path_, run_id);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "writer of run %lld: %s\n", static_cast<long long>(run_id),
                     error.what());
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  close(start[0]);
  close(start[1]);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer " << pid << " failed";
  }
  ExpectEveryRow(ids);
}

TEST_F(StoreConcurrencyTest, FourThreadsWriteTheSameStore) {
  std::vector<int64_t> ids = CreateRuns();
  std::vector<std::string> errors(ids.size());
  std::vector<std::thread> threads;
  for (size_t writer_idx = 0; writer_idx < ids.size(); ++writer_idx) {
    threads.emplace_back([&, writer_idx] {
      try {
        WriteOneRun(path_, ids[writer_idx]);
      } catch (const std::exception& error) {
        errors[writer_idx] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");
  ExpectEveryRow(ids);
}

}  // namespace
}  // namespace orch::store

namespace orch::store {
namespace {

// --- launchers taking runs (issue 9: two launchers of one sweep)

TEST_F(StoreTest, AQueuedRunIsClaimedOnceAndOnlyItsClaimantsWorkerStarts) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("claimed", 1));
  EXPECT_TRUE(store->ClaimQueuedRun(run_id));
  EXPECT_FALSE(store->ClaimQueuedRun(run_id));  // the second launcher
  RunDetails claimed = store->GetRun(run_id);
  EXPECT_EQ(claimed.summary.status, "running");
  EXPECT_FALSE(claimed.pid.has_value());
  EXPECT_TRUE(claimed.summary.started_at_ms.has_value());

  store->MarkRunning(run_id, 4242);
  // a second worker is refused with a type of its own, and the run is left as it is
  EXPECT_THROW(store->MarkRunning(run_id, 4343), ClaimRefusedError);
  RunDetails running = store->GetRun(run_id);
  EXPECT_EQ(running.summary.status, "running");
  EXPECT_EQ(running.pid, 4242);
  EXPECT_EQ(running.summary.error_text, "");
  store->FinishRun(run_id, RunStatus::kCompleted, 0, "");
  EXPECT_EQ(store->GetRun(run_id).summary.status, "completed");
}

TEST_F(StoreTest, AResumeIsClaimedOnce) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("resumed", 1));
  store->MarkRunning(run_id, 1);
  store->FinishRun(run_id, RunStatus::kInterrupted, 130, "");
  store->PrepareResume(run_id, -1);
  EXPECT_THROW(store->PrepareResume(run_id, -1), ClaimRefusedError);
  EXPECT_EQ(store->GetRun(run_id).summary.attempt, 2);
}

TEST_F(StoreTest, AQueuedRunThatWillNotStartIsSetAsideAndBlocksNothing) {
  auto store = OpenStore();
  NewRun run = MakeRun("aside", 1);
  const int64_t run_id = store->CreateRun(run);
  EXPECT_TRUE(store->AbandonQueuedRun(run_id, "not started: the sweep was stopped"));
  RunDetails details = store->GetRun(run_id);
  EXPECT_EQ(details.summary.status, "interrupted");
  EXPECT_EQ(details.summary.exit_code, 130);
  EXPECT_EQ(details.summary.error_text, "not started: the sweep was stopped");
  EXPECT_EQ(details.events.back().kind, "interrupted");
  // the same config can be recorded again, and the set-aside run resumes from scratch
  NewRun again = run;
  again.uuid = "3f2a0099-1111-4222-8333-000000000099";
  again.run_dir = "runs/" + again.uuid;
  EXPECT_NO_THROW(store->CreateRun(again));
  // only a queued run is set aside
  const int64_t claimed = store->CreateRun(MakeRun("claimed", 2));
  ASSERT_TRUE(store->ClaimQueuedRun(claimed));
  EXPECT_FALSE(store->AbandonQueuedRun(claimed, "no"));
  EXPECT_EQ(store->GetRun(claimed).summary.status, "running");
}

// --- a sweep's history (issue 9: a relaunch with other overrides deleted its members)

TEST_F(StoreTest, ASweepIsNeverRedefined) {
  auto store = OpenStore();
  const int64_t sweep_id =
      store->RecordSweep("study", "ablation", "# orch sweep: overrides [\"seed=0,1\"]\n", "sha-1");
  const int64_t run_id = store->CreateRun(MakeRun("member", 1));
  store->AddSweepMember(sweep_id, {run_id, 0, "A0", "cheetah-run", "{}"});
  // the same definition is the same sweep
  EXPECT_EQ(
      store->RecordSweep("study", "ablation", "# orch sweep: overrides [\"seed=0,1\"]\n", "sha-1"),
      sweep_id);
  std::string message = StoreErrorOf([&] {
    store->RecordSweep("study", "ablation", "# orch sweep: overrides [\"seed=2,3\"]\n", "sha-2");
  });
  EXPECT_NE(message.find("sweep 'study' is already recorded"), std::string::npos) << message;
  EXPECT_NE(message.find("overrides [\"seed=0,1\"]"), std::string::npos) << message;
  EXPECT_NE(message.find("overrides [\"seed=2,3\"]"), std::string::npos) << message;
  EXPECT_NE(message.find("--name"), std::string::npos) << message;
  EXPECT_THROW(store->RecordSweep("study", "ablation", "other\n", "sha-3"), SweepConflictError);
  // nothing of the recorded sweep changed
  EXPECT_EQ(store->FindSweep("study")->spec_sha256, "sha-1");
  ASSERT_EQ(store->SweepMembers(sweep_id).size(), 1u);
  EXPECT_EQ(store->SweepMembers(sweep_id)[0].run_id, run_id);
}

// --- endings a worker could not record (issue 9: a full disk as a run ends)

TEST_F(StoreTest, AStaleRunEndsAsTheEndingItsWorkerLeftSays) {
  auto store = OpenStore();
  NewRun run = MakeRun("full", 1);
  const int64_t run_id = store->CreateRun(run);
  const int64_t silent = store->CreateRun(MakeRun("silent", 2));
  store->MarkRunning(run_id, 1);
  store->MarkRunning(silent, 2);
  fs::create_directories(store->directory() / run.run_dir);
  WriteFile(store->directory() / run.run_dir / kEndingFileName,
            EndingJson({"failed", 1, "tam: cannot write x.ckpt: No space left on device"}));

  EXPECT_EQ(store->MarkStaleRuns(NowMs() + 120'000, 60'000), 2);
  RunDetails details = store->GetRun(run_id);
  EXPECT_EQ(details.summary.status, "failed");
  EXPECT_EQ(details.summary.exit_code, 1);
  EXPECT_EQ(details.summary.error_text, "tam: cannot write x.ckpt: No space left on device");
  EXPECT_NE(details.events.back().detail.find("recorded late from ending.json"), std::string::npos)
      << details.events.back().detail;
  // a worker that left nothing failed for its silence
  EXPECT_NE(store->GetRun(silent).summary.error_text.find("worker stopped sending heartbeats"),
            std::string::npos);
}

TEST_F(StoreTest, EndingJsonRoundTrips) {
  RecordedEnding ending{"interrupted", 130, "stopped \"on\" request\nsecond line"};
  std::optional<RecordedEnding> back = ParseEndingJson(EndingJson(ending));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->status, "interrupted");
  EXPECT_EQ(back->exit_code, 130);
  EXPECT_EQ(back->error, ending.error);
  EXPECT_FALSE(ParseEndingJson(R"({"status": "exploded"})").has_value());
  EXPECT_FALSE(ParseEndingJson("not json: [").has_value());
}

TEST_F(StoreTest, AFullDiskIsAStoreErrorThatSaysSo) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("full", 1));
  store->MarkRunning(run_id, 1);
  // SQLite's own limit on the file's size stands in for a full disk
  store->database().exec("PRAGMA max_page_count = " +
                         std::to_string(Count(*store, "PRAGMA page_count")));
  try {
    auto writer = store->OpenMetricWriter(run_id, 1'000'000, 1'000'000);
    for (int step = 0; step < 200'000; ++step) writer->Add("loss", step, step);
    writer->Flush();
    ADD_FAILURE() << "the writes fit after all";
  } catch (const StoreError& error) {
    EXPECT_TRUE(error.disk_full()) << error.what();
    EXPECT_NE(std::string(error.what()).find("is full"), std::string::npos) << error.what();
  }
}

// --- checkpoints and integrity

TEST_F(StoreTest, APrunedCheckpointIsForgotten) {
  auto store = OpenStore();
  const int64_t run_id = store->CreateRun(MakeRun("pruned", 1));
  for (int64_t step : {300, 100, 200}) {
    store->RegisterCheckpoint(run_id, {step, fmt::format("c/{}.ckpt", step), "sha", 10, false, 0});
  }
  std::vector<CheckpointRecord> records = store->Checkpoints(run_id);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.front().step, 100);  // oldest first
  store->ForgetCheckpoint(run_id, 100);
  records = store->Checkpoints(run_id);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.front().step, 200);
  EXPECT_EQ(store->GetRun(run_id).checkpoints.size(), 2u);
}

TEST_F(StoreTest, QuickCheckFindsADamagedPage) {
  {
    auto store = OpenStore();
    for (int64_t seed = 1; seed <= 40; ++seed) store->CreateRun(MakeRun("run", seed));
    EXPECT_FALSE(store->QuickCheck(2000).has_value());
  }
  // every connection closed: the WAL is in the file; overwrite the run_param table's root page
  int64_t page = 0;
  int64_t page_size = 0;
  {
    auto store = OpenStore();
    page = Count(*store, "SELECT pageno FROM dbstat WHERE name = 'run_param' LIMIT 1");
    page_size = Count(*store, "PRAGMA page_size");
  }
  {
    std::fstream file(path_, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp((page - 1) * page_size + 100);
    std::string garbage(static_cast<size_t>(page_size - 200), '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto store = OpenStore();
  std::optional<std::string> problem = store->QuickCheck(2000);
  ASSERT_TRUE(problem.has_value());
  EXPECT_FALSE(problem->empty());
}

// --- deleting (W11, orch rm)

TEST_F(StoreTest, DeletingARunRemovesEveryRowAboutItAndNothingElse) {
  auto store = OpenStore();
  const int64_t sweep_a = store->RecordSweep("a", "ablation", "a\n", "sha-a");
  const int64_t sweep_b = store->RecordSweep("b", "ablation", "b\n", "sha-b");
  std::vector<int64_t> runs;
  for (int64_t seed = 1; seed <= 3; ++seed) {
    NewRun run = MakeRun("run", seed);
    run.sweep_id = sweep_a;
    const int64_t run_id = store->CreateRun(run);
    store->MarkRunning(run_id, 100 + seed);
    {
      auto writer = store->OpenMetricWriter(run_id);
      for (int64_t step = 0; step < 5; ++step) writer->Add("eval/episode_return", step, 1.0);
    }
    store->TagRun(run_id, {"paper"}, {});
    store->RegisterCheckpoint(run_id, {4, "runs/x/4.pt", "aa", 10, true, 5});
    store->SetArtifacts(run_id, {{"analysis", "runs/x/analysis/a.json", "bb", 3, 6}});
    store->FinishRun(run_id, RunStatus::kCompleted, 0, "");
    store->AddSweepMember(sweep_a, {run_id, seed, "A0", "cheetah-run", "{}"});
    runs.push_back(run_id);
  }
  // run 2 is also a job of sweep b: deleting sweep a keeps it, without its first sweep
  store->AddSweepMember(sweep_b, {runs[1], 0, "A0", "cheetah-run", "{}"});
  EXPECT_EQ(store->SweepsOfRun(runs[1]), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store->MetricPointCount(runs[0]), 5);

  store->Delete({runs[0], runs[2]}, {sweep_a});
  for (int64_t gone : {runs[0], runs[2]}) {
    for (const char* table : {"run", "metric", "metric_latest", "run_param", "run_tag", "run_event",
                              "checkpoint", "artifact", "sweep_run"}) {
      EXPECT_EQ(
          Count(*store, fmt::format("SELECT COUNT(*) FROM {} WHERE run_id = {}", table, gone)), 0)
          << table << " of run " << gone;
    }
  }
  EXPECT_EQ(store->FindSweep("a"), std::nullopt);
  EXPECT_TRUE(store->FindSweep("b").has_value());
  EXPECT_EQ(store->MetricPointCount(runs[1]), 5);
  EXPECT_EQ(store->SweepsOfRun(runs[1]), (std::vector<std::string>{"b"}));
  EXPECT_EQ(store->GetRun(runs[1]).summary.tags, (std::vector<std::string>{"paper"}));
  EXPECT_EQ(Count(*store, "SELECT COUNT(*) FROM run WHERE sweep_id IS NOT NULL"), 0);
  EXPECT_EQ(Count(*store, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_TRUE(store->IntegrityCheck());
}

TEST_F(StoreTest, ALiveOrUnknownRunIsNotDeletedAndNeitherIsAnythingElse) {
  auto store = OpenStore();
  const int64_t ended = store->CreateRun(MakeRun("ended", 1));
  store->MarkRunning(ended, 101);
  store->FinishRun(ended, RunStatus::kFailed, 1, "boom");
  const int64_t running = store->CreateRun(MakeRun("running", 2));
  store->MarkRunning(running, 102);
  const int64_t queued = store->CreateRun(MakeRun("queued", 3));
  std::string message = StoreErrorOf([&] { store->Delete({ended, running}, {}); });
  EXPECT_NE(message.find("run #2 is running"), std::string::npos) << message;
  message = StoreErrorOf([&] { store->Delete({ended, queued}, {}); });
  EXPECT_NE(message.find("run #3 is queued"), std::string::npos) << message;
  message = StoreErrorOf([&] { store->Delete({ended, 99}, {}); });
  EXPECT_NE(message.find("no run #99"), std::string::npos) << message;
  EXPECT_EQ(Count(*store, "SELECT COUNT(*) FROM run"), 3);
  store->Delete({ended}, {});
  EXPECT_EQ(Count(*store, "SELECT COUNT(*) FROM run"), 2);
}

}  // namespace
}  // namespace orch::store
