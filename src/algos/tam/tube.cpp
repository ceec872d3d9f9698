// src/algos/tam/tube.cpp
#include "algos/tam/tube.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orch::tam {

at::Tensor InterpolateKnots(const at::Tensor& knots, const at::Tensor& t) {
  const int64_t num_knots = knots.size(0);
  // continuous knot index and the left knot of each segment
  at::Tensor u = t * static_cast<double>(num_knots - 1);
  at::Tensor i0 = at::floor(u).to(at::kLong).clamp(0, num_knots - 2);
  // [T] -> [T, 1]: one blend weight per time, broadcast over the state dims
  at::Tensor frac = (u - i0.to(u.scalar_type())).unsqueeze(-1);
  at::Tensor v0 = knots.index_select(0, i0);
  at::Tensor v1 = knots.index_select(0, i0 + 1);
  return (1.0 - frac) * v0 + frac * v1;
}

TubeTrajectory EvaluateTube(const at::Tensor& mu_knots, const at::Tensor& logsig_knots,
                            int64_t horizon, double logstd_min, double logstd_max) {
  // normalised times 1/T, 2/T, ..., 1
  at::Tensor t = at::linspace(1.0 / static_cast<double>(horizon), 1.0, horizon,
                              mu_knots.options().requires_grad(false));
  TubeTrajectory tube;
  tube.mu = InterpolateKnots(mu_knots, t);
  at::Tensor log_sigma = InterpolateKnots(logsig_knots, t).clamp(logstd_min, logstd_max);
  tube.logvar = 2.0 * log_sigma;
  return tube;
}

HaltingWeights TruncatedGeometricWeights(const at::Tensor& p_stop, int64_t horizon) {
  at::Tensor t_index = at::arange(1, horizon + 1, p_stop.options().requires_grad(false));
  at::Tensor one_minus = (1.0 - p_stop).clamp(1e-6, 1.0 - 1e-6);
  // stop at t: survival (1 - p)^(t - 1) times p
  at::Tensor w = at::pow(one_minus, t_index - 1.0) * p_stop;
  // the mass beyond T lands on the last step
  at::Tensor tail = at::pow(one_minus, static_cast<double>(horizon));
  w = at::cat({w.narrow(0, 0, horizon - 1), w.narrow(0, horizon - 1, 1) + tail});
  w = w / (w.sum() + 1e-8);
  return {w, (w * t_index).sum()};
}

std::vector<double> HorizonProbabilities(double p_stop, int64_t max_horizon, int64_t min_horizon) {
  if (max_horizon < 1) throw std::invalid_argument("tam: max_horizon must be at least 1");
  const double p = std::clamp(p_stop, 1e-4, 1.0 - 1e-4);
  const double one_minus = 1.0 - p;
  // geometric below max_horizon, the tail at max_horizon
  std::vector<double> probabilities(static_cast<size_t>(max_horizon));
  for (int64_t t = 1; t < max_horizon; ++t) {
    probabilities[t - 1] = std::pow(one_minus, static_cast<double>(t - 1)) * p;
  }
  probabilities.back() = std::pow(one_minus, static_cast<double>(max_horizon - 1));
  auto normalise = [&probabilities] {
    double total = 0.0;
    for (double value : probabilities) total += value;
    for (double& value : probabilities) value /= total + 1e-12;
  };
  normalise();
  // the mass below min_horizon moves onto min_horizon
  if (min_horizon > 1) {
    const int64_t floor_t = std::min(min_horizon, max_horizon);
    double below = 0.0;
    for (int64_t t = 1; t < floor_t; ++t) {
      below += probabilities[t - 1];
      probabilities[t - 1] = 0.0;
    }
    probabilities[floor_t - 1] += below;
    normalise();
  }
  return probabilities;
}

int64_t SampleHorizon(const std::vector<double>& probabilities, double uniform) {
  double total = 0.0;
  for (double value : probabilities) total += value;
  // inverse CDF against the normalised cumulative sum
  double cumulative = 0.0;
  for (size_t index = 0; index < probabilities.size(); ++index) {
    cumulative += probabilities[index];
    if (uniform < cumulative / total) return static_cast<int64_t>(index) + 1;
  }
  // rounding left the last bin short of 1
  for (size_t index = probabilities.size(); index > 0; --index) {
    if (probabilities[index - 1] > 0.0) return static_cast<int64_t>(index);
  }
  return static_cast<int64_t>(probabilities.size());
}

}  // namespace orch::tam
