// Tests src/algos/tam/tam_agent.cpp: faithful behaviour, determinism, exact checkpoints.
#include "algos/tam/tam_agent.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace orch::tam {
namespace {

TamOptions SmallRun(bool memory) {
  TamOptions options;
  options.memory.enabled = memory;
  options.memory.min_records = 20;
  options.memory.size = 64;  // wraps within the tests
  return options;
}

/// Every metric of every row, for exact comparisons.
std::vector<double> Flatten(const TamHistory& history) {
  std::vector<double> values;
  for (const auto& row : history.rows) {
    for (double value : HistoryValues(row)) values.push_back(value);
  }
  values.insert(values.end(), history.z_samples.begin(), history.z_samples.end());
  return values;
}

void RunEpisodes(TamAgent& agent, int episodes) {
  for (int episode = 0; episode < episodes; ++episode) agent.RunEpisode();
}

TEST(TamAgentTest, EpisodeRowIsConsistent) {
  TamAgent agent(SmallRun(false), envs::ControlledPendulumOptions{}, 3);
  const EpisodeRecord row = agent.RunEpisode();
  EXPECT_EQ(row.step, 0);
  EXPECT_EQ(row.regime, 0);
  EXPECT_GE(row.horizon, 2);
  EXPECT_LE(row.horizon, 64);
  EXPECT_GT(row.soft_bind, 0.0);
  EXPECT_LE(row.soft_bind, 1.0);
  EXPECT_GE(row.e_t_train, 1.0);
  EXPECT_LE(row.e_t_train, static_cast<double>(row.horizon));
  EXPECT_EQ(row.cone_volume, row.cone_vol);
  EXPECT_GT(row.z_norm, 0.0);
  EXPECT_GE(row.kl, 0.0);
  // one dual step from 0 each
  EXPECT_NEAR(row.lambda_bind, std::max(0.0, 0.05 * (0.9 - row.soft_bind)), 1e-12);
  EXPECT_NEAR(row.lambda_t, std::max(0.0, 0.02 * (row.e_t_train - 16.0)), 1e-12);
  EXPECT_EQ(row.mem_n, 0);
  EXPECT_EQ(row.mem_risk, 0.0);
  EXPECT_EQ(agent.history().z_samples.size(), 8u);
  EXPECT_EQ(agent.ParameterCount(), 5392 + 4929 + 9089);
}

TEST(TamAgentTest, PolicyReceivesNoGradient) {
  TamAgent agent(SmallRun(true), envs::ControlledPendulumOptions{}, 4);
  const std::vector<float> before = agent.PolicyParameters();
  RunEpisodes(agent, 40);
  EXPECT_EQ(agent.PolicyParameters(), before);
  EXPECT_EQ(agent.PolicyDrift(), 0.0);
}

TEST(TamAgentTest, SameSeedSameHistory) {
  TamAgent first(SmallRun(true), envs::ControlledPendulumOptions{}, 5);
  TamAgent second(SmallRun(true), envs::ControlledPendulumOptions{}, 5);
  RunEpisodes(first, 200);
  RunEpisodes(second, 200);
  EXPECT_EQ(Flatten(first.history()), Flatten(second.history()));
  EXPECT_EQ(first.env().state(), second.env().state());
  // another seed is another run
  TamAgent other(SmallRun(true), envs::ControlledPendulumOptions{}, 6);
  RunEpisodes(other, 5);
  EXPECT_NE(other.history().rows[0].exp_nll, first.history().rows[0].exp_nll);
}

TEST(TamAgentTest, CheckpointContinuesBitForBit) {
  // pi carries controller memory (integral, smoothed error) that the checkpoint must hold too
  for (const char* compute_dual : {"clipped", "pi"}) {
    SCOPED_TRACE(compute_dual);
    TamOptions options = SmallRun(true);
    options.compute_dual = compute_dual;
    TamAgent uninterrupted(options, envs::ControlledPendulumOptions{}, 8);
    RunEpisodes(uninterrupted, 90);
    const std::string checkpoint = uninterrupted.SaveCheckpoint();
    RunEpisodes(uninterrupted, 60);

    TamAgent resumed(options, envs::ControlledPendulumOptions{}, 8);
    resumed.LoadCheckpoint(checkpoint);
    EXPECT_EQ(resumed.episodes_done(), 90);
    ASSERT_NE(resumed.memory(), nullptr);
    EXPECT_EQ(resumed.memory()->size(), 64);
    RunEpisodes(resumed, 60);
    EXPECT_EQ(Flatten(resumed.history()), Flatten(uninterrupted.history()));
    EXPECT_EQ(resumed.PolicyParameters(), uninterrupted.PolicyParameters());
    EXPECT_EQ(resumed.lambda_bind(), uninterrupted.lambda_bind());
    EXPECT_EQ(resumed.lambda_t(), uninterrupted.lambda_t());
    EXPECT_EQ(resumed.env().state(), uninterrupted.env().state());
  }
}

TEST(TamAgentTest, CheckpointRejectsAnotherRun) {
  TamAgent agent(SmallRun(true), envs::ControlledPendulumOptions{}, 8);
  RunEpisodes(agent, 3);
  const std::string checkpoint = agent.SaveCheckpoint();
  TamAgent other_seed(SmallRun(true), envs::ControlledPendulumOptions{}, 9);
  EXPECT_THROW(other_seed.LoadCheckpoint(checkpoint), std::runtime_error);
  TamAgent no_memory(SmallRun(false), envs::ControlledPendulumOptions{}, 8);
  EXPECT_THROW(no_memory.LoadCheckpoint(checkpoint), std::runtime_error);
  EXPECT_THROW(agent.LoadCheckpoint("not a checkpoint"), std::runtime_error);
}

TEST(TamAgentTest, MemoryDrawsNoRandomNumbersOfItsOwn) {
  // before min_records the regulariser is 0 and every other number agrees; with weight 0 it
  // never changes a gradient, so the whole run agrees: no stream is shifted by the memory
  TamOptions with_memory = SmallRun(true);
  with_memory.memory.w_mem = 0.0;
  TamAgent on(with_memory, envs::ControlledPendulumOptions{}, 12);
  TamAgent off(SmallRun(false), envs::ControlledPendulumOptions{}, 12);
  RunEpisodes(on, 120);
  RunEpisodes(off, 120);
  for (size_t index = 0; index < 120; ++index) {
    EpisodeRecord a = on.history().rows[index];
    const EpisodeRecord& b = off.history().rows[index];
    EXPECT_EQ(a.mem_n, std::min<int64_t>(static_cast<int64_t>(index), 64));
    a.mem_n = 0;
    a.mem_risk = a.mem_loss = 0.0;
    EXPECT_EQ(HistoryValues(a), HistoryValues(b)) << "episode " << index;
  }
  EXPECT_EQ(on.env().state(), off.env().state());
  EXPECT_EQ(on.env().SaveState(), off.env().SaveState());

  // with a weight the memory changes learning only once it is active
  TamAgent active(SmallRun(true), envs::ControlledPendulumOptions{}, 12);
  RunEpisodes(active, 30);
  for (size_t index = 0; index < 20; ++index) {
    EXPECT_EQ(active.history().rows[index].exp_nll, off.history().rows[index].exp_nll);
  }
  EXPECT_NE(active.history().rows[25].mem_risk, 0.0);
  EXPECT_NE(active.history().rows[29].z_norm, off.history().rows[29].z_norm);
}

TEST(TamAgentTest, ComputeDualIsClippedAtZeroUnlessSigned) {
  // a target above every reachable E[T]: the update always lowers lambda_T
  TamOptions clipped = SmallRun(false);
  clipped.target_et = 64.0;
  TamOptions signed_dual = clipped;
  signed_dual.compute_dual = "signed";
  TamAgent clipped_agent(clipped, envs::ControlledPendulumOptions{}, 9);
  TamAgent signed_agent(signed_dual, envs::ControlledPendulumOptions{}, 9);
  double expected = 0.0;
  for (int episode = 0; episode < 20; ++episode) {
    EpisodeRecord clipped_row = clipped_agent.RunEpisode();
    EpisodeRecord signed_row = signed_agent.RunEpisode();
    EXPECT_EQ(clipped_row.lambda_t, 0.0);
    // the notes' unclipped update: lambda_T += lambda_T_lr * (E[T]_train - target_ET)
    expected = std::max(expected + signed_dual.lambda_t_lr * (signed_row.e_t_train - 64.0),
                        -signed_dual.lambda_max);
    EXPECT_DOUBLE_EQ(signed_row.lambda_t, expected);
  }
  EXPECT_LT(signed_agent.lambda_t(), 0.0);
}

TEST(TamAgentTest, RejectsOptionsItCannotRun) {
  TamOptions options;
  options.policy_objective = "trained";
  EXPECT_THROW(TamAgent(options, envs::ControlledPendulumOptions{}, 1), std::invalid_argument);
  options = TamOptions{};
  options.memory.enabled = true;
  options.memory.detach_targets = false;
  EXPECT_THROW(TamAgent(options, envs::ControlledPendulumOptions{}, 1), std::invalid_argument);
}

}  // namespace
}  // namespace orch::tam
