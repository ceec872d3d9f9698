// Tests src/algos/tam/dual_controllers.cpp against updates computed by hand.
#include "algos/tam/dual_controllers.h"

#include <gtest/gtest.h>

namespace orch::tam {
namespace {

TamOptions WithComputeDual(const char* kind) {
  TamOptions options;  // target_et 16, lambda_t_lr 0.02, kp 1, smoothing 0.95, max 50
  options.compute_dual = kind;
  return options;
}

TEST(DualControllersTest, ReliabilityMultiplierIsClippedToZeroAndTheMaximum) {
  TamOptions options;  // target_bind 0.9, lambda_lr 0.05
  DualState state;
  UpdateDuals(options, 0.5, 16.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_bind, 0.02);  // 0.05 * (0.9 - 0.5)
  UpdateDuals(options, 1.0, 16.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_bind, 0.015);  // 0.02 + 0.05 * (0.9 - 1.0)
  for (int episode = 0; episode < 4; ++episode) UpdateDuals(options, 1.0, 16.0, state);
  EXPECT_EQ(state.lambda_bind, 0.0);  // 0.015 - 4 * 0.005 < 0, clipped
  state.lambda_bind = 49.99;
  UpdateDuals(options, 0.0, 16.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_bind, 50.0);
}

TEST(DualControllersTest, ClippedComputeMultiplierIsACeiling) {
  const TamOptions options = WithComputeDual("clipped");
  DualState state;
  UpdateDuals(options, 0.9, 41.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_t, 0.5);  // 0.02 * (41 - 16)
  UpdateDuals(options, 0.9, 1.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_t, 0.2);  // 0.5 + 0.02 * (1 - 16)
  UpdateDuals(options, 0.9, 1.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_t, 0.0);  // -0.1 clipped: below the target nothing pulls up
  EXPECT_DOUBLE_EQ(state.integral, state.lambda_t);
}

TEST(DualControllersTest, SignedComputeMultiplierGoesNegativeBelowTheTarget) {
  const TamOptions options = WithComputeDual("signed");
  DualState state;
  UpdateDuals(options, 0.9, 1.0, state);
  UpdateDuals(options, 0.9, 6.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_t, -0.5);  // 0.02 * (-15) + 0.02 * (-10)
  state.integral = state.lambda_t = -49.9;
  UpdateDuals(options, 0.9, 1.0, state);
  EXPECT_DOUBLE_EQ(state.lambda_t, -50.0);
  EXPECT_DOUBLE_EQ(state.error_ema, 0.0);  // only pi keeps the smoothed error
}

TEST(DualControllersTest, PiAddsTheSmoothedErrorToTheIntegral) {
  const TamOptions options = WithComputeDual("pi");
  DualState state;
  UpdateDuals(options, 0.9, 40.0, state);  // error 24
  EXPECT_NEAR(state.integral, 0.48, 1e-12);
  EXPECT_NEAR(state.error_ema, 1.2, 1e-12);  // 0.05 * 24
  EXPECT_NEAR(state.lambda_t, 1.68, 1e-12);
  UpdateDuals(options, 0.9, 40.0, state);
  EXPECT_NEAR(state.integral, 0.96, 1e-12);
  EXPECT_NEAR(state.error_ema, 2.34, 1e-12);  // 0.95 * 1.2 + 1.2
  EXPECT_NEAR(state.lambda_t, 3.30, 1e-12);
  UpdateDuals(options, 0.9, 4.0, state);  // error -12
  EXPECT_NEAR(state.integral, 0.72, 1e-12);
  EXPECT_NEAR(state.error_ema, 1.623, 1e-12);  // 0.95 * 2.34 - 0.6
  EXPECT_NEAR(state.lambda_t, 2.343, 1e-12);
}

TEST(DualControllersTest, PiClipsTheIntegralOnItsOwn) {
  TamOptions options = WithComputeDual("pi");
  options.lambda_t_kp = 10.0;
  DualState state;
  state.integral = 49.9;
  UpdateDuals(options, 0.9, 64.0, state);  // error 48: integral 50.86 -> 50, no windup
  EXPECT_DOUBLE_EQ(state.integral, 50.0);
  EXPECT_DOUBLE_EQ(state.lambda_t, 50.0);  // 50 + 10 * 2.4, clipped
  UpdateDuals(options, 0.9, 1.0, state);   // error -15
  EXPECT_DOUBLE_EQ(state.integral, 49.7);
  // ema 0.95 * 2.4 - 0.75 = 1.53; 49.7 + 15.3 = 65 -> 50
  EXPECT_DOUBLE_EQ(state.lambda_t, 50.0);
  for (int episode = 0; episode < 40; ++episode) UpdateDuals(options, 0.9, 1.0, state);
  // the integral fell by 0.3 an episode from 49.7; the smoothed error is close to -15
  EXPECT_NEAR(state.integral, 37.7, 1e-9);
  EXPECT_LT(state.lambda_t, state.integral);
}

}  // namespace
}  // namespace orch::tam
