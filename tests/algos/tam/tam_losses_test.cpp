// Tests src/algos/tam/tam_losses.cpp.
#include "algos/tam/tam_losses.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace orch::tam {
namespace {

at::Tensor Floats(std::vector<float> values, std::vector<int64_t> shape) {
  return at::tensor(values, at::kFloat).reshape(shape);
}

const float kLog4 = static_cast<float>(std::log(4.0));

TEST(TamLossesTest, StepNllAveragesHalfLogVarPlusScaledError) {
  // dim 0: 1/2 (0 + 1 / (1 + 1e-8)); dim 1: 1/2 (log 4 + 4 / (4 + 1e-8))
  at::Tensor mu = Floats({0, 0}, {1, 2});
  at::Tensor logvar = Floats({0, kLog4}, {1, 2});
  at::Tensor y = Floats({1, 2}, {1, 2});
  at::Tensor nll = StepNll(mu, logvar, y);
  ASSERT_EQ(nll.sizes(), (at::IntArrayRef{1}));
  EXPECT_NEAR(nll[0].item<float>(), 0.8465735871549727, 1e-6);
}

TEST(TamLossesTest, SoftInsideIsTheProductOfPerDimSigmoids) {
  // std 1, k 2, temp 0.25: margins 2 - 1 = 1 and 2 - 2 = 0 -> sigmoid(4) * sigmoid(0)
  at::Tensor mu = Floats({0, 0}, {1, 2});
  at::Tensor logvar = Floats({0, 0}, {1, 2});
  at::Tensor y = Floats({1, -2}, {1, 2});
  at::Tensor inside = SoftInside(mu, logvar, y, 2.0, 0.25);
  EXPECT_NEAR(inside[0].item<float>(), 0.4910068950189542, 1e-6);
}

TEST(TamLossesTest, HardInsideFractionCountsStepsWithEveryDimInside) {
  at::Tensor mu = Floats({0, 0, 0, 0, 0, 0}, {3, 2});
  at::Tensor logvar = Floats({0, 0, 0, 0, 0, 0}, {3, 2});
  at::Tensor y = Floats({1, 1, 2, -2, 2.5, 0}, {3, 2});  // inside, on the edge, outside
  EXPECT_NEAR(HardInsideFraction(mu, logvar, y, 2.0), 2.0 / 3.0, 1e-12);
}

TEST(TamLossesTest, KlToStandardNormal) {
  // mu (1, 0), sigma (1, 2): 1/2 ((1 + 1 - 1 - log 1) + (4 + 0 - 1 - log 4))
  at::Tensor mu = Floats({1, 0}, {1, 2});
  at::Tensor logstd = Floats({0, static_cast<float>(std::log(2.0))}, {1, 2});
  EXPECT_NEAR(KlToStandardNormal(mu, logstd).item<float>(), 1.3068528131900548, 1e-6);
  // a standard normal has none
  EXPECT_NEAR(KlToStandardNormal(Floats({0, 0}, {1, 2}), Floats({0, 0}, {1, 2})).item<float>(), 0.0,
              1e-6);
}

TEST(TamLossesTest, ConeVolumeIsTheProductOfStds) {
  at::Tensor logvar = Floats({0, kLog4, kLog4, kLog4}, {2, 2});
  at::Tensor volume = StepConeVolume(logvar);
  EXPECT_NEAR(volume[0].item<float>(), 2.0, 1e-6);
  EXPECT_NEAR(volume[1].item<float>(), 4.0, 1e-6);
}

TEST(TamLossesTest, TotalWeighsEveryTermAsTheNotes) {
  TamOptions options;
  at::Tensor mu = Floats({0.1f, -0.2f, 0.3f, 0.4f}, {2, 2}).set_requires_grad(true);
  at::Tensor logvar = Floats({-1, 0, 0.5f, -0.5f}, {2, 2}).set_requires_grad(true);
  at::Tensor p = at::scalar_tensor(0.3, at::kFloat).set_requires_grad(true);
  at::Tensor y = Floats({0, 0, 1, -1}, {2, 2});
  at::Tensor actions = Floats({0.5f, -1.5f}, {2, 1});
  at::Tensor z_mu = Floats({0.2f, -0.1f}, {1, 2});
  at::Tensor z_logstd = Floats({-0.3f, 0.1f}, {1, 2});
  TubeTrajectory tube{mu, logvar};
  HaltingWeights halting = TruncatedGeometricWeights(p, 2);
  const double lambda_bind = 1.5, lambda_t = 0.25;
  LossTerms terms =
      ComputeLossTerms(tube, halting, y, actions, z_mu, z_logstd, options, lambda_bind, lambda_t);

  // each term from its definition
  at::Tensor w = halting.w.detach();
  EXPECT_NEAR(terms.exp_nll.item<float>(), (w * StepNll(mu, logvar, y)).sum().item<float>(), 1e-6);
  EXPECT_NEAR(terms.soft_bind.item<float>(),
              (w * SoftInside(mu, logvar, y, 2.0, 0.25)).sum().item<float>(), 1e-6);
  EXPECT_NEAR(terms.goal.item<float>(), (0.3 * 0.3 + 0.4 * 0.4) / 2, 1e-6);
  EXPECT_NEAR(terms.act.item<float>(), (0.25 + 2.25) / 2, 1e-6);
  EXPECT_NEAR(terms.cone_reg.item<float>(), (0.25 + 0 + 0.0625 + 0.0625) / 4, 1e-6);
  EXPECT_NEAR(terms.ponder.item<float>(), (0.002 + 0.25) * (2.0 - 0.3), 1e-6);
  EXPECT_NEAR(terms.constraint.item<float>(), 1.5 * (0.9 - terms.soft_bind.item<float>()), 1e-6);
  const double expected = terms.exp_nll.item<double>() + 0.001 * terms.cone_reg.item<double>() +
                          0.25 * terms.goal.item<double>() + 0.01 * terms.act.item<double>() +
                          terms.ponder.item<double>() + 3e-4 * terms.kl.item<double>() +
                          0.05 * terms.cone_vol_w.item<double>() + terms.constraint.item<double>();
  EXPECT_NEAR(terms.total.item<double>(), expected, 1e-5);
}

TEST(TamLossesTest, SoftBindAndConeVolumeStopTheGradientOfTheHaltingWeights) {
  TamOptions options;
  at::Tensor mu = Floats({0.1f, -0.2f, 0.3f, 0.4f}, {2, 2}).set_requires_grad(true);
  at::Tensor logvar = Floats({-1, 0, 0.5f, -0.5f}, {2, 2}).set_requires_grad(true);
  at::Tensor p = at::scalar_tensor(0.3, at::kFloat).set_requires_grad(true);
  at::Tensor y = Floats({0, 0, 1, -1}, {2, 2});
  HaltingWeights halting = TruncatedGeometricWeights(p, 2);
  LossTerms terms =
      ComputeLossTerms({mu, logvar}, halting, y, Floats({0, 0}, {2, 1}), Floats({0, 0}, {1, 2}),
                       Floats({0, 0}, {1, 2}), options, 1.0, 0.0);
  (terms.soft_bind + terms.cone_vol_w).backward({}, /*retain_graph=*/true);
  EXPECT_FALSE(p.grad().defined());
  EXPECT_TRUE(logvar.grad().defined());
  // the NLL reaches p through the weights
  terms.exp_nll.backward();
  ASSERT_TRUE(p.grad().defined());
  EXPECT_NE(p.grad().item<float>(), 0.0f);
}

}  // namespace
}  // namespace orch::tam
