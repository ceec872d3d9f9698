// Tests src/sweep/slurm/ against the local cluster: the SLURM launcher's runs equal the local
// launcher's bit for bit, a requeued task continues from its checkpoint, a killed task is recorded
// with how SLURM ended it, a crashed slurmd loses nothing, TD-MPC2 runs through it too, and its
// files say what was submitted.
#include <SQLiteCpp/Database.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "../app/orch_process.h"
#include "launcher_harness.h"
#include "local_cluster.h"
#include "store/results_store.h"

namespace orch::testing {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<store::ResultsStore> Read(const fs::path& path) {
  return store::ResultsStore::Open(path, store::ResultsStore::Mode::kReadOnly);
}

/// `orch compare --sweep NAME` up to its overhead table, whose times are wall-clock timings
/// that differ from any run to the next.
std::string CompareText(const fs::path& store, const std::string& sweep) {
  ProcessResult compared =
      RunOrch({"compare", "--sweep", sweep, "--metric", "soft_bind", "--store", store.string()});
  EXPECT_EQ(compared.exit_code, 0) << compared.err;
  std::string text = compared.out.substr(0, compared.out.find("\noverhead"));
  EXPECT_TRUE(Contains(text, "rel AUC")) << compared.out;
  for (size_t at = text.find(store.string()); at != std::string::npos;
       at = text.find(store.string())) {
    text.replace(at, store.string().size(), "STORE");
  }
  return text;
}

/// The SLURM id of the sweep's first array task, from its submissions file.
std::string FirstTaskId(const fs::path& store, const std::string& sweep) {
  std::string text = Slurp(store.parent_path() / "sweeps" / sweep / "submissions.tsv");
  return text.substr(text.find('\t') + 1,
                     text.find('\t', text.find('\t') + 1) - text.find('\t') - 1) +
         "_0";
}

/// A requeued job waits about two minutes before it is eligible again (BeginTime): makes the
/// task eligible sooner. Not at once: slurmd refuses to launch a job it killed a moment ago
/// ("already killed, do not launch"), which ends the task; 5 s after the requeue is safe.
/// False when the task never became pending.
bool ReleaseRequeued(const std::string& task) {
  LocalCluster& cluster = LocalCluster::Get();
  const std::string array = task.substr(0, task.find('_'));
  for (int i = 0; i < 300; ++i) {
    if (Contains(cluster.Shell("squeue -h -r -o '%T %r' -j " + array), "BeginTime")) {
      std::this_thread::sleep_for(std::chrono::seconds(5));
      cluster.Shell("scontrol update jobid=" + task + " StartTime=now");
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(SlurmLauncherTest, MetricsAndTheComparisonEqualTheLocalLaunchersBitForBit) {
  REQUIRE_LOCAL_SLURM();
  TempDir dir("slurm-equal");
  dir.Write("equal.yaml", "name: equal\nconfig: " + kTamConfig +
                              "\noverrides: [tam.episodes=400]\n"
                              "axes:\n  seed: [0, 1, 2, 3, 4, 5]\n"
                              "variants:\n  off: [tam.memory.enabled=false]\n"
                              "  on: [tam.memory.enabled=true, tam.memory.w_mem=0.05]\n");
  const fs::path file = dir.path() / "equal.yaml";
  fs::create_directories(dir.path() / "local");
  fs::create_directories(dir.path() / "slurm");
  LauncherHarness local("local", dir.path() / "local");
  LauncherHarness slurm("slurm", dir.path() / "slurm");
  ASSERT_EQ(local.Sweep({file.string()}).exit_code, 0);
  ProcessResult submitted = slurm.Sweep({file.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  slurm.Settle("equal");

  EXPECT_EQ(Read(slurm.store())->ListRuns().size(), 12u);
  const std::string dump = MetricDump(slurm.store());
  EXPECT_GT(std::count(dump.begin(), dump.end(), '\n'), 12 * 400);
  EXPECT_EQ(DumpDifference(dump, MetricDump(local.store())), "");
  EXPECT_EQ(CompareText(slurm.store(), "equal"), CompareText(local.store(), "equal"));
  // the main store is sound, and a second collect changes nothing
  EXPECT_EQ(Read(slurm.store())->database().execAndGet("PRAGMA integrity_check").getString(), "ok");
  ProcessResult again = RunOrch({"collect", "equal", "--store", slurm.store().string()});
  EXPECT_TRUE(Contains(again.err, "0 run(s) merged, 12 unchanged")) << again.err;
  EXPECT_EQ(DumpDifference(MetricDump(slurm.store()), dump), "");
}

TEST(SlurmLauncherTest, ARequeuedTaskContinuesFromItsCheckpoint) {
  REQUIRE_LOCAL_SLURM();
  TempDir dir("slurm-requeue");
  const std::vector<std::string> job = {kTamConfig, "tam.episodes=2000", "tam.checkpoint_every=250",
                                        "seed=5"};
  std::vector<std::string> alone = {"run"};
  alone.insert(alone.end(), job.begin(), job.end());
  alone.insert(alone.end(), {"--store", (dir.path() / "reference.db").string()});
  ASSERT_EQ(RunOrch(alone).exit_code, 0);

  LauncherHarness slurm("slurm", dir.path());
  std::vector<std::string> args = job;
  args.insert(args.end(), {"--name", "requeued"});
  ASSERT_EQ(slurm.Sweep(args).exit_code, 0);
  ASSERT_FALSE(WaitForStep(slurm.store(), 600).empty());
  const std::string task = FirstTaskId(slurm.store(), "requeued");
  LocalCluster::Get().Shell("scontrol requeue " + task);
  ASSERT_TRUE(ReleaseRequeued(task));
  slurm.Settle("requeued");

  auto store = Read(slurm.store());
  store::RunDetails run = store->GetRun(1);
  EXPECT_EQ(run.summary.status, "completed") << run.summary.error_text;
  EXPECT_EQ(run.summary.attempt, 2);
  int slurm_starts = 0;
  bool from_checkpoint = false;
  for (const auto& event : run.events) {
    slurm_starts += event.kind == "slurm";
    from_checkpoint |= event.kind == "resumed" && event.detail != "from scratch";
  }
  EXPECT_EQ(slurm_starts, 2);
  EXPECT_TRUE(from_checkpoint);
  EXPECT_EQ(DumpDifference(MetricDump(slurm.store()), MetricDump(dir.path() / "reference.db")), "");
}

TEST(SlurmLauncherTest, ATimeLimitSignalCheckpointsAndTheTaskRequeuesItself) {
  REQUIRE_LOCAL_SLURM();
  TempDir dir("slurm-usr1");
  LauncherHarness slurm("slurm", dir.path());
  ASSERT_EQ(slurm
                .Sweep({kTamConfig, "tam.episodes=2000", "tam.checkpoint_every=250", "seed=6",
                        "--name", "limit", "launcher.max_num_timeout=1"})
                .exit_code,
            0);
  ASSERT_FALSE(WaitForStep(slurm.store(), 600).empty());
  // what SLURM sends signal_delay_s before the time limit (--signal=B:USR1@N): USR1 to the
  // batch shell, which is orch itself
  const std::string task = FirstTaskId(slurm.store(), "limit");
  LocalCluster::Get().Shell("scancel --batch --signal=USR1 " + task);
  ASSERT_TRUE(ReleaseRequeued(task)) << "the task did not requeue itself";
  slurm.Settle("limit");

  store::RunDetails run = Read(slurm.store())->GetRun(1);
  EXPECT_EQ(run.summary.status, "completed") << run.summary.error_text;
  EXPECT_EQ(run.summary.attempt, 2);
  bool checkpointed_stop = false;
  for (const auto& event : run.events) {
    checkpointed_stop |=
        event.kind == "interrupted" && Contains(event.detail, "after a checkpoint");
  }
  EXPECT_TRUE(checkpointed_stop);
  EXPECT_TRUE(Contains(Slurp(dir.path() / "sweeps" / "limit" / "slurm" /
                             (task.substr(0, task.find('_')) + "_0.out")),
                       "requeued SLURM job"));
}

TEST(SlurmLauncherTest, ATaskKilledBeforeItCouldRecordSaysHowSlurmEndedIt) {
  REQUIRE_LOCAL_SLURM();
  TempDir dir("slurm-killed");
  LauncherHarness slurm("slurm", dir.path());
  ASSERT_EQ(slurm
                .Sweep({kTamConfig, "tam.episodes=2000", "tam.checkpoint_every=250", "seed=7",
                        "--name", "killed"})
                .exit_code,
            0);
  ASSERT_FALSE(WaitForStep(slurm.store(), 300).empty());
  // SIGKILL to both processes of the task at once, orch's array task and its worker (a worker
  // whose parent dies stops on request and records that): no one records an end, as when a
  // cgroup's OOM killer ends a task. `[o]` keeps pkill's own shell out of the match.
  const std::string task = FirstTaskId(slurm.store(), "killed");
  LocalCluster::Get().Shell("pkill -KILL -f '[o]rch.*" + dir.path().string() + "'");
  slurm.Settle("killed");

  store::RunDetails run = Read(slurm.store())->GetRun(1);
  EXPECT_EQ(run.summary.status, "interrupted");
  // the controller still holds the ended task (MinJobAge): its state and signal are named
  EXPECT_TRUE(
      Contains(run.summary.error_text, "its SLURM task " + task + " ended FAILED (exit code 0:9"))
      << run.summary.error_text;
  EXPECT_TRUE(Contains(run.summary.error_text, "orch sweep --resume")) << run.summary.error_text;
}

TEST(SlurmLauncherTest, ACrashedSlurmdMidSweepLosesNoRun) {
  REQUIRE_LOCAL_SLURM();
  TempDir dir("slurm-slurmd");
  LauncherHarness slurm("slurm", dir.path());
  ASSERT_EQ(slurm
                .Sweep({kTamConfig, "tam.episodes=1500", "tam.checkpoint_every=250", "seed=0,1,2,3",
                        "--name", "crash"})
                .exit_code,
            0);
  ASSERT_FALSE(WaitForStep(slurm.store(), 300).empty());
  LocalCluster::Get().RestartSlurmdAfterKill();
  slurm.Settle("crash");
  // whatever did not finish is continued by a resume
  if (Read(slurm.store())->ListRuns().size() != 4 ||
      Contains(RunOrch({"status", "crash", "--store", slurm.store().string()}).out, "interr")) {
    slurm.Resume("crash");
    slurm.Settle("crash");
  }
  auto store = Read(slurm.store());
  ASSERT_EQ(store->ListRuns().size(), 4u);
  for (const auto& run : store->ListRuns()) {
    EXPECT_EQ(run.status, "completed") << run.uuid << ": " << run.error_text;
    EXPECT_EQ(run.last_step, 1500);
  }
}

TEST(SlurmLauncherTest, ATdmpc2SweepRunsThroughSlurm) {
  REQUIRE_LOCAL_SLURM();
  TempDir dir("slurm-tdmpc2");
  LauncherHarness slurm("slurm", dir.path());
  ProcessResult submitted = slurm.Sweep(
      {"configs/tdmpc2/cheetah.yaml", "multi_gamma.enabled=false,true", "seed=0", "budget=cpu",
       "env.episode_length=100", "tdmpc2.enc_dim=16", "tdmpc2.mlp_dim=32", "tdmpc2.latent_dim=16",
       "tdmpc2.steps=200", "tdmpc2.seed_steps=100", "tdmpc2.eval_freq=100",
       "tdmpc2.eval_episodes=1", "tdmpc2.batch_size=8", "tdmpc2.num_samples=16",
       "tdmpc2.num_elites=4", "tdmpc2.num_pi_trajs=2", "tdmpc2.iterations=1", "--name", "td"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  slurm.Settle("td");
  auto store = Read(slurm.store());
  ASSERT_EQ(store->ListRuns().size(), 2u);
  for (const auto& summary : store->ListRuns()) {
    EXPECT_EQ(summary.status, "completed") << summary.error_text;
    EXPECT_EQ(summary.algo, "tdmpc2");
    // evaluations at the start and every eval_freq agent steps (x2 action repeat)
    EXPECT_EQ(store->Series(summary.run_id, "eval/episode_return").size(), 3u);
  }
}

TEST(SlurmLauncherTest, TheArrayScriptCarriesTheLauncherOptions) {
  REQUIRE_LOCAL_SLURM();
  TempDir dir("slurm-script");
  dir.Write("opts.yaml", "name: opts\nconfig: " + kTamConfig +
                             "\noverrides: [tam.episodes=50]\n"
                             "axes:\n  seed: [0, 1, 2]\n"
                             "launcher:\n  kind: slurm\n  partition: debug\n"
                             "  cpus_per_task: 1\n  mem_gb: 1.5\n  array_parallelism: 2\n"
                             "  signal_delay_s: 90\n  setup: ['export ORCH_SETUP_RAN=1']\n"
                             "  additional_parameters: {nice: 5}\n");
  ProcessResult submitted = RunOrch(
      {"sweep", (dir.path() / "opts.yaml").string(), "--store", (dir.path() / "orch.db").string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const fs::path sweep_dir = dir.path() / "sweeps" / "opts";
  std::string script;
  for (const auto& entry : fs::directory_iterator(sweep_dir / "slurm")) {
    if (entry.path().extension() == ".sbatch") script = Slurp(entry.path());
  }
  for (const char* line :
       {"#SBATCH --array=0-2%2", "#SBATCH --partition=debug", "#SBATCH --mem=1536M",
        "#SBATCH --requeue", "#SBATCH --signal=B:USR1@90", "#SBATCH --nice=5",
        "export ORCH_SETUP_RAN=1", "exec '", "run --sweep-dir"}) {
    EXPECT_TRUE(Contains(script, line)) << line << " missing from\n" << script;
  }
  const std::string manifest = Slurp(sweep_dir / "manifest.json");
  EXPECT_TRUE(Contains(manifest, "\"index\": 2")) << manifest;
  LauncherHarness("slurm", dir.path()).Settle("opts");
  EXPECT_EQ(Read(dir.path() / "orch.db")->ListRuns().size(), 3u);
  for (const auto& run : Read(dir.path() / "orch.db")->ListRuns()) {
    EXPECT_EQ(run.status, "completed") << run.error_text;
  }
}

}  // namespace
}  // namespace orch::testing
