// Tests src/algos/ppo/ppo_workload.cpp: short runs on every task complete with their metrics, a
// checkpoint continues bit for bit (normalisation statistics too), and a checkpoint of another
// shape or version is refused.
#include "algos/ppo/ppo_workload.h"

#include <gtest/gtest.h>
#include <torch/serialize/archive.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "algos/ppo/ppo_options.h"
#include "envs/env_options.h"
#include "rl/checkpoint_io.h"

namespace orch::ppo {
namespace {

namespace fs = std::filesystem;
using Series = std::map<std::string, std::map<int64_t, double>>;

class MemoryMetrics : public rl::MetricSink {
 public:
  void Log(std::string_view key, int64_t step, double value) override {
    values[std::string(key)][step] = value;
  }
  void Flush() override {}
  /// Everything but the timing metrics.
  Series Deterministic() const {
    Series kept;
    for (const auto& [key, series] : values) {
      if (key.rfind("system/steps_per_second", 0) != 0) kept[key] = series;
    }
    return kept;
  }
  Series values;
};

class DirectoryCheckpoints : public rl::CheckpointSink {
 public:
  explicit DirectoryCheckpoints(fs::path directory) : directory_(std::move(directory)) {
    fs::create_directories(directory_);
  }
  fs::path Directory() const override { return directory_; }
  void Register(int64_t step, const fs::path& file, bool is_final) override {
    registered.emplace_back(step, file, is_final);
  }
  std::vector<std::tuple<int64_t, fs::path, bool>> registered;

 private:
  fs::path directory_;
};

/// Stops the run once it reports `stop_at` env steps.
class StopAt : public rl::ProgressSink {
 public:
  StopAt(std::atomic<bool>& flag, int64_t stop_at) : flag_(flag), stop_at_(stop_at) {}
  void Report(int64_t done, int64_t, const std::vector<std::pair<std::string, double>>&) override {
    if (stop_at_ >= 0 && done >= stop_at_) flag_.store(true);
  }

 private:
  std::atomic<bool>& flag_;
  int64_t stop_at_;
};

/// A validated-looking config: `env` defaults for `env_name`, `ppo` defaults with `ints` and
/// `policy_type`.
config::Node Config(const std::string& env_name, const std::string& policy_type,
                    const std::vector<std::pair<std::string, int64_t>>& ints,
                    const std::vector<std::pair<std::string, int64_t>>& env_ints = {}) {
  config::Node root = config::Node::MakeMap();
  root.Set("algo", config::Node::String("ppo"));
  root.Set("seed", config::Node::Int(3));
  for (const auto& [name, schema] : envs::EnvSchemas()) {
    if (name != env_name) continue;
    config::Node env = schema->Defaults();
    env.Set("name", config::Node::String(env_name));
    for (const auto& [key, value] : env_ints) env.Set(key, config::Node::Int(value));
    root.Set("env", env);
  }
  config::Node ppo = PpoSchema().Defaults();
  for (const auto& [key, value] : ints) ppo.Set(key, config::Node::Int(value));
  ppo.FindMutable("policy")->Set("type", config::Node::String(policy_type));
  if (env_name == "pendulum") ppo.Set("bootstrap", config::Node::String("terminated"));
  root.Set("ppo", ppo);
  return root;
}

struct RunResult {
  rl::WorkloadOutcome outcome;
  MemoryMetrics metrics;
  std::vector<std::tuple<int64_t, fs::path, bool>> checkpoints;
};

RunResult RunPpo(const config::Node& config, const fs::path& dir, int64_t stop_at = -1,
                 std::optional<fs::path> resume_from = std::nullopt, MemoryMetrics metrics = {}) {
  std::atomic<bool> stop{false};
  StopAt progress(stop, stop_at);
  DirectoryCheckpoints checkpoints(dir / "checkpoints");
  rl::RunContext context;
  context.seed = 3;
  context.metrics = &metrics;
  context.checkpoints = &checkpoints;
  context.progress = &progress;
  context.stop = rl::StopToken(&stop);
  context.run_dir = dir;
  context.resume_from = std::move(resume_from);
  rl::WorkloadOutcome outcome = PpoWorkload::FromConfig(config)->Run(context);
  return {outcome, std::move(metrics), checkpoints.registered};
}

class PpoWorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("orch-ppo-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PpoWorkloadTest, ShortRunsOfEveryTaskCompleteWithTheirMetrics) {
  struct Task {
    std::string env;
    std::string policy;
  };
  for (const Task& task : std::vector<Task>{{"cartpole", "mlp"},
                                            {"cartpole", "lstm"},
                                            {"pendulum", "mlp"},
                                            {"invalid-action", "lstm"},
                                            {"invalid-action", "mlp"},
                                            {"seed-garden", "lstm"},
                                            {"seed-garden", "mlp"}}) {
    SCOPED_TRACE(task.env + " " + task.policy);
    config::Node config = Config(task.env, task.policy,
                                 {{"total_steps", 400},
                                  {"num_envs", 2},
                                  {"num_steps", 100},
                                  {"num_minibatches", 2},
                                  {"eval_every", 200},
                                  {"eval_episodes", 2},
                                  {"checkpoint_every", 0}});
    RunResult run = RunPpo(config, dir_ / (task.env + task.policy));
    EXPECT_EQ(run.outcome, rl::WorkloadOutcome::kCompleted);
    for (const char* key : {"losses/policy_loss", "losses/value_loss", "losses/entropy",
                            "losses/approx_kl", "losses/clip_fraction", "charts/learning_rate",
                            "eval/episode_return", "system/param_count"}) {
      ASSERT_EQ(run.metrics.values.count(key), 1u) << key;
      for (const auto& [step, value] : run.metrics.values.at(key)) {
        EXPECT_TRUE(std::isfinite(value)) << key << " at " << step;
      }
    }
    EXPECT_EQ(run.metrics.values.at("losses/policy_loss").size(), 2u);  // 2 updates
    // evaluations at 0, 200 and the end (400)
    EXPECT_EQ(run.metrics.values.at("eval/episode_return").size(), 3u);
    ASSERT_EQ(run.checkpoints.size(), 1u);
    EXPECT_TRUE(std::get<2>(run.checkpoints[0]));
    EXPECT_EQ(std::get<0>(run.checkpoints[0]), 400);
    EXPECT_TRUE(fs::exists(dir_ / (task.env + task.policy) / "eval_returns.csv"));
  }
}

// stopped after an update and resumed from its checkpoint, a run ends with exactly the metrics
// of the uninterrupted run (feed-forward and recurrent, masked and not)
TEST_F(PpoWorkloadTest, ACheckpointContinuesBitForBit) {
  struct Case {
    std::string env;
    std::string policy;
    bool normalize;  // norm_obs and norm_reward: their statistics are part of the checkpoint
  };
  for (const auto& [env, policy, normalize] : std::vector<Case>{
           {"cartpole", "mlp", false}, {"seed-garden", "lstm", false}, {"pendulum", "mlp", true}}) {
    SCOPED_TRACE(env + " " + policy);
    config::Node config = Config(env, policy,
                                 {{"total_steps", 600},
                                  {"num_envs", 2},
                                  {"num_steps", 50},
                                  {"num_minibatches", 2},
                                  {"eval_every", 250},
                                  {"eval_episodes", 3},
                                  {"checkpoint_every", 0}});
    config.FindMutable("ppo")->Set("norm_obs", config::Node::Bool(normalize));
    config.FindMutable("ppo")->Set("norm_reward", config::Node::Bool(normalize));
    RunResult whole = RunPpo(config, dir_ / (env + "-whole"));
    RunResult first = RunPpo(config, dir_ / (env + "-split"), /*stop_at=*/300);
    ASSERT_EQ(first.outcome, rl::WorkloadOutcome::kInterrupted);
    ASSERT_EQ(first.checkpoints.size(), 1u);
    EXPECT_EQ(std::get<0>(first.checkpoints[0]), 300);
    RunResult second = RunPpo(config, dir_ / (env + "-split"), -1,
                              std::get<1>(first.checkpoints[0]), std::move(first.metrics));
    ASSERT_EQ(second.outcome, rl::WorkloadOutcome::kCompleted);
    EXPECT_EQ(second.metrics.Deterministic(), whole.metrics.Deterministic());
    EXPECT_EQ(whole.metrics.values.count("charts/reward_divisor"), normalize ? 1u : 0u);
  }
}

// Esper's entropy decay (0.05 to a floor of 0.01, here over half the run): the coefficient each
// update ran at is logged, a resumed run continues the schedule bit for bit, and a "decay" to
// the starting value is the constant run
TEST_F(PpoWorkloadTest, TheEntropyCoefficientDecaysToItsFloorAndResumesOnSchedule) {
  config::Node config = Config("seed-garden", "lstm",
                               {{"total_steps", 600},
                                {"num_envs", 2},
                                {"num_steps", 50},
                                {"num_minibatches", 2},
                                {"eval_every", 300},
                                {"eval_episodes", 2},
                                {"checkpoint_every", 0}});
  config::Node& ppo = *config.FindMutable("ppo");
  ppo.Set("ent_coef", config::Node::Float(0.05));
  ppo.Set("ent_coef_final", config::Node::Float(0.01));
  ppo.Set("ent_anneal_fraction", config::Node::Float(0.5));
  RunResult whole = RunPpo(config, dir_ / "whole");
  ASSERT_EQ(whole.outcome, rl::WorkloadOutcome::kCompleted);
  // 6 updates of 100 steps, progress (u - 1) / 6: 0.05, 0.05 - 0.04 / 3, 0.05 - 0.08 / 3, floor
  const std::map<int64_t, double> expected = {{100, 0.05}, {200, 0.11 / 3}, {300, 0.07 / 3},
                                              {400, 0.01}, {500, 0.01},     {600, 0.01}};
  ASSERT_EQ(whole.metrics.values.count("charts/ent_coef"), 1u);
  const auto& logged = whole.metrics.values.at("charts/ent_coef");
  ASSERT_EQ(logged.size(), expected.size());
  for (const auto& [step, value] : expected) EXPECT_NEAR(logged.at(step), value, 1e-15) << step;

  RunResult first = RunPpo(config, dir_ / "split", /*stop_at=*/200);
  ASSERT_EQ(first.outcome, rl::WorkloadOutcome::kInterrupted);
  ASSERT_EQ(first.checkpoints.size(), 1u);
  RunResult second = RunPpo(config, dir_ / "split", -1, std::get<1>(first.checkpoints[0]),
                            std::move(first.metrics));
  ASSERT_EQ(second.outcome, rl::WorkloadOutcome::kCompleted);
  EXPECT_EQ(second.metrics.Deterministic(), whole.metrics.Deterministic());

  // a decay from 0.05 to 0.05 is the constant coefficient, and the decay to 0.01 is not
  ppo.Set("ent_coef_final", config::Node::Float(0.05));
  RunResult flat = RunPpo(config, dir_ / "flat");
  ppo.Set("ent_coef_final", config::Node::Null());
  RunResult constant = RunPpo(config, dir_ / "constant");
  Series flat_series = flat.metrics.Deterministic();
  EXPECT_EQ(flat_series.erase("charts/ent_coef"), 1u);
  EXPECT_EQ(flat_series, constant.metrics.Deterministic());
  EXPECT_NE(whole.metrics.values.at("losses/policy_loss").at(600),
            constant.metrics.values.at("losses/policy_loss").at(600));
}

// Esper's per-head entropy coefficients: a multiplier m on every head is ent_coef x m (2 and 0
// are exact in binary, so the runs agree bit for bit), and one head's multiplier changes the
// run
TEST_F(PpoWorkloadTest, PerHeadEntropyMultipliersScaleTheirHeadsBonus) {
  config::Node config = Config("seed-garden", "lstm",
                               {{"total_steps", 300},
                                {"num_envs", 2},
                                {"num_steps", 50},
                                {"num_minibatches", 2},
                                {"eval_every", 300},
                                {"eval_episodes", 2},
                                {"checkpoint_every", 0}});
  config::Node& ppo = *config.FindMutable("ppo");
  auto every_head = [](double multiplier) {
    config::Node map = config::Node::MakeMap();
    for (const auto& head : envs::SeedGardenHeadNames()) {
      map.Set(head, config::Node::Float(multiplier));
    }
    return map;
  };
  auto without_coefficient = [](const RunResult& run) {
    Series series = run.metrics.Deterministic();
    series.erase("charts/ent_coef");
    return series;
  };
  ppo.Set("ent_coef", config::Node::Float(0.05));
  const RunResult plain = RunPpo(config, dir_ / "plain");
  ASSERT_EQ(plain.outcome, rl::WorkloadOutcome::kCompleted);

  ppo.Set("ent_coef", config::Node::Float(0.025));
  ppo.Set("ent_head_coef", every_head(2.0));
  EXPECT_EQ(without_coefficient(RunPpo(config, dir_ / "doubled")), without_coefficient(plain));

  ppo.Set("ent_coef", config::Node::Float(0.0));
  ppo.Set("ent_head_coef", config::Node::MakeMap());
  const RunResult no_bonus = RunPpo(config, dir_ / "no-bonus");
  ppo.Set("ent_coef", config::Node::Float(0.05));
  ppo.Set("ent_head_coef", every_head(0.0));
  EXPECT_EQ(without_coefficient(RunPpo(config, dir_ / "zeroed")), without_coefficient(no_bonus));
  EXPECT_NE(no_bonus.metrics.values.at("losses/policy_loss").at(300),
            plain.metrics.values.at("losses/policy_loss").at(300));

  config::Node blueprint = config::Node::MakeMap();
  blueprint.Set("blueprint", config::Node::Float(3.0));
  ppo.Set("ent_head_coef", blueprint);
  const RunResult one_head = RunPpo(config, dir_ / "one-head");
  EXPECT_NE(one_head.metrics.values.at("losses/policy_loss").at(300),
            plain.metrics.values.at("losses/policy_loss").at(300));
}

TEST_F(PpoWorkloadTest, ACheckpointOfAnotherShapeOrVersionIsRefused) {
  config::Node config = Config("seed-garden", "lstm",
                               {{"total_steps", 100},
                                {"num_envs", 2},
                                {"num_steps", 50},
                                {"num_minibatches", 1},
                                {"eval_every", 1000},
                                {"eval_episodes", 1},
                                {"checkpoint_every", 0}});
  RunResult done = RunPpo(config, dir_ / "three");
  const fs::path checkpoint = std::get<1>(done.checkpoints.back());
  // four slots instead of three: the slot head does not fit
  config::Node four = Config("seed-garden", "lstm",
                             {{"total_steps", 200},
                              {"num_envs", 2},
                              {"num_steps", 50},
                              {"num_minibatches", 1},
                              {"eval_every", 1000},
                              {"eval_episodes", 1},
                              {"checkpoint_every", 0}},
                             {{"num_slots", 4}});
  try {
    RunPpo(four, dir_ / "four", -1, checkpoint);
    ADD_FAILURE() << "a three-slot checkpoint loaded into four slots";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("a different slot count"), std::string::npos)
        << error.what();
  }
  // another policy type
  config::Node mlp = config;
  mlp.FindMutable("ppo")->FindMutable("policy")->Set("type", config::Node::String("mlp"));
  EXPECT_THROW(RunPpo(mlp, dir_ / "mlp", -1, checkpoint), std::runtime_error);
  // a version this orch does not read
  {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string("orch-ppo-checkpoint")));
    archive.write("checkpoint_version", c10::IValue(int64_t{99}));
    std::ostringstream out;
    archive.save_to(out);
    rl::WriteFileAtomically(dir_ / "future.ckpt", out.str());
  }
  try {
    RunPpo(config, dir_ / "future", -1, dir_ / "future.ckpt");
    ADD_FAILURE() << "a version 99 checkpoint loaded";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("version 99, and this orch reads version 1"),
              std::string::npos)
        << error.what();
  }
  std::string bytes = rl::ReadWholeFile(checkpoint);
  const fs::path garbage = dir_ / "garbage.ckpt";
  rl::WriteFileAtomically(garbage, "not an archive");
  try {
    RunPpo(config, dir_ / "garbage", -1, garbage);
    ADD_FAILURE() << "garbage loaded";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("not a LibTorch archive"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(bytes.empty());
}

}  // namespace
}  // namespace orch::ppo
