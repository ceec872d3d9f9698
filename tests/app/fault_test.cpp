// Tests what a fault-injection review of orch found (issue 9), end to end against the real
// binaries: two launchers of one sweep, a sweep launched again with other overrides, a disk that
// fills up as a run ends, Ctrl-C while a sweep records its runs and while a worker starts, sizes
// without bounds, hostile names, the follow-up commands orch prints, pruned checkpoints, and a
// damaged store. Each of these failed before its fix.
#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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
using orch::testing::Slurp;
using orch::testing::TempDir;
using orch::testing::WaitForProgress;

const std::string kTam = std::string(ORCH_SOURCE_DIR) + "/configs/tam/pendulum.yaml";

std::unique_ptr<store::ResultsStore> OpenStore(const fs::path& path) {
  return store::ResultsStore::Open(path, store::ResultsStore::Mode::kReadOnly);
}

std::map<std::string, int> StatusCounts(const fs::path& path) {
  std::map<std::string, int> counts;
  for (const auto& run : OpenStore(path)->ListRuns()) ++counts[run.status];
  return counts;
}

/// Polls `ready` every 5 ms for up to 60 s.
template <typename Fn>
bool WaitFor(Fn&& ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

/// The pid of a child of `parent` whose command name is `name`, or 0.
pid_t ChildNamed(pid_t parent, const std::string& name) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string stat = Slurp(entry.path() / "stat");
    // pid (comm) state ppid ...
    size_t open = stat.find('(');
    size_t close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && stat.substr(open + 1, close - open - 1) == name) {
      return static_cast<pid_t>(std::stol(stat.substr(0, open)));
    }
  }
  return 0;
}

/// Every file below `dir` whose name holds `.tmp.` (an atomic write that did not finish).
std::vector<std::string> Temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(dir, error)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

// Two `orch sweep` of one sweep file on one store: every run is started by one launcher only
// and ends completed, once (before: a second worker's refused start was recorded as the run's
// failure, and the real completion was then rejected).
TEST(FaultTest, TwoLaunchersOfOneSweepStartEveryRunOnce) {
  TempDir dir("fault-two-launchers");
  fs::path store = dir.path() / "orch.db";
  dir.Write("two.yaml", "name: two\nconfig: " + kTam +
                            "\noverrides: [tam.episodes=300]\n"
                            "axes:\n  seed: [0, 1, 2]\n"
                            "variants:\n  off: {tam.memory.enabled: false}\n"
                            "  on: {tam.memory.enabled: true}\nbaseline: off\n");
  const std::string file = (dir.path() / "two.yaml").string();
  BackgroundOrch first({"sweep", file, "--jobs", "2", "--store", store.string()},
                       dir.path() / "first.err");
  BackgroundOrch second({"sweep", file, "--jobs", "2", "--store", store.string()},
                        dir.path() / "second.err");
  const int first_exit = first.Wait();
  const int second_exit = second.Wait();
  EXPECT_EQ(first_exit, 0) << Slurp(dir.path() / "first.err");
  EXPECT_EQ(second_exit, 0) << Slurp(dir.path() / "second.err");

  EXPECT_EQ(StatusCounts(store), (std::map<std::string, int>{{"completed", 6}}))
      << Slurp(dir.path() / "first.err") << Slurp(dir.path() / "second.err");
  auto opened = OpenStore(store);
  EXPECT_TRUE(opened->IntegrityCheck());
  SQLite::Statement starts(opened->database(), R"sql(
    SELECT r.run_id, (SELECT COUNT(*) FROM run_event e WHERE e.run_id = r.run_id
                      AND e.kind = 'started'),
           (SELECT COUNT(*) FROM run_event e WHERE e.run_id = r.run_id AND e.kind = 'failed')
    FROM run r
  )sql");
  while (starts.executeStep()) {
    EXPECT_EQ(starts.getColumn(1).getInt64(), 1) << "run " << starts.getColumn(0).getInt64();
    EXPECT_EQ(starts.getColumn(2).getInt64(), 0) << "run " << starts.getColumn(0).getInt64();
  }
  for (const auto& run : opened->ListRuns()) {
    for (const auto& metric : opened->GetRun(run.run_id).metrics) {
      if (metric.name.find('/') == std::string::npos) {
        EXPECT_EQ(metric.points, 300) << metric.name;
      }
    }
  }
}

// A sweep launched again under its name with other overrides is refused, and the recorded sweep
// keeps its runs (before: the new definition replaced it and its membership rows were deleted).
TEST(FaultTest, ASweepLaunchedAgainWithOtherOverridesKeepsItsHistory) {
  TempDir dir("fault-sweep-history");
  fs::path store = dir.path() / "orch.db";
  auto first = RunOrch({"sweep", kTam, "tam.episodes=100", "seed=0,1", "--name", "history",
                        "--store", store.string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto other = RunOrch({"sweep", kTam, "tam.episodes=100", "seed=2,3", "--name", "history",
                        "--store", store.string()});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_TRUE(Contains(other.err, "sweep 'history' is already recorded")) << other.err;
  EXPECT_TRUE(Contains(other.err, "seed=0,1")) << other.err;
  EXPECT_TRUE(Contains(other.err, "seed=2,3")) << other.err;
  EXPECT_TRUE(Contains(other.err, "--name NEW_NAME")) << other.err;
  {
    auto opened = OpenStore(store);
    std::optional<store::SweepRecord> sweep = opened->FindSweep("history");
    ASSERT_TRUE(sweep.has_value());
    EXPECT_EQ(opened->SweepMembers(sweep->sweep_id).size(), 2u);
    EXPECT_EQ(opened->ListRuns().size(), 2u);  // nothing of the refused launch was recorded
  }
  // the same launch as recorded is the same sweep; a new name records a new one
  auto same = RunOrch({"sweep", kTam, "tam.episodes=100", "seed=0,1", "--name", "history",
                       "--store", store.string()});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  auto renamed = RunOrch({"sweep", kTam, "tam.episodes=100", "seed=2,3", "--name", "history-2",
                          "--store", store.string()});
  EXPECT_EQ(renamed.exit_code, 0) << renamed.err;
  EXPECT_EQ(CountRuns(store), 4);
}

// The disk fills up as a run writes its final checkpoint (an LD_PRELOAD shim fails every write
// below the store's directory while a flag file exists). The store stays readable, the cause is
// recorded once there is space again, no temporary file is left, and the run resumes. Before:
// the run stayed `running`, the cause was lost, `orch ls` failed, and temporaries stayed.
TEST(FaultTest, ADiskThatFillsUpAsARunEndsLosesNothing) {
  TempDir dir("fault-disk-full");
  fs::path store = dir.path() / "orch.db";
  fs::path flag = dir.path() / "disk-is-full";
  const std::vector<std::string> full_disk = {std::string("LD_PRELOAD=") + ORCH_DISK_FULL_SHIM,
                                              "ORCH_FAULT_FULL_DIR=" + dir.path().string(),
                                              "ORCH_FAULT_FULL_FLAG=" + flag.string(),
                                              "ORCH_FAULT_FULL_TRIGGER=tam-00000300.ckpt"};
  fs::path err = dir.path() / "../fault-disk-full.err";
  BackgroundOrch front_end(
      {"run", kTam, "tam.episodes=300", "tam.checkpoint_every=100", "--store", store.string()}, err,
      full_disk);
  // the final checkpoint fills the disk; the front end waits for space to record the ending
  ASSERT_TRUE(WaitFor([&] { return Contains(Slurp(err), "waits to be recorded"); })) << Slurp(err);
  ASSERT_TRUE(fs::exists(flag));

  // reads work on the full disk, also when they find a stale run they cannot mark
  auto listed = RunOrch({"ls", "--store", store.string()}, ORCH_SOURCE_DIR, full_disk);
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.out, "running")) << listed.out;
  {
    SQLite::Database db(store.string(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE run SET heartbeat_at_ms = 0");
  }
  listed = RunOrch({"ls", "--store", store.string()}, ORCH_SOURCE_DIR, full_disk);
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.err, "stale runs stay marked running")) << listed.err;
  auto shown = RunOrch({"show", "1", "--store", store.string()}, ORCH_SOURCE_DIR, full_disk);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  auto exported = RunOrch({"export", "1", "--format", "csv", "--store", store.string()},
                          ORCH_SOURCE_DIR, full_disk);
  EXPECT_EQ(exported.exit_code, 0) << exported.err;

  // space again: the ending is recorded with its cause
  fs::remove(flag);
  EXPECT_EQ(front_end.Wait(), 1) << Slurp(err);
  store::RunDetails run = OpenStore(store)->GetRun(1);
  EXPECT_EQ(run.summary.status, "failed");
  EXPECT_TRUE(Contains(run.summary.error_text, "tam-00000300.ckpt")) << run.summary.error_text;
  EXPECT_TRUE(Contains(run.summary.error_text, "No space left on device"))
      << run.summary.error_text;
  EXPECT_EQ(Temporaries(dir.path()), std::vector<std::string>{});

  // and it resumes from its last intact checkpoint to the end
  auto resumed = RunOrch({"run", "--resume", "1", "--store", store.string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(OpenStore(store)->GetRun(1).summary.status, "completed");
  EXPECT_EQ(Temporaries(dir.path()), std::vector<std::string>{});
  EXPECT_TRUE(OpenStore(store)->IntegrityCheck());
  fs::remove(err);
}

// A failed write never leaves a run folder behind: a full disk as `orch run` records the run.
TEST(FaultTest, ARunThatCannotBeRecordedLeavesNoFolder) {
  TempDir dir("fault-no-folder");
  fs::path store = dir.path() / "orch.db";
  ASSERT_EQ(RunOrch({"run", kTam, "tam.episodes=20", "--store", store.string()}).exit_code, 0);
  // the disk fills up as the new run's config.yaml is written
  fs::path flag = dir.path() / "disk-is-full";
  const std::vector<std::string> full_disk = {std::string("LD_PRELOAD=") + ORCH_DISK_FULL_SHIM,
                                              "ORCH_FAULT_FULL_DIR=" + dir.path().string(),
                                              "ORCH_FAULT_FULL_FLAG=" + flag.string(),
                                              "ORCH_FAULT_FULL_TRIGGER=config.yaml"};
  auto refused = RunOrch({"run", kTam, "tam.episodes=20", "seed=1", "--store", store.string()},
                         ORCH_SOURCE_DIR, full_disk);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(Contains(refused.err, "No space left on device")) << refused.err;
  size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "runs")) {
    folders += entry.is_directory();
  }
  EXPECT_EQ(folders, 1u);
  EXPECT_EQ(CountRuns(store), 1);
  // with no connection open, SQLite cannot set up its shared memory on the full disk: orch ls
  // reads the file alone, and says so
  ASSERT_TRUE(fs::exists(flag));
  auto listed = RunOrch({"ls", "--store", store.string()}, ORCH_SOURCE_DIR, full_disk);
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.err, "without its write-ahead log")) << listed.err;
  EXPECT_TRUE(Contains(listed.out, "completed")) << listed.out;
}

// Ctrl-C while a large sweep is still recording its runs: orch says so, exits 130, and the runs
// recorded so far are set aside rather than left queued (before: orch died without a word and
// the queued runs blocked `orch run` of the same config).
TEST(FaultTest, CtrlCWhileASweepRecordsItsRunsSetsThemAside) {
  TempDir dir("fault-record-stop");
  fs::path store = dir.path() / "orch.db";
  fs::path err = dir.path() / "sweep.err";
  BackgroundOrch front_end({"sweep", kTam, "tam.episodes=10", "seed=range(3000)", "--jobs", "1",
                            "--name", "big", "--store", store.string()},
                           err);
  ASSERT_TRUE(WaitFor([&] {
    try {
      return fs::exists(store) && CountRuns(store) >= 3;
    } catch (const store::StoreError&) {
      return false;
    }
  }));
  ASSERT_EQ(kill(front_end.pid(), SIGINT), 0);
  EXPECT_EQ(front_end.Wait(), 130) << Slurp(err);
  EXPECT_TRUE(Contains(Slurp(err), "stopped while recording its runs")) << Slurp(err);
  EXPECT_TRUE(Contains(Slurp(err), "orch sweep --resume big")) << Slurp(err);
  std::map<std::string, int> counts = StatusCounts(store);
  EXPECT_EQ(counts["queued"], 0);
  EXPECT_EQ(counts["running"], 0);
  EXPECT_GT(counts["interrupted"], 0);
  // the same config as one of them runs on its own
  auto alone = RunOrch({"run", kTam, "tam.episodes=10", "seed=0", "--store", store.string()});
  EXPECT_EQ(alone.exit_code, 0) << alone.err;
}

// Ctrl-C that reaches a worker while it is still loading its libraries ends the run as
// interrupted and the sweep with 130 (before: the worker died of SIGINT, the run was recorded
// as failed, and the sweep exited 1).
TEST(FaultTest, CtrlCReachingAStartingWorkerIsAnInterruption) {
  TempDir dir("fault-early-stop");
  fs::path store = dir.path() / "orch.db";
  fs::path err = dir.path() / "sweep.err";
  BackgroundOrch front_end({"sweep", kTam, "tam.episodes=2000", "seed=0", "--jobs", "1", "--name",
                            "early", "--store", store.string()},
                           err);
  // the worker process exists and is still loading its libraries (about 0.5 s)
  ASSERT_TRUE(WaitFor([&] { return ChildNamed(front_end.pid(), "orch-worker") > 0; }));
  ASSERT_EQ(kill(front_end.pid(), SIGINT), 0);
  EXPECT_EQ(front_end.Wait(), 130) << Slurp(err);
  store::RunDetails run = OpenStore(store)->GetRun(1);
  EXPECT_EQ(run.summary.status, "interrupted") << run.summary.error_text;
  EXPECT_FALSE(Contains(run.summary.error_text, "signal")) << run.summary.error_text;
  // and it continues
  auto resumed = RunOrch({"sweep", "--resume", "early", "--store", store.string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(OpenStore(store)->GetRun(1).summary.status, "completed");
}

// Values that size memory have upper bounds and name their key; a sweep too large to plan is
// refused before it is built (before: 11.9 GB and no Ctrl-C for tam.max_horizon=1e9, a bare
// std::bad_alloc for tam.memory.size=1e12, a 3,884-character LibTorch trace for
// tam.hidden_dim=1e8, and bad_alloc for a 1M-job plan).
TEST(FaultTest, SizesWithoutBoundsAreRefusedWithTheirKey) {
  TempDir dir("fault-sizes");
  fs::path store = dir.path() / "orch.db";
  struct Case {
    std::string override_text;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"tam.max_horizon=1000000000", "tam.max_horizon: expected int in [1, 100000]"},
           {"tam.memory.size=1000000000000", "tam.memory.size: expected int in [1, 10000000]"},
           {"tam.hidden_dim=100000000", "tam.hidden_dim: expected int in [1, 16384]"}}) {
    auto result = RunOrch({"run", kTam, c.override_text, "--store", store.string()});
    EXPECT_EQ(result.exit_code, 2) << c.override_text;
    EXPECT_TRUE(Contains(result.err, c.expected)) << result.err;
  }
  auto started = std::chrono::steady_clock::now();
  auto plan = RunOrch({"plan", kTam, "seed=range(1000)", "tam.lr=range(0.001,1.001,0.001)"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_TRUE(Contains(plan.err,
                       "the sweep expands to more than 100000 jobs (seed[1000] x "
                       "tam.lr[1000]); orch plans at most 100000 at once"))
      << plan.err;
  EXPECT_LT(seconds, 10.0);  // refused before the jobs are built (a bound, not a timing)
  EXPECT_FALSE(fs::exists(store));
}

// Names reach terminals and stand for runs: control characters, digits only and empty names
// are refused; a name two runs share names neither; a new store is announced.
TEST(FaultTest, NamesThatWouldMisleadAreRefused) {
  TempDir dir("fault-names");
  fs::path store = dir.path() / "sub" / "dir" / "orch.db";
  for (const std::string& name : {std::string("evil\x1b[31mred"), std::string("1"), std::string(""),
                                  std::string("tab\there")}) {
    auto result =
        RunOrch({"run", kTam, "tam.episodes=20", "--name", name, "--store", store.string()});
    EXPECT_EQ(result.exit_code, 2) << name;
    EXPECT_FALSE(Contains(result.err, "\x1b")) << result.err;
  }
  auto in_config =
      RunOrch({"run", kTam, "tam.episodes=20", "run.name='7'", "--store", store.string()});
  EXPECT_EQ(in_config.exit_code, 2);
  EXPECT_TRUE(Contains(in_config.err, "run.name: a name of digits only")) << in_config.err;
  EXPECT_FALSE(fs::exists(store));

  auto first =
      RunOrch({"run", kTam, "tam.episodes=20", "--name", "twin", "--store", store.string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(Contains(first.err, "new results store " + store.string() + " (and its directory " +
                                      store.parent_path().string()))
      << first.err;
  auto second = RunOrch(
      {"run", kTam, "tam.episodes=20", "seed=1", "--name", "twin", "--store", store.string()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_FALSE(Contains(second.err, "new results store")) << second.err;
  auto ambiguous = RunOrch({"show", "twin", "--store", store.string()});
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_TRUE(Contains(ambiguous.err, "ambiguous")) << ambiguous.err;
  EXPECT_TRUE(Contains(ambiguous.err, "(#1,")) << ambiguous.err;
  EXPECT_TRUE(Contains(ambiguous.err, "(#2,")) << ambiguous.err;
}

// The commands orch prints to continue or inspect a run keep --store and are quoted, so they
// paste into a shell even when the path has a space.
TEST(FaultTest, PrintedFollowUpCommandsPasteIntoAShell) {
  TempDir dir("fault-follow-up");
  fs::path store = dir.path() / "my results" / "orch.db";
  fs::path err = dir.path() / "run.err";
  BackgroundOrch front_end(
      {"run", kTam, "tam.episodes=3000", "tam.checkpoint_every=500", "--store", store.string()},
      err);
  WaitForProgress(store, 600);
  ASSERT_EQ(kill(front_end.pid(), SIGINT), 0);
  EXPECT_EQ(front_end.Wait(), 130);
  const std::string printed = Slurp(err);
  const std::string quoted_store = "'" + store.string() + "'";
  EXPECT_TRUE(Contains(printed, "--store " + quoted_store)) << printed;
  const std::string marker = "continue it with: ";
  size_t at = printed.find(marker);
  ASSERT_NE(at, std::string::npos) << printed;
  std::string command = printed.substr(at + marker.size());
  command = command.substr(0, command.find('\n'));
  ASSERT_EQ(command.rfind("orch run --resume ", 0), 0u) << command;
  // the pasted command, with orch at its build path
  command = std::string(ORCH_BUILD_DIR) + "/src/app/" + command + " > /dev/null 2>&1";
  EXPECT_EQ(std::system(("cd " + std::string(ORCH_SOURCE_DIR) + " && " + command).c_str()), 0)
      << command;
  EXPECT_EQ(OpenStore(store)->GetRun(1).summary.status, "completed");
}

// run.keep_checkpoints prunes old checkpoints, and `orch show` lists only those that remain
// (before: the pruned ones were still listed, and a resume could pick a file that is gone).
TEST(FaultTest, PrunedCheckpointsAreNotListed) {
  TempDir dir("fault-prune");
  fs::path store = dir.path() / "orch.db";
  auto result = RunOrch({"run", kTam, "tam.episodes=500", "tam.checkpoint_every=100",
                         "run.keep_checkpoints=2", "--store", store.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  store::RunDetails run = OpenStore(store)->GetRun(1);
  ASSERT_EQ(run.checkpoints.size(), 2u);
  EXPECT_EQ(run.checkpoints[0].step, 400);
  EXPECT_EQ(run.checkpoints[1].step, 500);
  for (const auto& checkpoint : run.checkpoints) {
    EXPECT_TRUE(fs::exists(store.parent_path() / checkpoint.path)) << checkpoint.path;
  }
  size_t files = 0;
  for (const auto& entry :
       fs::directory_iterator(store.parent_path() / run.run_dir / "checkpoints")) {
    files += entry.is_regular_file();
  }
  EXPECT_EQ(files, 2u);
}

// A damaged store: `orch ls` warns, as `orch show` refuses, and `orch run` leaves no folder.
TEST(FaultTest, ADamagedStoreIsSaidSoAndLeavesNoRunFolder) {
  TempDir dir("fault-damaged");
  fs::path store = dir.path() / "orch.db";
  ASSERT_EQ(RunOrch({"run", kTam, "tam.episodes=20", "--store", store.string()}).exit_code, 0);
  int64_t page = 0;
  int64_t page_size = 0;
  {
    SQLite::Database db(store.string(), SQLite::OPEN_READONLY);
    page = db.execAndGet("SELECT pageno FROM dbstat WHERE name = 'run_param' LIMIT 1").getInt64();
    page_size = db.execAndGet("PRAGMA page_size").getInt64();
  }
  {
    // the whole page, its header included: any read or write of the table meets the damage
    std::fstream file(store, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp((page - 1) * page_size);
    std::string garbage(static_cast<size_t>(page_size), '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto listed = RunOrch({"ls", "--store", store.string()});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.err, "is damaged")) << listed.err;
  EXPECT_TRUE(Contains(listed.err, ".recover")) << listed.err;

  auto refused = RunOrch({"run", kTam, "tam.episodes=20", "seed=1", "--store", store.string()});
  EXPECT_NE(refused.exit_code, 0);
  size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "runs"))
    folders += entry.is_directory();
  EXPECT_EQ(folders, 1u) << refused.err;
}

}  // namespace
}  // namespace orch::app
