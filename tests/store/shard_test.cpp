// Tests src/store/shard.cpp: per-run shards for runs launched elsewhere (SLURM), copied from the
// main store's records and merged back by run uuid, idempotently and one run at a time.
#include "store/shard.h"

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/results_store.h"

namespace orch::store {
namespace {

namespace fs = std::filesystem;

NewRun MakeRun(int64_t seed) {
  NewRun run;
  run.uuid = fmt::format("{:08x}-aaaa-4bbb-8ccc-{:012x}", 0x5a000000 + seed, seed);
  run.name = fmt::format("tam-seed{}", seed);
  run.algo = "tam";
  run.task = "controlled-pendulum";
  run.variant = "memory_on";
  run.seed = seed;
  run.config_path = "configs/tam/pendulum.yaml";
  run.config_yaml = fmt::format("algo: tam\nseed: {}\n", seed);
  run.config_json = fmt::format(R"({{"algo":"tam","seed":{}}})", seed);
  run.config_sha256 = fmt::format("{:064x}", seed);
  run.overrides = {fmt::format("seed={}", seed)};
  run.params = {{"seed", std::to_string(seed), static_cast<double>(seed)}};
  run.code.git_sha = std::string(40, 'b');
  run.code.orch_version = "0.1.0";
  run.host = {"login1", "cpu", 2, 1LL << 30, "Debian 12"};
  run.budget_steps = 100;
  run.run_dir = "runs/" + run.uuid;
  return run;
}

int64_t Count(ResultsStore& store, const std::string& sql) {
  return store.database().execAndGet(sql).getInt64();
}

class ShardTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("orch-shard-{}-{}",
                       testing::UnitTest::GetInstance()->current_test_info()->name(), getpid());
    fs::remove_all(dir_);
    main_path_ = dir_ / "orch.db";
    auto main = ResultsStore::Open(main_path_);
    run_id_ = main->CreateRun(MakeRun(1));
    other_id_ = main->CreateRun(MakeRun(2));
    uuid_ = MakeRun(1).uuid;
    // the launcher's record file, then the task's shard made from it
    records_path_ = dir_ / "sweeps" / "s" / "records.shard.db";
    {
      auto records = ResultsStore::Open(records_path_);
      CopyRunRecords(*records, main_path_, {uuid_, MakeRun(2).uuid});
    }
    shard_path_ = dir_ / "runs" / uuid_ / std::string(kRunShardName);
    auto shard = ResultsStore::Open(shard_path_);
    CopyRunRecords(*shard, records_path_, {uuid_}, ".");
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// In the shard, as a worker would: claimed, running, `points` metric points, a checkpoint.
  void RunInShard(int64_t first_step, int64_t points, bool finish) {
    auto shard = ResultsStore::Open(shard_path_);
    int64_t id = shard->ResolveRun(uuid_);
    if (shard->GetRun(id).summary.status == "queued") {
      ASSERT_TRUE(shard->ClaimQueuedRun(id));
      shard->MarkRunning(id, 4242);
    }
    auto writer = shard->OpenMetricWriter(id);
    for (int64_t step = first_step; step < first_step + points; ++step) {
      writer->Add("train/return", step, 0.5 * static_cast<double>(step));
      writer->Add("eval/return", step, step % 3 == 0 ? -1.0 : 2.0);
    }
    writer->Flush();
    shard->Heartbeat(id, first_step + points - 1);
    shard->RegisterCheckpoint(
        id, {first_step + points - 1, fmt::format("checkpoints/{}.pt", first_step + points - 1),
             std::string(64, 'e'), 123, finish, 1000});
    if (finish) {
      shard->SetArtifacts(id, {{"json", "analysis.json", std::string(64, 'a'), 42, 1000}});
      shard->FinishRun(id, RunStatus::kCompleted, 0, "");
    }
  }

  fs::path dir_, main_path_, records_path_, shard_path_;
  int64_t run_id_ = 0, other_id_ = 0;
  std::string uuid_;
};

TEST_F(ShardTest, AShardUsesTheRollbackJournalAndTheMainStoreWal) {
  auto shard = ResultsStore::Open(shard_path_);
  auto main = ResultsStore::Open(main_path_);
  EXPECT_EQ(shard->database().execAndGet("PRAGMA journal_mode").getString(), "delete");
  EXPECT_EQ(main->database().execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_TRUE(IsShardPath(shard_path_));
  EXPECT_FALSE(IsShardPath(main_path_));
}

TEST_F(ShardTest, AShardHoldsItsOneRunWithTheMainStoresIdentity) {
  auto shard = ResultsStore::Open(shard_path_);
  auto main = ResultsStore::Open(main_path_);
  EXPECT_EQ(Count(*shard, "SELECT count(*) FROM run"), 1);
  RunDetails copy = shard->GetRun(shard->ResolveRun(uuid_));
  RunDetails original = main->GetRun(run_id_);
  EXPECT_EQ(copy.summary.run_id, run_id_);
  EXPECT_EQ(copy.summary.status, "queued");
  EXPECT_EQ(copy.config_yaml, original.config_yaml);
  EXPECT_EQ(copy.summary.config_sha256, original.summary.config_sha256);
  EXPECT_EQ(copy.overrides, original.overrides);
  EXPECT_EQ(copy.code.git_sha, original.code.git_sha);
  EXPECT_EQ(copy.summary.seed, 1);
  EXPECT_EQ(copy.run_dir, ".");
  ASSERT_EQ(copy.params.size(), 1u);
  EXPECT_EQ(copy.params[0].key, "seed");
  // the record file keeps both runs, with the main store's run directories
  auto records = ResultsStore::Open(records_path_, ResultsStore::Mode::kReadOnly);
  EXPECT_EQ(Count(*records, "SELECT count(*) FROM run"), 2);
  EXPECT_EQ(records->GetRun(other_id_).run_dir, "runs/" + MakeRun(2).uuid);
}

TEST_F(ShardTest, CopyingARunTheSourceLacksIsAnError) {
  auto target = ResultsStore::Open(dir_ / "x.shard.db");
  EXPECT_THROW(CopyRunRecords(*target, records_path_, {"no-such-uuid"}), StoreError);
  EXPECT_EQ(Count(*target, "SELECT count(*) FROM run"), 0);
}

TEST_F(ShardTest, MergeBringsLifecycleMetricsAndCheckpointsAndTwiceChangesNothing) {
  RunInShard(0, 10, /*finish=*/true);
  auto main = ResultsStore::Open(main_path_);
  ShardMerge merged = MergeShard(*main, shard_path_, uuid_);
  EXPECT_TRUE(merged.changed);
  EXPECT_EQ(merged.status, "completed");
  EXPECT_EQ(merged.metric_rows, 20);
  RunDetails run = main->GetRun(run_id_);
  EXPECT_EQ(run.summary.status, "completed");
  EXPECT_EQ(run.summary.last_step, 9);
  EXPECT_EQ(run.summary.exit_code, 0);
  EXPECT_EQ(run.run_dir, "runs/" + uuid_);  // the main store's own, not the shard's "."
  ASSERT_EQ(run.checkpoints.size(), 1u);
  EXPECT_EQ(run.checkpoints[0].path, "runs/" + uuid_ + "/checkpoints/9.pt");
  ASSERT_EQ(run.artifacts.size(), 1u);
  EXPECT_EQ(run.artifacts[0].path, "runs/" + uuid_ + "/analysis.json");
  EXPECT_EQ(run.artifacts[0].kind, "json");
  std::vector<MetricPoint> series = main->Series(run_id_, "train/return");
  ASSERT_EQ(series.size(), 10u);
  EXPECT_DOUBLE_EQ(*series[4].value, 2.0);
  // the other run is untouched
  EXPECT_EQ(main->GetRun(other_id_).summary.status, "queued");
  EXPECT_EQ(Count(*main, fmt::format("SELECT count(*) FROM metric WHERE run_id = {}", other_id_)),
            0);

  const int64_t version = Count(*main, "PRAGMA data_version");
  const int64_t changes = Count(*main, "SELECT total_changes()");
  ShardMerge again = MergeShard(*main, shard_path_, uuid_);
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.metric_rows, 20);
  EXPECT_EQ(Count(*main, "SELECT total_changes()"), changes);
  EXPECT_EQ(Count(*main, "PRAGMA data_version"), version);
  EXPECT_EQ(main->database().execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST_F(ShardTest, ALaterMergeReplacesWhatAnEarlierOneBrought) {
  RunInShard(0, 5, /*finish=*/false);
  {
    auto main = ResultsStore::Open(main_path_);
    ShardMerge partial = MergeShard(*main, shard_path_, uuid_);
    EXPECT_EQ(partial.status, "running");
    EXPECT_EQ(partial.metric_rows, 10);
  }
  RunInShard(5, 7, /*finish=*/true);
  auto main = ResultsStore::Open(main_path_);
  ShardMerge full = MergeShard(*main, shard_path_, uuid_);
  EXPECT_TRUE(full.changed);
  EXPECT_EQ(full.metric_rows, 24);
  EXPECT_EQ(main->Series(run_id_, "eval/return").size(), 12u);
  EXPECT_EQ(main->GetRun(run_id_).checkpoints.size(), 2u);
  EXPECT_EQ(main->GetRun(run_id_).summary.status, "completed");
}

TEST_F(ShardTest, ADamagedShardIsReportedAndNothingOfItMerged) {
  RunInShard(0, 200, /*finish=*/true);
  // keep the header, wreck the pages after the first
  std::string bytes;
  {
    std::ifstream in(shard_path_, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    bytes = buffer.str();
  }
  ASSERT_GT(bytes.size(), 3 * 4096u);
  for (size_t offset = 4096; offset < bytes.size(); offset += 7) bytes[offset] = '\x5a';
  std::ofstream(shard_path_, std::ios::binary | std::ios::trunc) << bytes;

  auto main = ResultsStore::Open(main_path_);
  try {
    MergeShard(*main, shard_path_, uuid_);
    FAIL() << "a damaged shard merged";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find(shard_path_.string()), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(main->GetRun(run_id_).summary.status, "queued");
  EXPECT_EQ(Count(*main, "SELECT count(*) FROM metric"), 0);
}

}  // namespace
}  // namespace orch::store
