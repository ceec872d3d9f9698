// Tests src/algos/ppo/schedules.cpp on hand-computed values: CleanRL's linear learning-rate
// decay, and the entropy coefficient's decay to its floor over a share of training.
#include "algos/ppo/schedules.h"

#include <gtest/gtest.h>

namespace orch::ppo {
namespace {

TEST(PpoSchedulesTest, TheLearningRateDecaysLinearlyFromItsFullValueAtTheFirstUpdate) {
  PpoOptions options;
  options.lr = 1e-3;
  // 4 updates: progress 0, 1/4, 2/4, 3/4
  const double expected[] = {1e-3, 7.5e-4, 5e-4, 2.5e-4};
  for (int64_t update = 1; update <= 4; ++update) {
    EXPECT_DOUBLE_EQ(RatesAt(options, update, 4).learning_rate, expected[update - 1]) << update;
  }
  options.anneal_lr = false;
  EXPECT_DOUBLE_EQ(RatesAt(options, 4, 4).learning_rate, 1e-3);
}

TEST(PpoSchedulesTest, TheEntropyCoefficientReachesItsFloorAtTheFractionAndStays) {
  PpoOptions options;
  options.ent_coef = 0.05;
  options.ent_coef_final = 0.01;
  options.ent_anneal_fraction = 0.5;
  // 10 updates, progress p = (u - 1) / 10; coef = 0.01 + 0.04 * max(0, 1 - p / 0.5)
  const double expected[] = {0.05, 0.042, 0.034, 0.026, 0.018, 0.01, 0.01, 0.01, 0.01, 0.01};
  for (int64_t update = 1; update <= 10; ++update) {
    EXPECT_NEAR(RatesAt(options, update, 10).ent_coef, expected[update - 1], 1e-15) << update;
  }
  // over the whole run (fraction 1) the last update is one step short of the floor, as the
  // learning rate's last update is one step short of 0
  options.ent_anneal_fraction = 1.0;
  EXPECT_NEAR(RatesAt(options, 10, 10).ent_coef, 0.014, 1e-15);
}

TEST(PpoSchedulesTest, WithoutAFloorTheEntropyCoefficientIsConstant) {
  PpoOptions options;
  options.ent_coef = 0.05;
  options.ent_anneal_fraction = 0.25;  // no effect (the schema warns)
  for (int64_t update = 1; update <= 8; ++update) {
    EXPECT_EQ(RatesAt(options, update, 8).ent_coef, 0.05);
  }
}

}  // namespace
}  // namespace orch::ppo
