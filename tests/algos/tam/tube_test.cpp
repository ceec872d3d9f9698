// Tests src/algos/tam/tube.cpp.
#include "algos/tam/tube.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "rl/seeding.h"

namespace orch::tam {
namespace {

at::Tensor Floats(std::vector<float> values, std::vector<int64_t> shape) {
  return at::tensor(values, at::kFloat).reshape(shape);
}

TEST(TubeTest, InterpolatesBetweenNeighbouringKnots) {
  // knots 0, 10, 20 at u = 0, 1, 2
  at::Tensor knots = Floats({0, 10, 20}, {3, 1});
  at::Tensor t = Floats({0.0f, 0.25f, 0.5f, 0.75f, 1.0f}, {5});
  at::Tensor values = InterpolateKnots(knots, t);
  ASSERT_EQ(values.sizes(), (at::IntArrayRef{5, 1}));
  const std::vector<float> expected = {0, 5, 10, 15, 20};
  for (int64_t i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(values[i][0].item<float>(), expected[i]);
}

TEST(TubeTest, InterpolatesEachStateDimension) {
  at::Tensor knots = Floats({0, 1, 2, -1}, {2, 2});
  at::Tensor values = InterpolateKnots(knots, Floats({0.25f}, {1}));
  EXPECT_FLOAT_EQ(values[0][0].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(values[0][1].item<float>(), 0.5f);
}

TEST(TubeTest, EvaluatesAtOneOverTToOneAndClampsLogSigma) {
  // T = 2: t = 0.5, 1 -> u = 1, 2: the second and third knots
  at::Tensor mu_knots = Floats({0, 0, 1, 2, 3, 4}, {3, 2});
  at::Tensor logsig_knots = Floats({0, 0, -9, 0.5, 5, 1}, {3, 2});
  TubeTrajectory tube = EvaluateTube(mu_knots, logsig_knots, 2, -4.0, 2.0);
  EXPECT_FLOAT_EQ(tube.mu[0][0].item<float>(), 1);
  EXPECT_FLOAT_EQ(tube.mu[0][1].item<float>(), 2);
  EXPECT_FLOAT_EQ(tube.mu[1][0].item<float>(), 3);
  EXPECT_FLOAT_EQ(tube.mu[1][1].item<float>(), 4);
  EXPECT_FLOAT_EQ(tube.logvar[0][0].item<float>(), -8);  // -9 clamped to -4
  EXPECT_FLOAT_EQ(tube.logvar[0][1].item<float>(), 1);
  EXPECT_FLOAT_EQ(tube.logvar[1][0].item<float>(), 4);  // 5 clamped to 2
  EXPECT_FLOAT_EQ(tube.logvar[1][1].item<float>(), 2);
}

TEST(TubeTest, HaltingWeightsOfSmallHorizons) {
  // T = 1: all the mass on t = 1
  HaltingWeights one = TruncatedGeometricWeights(at::scalar_tensor(0.3, at::kFloat), 1);
  EXPECT_NEAR(one.w[0].item<float>(), 1.0, 1e-6);
  EXPECT_NEAR(one.expected_t.item<float>(), 1.0, 1e-6);
  // T = 2, p = 0.5: w = (0.5, 0.5 * 0.5 + 0.5^2) = (0.5, 0.5), E = 1.5
  HaltingWeights two = TruncatedGeometricWeights(at::scalar_tensor(0.5, at::kFloat), 2);
  EXPECT_NEAR(two.w[0].item<float>(), 0.5, 1e-6);
  EXPECT_NEAR(two.w[1].item<float>(), 0.5, 1e-6);
  EXPECT_NEAR(two.expected_t.item<float>(), 1.5, 1e-6);
  // T = 3, p = 0.25: w = (0.25, 0.1875, 0.140625 + 0.421875), E = 2.3125
  HaltingWeights three = TruncatedGeometricWeights(at::scalar_tensor(0.25, at::kFloat), 3);
  EXPECT_NEAR(three.w[0].item<float>(), 0.25, 1e-6);
  EXPECT_NEAR(three.w[1].item<float>(), 0.1875, 1e-6);
  EXPECT_NEAR(three.w[2].item<float>(), 0.5625, 1e-6);
  EXPECT_NEAR(three.expected_t.item<float>(), 2.3125, 1e-5);
}

TEST(TubeTest, ExpectedHorizonCarriesGradientToPStop) {
  // T = 2: E = p + 2 (1 - p) = 2 - p, so dE/dp = -1
  at::Tensor p = at::scalar_tensor(0.4, at::kFloat).set_requires_grad(true);
  HaltingWeights weights = TruncatedGeometricWeights(p, 2);
  weights.expected_t.backward();
  EXPECT_NEAR(p.grad().item<float>(), -1.0, 1e-5);
}

TEST(TubeTest, HorizonProbabilitiesMoveMassToMinTAndTailToMaxH) {
  // p = 0.5, maxH = 4: (0.5, 0.25, 0.125, tail 0.125); minT = 2 folds t = 1 into t = 2
  std::vector<double> probabilities = HorizonProbabilities(0.5, 4, 2);
  ASSERT_EQ(probabilities.size(), 4u);
  EXPECT_NEAR(probabilities[0], 0.0, 1e-12);
  EXPECT_NEAR(probabilities[1], 0.75, 1e-9);
  EXPECT_NEAR(probabilities[2], 0.125, 1e-9);
  EXPECT_NEAR(probabilities[3], 0.125, 1e-9);
  // a tiny p puts almost everything in the tail at maxH
  std::vector<double> tail = HorizonProbabilities(0.0, 8, 1);
  EXPECT_NEAR(tail[7], std::pow(1.0 - 1e-4, 7), 1e-9);
  // minT = maxH leaves a single horizon
  std::vector<double> fixed = HorizonProbabilities(0.9, 3, 3);
  EXPECT_NEAR(fixed[2], 1.0, 1e-9);
}

TEST(TubeTest, SampledHorizonsFollowTheDistribution) {
  const std::vector<double> probabilities = HorizonProbabilities(0.3, 8, 2);
  rl::RandomStream stream(5, "horizon-test");
  const int draws = 200'000;
  std::vector<int> counts(9, 0);
  for (int draw = 0; draw < draws; ++draw) ++counts[SampleHorizon(probabilities, stream.Uniform())];
  EXPECT_EQ(counts[1], 0);
  // t = 2 holds P(1) + P(2) = 0.3 + 0.21; the tail at 8 holds 0.7^7
  EXPECT_NEAR(counts[2] / static_cast<double>(draws), 0.51, 0.005);
  EXPECT_NEAR(counts[8] / static_cast<double>(draws), std::pow(0.7, 7), 0.005);
  for (int t = 2; t <= 8; ++t) {
    EXPECT_NEAR(counts[t] / static_cast<double>(draws), probabilities[t - 1], 0.005) << t;
  }
  EXPECT_EQ(SampleHorizon(probabilities, 0.0), 2);
  EXPECT_EQ(SampleHorizon(probabilities, 0.999999999), 8);
}

}  // namespace
}  // namespace orch::tam
