// Launcher conformance: the same tests against every launcher (src/sweep/launcher.h). Whatever
// launcher runs a sweep, the store ends with the same runs, every point of each, failures
// recorded alone with their cause, nothing run twice, and interrupted runs continued from
// their checkpoint to the metrics of an uninterrupted run. The SLURM instances use the local
// cluster (local_cluster.h) and skip, saying why, where it cannot start.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>

#include "../app/orch_process.h"
#include "../app/run_fixtures.h"
#include "launcher_harness.h"
#include "local_cluster.h"
#include "store/results_store.h"

namespace orch::testing {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<store::ResultsStore> Read(const fs::path& path) {
  return store::ResultsStore::Open(path, store::ResultsStore::Mode::kReadOnly);
}

std::map<std::string, int> StatusCounts(const fs::path& path) {
  std::map<std::string, int> counts;
  for (const auto& run : Read(path)->ListRuns()) ++counts[run.status];
  return counts;
}

class LauncherConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "slurm") REQUIRE_LOCAL_SLURM();
    dir_ = std::make_unique<TempDir>("launcher-" + GetParam());
    harness_ = std::make_unique<LauncherHarness>(GetParam(), dir_->path());
  }

  /// A sweep file over the TAM pendulum.
  fs::path SweepFile(const std::string& name, const std::string& body) const {
    dir_->Write(name + ".yaml", "name: " + name + "\nconfig: " + kTamConfig + "\n" + body);
    return dir_->path() / (name + ".yaml");
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<LauncherHarness> harness_;
};

TEST_P(LauncherConformanceTest, ATwelveJobSweepLandsEveryRunWithEveryPointAndRunsNothingTwice) {
  fs::path file = SweepFile("twelve",
                            "overrides: [tam.episodes=300]\n"
                            "axes:\n  seed: [0, 1, 2, 3, 4, 5]\n"
                            "variants:\n  off: [tam.memory.enabled=false]\n"
                            "  on: [tam.memory.enabled=true]\n");
  ProcessResult launched = harness_->Sweep({file.string()});
  ASSERT_EQ(launched.exit_code, 0) << launched.err;
  harness_->Settle("twelve");

  auto store = Read(harness_->store());
  std::vector<store::RunSummary> runs = store->ListRuns();
  ASSERT_EQ(runs.size(), 12u);
  std::map<std::string, int> per_variant;
  for (const auto& summary : runs) {
    EXPECT_EQ(summary.status, "completed") << summary.uuid << ": " << summary.error_text;
    EXPECT_EQ(summary.last_step, 300);
    ++per_variant[summary.variant];
    store::RunDetails run = store->GetRun(summary.run_id);
    EXPECT_FALSE(run.metrics.empty());
    for (const auto& metric : run.metrics) {
      if (metric.name.find('/') == std::string::npos) {
        EXPECT_EQ(metric.points, 300) << metric.name;
      }
    }
  }
  EXPECT_EQ(per_variant["off"], 6);
  EXPECT_EQ(per_variant["on"], 6);
  ProcessResult compared = RunOrch({"compare", "--sweep", "twelve", "--metric", "soft_bind",
                                    "--store", harness_->store().string()});
  EXPECT_EQ(compared.exit_code, 0) << compared.err;

  // launched again: every run is there already, so nothing starts and nothing is recorded
  ProcessResult again = harness_->Sweep({file.string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(Contains(again.err, "already completed")) << again.err;
  harness_->Settle("twelve");
  EXPECT_EQ(Read(harness_->store())->ListRuns().size(), 12u);
  EXPECT_EQ(StatusCounts(harness_->store())["completed"], 12);
}

TEST_P(LauncherConformanceTest, AFailedRunIsRecordedAloneAndTheResumedSweepFinishesIt) {
  fs::path file = SweepFile("failing",
                            "overrides: [tam.episodes=200]\n"
                            "axes:\n  seed: [0, 1, 2, 3]\n");
  // run #3 (job #2) fails in its worker; the others run normally
  fs::path worker = FailingWorker(dir_->path(), 3);
  harness_->Sweep({file.string()}, {"ORCH_WORKER=" + worker.string()});
  harness_->Settle("failing");

  auto store = Read(harness_->store());
  store::RunDetails failed = store->GetRun(3);
  EXPECT_EQ(failed.summary.status, "failed");
  EXPECT_TRUE(Contains(failed.summary.error_text, "injected failure")) << failed.summary.error_text;
  EXPECT_TRUE(Contains(failed.summary.error_text, "exit code 7")) << failed.summary.error_text;
  EXPECT_EQ(failed.summary.exit_code, 7);
  for (int64_t id : {1, 2, 4}) EXPECT_EQ(store->GetRun(id).summary.status, "completed") << id;
  store.reset();

  // resumed without the failure: the failed run continues, nothing else runs again
  ProcessResult resumed = harness_->Resume("failing");
  EXPECT_TRUE(Contains(resumed.err, "1 to resume")) << resumed.err;
  harness_->Settle("failing");
  EXPECT_EQ(Read(harness_->store())->ListRuns().size(), 4u);
  EXPECT_EQ(StatusCounts(harness_->store())["completed"], 4);
  EXPECT_EQ(Read(harness_->store())->GetRun(3).summary.attempt, 2);
}

TEST_P(LauncherConformanceTest, AStoppedRunContinuesFromItsCheckpointToTheSameMetrics) {
  const std::vector<std::string> job = {kTamConfig, "tam.episodes=1500", "tam.checkpoint_every=250",
                                        "seed=4"};
  // the uninterrupted reference, run alone in its own store
  const fs::path reference = dir_->path() / "reference.db";
  std::vector<std::string> alone = {"run"};
  alone.insert(alone.end(), job.begin(), job.end());
  alone.insert(alone.end(), {"--store", reference.string()});
  ASSERT_EQ(RunOrch(alone).exit_code, 0);

  // the sweep, stopped once its run is past a checkpoint: Ctrl-C locally, orch cancel on SLURM
  std::vector<std::string> args = job;
  args.insert(args.end(), {"--name", "stopped"});
  if (GetParam() == "slurm") {
    ASSERT_EQ(harness_->Sweep(args).exit_code, 0);
    ASSERT_FALSE(WaitForStep(harness_->store(), 400).empty());
    ProcessResult cancelled = RunOrch({"cancel", "stopped", "--store", harness_->store().string()});
    ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  } else {
    std::vector<std::string> command = {"sweep"};
    command.insert(command.end(), args.begin(), args.end());
    command.insert(command.end(), {"--jobs", "1", "--store", harness_->store().string()});
    BackgroundOrch front_end(command);
    ASSERT_FALSE(WaitForStep(harness_->store(), 400).empty());
    kill(front_end.pid(), SIGINT);
    EXPECT_EQ(front_end.Wait(), 130);
  }
  harness_->Settle("stopped");
  store::RunSummary stopped = Read(harness_->store())->ListRuns().front();
  EXPECT_EQ(stopped.status, "interrupted") << stopped.error_text;
  EXPECT_LT(stopped.last_step, 1500);

  harness_->Resume("stopped");
  harness_->Settle("stopped");
  auto store = Read(harness_->store());
  ASSERT_EQ(store->ListRuns().size(), 1u);
  store::RunDetails run = store->GetRun(store->ListRuns().front().run_id);
  EXPECT_EQ(run.summary.status, "completed");
  EXPECT_EQ(run.summary.attempt, 2);
  bool from_checkpoint = false;
  for (const auto& event : run.events) {
    from_checkpoint |= event.kind == "resumed" && event.detail != "from scratch";
  }
  EXPECT_TRUE(from_checkpoint) << "the run started over instead of continuing";
  EXPECT_EQ(DumpDifference(MetricDump(harness_->store()), MetricDump(reference)), "");
}

INSTANTIATE_TEST_SUITE_P(Launchers, LauncherConformanceTest, ::testing::Values("local", "slurm"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace orch::testing
