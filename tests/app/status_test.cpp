// Tests src/app/command_status.cpp for local sweeps end to end: `orch status NAME` lists a
// sweep's runs with their status and progress; `orch status` alone lists every sweep of the
// store with its runs by status.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "orch_process.h"
#include "store/results_store.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;
using orch::testing::RunOrch;
using orch::testing::TempDir;

constexpr const char* kTam = "configs/tam/pendulum.yaml";

TEST(StatusTest, ASweepsRunsAndEverySweepOfTheStore) {
  TempDir dir("status");
  const fs::path store = dir.path() / "orch.db";
  const std::string store_arg = store.string();
  auto empty = RunOrch({"status", "--store", store_arg});
  EXPECT_EQ(empty.exit_code, 2) << empty.err;  // no store there: nothing is created
  EXPECT_FALSE(fs::exists(store));

  ASSERT_EQ(RunOrch({"sweep", kTam, "tam.episodes=20", "seed=1,2", "--name", "pair", "--store",
                     store_arg})
                .exit_code,
            0);
  ASSERT_EQ(RunOrch({"sweep", kTam, "tam.episodes=20", "seed=3", "--name", "single", "--store",
                     store_arg})
                .exit_code,
            0);
  {
    // run 2 as a crashed worker leaves it: failed, halfway; run 3 as a stopped sweep leaves a
    // run whose turn had not come: interrupted, never started
    auto opened = store::ResultsStore::Open(store);
    opened->database().exec(
        "UPDATE run SET status = 'failed', last_env_step = 10 WHERE run_id = 2");
    opened->database().exec(
        "UPDATE run SET status = 'interrupted', started_at_ms = NULL, last_env_step = 0 "
        "WHERE run_id = 3");
  }

  auto runs = RunOrch({"status", "pair", "--store", store_arg});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_TRUE(Contains(runs.out, "sweep pair (local)")) << runs.out;
  EXPECT_TRUE(Contains(runs.out, "completed    20/20 (100%)")) << runs.out;
  EXPECT_TRUE(Contains(runs.out, "failed       10/20 (50%)")) << runs.out;
  EXPECT_TRUE(Contains(runs.out, "2 runs: 1 completed, 1 failed")) << runs.out;

  auto unstarted = RunOrch({"status", "single", "--store", store_arg});
  EXPECT_TRUE(Contains(unstarted.out, "not started  0/20 (0%)")) << unstarted.out;
  EXPECT_TRUE(Contains(unstarted.out, "1 runs: 1 not started")) << unstarted.out;

  // newest first; progress counts the failed run's 10 of 20 episodes
  auto sweeps = RunOrch({"status", "--store", store_arg});
  EXPECT_EQ(sweeps.exit_code, 0) << sweeps.err;
  const size_t single = sweeps.out.find("\nsingle ");
  const size_t pair = sweeps.out.find("\npair ");
  ASSERT_NE(single, std::string::npos) << sweeps.out;
  ASSERT_NE(pair, std::string::npos) << sweeps.out;
  EXPECT_LT(single, pair) << sweeps.out;
  EXPECT_TRUE(Contains(sweeps.out.substr(pair, sweeps.out.find('\n', pair + 1) - pair),
                       "2         1       0      0      1           0           0      75%"))
      << sweeps.out;
  EXPECT_TRUE(Contains(sweeps.out.substr(single, sweeps.out.find('\n', single + 1) - single),
                       "1         0       0      0      0           0           1       0%"))
      << sweeps.out;

  auto wait = RunOrch({"status", "--wait", "--store", store_arg});
  EXPECT_EQ(wait.exit_code, 2);
  EXPECT_TRUE(Contains(wait.err, "--wait needs a sweep")) << wait.err;
  auto unknown = RunOrch({"status", "pear", "--store", store_arg});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
}

}  // namespace
}  // namespace orch::app
