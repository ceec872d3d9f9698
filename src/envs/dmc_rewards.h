// src/envs/dmc_rewards.h: dm_control's reward shaping, `rewards.tolerance` and its sigmoids
// (dm_control/utils/rewards.py; tdmpc2.md §10, §12), in double precision.
#pragma once

#include <string_view>

namespace orch::envs {

/// The shapes `tolerance` uses outside its bounds. Each maps a distance d >= 0 (in units of the
/// margin) to a value in [0, 1] that is 1 at d = 0 and `value_at_margin` at d = 1.
enum class Sigmoid {
  kGaussian,    ///< scale = sqrt(-2 ln v); exp(-0.5 (d scale)^2)
  kHyperbolic,  ///< scale = arccosh(1 / v); 1 / cosh(d scale)
  kLongTail,    ///< scale = sqrt(1 / v - 1); 1 / ((d scale)^2 + 1)
  kReciprocal,  ///< scale = 1 / v - 1; 1 / (|d| scale + 1)
  kCosine,      ///< scale = arccos(2 v - 1) / pi; (1 + cos(pi d scale)) / 2 if |d scale| < 1 else 0
  kLinear,      ///< scale = 1 - v; 1 - d scale if |d scale| < 1 else 0
  kQuadratic,   ///< scale = sqrt(1 - v); 1 - (d scale)^2 if |d scale| < 1 else 0
  kTanhSquared,  ///< scale = arctanh(sqrt(1 - v)); 1 - tanh(d scale)^2
};

/// Parses dm_control's sigmoid names ("gaussian", "linear", "long_tail", ...). Throws
/// std::runtime_error for an unknown name.
Sigmoid ParseSigmoid(std::string_view name);

/// dm_control's `_sigmoids(x, value_at_1, sigmoid)`: the sigmoid at distance `x` whose value at
/// x = 1 is `value_at_1`. Throws std::runtime_error unless 0 < value_at_1 < 1 (0 <= value_at_1
/// < 1 for cosine, linear and quadratic, which reach 0).
double SigmoidValue(double x, double value_at_1, Sigmoid sigmoid);

/// Options of `Tolerance` beyond the bounds, with dm_control's defaults.
struct ToleranceShape {
  double margin = 0.0;  ///< 0: a hard indicator of the bounds
  Sigmoid sigmoid = Sigmoid::kGaussian;
  double value_at_margin = 0.1;  ///< the value at `margin` distance from the bounds
};

/// dm_control's `rewards.tolerance(x, bounds = (lower, upper), margin, sigmoid, value_at_margin)`:
/// 1 when lower <= x <= upper (inclusive; bounds may be infinite). Outside, with margin 0 it is 0;
/// otherwise SigmoidValue(d, value_at_margin, sigmoid) with d = distance to the nearest bound /
/// margin. Throws std::runtime_error when lower > upper or margin < 0.
double Tolerance(double x, double lower, double upper, const ToleranceShape& shape = {});

}  // namespace orch::envs
