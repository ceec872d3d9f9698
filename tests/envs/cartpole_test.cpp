// Tests src/envs/cartpole.cpp.
#include "envs/cartpole.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "common/error.h"
#include "orch_error_message.h"

namespace orch::envs {
namespace {

StepResult Push(CartPoleEnv& env, int64_t direction, std::span<float> obs) {
  const int64_t action[] = {direction};
  return env.Step(Action{.discrete = action}, obs);
}

TEST(CartPoleTest, SpecAndSizes) {
  CartPoleEnv env(CartPoleOptions{}, 1);
  EXPECT_EQ(env.name(), "cartpole");
  EXPECT_EQ(env.obs_dim(), 4);
  EXPECT_EQ(env.max_episode_steps(), 500);
  const ActionSpec& spec = env.action_spec();
  EXPECT_TRUE(spec.IsDiscrete());
  EXPECT_FALSE(spec.masked);
  EXPECT_EQ(spec.head_names, std::vector<std::string>{"action"});
  EXPECT_EQ(spec.head_sizes, std::vector<int>{2});
  std::vector<uint8_t> masks(2, 0);
  env.WriteMasks(masks);
  EXPECT_EQ(masks, (std::vector<uint8_t>{1, 1}));
}

TEST(CartPoleTest, StepMatchesGymnasiumByHand) {
  // state (0.01, -0.02, 0.03, 0.04), action 1 (force +10):
  //   temp = (10 + 0.05 * 0.04^2 * sin 0.03) / 1.1 = 9.090911272400014
  //   thetaacc = (9.8 sin 0.03 - cos 0.03 * temp) / (0.5 (4/3 - 0.1 cos^2 0.03 / 1.1))
  //            = -14.153435898000405
  //   xacc = temp - 0.05 * thetaacc * cos 0.03 / 1.1 = 9.733959787377762
  //   Euler with the old values: x = 0.01 + 0.02 * -0.02, x_dot = -0.02 + 0.02 * xacc,
  //   theta = 0.03 + 0.02 * 0.04, theta_dot = 0.04 + 0.02 * thetaacc
  CartPoleEnv env(CartPoleOptions{}, 1);
  std::vector<float> obs(4);
  env.Reset(obs);
  env.set_state({0.01, -0.02, 0.03, 0.04});
  const StepResult result = Push(env, 1, obs);
  EXPECT_NEAR(env.state()[0], 0.0096, 1e-15);
  EXPECT_NEAR(env.state()[1], 0.17467919574755525, 1e-15);
  EXPECT_NEAR(env.state()[2], 0.0308, 1e-15);
  EXPECT_NEAR(env.state()[3], -0.2430687179600081, 1e-15);
  EXPECT_EQ(result.reward, 1.0);
  EXPECT_FALSE(result.terminated);
  EXPECT_FALSE(result.truncated);
  // the observation is the state cast to float
  for (int idx = 0; idx < 4; ++idx) EXPECT_EQ(obs[idx], static_cast<float>(env.state()[idx]));
}

TEST(CartPoleTest, PushLeftMirrorsPushRight) {
  // from the upright rest state the two forces give mirrored states
  CartPoleEnv left(CartPoleOptions{}, 1), right(CartPoleOptions{}, 1);
  std::vector<float> obs(4);
  left.Reset(obs);
  right.Reset(obs);
  left.set_state({0.0, 0.0, 0.0, 0.0});
  right.set_state({0.0, 0.0, 0.0, 0.0});
  Push(left, 0, obs);
  Push(right, 1, obs);
  for (int idx = 0; idx < 4; ++idx) EXPECT_EQ(left.state()[idx], -right.state()[idx]);
  // one step moves only the velocities: xacc = 10 / 1.1 - 0.05 thetaacc / 1.1 with
  // thetaacc = -(10 / 1.1) / (0.5 (4/3 - 0.1 / 1.1))
  const double theta_acc = -(10.0 / 1.1) / (0.5 * (4.0 / 3.0 - 0.1 / 1.1));
  EXPECT_EQ(right.state()[0], 0.0);
  EXPECT_NEAR(right.state()[1], 0.02 * (10.0 / 1.1 - 0.05 * theta_acc / 1.1), 1e-15);
  EXPECT_NEAR(right.state()[3], 0.02 * theta_acc, 1e-15);
}

TEST(CartPoleTest, TerminatesPastTheLimitsWithReward) {
  CartPoleEnv env(CartPoleOptions{}, 1);
  std::vector<float> obs(4);
  // x = 2.39 moving right at 1: x' = 2.39 + 0.02 = 2.41 > 2.4
  env.Reset(obs);
  env.set_state({2.39, 1.0, 0.0, 0.0});
  StepResult result = Push(env, 1, obs);
  EXPECT_TRUE(result.terminated);
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.reward, 1.0);
  EXPECT_THROW(Push(env, 1, obs), std::runtime_error);
  // theta just under 12 degrees falling further: theta' = theta + 0.02 * 0.5 > threshold
  env.Reset(obs);
  env.set_state({0.0, 0.0, CartPoleEnv::kThetaThreshold - 0.005, 0.5});
  result = Push(env, 0, obs);
  EXPECT_TRUE(result.terminated);
  // the mirror on the left, and a state just inside the limits does not end
  env.Reset(obs);
  env.set_state({-2.39, -1.0, 0.0, 0.0});
  EXPECT_TRUE(Push(env, 0, obs).terminated);
  env.Reset(obs);
  env.set_state({2.38, 0.5, 0.2, 0.0});
  EXPECT_FALSE(Push(env, 0, obs).terminated);
}

TEST(CartPoleTest, TruncatesAtMaxEpisodeSteps) {
  CartPoleOptions options;
  options.max_episode_steps = 10;
  CartPoleEnv env(options, 3);
  std::vector<float> obs(4);
  env.Reset(obs);
  // alternating pushes keep the pole up for 10 steps
  for (int step = 1; step <= 10; ++step) {
    const StepResult result = Push(env, step % 2, obs);
    ASSERT_FALSE(result.terminated);
    EXPECT_EQ(result.truncated, step == 10) << step;
  }
  EXPECT_THROW(Push(env, 0, obs), std::runtime_error);
}

TEST(CartPoleTest, ResetDrawsEachValueInTheRange) {
  CartPoleEnv env(CartPoleOptions{}, 5);
  std::vector<float> obs(4);
  std::vector<double> low(4, 1.0), high(4, -1.0);
  for (int episode = 0; episode < 2000; ++episode) {
    env.Reset(obs);
    for (int idx = 0; idx < 4; ++idx) {
      const double value = env.state()[idx];
      ASSERT_GE(value, -0.05);
      ASSERT_LT(value, 0.05);
      low[idx] = std::min(low[idx], value);
      high[idx] = std::max(high[idx], value);
    }
  }
  // the draws cover the range
  for (int idx = 0; idx < 4; ++idx) {
    EXPECT_LT(low[idx], -0.049);
    EXPECT_GT(high[idx], 0.049);
  }
}

TEST(CartPoleTest, HiddenVelocityObservesPositionAndAngle) {
  CartPoleOptions options;
  options.hide_velocity = true;
  CartPoleEnv env(options, 1);
  EXPECT_EQ(env.obs_dim(), 2);
  EXPECT_EQ(env.name(), "cartpole");
  std::vector<float> obs(2), full(4);
  EXPECT_THROW(env.Reset(full), std::runtime_error);
  env.Reset(obs);
  EXPECT_EQ(obs[0], static_cast<float>(env.state()[0]));
  EXPECT_EQ(obs[1], static_cast<float>(env.state()[2]));
  // the hidden env follows the same dynamics as the full one from the same seed
  CartPoleEnv visible(CartPoleOptions{}, 1);
  visible.Reset(full);
  for (int step = 0; step < 5; ++step) {
    Push(env, 1, obs);
    Push(visible, 1, full);
    EXPECT_EQ(obs[0], full[0]);
    EXPECT_EQ(obs[1], full[2]);
  }
}

TEST(CartPoleTest, BadActionsThrow) {
  CartPoleEnv env(CartPoleOptions{}, 1);
  std::vector<float> obs(4);
  env.Reset(obs);
  EXPECT_THROW(Push(env, 2, obs), std::runtime_error);
  EXPECT_THROW(Push(env, -1, obs), std::runtime_error);
  const int64_t two[] = {0, 1};
  EXPECT_THROW(env.Step(Action{.discrete = two}, obs), std::runtime_error);
  EXPECT_THROW(env.Step(Action{}, obs), std::runtime_error);
  // the failed calls did not step the env
  EXPECT_NO_THROW(Push(env, 1, obs));
}

TEST(CartPoleTest, RejectsImpossibleOptions) {
  CartPoleOptions options;
  options.max_episode_steps = 0;
  EXPECT_THROW(CartPoleEnv(options, 1), OrchError);
  EXPECT_NE(OrchErrorMessage([&] { CartPoleEnv env(options, 1); }).find("env.max_episode_steps"),
            std::string::npos);
}

}  // namespace
}  // namespace orch::envs
