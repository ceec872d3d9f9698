// Tests src/envs/dmc_rewards.cpp against dm_control's rewards.tolerance and _sigmoids, with every
// expected value computed by hand from the definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "envs/dmc_rewards.h"

namespace orch::envs {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(DmcRewardTest, InsideTheBoundsIsOneIncludingTheBoundsThemselves) {
  EXPECT_EQ(Tolerance(0.5, 0.0, 1.0), 1.0);
  EXPECT_EQ(Tolerance(0.0, 0.0, 1.0), 1.0);
  EXPECT_EQ(Tolerance(1.0, 0.0, 1.0), 1.0);
  EXPECT_EQ(Tolerance(1e9, 10.0, kInf,
                      {.margin = 10.0, .sigmoid = Sigmoid::kLinear, .value_at_margin = 0.0}),
            1.0);
  // equal bounds: an exact target
  EXPECT_EQ(Tolerance(2.0, 2.0, 2.0), 1.0);
}

TEST(DmcRewardTest, ZeroMarginIsAHardIndicator) {
  EXPECT_EQ(Tolerance(-0.001, 0.0, 1.0), 0.0);
  EXPECT_EQ(Tolerance(1.001, 0.0, 1.0), 0.0);
  EXPECT_EQ(Tolerance(2.0 + 1e-12, 2.0, 2.0), 0.0);
}

TEST(DmcRewardTest, GaussianIsValueAtMarginToTheSquaredDistance) {
  // scale^2 = -2 ln v, so exp(-0.5 (d scale)^2) = exp(d^2 ln v) = v^(d^2)
  const ToleranceShape shape{.margin = 0.6};                  // gaussian, value 0.1 at the margin
  EXPECT_NEAR(Tolerance(0.6, 1.2, kInf, shape), 0.1, 1e-15);  // d = 1
  EXPECT_NEAR(Tolerance(0.9, 1.2, kInf, shape), std::pow(0.1, 0.25), 1e-15);  // d = 0.5
  EXPECT_NEAR(Tolerance(0.0, 1.2, kInf, shape), std::pow(0.1, 4.0), 1e-15);   // d = 2
  // 0.1^0.25 = 0.56234132519034907
  EXPECT_NEAR(Tolerance(0.9, 1.2, kInf, shape), 0.56234132519034907, 1e-15);
  // symmetric above an upper bound
  EXPECT_NEAR(Tolerance(1.3, 0.0, 1.0, {.margin = 0.6}), std::pow(0.1, 0.25), 1e-15);
}

TEST(DmcRewardTest, CheetahRunRewardIsSpeedOverTenClipped) {
  // tolerance(v, (10, inf), margin 10, value_at_margin 0, linear): d = (10 - v) / 10, scale 1,
  // value 1 - d = v / 10 while d < 1, else 0
  const ToleranceShape run{.margin = 10.0, .sigmoid = Sigmoid::kLinear, .value_at_margin = 0.0};
  EXPECT_DOUBLE_EQ(Tolerance(5.0, 10.0, kInf, run), 0.5);
  EXPECT_DOUBLE_EQ(Tolerance(2.5, 10.0, kInf, run), 0.25);
  EXPECT_DOUBLE_EQ(Tolerance(9.9, 10.0, kInf, run), 0.99);
  EXPECT_DOUBLE_EQ(Tolerance(10.0, 10.0, kInf, run), 1.0);
  EXPECT_DOUBLE_EQ(Tolerance(14.0, 10.0, kInf, run), 1.0);
  // v = 0 gives d = 1: |d scale| < 1 fails, so 0 (= value_at_margin)
  EXPECT_EQ(Tolerance(0.0, 10.0, kInf, run), 0.0);
  EXPECT_EQ(Tolerance(-3.0, 10.0, kInf, run), 0.0);
}

TEST(DmcRewardTest, WalkerMoveRewardIsSpeedClippedToTheUnitInterval) {
  // tolerance(v, (1, inf), margin 0.5, value_at_margin 0.5, linear): d = (1 - v) / 0.5, scale 0.5,
  // value 1 - (1 - v) = v while d * 0.5 < 1, i.e. v > 0
  const ToleranceShape move{.margin = 0.5, .sigmoid = Sigmoid::kLinear, .value_at_margin = 0.5};
  EXPECT_DOUBLE_EQ(Tolerance(0.3, 1.0, kInf, move), 0.3);
  EXPECT_DOUBLE_EQ(Tolerance(0.5, 1.0, kInf, move), 0.5);
  EXPECT_DOUBLE_EQ(Tolerance(1.7, 1.0, kInf, move), 1.0);
  EXPECT_EQ(Tolerance(0.0, 1.0, kInf, move), 0.0);
  EXPECT_EQ(Tolerance(-0.2, 1.0, kInf, move), 0.0);
}

TEST(DmcRewardTest, EverySigmoidIsOneAtZeroAndValueAtMarginAtOne) {
  for (Sigmoid sigmoid :
       {Sigmoid::kGaussian, Sigmoid::kHyperbolic, Sigmoid::kLongTail, Sigmoid::kReciprocal,
        Sigmoid::kCosine, Sigmoid::kLinear, Sigmoid::kQuadratic, Sigmoid::kTanhSquared}) {
    SCOPED_TRACE(static_cast<int>(sigmoid));
    EXPECT_NEAR(SigmoidValue(0.0, 0.3, sigmoid), 1.0, 1e-15);
    EXPECT_NEAR(SigmoidValue(1.0, 0.3, sigmoid), 0.3, 1e-14);
  }
}

TEST(DmcRewardTest, SigmoidsAtTwiceTheMarginMatchHandValues) {
  // hyperbolic, v = 0.5: a = arccosh 2, cosh 2a = 2 cosh^2 a - 1 = 7
  EXPECT_NEAR(SigmoidValue(2.0, 0.5, Sigmoid::kHyperbolic), 1.0 / 7.0, 1e-14);
  // long tail, v = 0.5: scale 1, 1 / (4 + 1)
  EXPECT_NEAR(SigmoidValue(2.0, 0.5, Sigmoid::kLongTail), 0.2, 1e-15);
  // reciprocal, v = 0.5: scale 1, 1 / (2 + 1); |x| makes it symmetric
  EXPECT_NEAR(SigmoidValue(2.0, 0.5, Sigmoid::kReciprocal), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(SigmoidValue(-2.0, 0.5, Sigmoid::kReciprocal), 1.0 / 3.0, 1e-15);
  // cosine, v = 0.5: scale arccos(0) / pi = 0.5; x = 2 reaches |scaled| = 1, so 0
  EXPECT_NEAR(SigmoidValue(1.5, 0.5, Sigmoid::kCosine),
              (1.0 + std::cos(0.75 * std::numbers::pi)) / 2.0, 1e-15);
  EXPECT_EQ(SigmoidValue(2.0, 0.5, Sigmoid::kCosine), 0.0);
  // quadratic, v = 0.75: scale 0.5; x = 1.5 gives 1 - 0.5625; x = 2 gives 0
  EXPECT_NEAR(SigmoidValue(1.5, 0.75, Sigmoid::kQuadratic), 0.4375, 1e-15);
  EXPECT_EQ(SigmoidValue(2.0, 0.75, Sigmoid::kQuadratic), 0.0);
  // tanh squared, v = 0.75: scale artanh(0.5); tanh(2 artanh 0.5) = 2 * 0.5 / (1 + 0.25) = 0.8
  EXPECT_NEAR(SigmoidValue(2.0, 0.75, Sigmoid::kTanhSquared), 1.0 - 0.64, 1e-14);
  // linear, v = 0.25: scale 0.75; x = 1.2 gives 1 - 0.9
  EXPECT_NEAR(SigmoidValue(1.2, 0.25, Sigmoid::kLinear), 0.1, 1e-15);
  EXPECT_EQ(SigmoidValue(2.0, 0.25, Sigmoid::kLinear), 0.0);  // 1.5 >= 1
}

TEST(DmcRewardTest, PendulumBoundIsEightDegreesFromUpright) {
  // tolerance(zz, (cos 8 deg, 1)) with margin 0
  const double bound = std::cos(8.0 * std::numbers::pi / 180.0);
  EXPECT_EQ(Tolerance(std::cos(5.0 * std::numbers::pi / 180.0), bound, 1.0), 1.0);
  EXPECT_EQ(Tolerance(std::cos(7.9 * std::numbers::pi / 180.0), bound, 1.0), 1.0);
  EXPECT_EQ(Tolerance(std::cos(8.1 * std::numbers::pi / 180.0), bound, 1.0), 0.0);
  EXPECT_EQ(Tolerance(std::cos(10.0 * std::numbers::pi / 180.0), bound, 1.0), 0.0);
  EXPECT_EQ(Tolerance(-1.0, bound, 1.0), 0.0);
}

TEST(DmcRewardTest, InvalidArgumentsThrowAsInDmControl) {
  EXPECT_THROW(Tolerance(0.0, 1.0, 0.0), std::runtime_error);                    // lower > upper
  EXPECT_THROW(Tolerance(0.0, 0.0, 1.0, {.margin = -1.0}), std::runtime_error);  // margin < 0
  // gaussian needs 0 < v < 1; linear, cosine and quadratic accept v = 0
  EXPECT_THROW(SigmoidValue(0.5, 0.0, Sigmoid::kGaussian), std::runtime_error);
  EXPECT_THROW(SigmoidValue(0.5, 1.0, Sigmoid::kLinear), std::runtime_error);
  EXPECT_NO_THROW(SigmoidValue(0.5, 0.0, Sigmoid::kLinear));
  EXPECT_NO_THROW(SigmoidValue(0.5, 0.0, Sigmoid::kCosine));
  EXPECT_NO_THROW(SigmoidValue(0.5, 0.0, Sigmoid::kQuadratic));
  EXPECT_THROW(SigmoidValue(0.5, 0.0, Sigmoid::kLongTail), std::runtime_error);
  // dm_control evaluates the sigmoid whenever margin > 0, so a bad value throws even in bounds
  EXPECT_THROW(Tolerance(0.5, 0.0, 1.0, {.margin = 1.0, .value_at_margin = 0.0}),
               std::runtime_error);
  // with margin 0 the value is ignored
  EXPECT_EQ(Tolerance(0.5, 0.0, 1.0, {.margin = 0.0, .value_at_margin = 0.0}), 1.0);
}

TEST(DmcRewardTest, ParsesDmControlSigmoidNames) {
  EXPECT_EQ(ParseSigmoid("gaussian"), Sigmoid::kGaussian);
  EXPECT_EQ(ParseSigmoid("linear"), Sigmoid::kLinear);
  EXPECT_EQ(ParseSigmoid("long_tail"), Sigmoid::kLongTail);
  EXPECT_EQ(ParseSigmoid("tanh_squared"), Sigmoid::kTanhSquared);
  try {
    ParseSigmoid("sigmoid");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("unknown sigmoid 'sigmoid'"), std::string::npos);
  }
}

}  // namespace
}  // namespace orch::envs
