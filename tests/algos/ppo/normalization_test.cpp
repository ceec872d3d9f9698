// Tests src/algos/ppo/normalization.cpp against values computed by hand with Gymnasium's
// formulas (RunningMeanStd's parallel update from a prior of weight 1e-4 at mean 0, variance 1;
// NormalizeReward's discounted returns that restart on termination).
#include "algos/ppo/normalization.h"

#include <gtest/gtest.h>

#include <vector>

namespace orch::ppo {
namespace {

TEST(NormalizationTest, RunningStatisticsMergeABatchIntoThePrior) {
  RunningMeanStd stats(1);
  const std::vector<double> batch = {1, 2, 3, 4};
  stats.Update(batch);
  // mean 2.5 and variance 1.25 of the batch, merged with the prior (count 1e-4)
  EXPECT_DOUBLE_EQ(stats.mean()[0], 2.499937501562461);
  EXPECT_DOUBLE_EQ(stats.var()[0], 1.250149992344039);
  EXPECT_DOUBLE_EQ(stats.count(), 4.0001);
}

TEST(NormalizationTest, BatchByBatchEqualsAllAtOnce) {
  // two columns, five rows, merged as 2 + 3 rows or as one batch
  const std::vector<double> rows = {0.5, -3, 1.5, 2, -2, 7, 4, 0.25, 3, -1};
  RunningMeanStd whole(2);
  whole.Update(rows);
  RunningMeanStd parts(2);
  parts.Update(std::vector<double>(rows.begin(), rows.begin() + 4));
  parts.Update(std::vector<double>(rows.begin() + 4, rows.end()));
  for (int j = 0; j < 2; ++j) {
    EXPECT_NEAR(parts.mean()[j], whole.mean()[j], 1e-12);
    EXPECT_NEAR(parts.var()[j], whole.var()[j], 1e-12);
  }
  EXPECT_DOUBLE_EQ(parts.count(), whole.count());
  EXPECT_THROW(whole.Update(std::vector<double>{1, 2, 3}), std::invalid_argument);
}

TEST(NormalizationTest, ObservationsAreCentredScaledAndClippedWithoutUpdatesInEvaluation) {
  ObservationNormalizer normalizer(2, 10.0);
  normalizer.stats().Restore({1.0, -2.0}, {4.0, 0.25}, 100.0);
  std::vector<float> obs = {3.0f, -1.5f, 1.0f, 100.0f};
  normalizer.Normalize(obs);
  EXPECT_NEAR(obs[0], 1.0, 1e-6);  // (3 - 1) / 2
  EXPECT_NEAR(obs[1], 1.0, 1e-6);  // (-1.5 + 2) / 0.5
  EXPECT_NEAR(obs[2], 0.0, 1e-6);
  EXPECT_EQ(obs[3], 10.0f);                             // 204, clipped
  EXPECT_DOUBLE_EQ(normalizer.stats().count(), 100.0);  // Normalize adds nothing

  // in training the batch joins the statistics first: a large batch comes out near mean 0, sd 1
  ObservationNormalizer training(1, 10.0);
  std::vector<float> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(static_cast<float>(50 + (i % 10)));
  training.UpdateAndNormalize(batch);
  double mean = 0.0;
  double square = 0.0;
  for (float value : batch) {
    mean += value / 1000.0;
    square += value * value / 1000.0;
  }
  EXPECT_NEAR(mean, 0.0, 1e-3);
  EXPECT_NEAR(square - mean * mean, 1.0, 1e-3);
}

TEST(NormalizationTest, RewardsAreDividedByTheSdOfDiscountedReturnsThatRestartOnTermination) {
  RewardScaler scaler(2, 0.9, 10.0);
  struct Step {
    std::vector<float> rewards;
    std::vector<uint8_t> terminated;
    std::vector<double> scaled;
    double divisor;
  };
  // returns [1, -2], then [1.9, 0.5] (env 1 terminates: its return restarts with this reward),
  // then [1, 3.45] (env 0 terminates)
  const std::vector<Step> steps = {
      {{1.0f, -2.0f}, {0, 0}, {0.6666740724382246, -1.3333481448764493}, 1.499983337199096},
      {{1.0f, 0.5f}, {0, 1}, {0.6913051338630087, 0.34565256693150437}, 1.4465392357380689},
      {{1.0f, 3.0f}, {1, 0}, {0.6112526251439745, 1.8337578754319237}, 1.6359847939539889},
  };
  for (const Step& step : steps) {
    std::vector<float> rewards = step.rewards;
    scaler.Scale(rewards, step.terminated);
    EXPECT_NEAR(scaler.divisor(), step.divisor, 1e-12);
    for (size_t env = 0; env < rewards.size(); ++env) {
      EXPECT_NEAR(rewards[env], step.scaled[env], 1e-6) << env;
    }
  }
  EXPECT_DOUBLE_EQ(scaler.returns()[1], 3.45);

  // the clip: returns of sd 0.01 over a million steps, then a reward of -50
  RewardScaler clipped(1, 0.99, 10.0);
  clipped.stats().Restore({0.0}, {1e-4}, 1e6);
  std::vector<float> large = {-50.0f};
  clipped.Scale(large, std::vector<uint8_t>{0});
  EXPECT_EQ(large[0], -10.0f);
}

}  // namespace
}  // namespace orch::ppo
