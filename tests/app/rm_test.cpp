// Tests src/app/command_rm.cpp end to end: `orch rm` lists and deletes nothing without --yes,
// deletes runs and sweeps with their files with it, keeps a run another sweep holds, refuses a
// live run, never follows a recorded folder outside its layout, picks runs by orch ls's
// filters, and a sweep whose run was deleted runs that job again on --resume.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "orch_process.h"
#include "run_fixtures.h"
#include "store/results_store.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;
using orch::testing::CountRuns;
using orch::testing::RunOrch;
using orch::testing::TempDir;

constexpr const char* kTam = "configs/tam/pendulum.yaml";

fs::path RunDir(const fs::path& store, int64_t run_id) {
  return store.parent_path() / store::ResultsStore::Open(store)->GetRun(run_id).run_dir;
}

TEST(RmTest, ListsWithoutYesDeletesWithItAndASweepResumesTheDeletedJob) {
  TempDir dir("rm-runs");
  const fs::path store = dir.path() / "orch.db";
  const std::string store_arg = store.string();
  ASSERT_EQ(RunOrch({"sweep", kTam, "tam.episodes=20", "seed=1,2", "--name", "pair", "--store",
                     store_arg})
                .exit_code,
            0);
  ASSERT_EQ(
      RunOrch({"run", kTam, "tam.episodes=20", "seed=3", "--name", "debug", "--store", store_arg})
          .exit_code,
      0);
  const fs::path debug_dir = RunDir(store, 3);
  ASSERT_TRUE(fs::exists(debug_dir));

  auto listed = RunOrch({"rm", "debug", "--store", store_arg});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.out, "debug")) << listed.out;
  EXPECT_TRUE(Contains(listed.err, "would delete 1 run (")) << listed.err;
  EXPECT_TRUE(Contains(listed.err, "nothing deleted: add --yes")) << listed.err;
  EXPECT_EQ(CountRuns(store), 3);
  EXPECT_TRUE(fs::exists(debug_dir));

  auto deleted = RunOrch({"rm", "debug", "--yes", "--store", store_arg});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_TRUE(Contains(deleted.err, "deleted 1 run (")) << deleted.err;
  EXPECT_EQ(CountRuns(store), 2);
  EXPECT_FALSE(fs::exists(debug_dir));
  EXPECT_EQ(RunOrch({"show", "debug", "--store", store_arg}).exit_code, 2);

  // a job of a sweep, deleted, is run again when the sweep resumes
  const fs::path member_dir = RunDir(store, 2);
  ASSERT_EQ(RunOrch({"rm", "2", "--yes", "--store", store_arg}).exit_code, 0);
  EXPECT_FALSE(fs::exists(member_dir));
  auto resumed = RunOrch({"sweep", "--resume", "pair", "--store", store_arg});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "1 to start, 0 to resume, 1 already completed")) << resumed.err;
  EXPECT_EQ(CountRuns(store), 2);
  EXPECT_TRUE(store::ResultsStore::Open(store)->IntegrityCheck());
}

TEST(RmTest, ASweepGoesWithItsRunsButNotWithARunAnotherSweepHolds) {
  TempDir dir("rm-sweep");
  const fs::path store = dir.path() / "orch.db";
  const std::string store_arg = store.string();
  ASSERT_EQ(RunOrch({"sweep", kTam, "tam.episodes=20", "seed=1,2", "--name", "first", "--store",
                     store_arg})
                .exit_code,
            0);
  // the second sweep adopts the completed seed-2 run and adds seed 3
  ASSERT_EQ(RunOrch({"sweep", kTam, "tam.episodes=20", "seed=2,3", "--name", "second", "--store",
                     store_arg})
                .exit_code,
            0);
  ASSERT_EQ(CountRuns(store), 3);
  const fs::path seed1_dir = RunDir(store, 1);
  const fs::path seed2_dir = RunDir(store, 2);

  auto deleted = RunOrch({"rm", "--sweep", "first", "--yes", "--store", store_arg});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_TRUE(Contains(deleted.out, "run #2 of sweep 'first' stays: sweep second holds it too"))
      << deleted.out;
  EXPECT_TRUE(Contains(deleted.err, "deleted 1 run (")) << deleted.err;
  EXPECT_TRUE(Contains(deleted.err, "and sweep 'first'")) << deleted.err;
  EXPECT_EQ(CountRuns(store), 2);
  EXPECT_FALSE(fs::exists(seed1_dir));
  EXPECT_TRUE(fs::exists(seed2_dir));
  EXPECT_EQ(RunOrch({"sweep", "--resume", "first", "--store", store_arg}).exit_code, 2);
  auto second = RunOrch({"sweep", "--resume", "second", "--store", store_arg});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(Contains(second.err, "nothing to start")) << second.err;
}

TEST(RmTest, ALiveRunIsRefusedAndNothingIsDeleted) {
  TempDir dir("rm-live");
  const fs::path store = dir.path() / "orch.db";
  const std::string store_arg = store.string();
  for (const char* seed : {"seed=1", "seed=2"}) {
    ASSERT_EQ(RunOrch({"run", kTam, "tam.episodes=20", seed, "--store", store_arg}).exit_code, 0);
  }
  {
    // run 2 as a worker alive right now would leave it: running, with a fresh heartbeat
    auto opened = store::ResultsStore::Open(store);
    opened->database().exec(
        "UPDATE run SET status = 'running', ended_at_ms = NULL, heartbeat_at_ms = " +
        std::to_string(store::NowMs()) + " WHERE run_id = 2");
  }
  auto refused = RunOrch({"rm", "1", "2", "--yes", "--store", store_arg});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(Contains(refused.err, "is running: a run is deleted only once it has ended"))
      << refused.err;
  EXPECT_TRUE(Contains(refused.err, "nothing was deleted")) << refused.err;
  EXPECT_EQ(CountRuns(store), 2);
  EXPECT_TRUE(fs::exists(RunDir(store, 1)));

  EXPECT_EQ(RunOrch({"rm", "--store", store_arg}).exit_code, 2);
  EXPECT_EQ(RunOrch({"rm", "7", "--store", store_arg}).exit_code, 2);
  EXPECT_EQ(RunOrch({"rm", "1", "--store", (dir.path() / "none.db").string()}).exit_code, 2);
  EXPECT_FALSE(fs::exists(dir.path() / "none.db"));
}

// the failed runs of a sweep, picked by --status: they go, the sweep and its other runs stay,
// and the sweep runs those jobs again on --resume
TEST(RmTest, AFilterPicksRunsOfASweepAndTheSweepStays) {
  TempDir dir("rm-filter");
  const fs::path store = dir.path() / "orch.db";
  const std::string store_arg = store.string();
  ASSERT_EQ(RunOrch({"sweep", kTam, "tam.episodes=20", "seed=1,2,3", "--name", "three", "--store",
                     store_arg})
                .exit_code,
            0);
  ASSERT_EQ(
      RunOrch({"run", kTam, "tam.episodes=20", "seed=4", "--name", "alone", "--store", store_arg})
          .exit_code,
      0);
  {
    // runs 2 (of the sweep) and 4 (alone) as a crashed worker would leave them
    auto opened = store::ResultsStore::Open(store);
    opened->database().exec(
        "UPDATE run SET status = 'failed', error_text = 'worker killed by signal 9' "
        "WHERE run_id IN (2, 4)");
  }
  const fs::path failed_dir = RunDir(store, 2);

  auto listed = RunOrch({"rm", "--sweep", "three", "--status", "failed", "--store", store_arg});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.out, "sweep 'three' stays: the filter picks runs from it"))
      << listed.out;
  EXPECT_TRUE(Contains(listed.err, "would delete 1 run (")) << listed.err;
  EXPECT_FALSE(Contains(listed.err, "and sweep")) << listed.err;

  auto deleted =
      RunOrch({"rm", "--sweep", "three", "--status", "failed", "--yes", "--store", store_arg});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(CountRuns(store), 3);
  EXPECT_FALSE(fs::exists(failed_dir));
  EXPECT_EQ(store::ResultsStore::Open(store)->GetRun(4).summary.status, "failed");
  auto resumed = RunOrch({"sweep", "--resume", "three", "--store", store_arg});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "1 to start, 0 to resume, 2 already completed")) << resumed.err;

  // without --sweep the filter picks from the whole store; --where reads stored parameters
  auto by_parameter = RunOrch({"rm", "--where", "seed=3", "--yes", "--store", store_arg});
  EXPECT_EQ(by_parameter.exit_code, 0) << by_parameter.err;
  EXPECT_TRUE(Contains(by_parameter.err, "deleted 1 run (")) << by_parameter.err;
  EXPECT_EQ(CountRuns(store), 3);

  auto none = RunOrch({"rm", "--status", "interrupted", "--yes", "--store", store_arg});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(Contains(none.err, "no run matches the filter; nothing deleted")) << none.err;

  // a misspelt status, and runs named beside a filter, are errors before anything is read
  auto misspelt = RunOrch({"rm", "--status", "failde", "--yes", "--store", store_arg});
  EXPECT_EQ(misspelt.exit_code, 2);
  EXPECT_TRUE(Contains(misspelt.err, "Did you mean 'failed'?")) << misspelt.err;
  auto both = RunOrch({"rm", "1", "--status", "failed", "--yes", "--store", store_arg});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_TRUE(Contains(both.err, "by name (RUN...) or by filter, not both")) << both.err;
  EXPECT_EQ(CountRuns(store), 3);
  EXPECT_TRUE(store::ResultsStore::Open(store)->IntegrityCheck());
}

// a run directory recorded as the store's own folder (a store edited by hand, say) is not
// followed: the rows go, the folder stays, and the exit code says something was left
TEST(RmTest, AFolderOutsideTheLayoutIsNeverRemoved) {
  TempDir dir("rm-layout");
  const fs::path store = dir.path() / "orch.db";
  const std::string store_arg = store.string();
  ASSERT_EQ(RunOrch({"run", kTam, "tam.episodes=20", "--store", store_arg}).exit_code, 0);
  {
    auto opened = store::ResultsStore::Open(store);
    opened->database().exec("UPDATE run SET run_dir = '.' WHERE run_id = 1");
  }
  auto deleted = RunOrch({"rm", "1", "--yes", "--store", store_arg});
  EXPECT_EQ(deleted.exit_code, 1) << deleted.err;
  EXPECT_TRUE(Contains(deleted.err, "left . on disk: not a folder orch made for it"))
      << deleted.err;
  EXPECT_TRUE(fs::exists(store));
  EXPECT_EQ(CountRuns(store), 0);
}

}  // namespace
}  // namespace orch::app
