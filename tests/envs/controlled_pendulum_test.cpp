// Tests src/envs/controlled_pendulum.cpp.
#include "envs/controlled_pendulum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace orch::envs {
namespace {

ControlledPendulumOptions Noiseless() {
  ControlledPendulumOptions options;
  options.noise_std = 0.0;
  options.switch_mid_episode = false;
  return options;
}

TEST(ControlledPendulumTest, ResetsToQuarterTurnInRegimeZero) {
  ControlledPendulumEnv env(Noiseless(), 1);
  EXPECT_DOUBLE_EQ(env.state()[0], std::numbers::pi / 4);
  EXPECT_DOUBLE_EQ(env.state()[1], 0.0);
  EXPECT_EQ(env.regime(), 0);
}

TEST(ControlledPendulumTest, RegimeZeroStepMatchesHandComputation) {
  // acc = -9.8 sin(pi/4) - 0.1 * 0 + 1; omega = acc dt; theta = pi/4 + omega dt
  ControlledPendulumEnv env(Noiseless(), 1);
  const auto& next = env.Step(1.0);
  EXPECT_NEAR(next[1], -0.2964823227814083, 1e-14);
  EXPECT_NEAR(next[0], 0.7705740472583779, 1e-14);
}

TEST(ControlledPendulumTest, RegimeOneStepInvertsAndAmplifiesTheAction) {
  // acc = -25 sin(0.3) - 1.5 * (-0.5) + 1.25 * (-1)
  ControlledPendulumEnv env(Noiseless(), 1);
  env.set_state({0.3, -0.5});
  env.set_regime(1);
  const auto& next = env.Step(1.0);
  EXPECT_NEAR(next[1], -0.8944002583266745, 1e-14);
  EXPECT_NEAR(next[0], 0.2552799870836663, 1e-14);
  EXPECT_EQ(env.regime(), 1);
}

TEST(ControlledPendulumTest, ActionsAreClippedBeforeTheRegimeMapping) {
  ControlledPendulumEnv env(Noiseless(), 1);
  EXPECT_DOUBLE_EQ(env.EffectiveAction(0, 5.0), 2.0);
  EXPECT_DOUBLE_EQ(env.EffectiveAction(0, -0.7), -0.7);
  EXPECT_DOUBLE_EQ(env.EffectiveAction(1, -5.0), 2.5);
  // a clipped action of 3 acts as 2 -> -2.5 in regime 1
  const auto next = env.Integrate({0.3, -0.5}, 1, 3.0);
  EXPECT_NEAR(next[1], -0.9569002583266745, 1e-14);
  EXPECT_NEAR(next[0], 0.25215498708366624, 1e-14);
}

TEST(ControlledPendulumTest, DeadZoneSilencesSmallRegimeOneActions) {
  ControlledPendulumOptions options = Noiseless();
  options.dead_zone_regime1 = 0.5;
  ControlledPendulumEnv env(options, 1);
  EXPECT_EQ(env.EffectiveAction(1, 0.3), 0.0);
  EXPECT_EQ(env.EffectiveAction(1, -0.49), 0.0);
  EXPECT_DOUBLE_EQ(env.EffectiveAction(1, 0.6), -0.75);
  // regime 0 has no dead zone
  EXPECT_DOUBLE_EQ(env.EffectiveAction(0, 0.3), 0.3);
  // without the inversion only the gain remains
  options.invert_regime1 = false;
  ControlledPendulumEnv plain(options, 1);
  EXPECT_DOUBLE_EQ(plain.EffectiveAction(1, 0.6), 0.75);
}

TEST(ControlledPendulumTest, RegimeScheduleAlternatesInBlocks) {
  ControlledPendulumEnv env(Noiseless(), 1);
  EXPECT_EQ(env.ScheduledRegime(0), 0);
  EXPECT_EQ(env.ScheduledRegime(999), 0);
  EXPECT_EQ(env.ScheduledRegime(1000), 1);
  EXPECT_EQ(env.ScheduledRegime(1999), 1);
  EXPECT_EQ(env.ScheduledRegime(2000), 0);
  EXPECT_EQ(env.ScheduledRegime(7500), 1);
  // the state survives the start of an episode
  env.Step(0.5);
  const auto before = env.state();
  env.BeginEpisode(1500);
  EXPECT_EQ(env.regime(), 1);
  EXPECT_EQ(env.state(), before);
}

TEST(ControlledPendulumTest, RegimeFlipsWithSwitchProbability) {
  ControlledPendulumOptions options = Noiseless();
  options.switch_mid_episode = true;
  ControlledPendulumEnv env(options, 7);
  const int steps = 40'000;
  int flips = 0;
  int regime = env.regime();
  for (int step = 0; step < steps; ++step) {
    env.set_state({0.1, 0.0});
    env.Step(0.0);
    flips += env.regime() != regime;
    regime = env.regime();
  }
  EXPECT_NEAR(static_cast<double>(flips) / steps, 0.15, 0.01);
}

TEST(ControlledPendulumTest, NoiseHasTheConfiguredStd) {
  ControlledPendulumOptions options = Noiseless();
  options.noise_std = 0.005;
  ControlledPendulumEnv env(options, 3);
  const int steps = 40'000;
  double sum_sq_theta = 0.0, sum_sq_omega = 0.0;
  for (int step = 0; step < steps; ++step) {
    env.set_state({0.2, 0.1});
    const auto clean = env.Integrate({0.2, 0.1}, 0, 0.4);
    const auto& noisy = env.Step(0.4);
    sum_sq_theta += std::pow(noisy[0] - clean[0], 2);
    sum_sq_omega += std::pow(noisy[1] - clean[1], 2);
  }
  EXPECT_NEAR(std::sqrt(sum_sq_theta / steps), 0.005, 1e-4);
  EXPECT_NEAR(std::sqrt(sum_sq_omega / steps), 0.005, 1e-4);
}

TEST(ControlledPendulumTest, SavedStateContinuesExactly) {
  ControlledPendulumEnv env(ControlledPendulumOptions{}, 11);
  for (int step = 0; step < 30; ++step) env.Step(std::sin(step));
  const std::string saved = env.SaveState();
  std::vector<double> expected;
  for (int step = 0; step < 50; ++step) {
    const auto& next = env.Step(0.3 * std::cos(step));
    expected.insert(expected.end(), {next[0], next[1], static_cast<double>(env.regime())});
  }
  ControlledPendulumEnv restored(ControlledPendulumOptions{}, 99);
  restored.LoadState(saved);
  for (int step = 0; step < 50; ++step) {
    const auto& next = restored.Step(0.3 * std::cos(step));
    EXPECT_EQ(next[0], expected[3 * step]);
    EXPECT_EQ(next[1], expected[3 * step + 1]);
    EXPECT_EQ(restored.regime(), expected[3 * step + 2]);
  }
  EXPECT_THROW(restored.LoadState("garbage"), std::runtime_error);
}

}  // namespace
}  // namespace orch::envs
