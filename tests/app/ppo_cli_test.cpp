// Tests `orch run` of PPO end to end: the CartPole config, shrunk to seconds by overrides,
// records a completed run with its losses, episodes and evaluations; the policy choices come
// from the bundle registry, and the rule across policy and env is checked before anything runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "orch_process.h"
#include "store/results_store.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;
using orch::testing::RunOrch;
using orch::testing::TempDir;

bool HasMetric(const store::RunDetails& run, const std::string& key) {
  for (const auto& metric : run.metrics) {
    if (metric.name == key) return true;
  }
  return false;
}

TEST(PpoCliTest, TheCartPoleConfigRunsAndRecordsItsMetrics) {
  TempDir dir("ppo-cli");
  fs::path store = dir.path() / "orch.db";
  auto result = RunOrch({"run", "configs/ppo/cartpole.yaml", "ppo.total_steps=2048",
                         "ppo.eval_every=1024", "ppo.eval_episodes=2", "--store", store.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto opened = store::ResultsStore::Open(store, store::ResultsStore::Mode::kReadOnly);
  store::RunDetails run = opened->GetRun(1);
  EXPECT_EQ(run.summary.status, "completed");
  EXPECT_EQ(run.summary.algo, "ppo");
  EXPECT_EQ(run.summary.task, "cartpole");
  EXPECT_EQ(run.summary.budget_steps, 2048);
  EXPECT_EQ(run.summary.last_step, 2048);
  for (const char* key :
       {"episode_return", "episode_length", "losses/policy_loss", "losses/value_loss",
        "losses/entropy", "losses/approx_kl", "losses/explained_variance", "eval/episode_return",
        "system/steps_per_second", "summary/episode_return_last20"}) {
    EXPECT_TRUE(HasMetric(run, key)) << key;
  }
  ASSERT_FALSE(run.checkpoints.empty());
  EXPECT_TRUE(run.checkpoints.back().is_final);
  EXPECT_TRUE(fs::exists(dir.path() / run.run_dir / "eval_returns.csv"));
}

// a run does whole updates (CleanRL's count): its budget is what it will reach, so that
// `orch compare` finds every run's curve at the budget
TEST(PpoCliTest, TheBudgetIsTheStepsOfWholeUpdates) {
  TempDir dir("ppo-cli-budget");
  fs::path store = dir.path() / "orch.db";
  auto result = RunOrch({"run", "configs/ppo/cartpole.yaml", "ppo.total_steps=2500",
                         "ppo.eval_every=1024", "ppo.eval_episodes=1", "--store", store.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto opened = store::ResultsStore::Open(store, store::ResultsStore::Mode::kReadOnly);
  store::RunDetails run = opened->GetRun(1);
  EXPECT_EQ(run.summary.budget_steps, 2048);  // 4 updates of 4 envs x 128 steps
  EXPECT_EQ(run.summary.last_step, 2048);
  EXPECT_EQ(run.summary.status, "completed");
}

// ppo.eval_seed: every evaluation runs the same fixed-seed episodes (the ones the seed garden's
// baselines are evaluated on), one fresh env each. Before: a crash as the first env was replaced.
TEST(PpoCliTest, AnEvalSeedEvaluatesFixedEpisodes) {
  TempDir dir("ppo-cli-eval-seed");
  fs::path store = dir.path() / "orch.db";
  auto result =
      RunOrch({"run", "configs/ppo/seed_garden.yaml", "ppo.total_steps=200", "ppo.eval_every=100",
               "ppo.eval_episodes=3", "ppo.eval_seed=1000", "--store", store.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto opened = store::ResultsStore::Open(store, store::ResultsStore::Mode::kReadOnly);
  store::RunDetails run = opened->GetRun(1);
  EXPECT_EQ(run.summary.status, "completed");
  std::ifstream csv(dir.path() / run.run_dir / "eval_returns.csv");
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(csv, line)) rows.push_back(line);
  // the header, then 3 episodes at steps 0, 100 and 200
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows[0], "env_step,episode,return");
  EXPECT_EQ(rows[1].substr(0, 4), "0,0,");
  EXPECT_EQ(rows[9].substr(0, 6), "200,2,");
}

TEST(PpoCliTest, PolicyChoicesComeFromTheRegistryAndMustFitTheEnv) {
  TempDir dir("ppo-cli-rules");
  fs::path store = dir.path() / "orch.db";
  auto unknown = RunOrch({"run", "configs/ppo/cartpole.yaml", "ppo.policy.type=transformer",
                          "--store", store.string()});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(Contains(unknown.err, "ppo.policy.type: expected one of 'lstm', 'mlp'"))
      << unknown.err;
  auto continuous = RunOrch(
      {"run", "configs/ppo/pendulum.yaml", "ppo.policy.type=lstm", "--store", store.string()});
  EXPECT_EQ(continuous.exit_code, 2);
  EXPECT_TRUE(Contains(continuous.err, "the lstm bundle takes discrete actions")) << continuous.err;
  EXPECT_FALSE(fs::exists(store));
}

// the seed garden's per-op slot masks need a bundle that draws the op first
TEST(PpoCliTest, PerOpSlotMasksNeedTheLstmBundle) {
  TempDir dir("ppo-cli-per-op");
  fs::path store = dir.path() / "orch.db";
  auto mlp = RunOrch(
      {"run", "configs/ppo/seed_garden.yaml", "ppo.policy.type=mlp", "--store", store.string()});
  EXPECT_EQ(mlp.exit_code, 2);
  EXPECT_TRUE(Contains(mlp.err, "configs/ppo/seed_garden.yaml:")) << mlp.err;
  EXPECT_TRUE(Contains(mlp.err, "env.slot_masks: the mlp bundle draws its heads independently"))
      << mlp.err;
  EXPECT_FALSE(fs::exists(store));
  auto optimistic = RunOrch({"run", "configs/ppo/seed_garden.yaml", "ppo.policy.type=mlp",
                             "env.slot_masks=optimistic", "ppo.total_steps=100",
                             "ppo.eval_episodes=1", "--store", store.string()});
  EXPECT_EQ(optimistic.exit_code, 0) << optimistic.err;
}

// Esper's per-head entropy coefficients name the env's action heads: checked before anything
// runs, with the heads listed and the closest one suggested
TEST(PpoCliTest, EntropyMultipliersNameTheEnvsActionHeads) {
  TempDir dir("ppo-cli-ent-heads");
  fs::path store = dir.path() / "orch.db";
  auto misspelt = RunOrch({"run", "configs/ppo/seed_garden.yaml", "+ppo.ent_head_coef.blueprnt=1.3",
                           "--store", store.string()});
  EXPECT_EQ(misspelt.exit_code, 2);
  EXPECT_TRUE(Contains(misspelt.err,
                       "override #1 '+ppo.ent_head_coef.blueprnt=1.3': ppo.ent_head_coef.blueprnt: "
                       "env 'seed-garden' has no action head 'blueprnt'; its heads: slot, "
                       "blueprint, style, tempo, alpha_target, alpha_speed, alpha_curve, op. Did "
                       "you mean 'blueprint'?"))
      << misspelt.err;
  auto negative = RunOrch({"run", "configs/ppo/seed_garden.yaml", "+ppo.ent_head_coef.op=-1",
                           "--store", store.string()});
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_TRUE(Contains(negative.err, "ppo.ent_head_coef.op: expected float >= 0, got -1.0"))
      << negative.err;
  auto not_a_dict = RunOrch({"run", "configs/ppo/seed_garden.yaml", "ppo.ent_head_coef=[1,2]",
                             "--store", store.string()});
  EXPECT_EQ(not_a_dict.exit_code, 2);
  EXPECT_TRUE(Contains(not_a_dict.err, "expected dict[string, float], got list")) << not_a_dict.err;
  // the multi-discrete identity task names its heads head0, head1, ...
  auto one_head = RunOrch({"compose", "configs/ppo/invalid_action.yaml", "env.num_heads=1",
                           "+ppo.ent_head_coef.head1=2"});
  EXPECT_EQ(one_head.exit_code, 2);
  EXPECT_TRUE(Contains(one_head.err, "its heads: action.")) << one_head.err;
  EXPECT_EQ(RunOrch({"compose", "configs/ppo/invalid_action.yaml", "env.num_heads=3",
                     "+ppo.ent_head_coef.head1=2"})
                .exit_code,
            0);
  EXPECT_FALSE(fs::exists(store));
  auto runs = RunOrch({"run", "configs/ppo/seed_garden.yaml", "+ppo.ent_head_coef.blueprint=1.3",
                       "ppo.total_steps=100", "ppo.eval_episodes=1", "--store", store.string()});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
}

}  // namespace
}  // namespace orch::app
