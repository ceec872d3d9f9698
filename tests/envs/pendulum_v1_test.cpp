// Tests src/envs/pendulum_v1.cpp.
#include "envs/pendulum_v1.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "common/error.h"
#include "orch_error_message.h"

namespace orch::envs {
namespace {

StepResult Torque(PendulumEnv& env, float torque, std::span<float> obs) {
  const float action[] = {torque};
  return env.Step(Action{.continuous = action}, obs);
}

TEST(PendulumTest, SpecAndSizes) {
  PendulumEnv env(PendulumOptions{}, 1);
  EXPECT_EQ(env.name(), "pendulum");
  EXPECT_EQ(env.obs_dim(), 3);
  EXPECT_EQ(env.max_episode_steps(), 200);
  const ActionSpec& spec = env.action_spec();
  EXPECT_TRUE(spec.IsContinuous());
  EXPECT_EQ(spec.dim, 1);
  EXPECT_EQ(spec.low, std::vector<double>{-2.0});
  EXPECT_EQ(spec.high, std::vector<double>{2.0});
  EXPECT_EQ(spec.mask_size(), 0);
}

TEST(PendulumTest, AngleNormalizeWrapsToMinusPiPi) {
  EXPECT_DOUBLE_EQ(AngleNormalize(0.5), 0.5);
  EXPECT_DOUBLE_EQ(AngleNormalize(4.0), 4.0 - 2.0 * std::numbers::pi);
  EXPECT_DOUBLE_EQ(AngleNormalize(-4.0), -4.0 + 2.0 * std::numbers::pi);
  EXPECT_NEAR(AngleNormalize(7.0), 0.7168146928204138, 1e-15);
  EXPECT_NEAR(AngleNormalize(-7.0), -0.7168146928204138, 1e-15);
  // the floored mod sends both pi and -pi to -pi
  EXPECT_DOUBLE_EQ(AngleNormalize(std::numbers::pi), -std::numbers::pi);
  EXPECT_DOUBLE_EQ(AngleNormalize(-std::numbers::pi), -std::numbers::pi);
}

TEST(PendulumTest, StepMatchesGymnasiumByHand) {
  // theta 1, thetadot 0.5, u 1.5:
  //   cost = 1^2 + 0.1 * 0.25 + 0.001 * 2.25 = 1.02725 (pre-step state)
  //   thetadot' = 0.5 + (3 * 10 / 2 * sin 1 + 3 / 1 * 1.5) * 0.05 = 1.3561032386059226
  //   theta' = 1 + thetadot' * 0.05 = 1.0678051619302962
  PendulumEnv env(PendulumOptions{}, 1);
  std::vector<float> obs(3);
  env.Reset(obs);
  env.set_state({1.0, 0.5});
  const StepResult result = Torque(env, 1.5f, obs);
  EXPECT_NEAR(result.reward, -1.02725, 1e-15);
  EXPECT_NEAR(env.state()[1], 1.3561032386059226, 1e-15);
  EXPECT_NEAR(env.state()[0], 1.0678051619302962, 1e-15);
  EXPECT_FALSE(result.terminated);
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(obs[0], static_cast<float>(std::cos(env.state()[0])));
  EXPECT_EQ(obs[1], static_cast<float>(std::sin(env.state()[0])));
  EXPECT_EQ(obs[2], static_cast<float>(env.state()[1]));
}

TEST(PendulumTest, ClipsTorqueAndSpeed) {
  // theta 1, thetadot 7.9, u 5 -> 2:
  //   cost = 1 + 0.1 * 62.41 + 0.001 * 4 = 7.245
  //   thetadot' = 7.9 + (15 sin 1 + 6) * 0.05 = 8.83 -> 8; theta' = 1 + 8 * 0.05 = 1.4
  PendulumEnv env(PendulumOptions{}, 1);
  std::vector<float> obs(3);
  env.Reset(obs);
  env.set_state({1.0, 7.9});
  StepResult result = Torque(env, 5.0f, obs);
  EXPECT_NEAR(result.reward, -7.245, 1e-14);
  EXPECT_EQ(env.state()[1], 8.0);
  EXPECT_NEAR(env.state()[0], 1.4, 1e-15);
  // the reward wraps theta: theta 4 is 4 - 2 pi away from upright;
  // cost = (4 - 2 pi)^2 + 0.1 * 0.04 + 0.001 * 4 (u = -5 -> -2), thetadot' clipped at -8
  env.set_state({4.0, -7.9});
  result = Torque(env, -5.0f, obs);
  const double wrapped = 4.0 - 2.0 * std::numbers::pi;
  EXPECT_NEAR(result.reward, -(wrapped * wrapped + 0.1 * 7.9 * 7.9 + 0.004), 1e-13);
  EXPECT_EQ(env.state()[1], -8.0);
}

TEST(PendulumTest, TruncatesAfterMaxStepsAndNeverTerminates) {
  PendulumEnv env(PendulumOptions{}, 2);
  std::vector<float> obs(3);
  env.Reset(obs);
  for (int step = 1; step <= 200; ++step) {
    const StepResult result = Torque(env, 2.0f, obs);
    ASSERT_FALSE(result.terminated);
    ASSERT_EQ(result.truncated, step == 200) << step;
    ASSERT_LE(result.reward, 0.0);
    // the worst cost: pi^2 + 0.1 * 64 + 0.001 * 4
    ASSERT_GE(result.reward, -(std::numbers::pi * std::numbers::pi + 6.4 + 0.004));
  }
  EXPECT_THROW(Torque(env, 0.0f, obs), std::runtime_error);
}

TEST(PendulumTest, ResetDrawsAngleAndSpeedInTheirRanges) {
  PendulumEnv env(PendulumOptions{}, 3);
  std::vector<float> obs(3);
  double theta_low = 10, theta_high = -10, speed_low = 10, speed_high = -10;
  for (int episode = 0; episode < 2000; ++episode) {
    env.Reset(obs);
    const auto [theta, speed] = env.state();
    ASSERT_GE(theta, -std::numbers::pi);
    ASSERT_LE(theta, std::numbers::pi);
    ASSERT_GE(speed, -1.0);
    ASSERT_LE(speed, 1.0);
    theta_low = std::min(theta_low, theta);
    theta_high = std::max(theta_high, theta);
    speed_low = std::min(speed_low, speed);
    speed_high = std::max(speed_high, speed);
    ASSERT_EQ(obs[0], static_cast<float>(std::cos(theta)));
  }
  EXPECT_LT(theta_low, -3.1);
  EXPECT_GT(theta_high, 3.1);
  EXPECT_LT(speed_low, -0.99);
  EXPECT_GT(speed_high, 0.99);
}

TEST(PendulumTest, BadActionsThrow) {
  PendulumEnv env(PendulumOptions{}, 1);
  std::vector<float> obs(3);
  env.Reset(obs);
  EXPECT_THROW(Torque(env, std::numeric_limits<float>::quiet_NaN(), obs), std::runtime_error);
  EXPECT_THROW(Torque(env, std::numeric_limits<float>::infinity(), obs), std::runtime_error);
  const float two[] = {0.0f, 1.0f};
  EXPECT_THROW(env.Step(Action{.continuous = two}, obs), std::runtime_error);
  EXPECT_THROW(env.Step(Action{}, obs), std::runtime_error);
}

TEST(PendulumTest, RejectsImpossibleOptions) {
  PendulumOptions options;
  options.dt = 0.0;
  EXPECT_THROW(PendulumEnv(options, 1), OrchError);
  EXPECT_NE(OrchErrorMessage([&] { PendulumEnv env(options, 1); }).find("env.dt"),
            std::string::npos);
  options = PendulumOptions{};
  options.max_episode_steps = 0;
  EXPECT_NE(OrchErrorMessage([&] { PendulumEnv env(options, 1); }).find("env.max_episode_steps"),
            std::string::npos);
}

}  // namespace
}  // namespace orch::envs
