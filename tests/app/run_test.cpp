// Tests src/app/command_run.cpp and the worker end to end: `orch run` of short TAM runs,
// recorded in a temporary results store, read back with `orch ls/show/export`, killed,
// interrupted and resumed.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/string_util.h"
#include "orch_process.h"
#include "run_fixtures.h"
#include "store/results_store.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::BackgroundOrch;
using orch::testing::Contains;
using orch::testing::CountRuns;
using orch::testing::RunOrch;
using orch::testing::Series;
using orch::testing::TempDir;
using orch::testing::WaitForProgress;

constexpr const char* kTam = "configs/tam/pendulum.yaml";

TEST(RunTest, InvalidConfigExits2AndWritesNothing) {
  TempDir dir("run-invalid");
  fs::path store = dir.path() / "orch.db";
  auto result = RunOrch({"run", kTam, "tam.lr=fast", "tam.memory.k=0", "--store", store.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err,
                       "override #1 'tam.lr=fast': tam.lr: expected float, got "
                       "string 'fast'"));
  EXPECT_TRUE(Contains(result.err, "tam.memory.k: expected int in [1, 10000], got 0"));
  EXPECT_FALSE(fs::exists(store));  // not even created
  // with an existing store: no row is added
  ASSERT_EQ(RunOrch({"run", kTam, "tam.episodes=20", "--store", store.string()}).exit_code, 0);
  EXPECT_EQ(RunOrch({"run", kTam, "tam.episodes=-1", "--store", store.string()}).exit_code, 2);
  EXPECT_EQ(CountRuns(store), 1);
}

TEST(RunTest, CorruptOrForeignStoreIsAClearError) {
  TempDir dir("run-badstore");
  dir.Write("garbage.db", std::string(4096, '\x5a'));
  auto garbage =
      RunOrch({"run", kTam, "tam.episodes=5", "--store", (dir.path() / "garbage.db").string()});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_TRUE(Contains(garbage.err, "garbage.db")) << garbage.err;
  EXPECT_TRUE(Contains(garbage.err, "not a SQLite database")) << garbage.err;
  auto listed = RunOrch({"ls", "--store", (dir.path() / "garbage.db").string()});
  EXPECT_EQ(listed.exit_code, 2);

  // another application's SQLite database
  ASSERT_EQ(std::system(("sqlite3 " + orch::SingleQuoted((dir.path() / "other.db").string()) +
                         " 'CREATE TABLE t(x); INSERT INTO t VALUES (1);'")
                            .c_str()),
            0);
  auto foreign =
      RunOrch({"run", kTam, "tam.episodes=5", "--store", (dir.path() / "other.db").string()});
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_TRUE(Contains(foreign.err, "other.db")) << foreign.err;
  EXPECT_TRUE(Contains(foreign.err, "not an orch results store")) << foreign.err;
  auto missing = RunOrch({"ls", "--store", (dir.path() / "none.db").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "no results store at")) << missing.err;
}

TEST(RunTest, ACompletedRunRecordsEverything) {
  TempDir dir("run-record");
  fs::path store_path = dir.path() / "orch.db";
  auto result = RunOrch({"run", kTam, "tam.episodes=60", "tam.checkpoint_every=25", "seed=5",
                         "--name", "record-test", "--store", store_path.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.err, "completed after"));

  auto store = store::ResultsStore::Open(store_path, store::ResultsStore::Mode::kReadOnly);
  store::RunDetails run = store->GetRun(store->ResolveRun("record-test"));
  EXPECT_EQ(run.summary.status, "completed");
  EXPECT_EQ(run.summary.algo, "tam");
  EXPECT_EQ(run.summary.task, "controlled-pendulum");
  EXPECT_EQ(run.summary.seed, 5);
  EXPECT_EQ(run.summary.budget_steps, 60);
  EXPECT_EQ(run.summary.exit_code, 0);
  EXPECT_EQ(run.thread_budget, 1);
  EXPECT_EQ(run.overrides,
            (std::vector<std::string>{"tam.episodes=60", "tam.checkpoint_every=25", "seed=5"}));
  EXPECT_EQ(run.config_path, kTam);
  EXPECT_EQ(run.summary.config_sha256.size(), 64u);
  EXPECT_TRUE(Contains(run.config_yaml, "episodes: 60"));
  EXPECT_TRUE(run.code.git_sha.has_value());  // the tests run inside the repository
  EXPECT_FALSE(run.host.hostname.empty());
  EXPECT_GT(run.host.cpus, 0);
  EXPECT_EQ(run.code.orch_version, "0.1.0");
  // every history key of the notes is a metric with one point per episode
  for (const char* key : {"step", "regime", "bind_success", "avg_abs_action", "T", "E_T",
                          "E_T_train", "exp_nll", "cone_volume", "kl", "z_norm", "soft_bind",
                          "lambda_bind", "lambda_T", "cone_vol", "mem_loss", "mem_risk", "mem_n"}) {
    auto it = std::find_if(run.metrics.begin(), run.metrics.end(),
                           [&](const auto& metric) { return metric.name == key; });
    ASSERT_NE(it, run.metrics.end()) << key;
    EXPECT_EQ(it->points, 60) << key;
  }
  // checkpoints every 25 episodes and at the end, with files that match their hashes
  ASSERT_EQ(run.checkpoints.size(), 3u);
  EXPECT_EQ(run.checkpoints[0].step, 25);
  EXPECT_EQ(run.checkpoints[2].step, 60);
  EXPECT_TRUE(run.checkpoints[2].is_final);
  fs::path run_dir = store_path.parent_path() / run.run_dir;
  for (const char* file :
       {"config.yaml", "overrides.yaml", "run.log", "analysis.json", "zmap.csv", "trail.csv"}) {
    EXPECT_TRUE(fs::exists(run_dir / file)) << file;
  }
  EXPECT_TRUE(fs::exists(store_path.parent_path() / run.checkpoints[2].path));

  // ls, show and export read it back
  auto ls = RunOrch({"ls", "--store", store_path.string()});
  EXPECT_EQ(ls.exit_code, 0);
  EXPECT_TRUE(Contains(ls.out, "record-test"));
  EXPECT_TRUE(Contains(ls.out, "completed"));
  auto show = RunOrch({"show", "record-test", "--json", "--store", store_path.string()});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_TRUE(Contains(show.out, "\"status\": \"completed\""));
  EXPECT_TRUE(Contains(show.out, "\"thread_budget\": 1"));
  auto csv = RunOrch({"export", "record-test", "--format", "csv", "--key", "soft_bind", "--store",
                      store_path.string()});
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_TRUE(orch::testing::Contains(csv.out, "key,step,value,wall_ms\nsoft_bind,0,"));
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 61);
  auto json = RunOrch(
      {"export", "record-test", "--format", "json", "--key", "T", "--store", store_path.string()});
  EXPECT_TRUE(Contains(json.out, "\"metrics\":{\"T\":{\"step\":[0,1,2,"));
}

TEST(RunTest, SameConfigAndSeedGiveIdenticalMetrics) {
  TempDir dir("run-repro");
  fs::path store = dir.path() / "orch.db";
  std::vector<std::string> args = {"run", kTam, "tam.episodes=150", "--store", store.string()};
  ASSERT_EQ(RunOrch(args).exit_code, 0);
  // the identical run is refused unless asked for
  auto duplicate = RunOrch(args);
  EXPECT_EQ(duplicate.exit_code, 2);
  EXPECT_TRUE(Contains(duplicate.err, "already has this run")) << duplicate.err;
  EXPECT_TRUE(Contains(duplicate.err, "--rerun")) << duplicate.err;
  EXPECT_EQ(CountRuns(store), 1);
  args.push_back("--rerun");
  ASSERT_EQ(RunOrch(args).exit_code, 0);
  EXPECT_EQ(Series(store, "1"), Series(store, "2"));
  // another seed gives other metrics
  ASSERT_EQ(
      RunOrch({"run", kTam, "tam.episodes=150", "seed=1", "--store", store.string()}).exit_code, 0);
  EXPECT_NE(Series(store, "1"), Series(store, "3"));
}

TEST(RunTest, KilledWorkerIsFailedAndResumesToTheSameMetrics) {
  TempDir dir("run-kill");
  fs::path reference_store = dir.path() / "reference" / "orch.db";
  fs::path store_path = dir.path() / "killed" / "orch.db";
  const std::vector<std::string> config = {kTam, "tam.episodes=2000", "tam.checkpoint_every=250"};
  std::vector<std::string> reference_args = {"run"};
  reference_args.insert(reference_args.end(), config.begin(), config.end());
  reference_args.insert(reference_args.end(), {"--store", reference_store.string()});
  ASSERT_EQ(RunOrch(reference_args).exit_code, 0);

  std::vector<std::string> args = {"run"};
  args.insert(args.end(), config.begin(), config.end());
  args.insert(args.end(), {"--store", store_path.string()});
  BackgroundOrch front_end(args);
  store::RunDetails running = WaitForProgress(store_path, 600);
  ASSERT_TRUE(running.pid.has_value());
  ASSERT_EQ(kill(static_cast<pid_t>(*running.pid), SIGKILL), 0);
  EXPECT_EQ(front_end.Wait(), 1);

  // failed with the reason; nothing flushed before the kill is lost
  std::string before;
  int64_t checkpoint_step = 0;
  {
    auto store = store::ResultsStore::Open(store_path);
    store::RunDetails failed = store->GetRun(1);
    EXPECT_EQ(failed.summary.status, "failed");
    EXPECT_TRUE(Contains(failed.summary.error_text, "killed by signal 9 (SIGKILL)"))
        << failed.summary.error_text;
    EXPECT_TRUE(store->IntegrityCheck());
    checkpoint_step = store->LatestCheckpoint(1)->step;
    EXPECT_GE(checkpoint_step, 250);
    for (const auto& point : store->Series(1, "soft_bind")) {
      if (point.step < checkpoint_step) before += std::to_string(point.step) + "\n";
    }
  }
  EXPECT_EQ(std::count(before.begin(), before.end(), '\n'), checkpoint_step);

  auto resumed = RunOrch({"run", "--resume", "1", "--store", store_path.string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  auto store = store::ResultsStore::Open(store_path);
  EXPECT_TRUE(store->IntegrityCheck());
  store::RunDetails done = store->GetRun(1);
  EXPECT_EQ(done.summary.status, "completed");
  EXPECT_EQ(done.summary.attempt, 2);
  EXPECT_EQ(Series(store_path, "1"), Series(reference_store, "1"));
}

TEST(RunTest, InterruptCheckpointsAndResumes) {
  TempDir dir("run-interrupt");
  fs::path store_path = dir.path() / "orch.db";
  BackgroundOrch front_end({"run", kTam, "tam.episodes=2000", "tam.checkpoint_every=1000",
                            "--store", store_path.string()});
  WaitForProgress(store_path, 300);
  ASSERT_EQ(kill(front_end.pid(), SIGINT), 0);
  EXPECT_EQ(front_end.Wait(), 130);
  int64_t stopped_at = 0;
  {
    auto store = store::ResultsStore::Open(store_path, store::ResultsStore::Mode::kReadOnly);
    store::RunDetails run = store->GetRun(1);
    EXPECT_EQ(run.summary.status, "interrupted");
    auto checkpoint = store->LatestCheckpoint(1);
    ASSERT_TRUE(checkpoint.has_value());
    EXPECT_FALSE(checkpoint->is_final);
    stopped_at = checkpoint->step;
    EXPECT_GE(stopped_at, 300);
    EXPECT_LT(stopped_at, 2000);
    EXPECT_EQ(run.summary.last_step, stopped_at - 1);  // every episode before it was flushed
  }
  // a completed run cannot be resumed; an interrupted one can
  auto resumed = RunOrch({"run", "--resume", "1", "--store", store_path.string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  auto again = RunOrch({"run", "--resume", "1", "--store", store_path.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(Contains(again.err, "already completed"));
}

TEST(RunTest, StaleHeartbeatShowsAsFailed) {
  TempDir dir("run-stale");
  fs::path store_path = dir.path() / "orch.db";
  ASSERT_EQ(RunOrch({"run", kTam, "tam.episodes=10", "--store", store_path.string()}).exit_code, 0);
  {
    // a run whose worker vanished: running, with a heartbeat from long ago
    auto store = store::ResultsStore::Open(store_path);
    store->database().exec(
        "UPDATE run SET status = 'running', ended_at_ms = NULL, "
        "heartbeat_at_ms = heartbeat_at_ms - 3600000 WHERE run_id = 1");
  }
  auto ls = RunOrch({"ls", "--store", store_path.string()});
  EXPECT_EQ(ls.exit_code, 0);
  EXPECT_TRUE(Contains(ls.out, "failed")) << ls.out;
  EXPECT_TRUE(Contains(ls.out, "heartbeat")) << ls.out;
}

}  // namespace
}  // namespace orch::app

namespace orch::app {
namespace {

TEST(RunDeviceTest, TheDeviceIsCheckedBeforeTheFirstStepAndRecorded) {
  orch::testing::TempDir dir("run-device");
  const std::string store = (dir.path() / "orch.db").string();
  const std::string tam = std::string(ORCH_SOURCE_DIR) + "/configs/tam/pendulum.yaml";
  // a name that is no device: refused at composition, nothing written
  auto bad = orch::testing::RunOrch({"run", tam, "run.device=gpu", "--store", store});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(orch::testing::Contains(bad.err, "run.device: expected cpu, cuda, cuda:N or auto"))
      << bad.err;
  EXPECT_FALSE(std::filesystem::exists(store));
  // CUDA for an algorithm that computes on the CPU only: refused at composition too
  auto cpu_only = orch::testing::RunOrch({"run", tam, "run.device=cuda", "--store", store});
  EXPECT_EQ(cpu_only.exit_code, 2);
  EXPECT_TRUE(orch::testing::Contains(cpu_only.err, "tam computes on the CPU only"))
      << cpu_only.err;
  EXPECT_FALSE(std::filesystem::exists(store));
  // CUDA from Debian's CPU-only LibTorch: the run fails before its first step, saying which
  // LibTorch the worker has and how to get a CUDA one
  const std::string tdmpc2 = std::string(ORCH_SOURCE_DIR) + "/configs/tdmpc2/cheetah.yaml";
  auto cuda =
      orch::testing::RunOrch({"run", tdmpc2, "budget=cpu", "run.device=cuda:0", "--store", store});
  EXPECT_EQ(cuda.exit_code, 1);
  EXPECT_TRUE(orch::testing::Contains(cuda.err, "built against LibTorch")) << cuda.err;
  EXPECT_TRUE(orch::testing::Contains(cuda.err, "tools/build-libtorch.sh")) << cuda.err;
  // auto takes the CPU here, and the run says so
  auto automatic =
      orch::testing::RunOrch({"run", tam, "tam.episodes=20", "run.device=auto", "--store", store});
  EXPECT_EQ(automatic.exit_code, 0) << automatic.err;
  auto shown = orch::testing::RunOrch({"show", "2", "--store", store});
  EXPECT_TRUE(orch::testing::Contains(shown.out, "device cpu")) << shown.out;
  auto failed = orch::testing::RunOrch({"show", "1", "--store", store});
  EXPECT_TRUE(orch::testing::Contains(failed.out, "status      failed")) << failed.out;
  EXPECT_TRUE(orch::testing::Contains(failed.out, "last step") ||
              orch::testing::Contains(failed.out, "progress    0/"))
      << failed.out;
}

}  // namespace
}  // namespace orch::app
