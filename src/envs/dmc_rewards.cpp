// src/envs/dmc_rewards.cpp: dm_control's `rewards.tolerance` and `_sigmoids`
// (dm_control/utils/rewards.py), restated formula by formula.
#include "envs/dmc_rewards.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace orch::envs {
namespace {

// the sigmoids that reach exactly 0 accept value_at_1 = 0; the others only approach it
bool AllowsZeroAtMargin(Sigmoid sigmoid) {
  return sigmoid == Sigmoid::kCosine || sigmoid == Sigmoid::kLinear ||
         sigmoid == Sigmoid::kQuadratic;
}

void CheckValueAtMargin(double value_at_1, Sigmoid sigmoid) {
  if (AllowsZeroAtMargin(sigmoid)) {
    if (!(value_at_1 >= 0.0 && value_at_1 < 1.0)) {
      throw std::runtime_error(fmt::format(
          "value_at_margin must be nonnegative and smaller than 1, got {}", value_at_1));
    }
  } else if (!(value_at_1 > 0.0 && value_at_1 < 1.0)) {
    throw std::runtime_error(
        fmt::format("value_at_margin must be strictly between 0 and 1, got {}", value_at_1));
  }
}

}  // namespace

Sigmoid ParseSigmoid(std::string_view name) {
  if (name == "gaussian") return Sigmoid::kGaussian;
  if (name == "hyperbolic") return Sigmoid::kHyperbolic;
  if (name == "long_tail") return Sigmoid::kLongTail;
  if (name == "reciprocal") return Sigmoid::kReciprocal;
  if (name == "cosine") return Sigmoid::kCosine;
  if (name == "linear") return Sigmoid::kLinear;
  if (name == "quadratic") return Sigmoid::kQuadratic;
  if (name == "tanh_squared") return Sigmoid::kTanhSquared;
  throw std::runtime_error(fmt::format(
      "unknown sigmoid '{}'. Known: gaussian, hyperbolic, long_tail, reciprocal, cosine, linear, "
      "quadratic, tanh_squared",
      name));
}

double SigmoidValue(double x, double value_at_1, Sigmoid sigmoid) {
  CheckValueAtMargin(value_at_1, sigmoid);
  switch (sigmoid) {
    case Sigmoid::kGaussian: {
      const double scale = std::sqrt(-2.0 * std::log(value_at_1));
      const double scaled = x * scale;
      return std::exp(-0.5 * scaled * scaled);
    }
    case Sigmoid::kHyperbolic: {
      const double scale = std::acosh(1.0 / value_at_1);
      return 1.0 / std::cosh(x * scale);
    }
    case Sigmoid::kLongTail: {
      const double scale = std::sqrt(1.0 / value_at_1 - 1.0);
      const double scaled = x * scale;
      return 1.0 / (scaled * scaled + 1.0);
    }
    case Sigmoid::kReciprocal: {
      const double scale = 1.0 / value_at_1 - 1.0;
      return 1.0 / (std::abs(x) * scale + 1.0);
    }
    case Sigmoid::kCosine: {
      const double scale = std::acos(2.0 * value_at_1 - 1.0) / std::numbers::pi;
      const double scaled = x * scale;
      return std::abs(scaled) < 1.0 ? (1.0 + std::cos(std::numbers::pi * scaled)) / 2.0 : 0.0;
    }
    case Sigmoid::kLinear: {
      const double scale = 1.0 - value_at_1;
      const double scaled = x * scale;
      return std::abs(scaled) < 1.0 ? 1.0 - scaled : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double scale = std::sqrt(1.0 - value_at_1);
      const double scaled = x * scale;
      return std::abs(scaled) < 1.0 ? 1.0 - scaled * scaled : 0.0;
    }
    case Sigmoid::kTanhSquared: {
      const double scale = std::atanh(std::sqrt(1.0 - value_at_1));
      const double tanh = std::tanh(x * scale);
      return 1.0 - tanh * tanh;
    }
  }
  throw std::runtime_error("unknown sigmoid value");
}

double Tolerance(double x, double lower, double upper, const ToleranceShape& shape) {
  if (lower > upper) {
    throw std::runtime_error(
        fmt::format("tolerance: lower bound {} must be <= upper bound {}", lower, upper));
  }
  if (shape.margin < 0.0) {
    throw std::runtime_error(
        fmt::format("tolerance: margin must be non-negative, got {}", shape.margin));
  }

  // dm_control evaluates the sigmoid (and so checks value_at_margin) whenever margin > 0
  if (shape.margin > 0.0) CheckValueAtMargin(shape.value_at_margin, shape.sigmoid);

  // inclusive bounds; an infinite bound is never crossed on that side
  if (lower <= x && x <= upper) return 1.0;
  if (shape.margin == 0.0) return 0.0;
  const double distance = (x < lower ? lower - x : x - upper) / shape.margin;
  return SigmoidValue(distance, shape.value_at_margin, shape.sigmoid);
}

}  // namespace orch::envs
