// Tests src/app/command_sweep.cpp and src/sweep/local_launcher.cpp end to end: sweeps of short
// TAM runs in parallel worker processes, recorded in a temporary store; a worker killed
// mid-sweep, Ctrl-C, the failure policies, re-launching, and sweep-file errors.
#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

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
using orch::testing::Slurp;
using orch::testing::TempDir;
using orch::testing::WaitForProgress;

const std::string kTam = std::string(ORCH_SOURCE_DIR) + "/configs/tam/pendulum.yaml";

/// A sweep file over the TAM pendulum: `body` is appended after the name and config.
std::string SweepFile(const std::string& name, const std::string& body) {
  return "name: " + name + "\nconfig: " + kTam + "\n" + body;
}

std::unique_ptr<store::ResultsStore> OpenStore(const fs::path& path) {
  return store::ResultsStore::Open(path, store::ResultsStore::Mode::kReadOnly);
}

/// Every run of the store, by status ("completed" -> 3, ...).
std::map<std::string, int> StatusCounts(const fs::path& path) {
  std::map<std::string, int> counts;
  for (const auto& run : OpenStore(path)->ListRuns()) ++counts[run.status];
  return counts;
}

int64_t MetricRows(const fs::path& path) {
  auto store = OpenStore(path);
  SQLite::Statement query(store->database(), "SELECT COUNT(*) FROM metric");
  query.executeStep();
  return query.getColumn(0).getInt64();
}

/// Every per-episode metric has one point per episode (`acceptance/...` and `system/...`
/// are one-point summaries).
void ExpectEveryEpisode(const store::RunDetails& run, int64_t episodes) {
  EXPECT_FALSE(run.metrics.empty());
  for (const auto& metric : run.metrics) {
    if (metric.name.find('/') == std::string::npos) {
      EXPECT_EQ(metric.points, episodes) << metric.name;
    }
  }
}

TEST(SweepTest, SweepFileErrorsExit2AndWriteNothing) {
  TempDir dir("sweep-errors");
  fs::path store = dir.path() / "orch.db";
  dir.Write("typo.yaml", SweepFile("typo", "axis:\n  seed: [0, 1]\n"));
  auto typo = RunOrch({"sweep", (dir.path() / "typo.yaml").string(), "--store", store.string()});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_TRUE(Contains(typo.err, "typo.yaml:3:1")) << typo.err;
  EXPECT_TRUE(Contains(typo.err, "'axes'")) << typo.err;

  // a variant's bad value is found when the job is composed, before anything runs
  dir.Write("bad.yaml", SweepFile("bad",
                                  "variants:\n  ok: {tam.lr: 0.001}\n"
                                  "  broken: {tam.lr: fast}\n"));
  auto bad = RunOrch({"sweep", (dir.path() / "bad.yaml").string(), "--store", store.string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Contains(bad.err, "tam.lr: expected float, got string 'fast'")) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "in job #1 broken")) << bad.err;

  // a sweep on the command line with an unknown key
  auto unknown = RunOrch({"sweep", kTam, "seed=0,1", "tam.lrr=0.1", "--store", store.string()});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(Contains(unknown.err, "tam.lrr")) << unknown.err;
  EXPECT_TRUE(Contains(unknown.err, "tam.lr")) << unknown.err;  // the suggestion

  EXPECT_FALSE(fs::exists(store));  // nothing written, not even the file
  auto jobs = RunOrch({"sweep", kTam, "seed=0,1", "--jobs", "0", "--store", store.string()});
  EXPECT_EQ(jobs.exit_code, 2);
  auto policy =
      RunOrch({"sweep", kTam, "seed=0,1", "--on-failure", "retry", "--store", store.string()});
  EXPECT_EQ(policy.exit_code, 2);
  EXPECT_TRUE(Contains(policy.err, "retry:N")) << policy.err;
  EXPECT_FALSE(fs::exists(store));
}

// Four workers write to one store at once; every point of every run arrives, each run equals
// the same run alone, and launching the finished sweep again starts nothing.
TEST(SweepTest, FourWorkersAtOnceRecordEverythingAndMatchRunsAlone) {
  TempDir dir("sweep-parallel");
  fs::path store = dir.path() / "orch.db";
  dir.Write("mem.yaml", SweepFile("mem",
                                  "overrides: [tam.episodes=300]\n"
                                  "axes:\n  seed: [0, 1]\n"
                                  "variants:\n  off: {tam.memory.enabled: false}\n"
                                  "  on: {tam.memory.enabled: true}\n"
                                  "baseline: off\n"));
  const std::string file = (dir.path() / "mem.yaml").string();
  auto sweep = RunOrch({"sweep", file, "--jobs", "4", "--store", store.string()});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  EXPECT_TRUE(Contains(sweep.err, "4 jobs: 4 to start")) << sweep.err;
  EXPECT_TRUE(Contains(sweep.err, "4 completed now, 0 already completed, 0 failed")) << sweep.err;
  EXPECT_EQ(StatusCounts(store), (std::map<std::string, int>{{"completed", 4}}));
  {
    auto opened = OpenStore(store);
    EXPECT_TRUE(opened->IntegrityCheck());
    auto sweep_record = opened->FindSweep("mem");
    ASSERT_TRUE(sweep_record.has_value());
    EXPECT_EQ(opened->SweepMembers(sweep_record->sweep_id).size(), 4u);
    int64_t points = 0;
    for (const auto& run : opened->ListRuns()) {
      EXPECT_EQ(opened->GetRun(run.run_id).thread_budget, 1);
      store::RunDetails details = opened->GetRun(run.run_id);
      ExpectEveryEpisode(details, 300);
      for (const auto& metric : details.metrics) points += metric.points;
    }
    EXPECT_EQ(MetricRows(store), points);
    EXPECT_GE(points, 4 * 300 * 18);
  }
  auto ls = RunOrch({"ls", "--sweep", "mem", "--store", store.string()});
  EXPECT_EQ(ls.exit_code, 0);
  EXPECT_EQ(std::count(ls.out.begin(), ls.out.end(), '\n'), 5) << ls.out;  // header + 4

  // the same run alone, in another store, gives the same metrics as inside the sweep
  fs::path alone = dir.path() / "alone" / "orch.db";
  ASSERT_EQ(RunOrch({"run", kTam, "tam.episodes=300", "seed=1", "tam.memory.enabled=true",
                     "--store", alone.string()})
                .exit_code,
            0);
  std::string in_sweep;
  {
    auto opened = OpenStore(store);
    for (const auto& member : opened->SweepMembers(opened->FindSweep("mem")->sweep_id)) {
      store::RunDetails run = opened->GetRun(member.run_id);
      if (member.variant == "on" && run.summary.seed == 1) in_sweep = std::to_string(member.run_id);
    }
  }
  ASSERT_FALSE(in_sweep.empty());
  EXPECT_EQ(Series(store, in_sweep), Series(alone, "1"));

  // launched again (by file or by name): nothing to start, nothing added
  auto again = RunOrch({"sweep", file, "--jobs", "4", "--store", store.string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(Contains(again.err, "all 4 runs already completed; nothing to start")) << again.err;
  auto by_name = RunOrch({"sweep", "--resume", "mem", "--store", store.string()});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_TRUE(Contains(by_name.err, "nothing to start")) << by_name.err;
  EXPECT_EQ(CountRuns(store), 4);
}

// SIGKILL of one worker mid-sweep: that run is failed with the reason, the others complete
// with every point, and the resumed sweep finishes it with the metrics of an unbroken run.
TEST(SweepTest, KilledWorkerFailsAloneAndTheSweepResumes) {
  TempDir dir("sweep-kill");
  fs::path store = dir.path() / "orch.db";
  fs::path err = dir.path() / "sweep.err";
  const std::vector<std::string> common = {"tam.episodes=1500", "tam.checkpoint_every=250"};
  BackgroundOrch front_end({"sweep", kTam, common[0], common[1], "seed=0,1,2", "--jobs", "2",
                            "--name", "kill", "--store", store.string()},
                           err);
  store::RunDetails victim = WaitForProgress(store, 500);
  ASSERT_TRUE(victim.pid.has_value());
  ASSERT_EQ(kill(static_cast<pid_t>(*victim.pid), SIGKILL), 0);
  EXPECT_EQ(front_end.Wait(), 1) << Slurp(err);
  std::string summary = Slurp(err);
  EXPECT_TRUE(Contains(summary, "2 completed now, 0 already completed, 1 failed")) << summary;
  EXPECT_TRUE(Contains(summary, "killed by signal 9 (SIGKILL)")) << summary;
  EXPECT_TRUE(Contains(summary, "orch sweep --resume kill")) << summary;
  EXPECT_TRUE(Contains(summary, "run it alone: orch run " + kTam +
                                    " tam.episodes=1500 "
                                    "tam.checkpoint_every=250 seed=" +
                                    std::to_string(victim.summary.seed) + " --store " +
                                    store.string() + " --rerun"))
      << summary;
  {
    auto opened = OpenStore(store);
    EXPECT_TRUE(opened->IntegrityCheck());
    for (const auto& run : opened->ListRuns()) {
      store::RunDetails details = opened->GetRun(run.run_id);
      if (run.run_id == victim.summary.run_id) {
        EXPECT_EQ(run.status, "failed");
        EXPECT_TRUE(Contains(run.error_text, "SIGKILL")) << run.error_text;
      } else {
        EXPECT_EQ(run.status, "completed");
        ExpectEveryEpisode(details, 1500);
      }
    }
  }
  auto resumed = RunOrch({"sweep", "--resume", "kill", "--store", store.string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "0 to start, 1 to resume, 2 already completed")) << resumed.err;
  EXPECT_EQ(StatusCounts(store), (std::map<std::string, int>{{"completed", 3}}));
  EXPECT_EQ(OpenStore(store)->GetRun(victim.summary.run_id).summary.attempt, 2);

  fs::path reference = dir.path() / "reference" / "orch.db";
  ASSERT_EQ(RunOrch({"run", kTam, common[0], common[1],
                     "seed=" + std::to_string(victim.summary.seed), "--store", reference.string()})
                .exit_code,
            0);
  EXPECT_EQ(Series(store, std::to_string(victim.summary.run_id)), Series(reference, "1"));
}

TEST(SweepTest, OnFailureStopStartsNothingMore) {
  TempDir dir("sweep-stop");
  fs::path store = dir.path() / "orch.db";
  fs::path err = dir.path() / "sweep.err";
  BackgroundOrch front_end({"sweep", kTam, "tam.episodes=1500", "seed=0,1,2", "--jobs", "1",
                            "--on-failure", "stop", "--name", "stop", "--store", store.string()},
                           err);
  store::RunDetails victim = WaitForProgress(store, 200);
  ASSERT_TRUE(victim.pid.has_value());
  ASSERT_EQ(kill(static_cast<pid_t>(*victim.pid), SIGKILL), 0);
  EXPECT_EQ(front_end.Wait(), 1);
  std::string summary = Slurp(err);
  EXPECT_TRUE(Contains(summary,
                       "0 completed now, 0 already completed, 1 failed, 0 interrupted, "
                       "2 not started"))
      << summary;
  auto counts = StatusCounts(store);
  EXPECT_EQ(counts["failed"], 1);
  EXPECT_EQ(counts["completed"], 0);
  EXPECT_EQ(counts["running"], 0);
}

TEST(SweepTest, RetryRunsAKilledRunAgainFromItsCheckpoint) {
  TempDir dir("sweep-retry");
  fs::path store = dir.path() / "orch.db";
  fs::path err = dir.path() / "sweep.err";
  BackgroundOrch front_end(
      {"sweep", kTam, "tam.episodes=1500", "tam.checkpoint_every=250", "seed=0,1", "--jobs", "1",
       "--on-failure", "retry:1", "--name", "retry", "--store", store.string()},
      err);
  store::RunDetails victim = WaitForProgress(store, 500);
  ASSERT_TRUE(victim.pid.has_value());
  ASSERT_EQ(kill(static_cast<pid_t>(*victim.pid), SIGKILL), 0);
  EXPECT_EQ(front_end.Wait(), 0) << Slurp(err);
  EXPECT_EQ(StatusCounts(store), (std::map<std::string, int>{{"completed", 2}}));
  store::RunDetails retried = OpenStore(store)->GetRun(victim.summary.run_id);
  EXPECT_EQ(retried.summary.attempt, 2);
  ExpectEveryEpisode(retried, 1500);
}

TEST(SweepTest, CtrlCInterruptsWith130AndResumeFinishes) {
  TempDir dir("sweep-interrupt");
  fs::path store = dir.path() / "orch.db";
  fs::path err = dir.path() / "sweep.err";
  BackgroundOrch front_end(
      {"sweep", kTam, "tam.episodes=2000", "tam.checkpoint_every=1000", "seed=0,1,2", "--jobs", "2",
       "--name", "stop-me", "--store", store.string()},
      err);
  WaitForProgress(store, 300);
  ASSERT_EQ(kill(front_end.pid(), SIGINT), 0);
  EXPECT_EQ(front_end.Wait(), 130) << Slurp(err);
  auto counts = StatusCounts(store);
  EXPECT_GE(counts["interrupted"], 1) << Slurp(err);
  EXPECT_EQ(counts["running"], 0);
  EXPECT_EQ(counts["failed"], 0);
  EXPECT_TRUE(Contains(Slurp(err), "orch sweep --resume stop-me")) << Slurp(err);
  auto resumed = RunOrch({"sweep", "--resume", "stop-me", "--store", store.string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(StatusCounts(store), (std::map<std::string, int>{{"completed", 3}}));
}

}  // namespace
}  // namespace orch::app

namespace orch::app {
namespace {

TEST(SweepCompareTest, ACommandLineSweepComparesItsAxisAndPlotsTheRliableFigures) {
  TempDir dir("sweep-wmem");
  const std::string store = (dir.path() / "orch.db").string();
  auto swept = RunOrch({"sweep", kTam, "seed=0,1", "tam.memory.w_mem=0,0.02", "tam.episodes=120",
                        "--name", "wmem", "--jobs", "2", "--store", store});
  ASSERT_EQ(swept.exit_code, 0) << swept.err;
  auto compared = RunOrch({"compare", "--sweep", "wmem", "--metric", "soft_bind", "--store", store,
                           "--plot", (dir.path() / "plots").string()});
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_TRUE(Contains(compared.out, "baseline tam.memory.w_mem=0; 4 runs compared, 0 excluded"))
      << compared.out;
  EXPECT_TRUE(Contains(compared.out, "tam.memory.w_mem=0.02  2")) << compared.out;
  EXPECT_FALSE(Contains(compared.out, "superseded")) << compared.out;
  for (const char* file : {"compare_soft_bind.png", "profile_soft_bind.png",
                           "intervals_soft_bind.png", "compare_soft_bind.json"}) {
    EXPECT_TRUE(fs::exists(dir.path() / "plots" / file)) << file << "\n" << compared.err;
  }
  // a second sweep with another seed: both together are one study of three seeds an arm
  auto more = RunOrch({"sweep", kTam, "seed=2", "tam.memory.w_mem=0,0.02", "tam.episodes=120",
                       "--name", "wmem-more", "--jobs", "2", "--store", store});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  auto both = RunOrch({"compare", "--sweep", "wmem,wmem-more", "--metric", "soft_bind", "--store",
                       store, "--plot", (dir.path() / "both").string()});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  EXPECT_TRUE(Contains(both.out, "sweeps 'wmem,wmem-more'")) << both.out;
  EXPECT_TRUE(Contains(both.out, "6 runs compared, 0 excluded")) << both.out;
  EXPECT_TRUE(Contains(both.out, "tam.memory.w_mem=0.02  3")) << both.out;
  EXPECT_TRUE(fs::exists(dir.path() / "both" / "compare_soft_bind.png")) << both.err;
}

}  // namespace
}  // namespace orch::app
