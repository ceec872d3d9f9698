// Tests src/rl/discrete_regression.cpp against values worked out by hand
// (tdmpc2.md §4: 101 bins on [-10, 10] in symlog space, bin size 0.2).
#include "rl/discrete_regression.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace orch::rl {
namespace {

at::Tensor Scalars(std::initializer_list<float> values) {
  return torch::tensor(std::vector<float>(values)).view({-1, 1});
}

TEST(DiscreteRegressionTest, SymlogAndSymexp) {
  at::Tensor x =
      Scalars({0.0f, static_cast<float>(M_E - 1.0), -static_cast<float>(M_E - 1.0), 100.0f});
  at::Tensor y = Symlog(x);
  EXPECT_NEAR(y[0].item<float>(), 0.0, 1e-7);
  EXPECT_NEAR(y[1].item<float>(), 1.0, 1e-6);  // log(1 + e - 1) = 1
  EXPECT_NEAR(y[2].item<float>(), -1.0, 1e-6);
  EXPECT_NEAR(y[3].item<float>(), std::log(101.0), 1e-5);
  EXPECT_TRUE(torch::allclose(Symexp(y), x, 1e-5, 1e-4));
}

TEST(DiscreteRegressionTest, TwoHotPutsTheWeightOnTheNeighbouringBins) {
  DiscreteRegression regression(101, -10.0, 10.0);
  EXPECT_DOUBLE_EQ(regression.bin_size(), 0.2);
  // symlog 0 = 0 → position (0 + 10) / 0.2 = 50: all weight on bin 50
  // symlog(e^0.1 − 1) = 0.1 → position 50.5: 0.5 on bins 50 and 51
  // symlog(e^0.25 − 1) = 0.25 → position 51.25: 0.75 on bin 51, 0.25 on bin 52
  // 1e6 → symlog 13.8 → clamped to 10 → position 100: all weight on bin 100 (the wrap to bin 0
  // gets 0)
  at::Tensor x = Scalars(
      {0.0f, static_cast<float>(std::expm1(0.1)), static_cast<float>(std::expm1(0.25)), 1e6f});
  at::Tensor two_hot = regression.TwoHot(x);
  ASSERT_EQ(two_hot.sizes(), (std::vector<int64_t>{4, 101}));
  EXPECT_NEAR(two_hot[0][50].item<float>(), 1.0, 1e-6);
  EXPECT_NEAR(two_hot[1][50].item<float>(), 0.5, 1e-4);
  EXPECT_NEAR(two_hot[1][51].item<float>(), 0.5, 1e-4);
  EXPECT_NEAR(two_hot[2][51].item<float>(), 0.75, 1e-4);
  EXPECT_NEAR(two_hot[2][52].item<float>(), 0.25, 1e-4);
  EXPECT_NEAR(two_hot[3][100].item<float>(), 1.0, 1e-6);
  EXPECT_NEAR(two_hot[3][0].item<float>(), 0.0, 1e-6);
  EXPECT_TRUE(torch::allclose(two_hot.sum(-1), torch::ones({4})));
}

TEST(DiscreteRegressionTest, SoftCrossEntropyOfUniformLogitsIsLogBins) {
  DiscreteRegression regression(101, -10.0, 10.0);
  at::Tensor ce = regression.SoftCrossEntropy(torch::zeros({3, 101}), Scalars({0.0f, 3.0f, -7.0f}));
  for (int64_t i = 0; i < 3; ++i) EXPECT_NEAR(ce[i][0].item<float>(), std::log(101.0), 1e-5);
}

TEST(DiscreteRegressionTest, SoftCrossEntropyEqualsTheDenseDefinition) {
  DiscreteRegression regression(101, -10.0, 10.0);
  torch::manual_seed(3);
  at::Tensor logits = torch::randn({2, 5, 101});
  at::Tensor target = torch::randn({2, 5, 1}) * 50.0;
  at::Tensor dense =
      -(regression.TwoHot(target) * torch::log_softmax(logits, -1)).sum(-1, /*keepdim=*/true);
  EXPECT_TRUE(torch::allclose(regression.SoftCrossEntropy(logits, target), dense, 1e-5, 1e-5));
}

TEST(DiscreteRegressionTest, DecodeIsTheSymexpOfTheExpectedBin) {
  DiscreteRegression regression(101, -10.0, 10.0);
  // uniform logits: the mean bin is 0, symexp(0) = 0
  EXPECT_NEAR(regression.Decode(torch::zeros({1, 101}))[0][0].item<float>(), 0.0, 1e-5);
  // all mass on bin 60 (symlog value −10 + 60 · 0.2 = 2): e² − 1 = 6.389056
  at::Tensor peaked = torch::full({1, 101}, -1e4);
  peaked[0][60] = 0.0;
  EXPECT_NEAR(regression.Decode(peaked)[0][0].item<float>(), std::expm1(2.0), 1e-4);
  // half on bins 50 and 51: symlog value 0.1 → e^0.1 − 1
  at::Tensor split = torch::full({1, 101}, -1e4);
  split[0][50] = 0.0;
  split[0][51] = 0.0;
  EXPECT_NEAR(regression.Decode(split)[0][0].item<float>(), std::expm1(0.1), 1e-5);
}

}  // namespace
}  // namespace orch::rl
