// Tests `orch run` of TD-MPC2 end to end: the command, `orch run
// configs/tdmpc2/cheetah.yaml multi_gamma.enabled=true`, shrunk to seconds by overrides, records
// the run with its auxiliary metrics, parameter counts, evaluations and checkpoints.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "orch_process.h"
#include "run_fixtures.h"
#include "store/results_store.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;
using orch::testing::RunOrch;
using orch::testing::TempDir;

/// Tiny networks, planner and budget; 50 agent steps per episode.
const std::vector<std::string> kSmall = {"budget=cpu",
                                         "env.episode_length=100",
                                         "tdmpc2.enc_dim=16",
                                         "tdmpc2.mlp_dim=32",
                                         "tdmpc2.latent_dim=16",
                                         "tdmpc2.steps=200",
                                         "tdmpc2.seed_steps=100",
                                         "tdmpc2.eval_freq=100",
                                         "tdmpc2.eval_episodes=1",
                                         "tdmpc2.batch_size=8",
                                         "tdmpc2.num_samples=16",
                                         "tdmpc2.num_elites=4",
                                         "tdmpc2.num_pi_trajs=2",
                                         "tdmpc2.iterations=1"};

bool HasMetric(const store::RunDetails& run, const std::string& key) {
  return std::any_of(run.metrics.begin(), run.metrics.end(),
                     [&](const auto& metric) { return metric.name == key; });
}

TEST(TdMpc2CliTest, MultiGammaRunRecordsItsAuxiliaryMetrics) {
  TempDir dir("tdmpc2-cli");
  fs::path store_path = dir.path() / "orch.db";
  std::vector<std::string> args = {"run", "configs/tdmpc2/cheetah.yaml",
                                   "multi_gamma.enabled=true"};
  args.insert(args.end(), kSmall.begin(), kSmall.end());
  args.insert(args.end(), {"--store", store_path.string()});
  auto result = RunOrch(args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto store = store::ResultsStore::Open(store_path, store::ResultsStore::Mode::kReadOnly);
  store::RunDetails run = store->GetRun(1);
  EXPECT_EQ(run.summary.status, "completed");
  EXPECT_EQ(run.summary.algo, "tdmpc2");
  EXPECT_EQ(run.summary.task, "cheetah-run");
  EXPECT_EQ(run.summary.budget_steps, 400);  // environment steps: 200 agent steps x 2
  for (const char* key :
       {"aux_value_ce/g0.97", "aux_value_ce/g0.995", "aux_value_ce/mean", "aux/mae/g0.97",
        "aux/rmse/g0.97", "aux/pred_mean/g0.995", "eval/episode_return", "train/value_loss",
        "params/aux_heads", "system/param_count"}) {
    EXPECT_TRUE(HasMetric(run, key)) << key;
  }
  auto returns = store->Series(1, "eval/episode_return");
  ASSERT_EQ(returns.size(), 3u);
  // the representation diagnostics come with every evaluation, the loss share with updates
  for (const char* key : {"diag/effective_rank", "diag/simnorm_saturation", "diag/distinct_codes",
                          "diag/latent_spread", "diag/action_sensitivity"}) {
    auto points = store->Series(1, key);
    ASSERT_EQ(points.size(), returns.size()) << key;
    for (size_t i = 0; i < points.size(); ++i) EXPECT_EQ(points[i].step, returns[i].step) << key;
  }
  auto saturation = store->Series(1, "diag/simnorm_saturation");
  EXPECT_GE(*saturation.front().value, 1.0 / 8.0 - 1e-9);
  EXPECT_LE(*saturation.front().value, 1.0);
  EXPECT_LE(*store->Series(1, "diag/distinct_codes").back().value, 256.0);
  auto share = store->Series(1, "diag/aux_loss_share");
  ASSERT_FALSE(share.empty());
  EXPECT_GT(*share.back().value, 0.0);
  EXPECT_LT(*share.back().value, 1.0);
  EXPECT_EQ(returns.front().step, 0);
  EXPECT_EQ(returns.back().step, 400);
  // `primary` resolved for this episode length: 100 control steps / repeat 2 = 50 agent steps,
  // frac = 50 / 5 = 10, clip((10 - 1) / 10, 0.95, 0.995) = 0.95
  EXPECT_TRUE(Contains(run.config_yaml, "gammas: [0.95, 0.97, 0.995]")) << run.config_yaml;
  ASSERT_FALSE(run.checkpoints.empty());
  EXPECT_TRUE(run.checkpoints.back().is_final);
  EXPECT_TRUE(run.param_count.has_value());

  // orch plot draws the TD-MPC2 figure, and --key just the keys asked for
  const fs::path plots = dir.path() / "plots";
  auto plotted = RunOrch({"plot", "1", "--out", plots.string(), "--store", store_path.string()});
  EXPECT_EQ(plotted.exit_code, 0) << plotted.err;
  EXPECT_TRUE(fs::exists(plots / "tdmpc2.png")) << plotted.out << plotted.err;
  auto keyed = RunOrch({"plot", "1", "--key", "eval/episode_return", "--key", "train/aux_loss",
                        "--out", plots.string(), "--store", store_path.string()});
  EXPECT_EQ(keyed.exit_code, 0) << keyed.err;
  EXPECT_TRUE(fs::exists(plots / "keys.png"));
  auto unknown = RunOrch({"plot", "1", "--key", "eval/episode_retrun", "--out", plots.string(),
                          "--store", store_path.string()});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(Contains(unknown.err, "no run has metric 'eval/episode_retrun'")) << unknown.err;
}

TEST(TdMpc2CliTest, AnInvalidMultiGammaConfigIsRefusedBeforeAnythingRuns) {
  TempDir dir("tdmpc2-invalid");
  fs::path store_path = dir.path() / "orch.db";
  auto result = RunOrch({"run", "configs/tdmpc2/cheetah.yaml", "multi_gamma.enabled=true",
                         "multi_gamma.gammas=[0.9,0.97]", "--store", store_path.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "multi_gamma.gammas[0]: expected the primary discount 0.99"))
      << result.err;
  EXPECT_FALSE(fs::exists(store_path));
}

// The first evaluation of a run takes long and logs nothing; the parameter counts logged before
// it reach the store anyway (the worker flushes pending metrics every few seconds), so a worker
// killed in the middle of it loses none of them.
TEST(TdMpc2CliTest, MetricsLoggedBeforeALongSilentStretchSurviveAKill) {
  TempDir dir("tdmpc2-silent");
  fs::path store_path = dir.path() / "orch.db";
  std::vector<std::string> args = {"run", "configs/tdmpc2/pendulum.yaml"};
  args.insert(args.end(), kSmall.begin(), kSmall.end());
  // 200 evaluation episodes of 500 planned steps: minutes of silence at step 0
  args.insert(args.end(), {"env.episode_length=1000", "tdmpc2.eval_episodes=200", "--store",
                           store_path.string()});
  orch::testing::BackgroundOrch front_end(args);
  store::RunDetails running = orch::testing::WaitForProgress(store_path, 0);
  ASSERT_TRUE(running.pid.has_value());
  std::this_thread::sleep_for(std::chrono::seconds(8));
  ASSERT_EQ(kill(static_cast<pid_t>(*running.pid), SIGKILL), 0);
  EXPECT_EQ(front_end.Wait(), 1);
  auto store = store::ResultsStore::Open(store_path, store::ResultsStore::Mode::kReadOnly);
  store::RunDetails run = store->GetRun(1);
  EXPECT_EQ(run.summary.status, "failed");
  EXPECT_FALSE(HasMetric(run, "eval/episode_return"));  // still in the first evaluation
  for (const char* key : {"system/param_count", "params/encoder", "params/q_ensemble"}) {
    EXPECT_TRUE(HasMetric(run, key)) << key;
  }
}

}  // namespace
}  // namespace orch::app
