// Tests src/sweep/launcher_registry.cpp and slurm/slurm_settings.cpp through `orch sweep`: a
// launcher's options are checked with the rest of the sweep before anything is written, and a
// mistake gets its position, the full key and a suggestion, and exit code 2.
#include <gtest/gtest.h>

#include <filesystem>

#include "orch_process.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;
using orch::testing::RunOrch;
using orch::testing::TempDir;

const std::string kTam = std::string(ORCH_SOURCE_DIR) + "/configs/tam/pendulum.yaml";

/// `orch sweep` of two TAM seeds with `extra` arguments; the store must stay unwritten.
orch::testing::ProcessResult Sweep(const TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> args = {"sweep", kTam, "seed=0,1", "tam.episodes=20"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--store", (dir.path() / "orch.db").string()});
  return RunOrch(args);
}

TEST(LauncherOptionsTest, AnUnknownLauncherIsNamedWithASuggestion) {
  TempDir dir("launcher-kind");
  auto result = Sweep(dir, {"launcher=slurn"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "override #3 'launcher=slurn'")) << result.err;
  EXPECT_TRUE(Contains(result.err, "no launcher named 'slurn'")) << result.err;
  EXPECT_TRUE(Contains(result.err, "'slurm'")) << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "orch.db"));
}

TEST(LauncherOptionsTest, OptionMistakesAreAllReportedBeforeAnythingIsWritten) {
  TempDir dir("launcher-options");
  auto result = Sweep(dir, {"launcher=slurm", "launcher.timeout_mn=5", "launcher.cpus_per_task=two",
                            "launcher.mem_gb=-1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "launcher.timeout_mn: unknown launcher option")) << result.err;
  EXPECT_TRUE(Contains(result.err, "'timeout_min'")) << result.err;
  EXPECT_TRUE(Contains(result.err, "launcher.cpus_per_task: expected an integer >= 1"))
      << result.err;
  EXPECT_TRUE(Contains(result.err, "'launcher.cpus_per_task=two'")) << result.err;
  EXPECT_TRUE(Contains(result.err, "launcher.mem_gb: expected a positive number")) << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "orch.db"));
  EXPECT_FALSE(fs::exists(dir.path() / "sweeps"));
}

TEST(LauncherOptionsTest, ASweepFilesLauncherBlockIsCheckedAtItsLine) {
  TempDir dir("launcher-block");
  dir.Write("s.yaml", "name: s\nconfig: " + kTam +
                          "\naxes:\n  seed: [0, 1]\n"
                          "launcher:\n  kind: slurm\n  timeout_min: 5\n  signal_delay_s: 600\n"
                          "  setup: echo hi\n");
  auto result = RunOrch(
      {"sweep", (dir.path() / "s.yaml").string(), "--store", (dir.path() / "orch.db").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "s.yaml:8:19: launcher.signal_delay_s")) << result.err;
  EXPECT_TRUE(Contains(result.err, "timeout_min 5 = 300 s")) << result.err;
  EXPECT_TRUE(Contains(result.err, "s.yaml:9:10: launcher.setup: expected a list of shell lines"))
      << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "orch.db"));
}

TEST(LauncherOptionsTest, TheLocalLauncherTakesNoOptions) {
  TempDir dir("launcher-local");
  auto result = Sweep(dir, {"launcher.partition=gpu"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "launcher.partition: unknown launcher option")) << result.err;
  EXPECT_TRUE(Contains(result.err, "takes no options")) << result.err;
}

TEST(LauncherOptionsTest, WithoutSbatchASlurmSweepRecordsNothing) {
  TempDir dir("launcher-nosbatch");
  auto result = RunOrch(
      {"sweep", kTam, "seed=0,1", "launcher=slurm", "--store", (dir.path() / "orch.db").string()},
      ORCH_SOURCE_DIR, {"PATH=/nonexistent"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "sbatch is not on PATH")) << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "orch.db"));
}

TEST(LauncherOptionsTest, ALauncherOverrideIsNoPartOfTheRunsConfig) {
  TempDir dir("launcher-plan");
  auto plain = RunOrch({"plan", kTam, "seed=0,1"});
  auto with = RunOrch({"plan", kTam, "seed=0,1", "launcher=slurm", "launcher.timeout_min=5"});
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.out, plain.out);
}

}  // namespace
}  // namespace orch::app
