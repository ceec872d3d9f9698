// src/algos/tam/tube.h: the tube over a realised horizon and the geometric halting distribution
// (tam.md §4-5).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace orch::tam {

/// Linear interpolation of knot values `knots` [M, D] at times `t` [T] in [0, 1]: u = t (M - 1),
/// i0 = clamp(floor(u), 0, M - 2), value = (1 - (u - i0)) knots[i0] + (u - i0) knots[i0 + 1].
/// Returns [T, D]; differentiable in `knots`.
at::Tensor InterpolateKnots(const at::Tensor& knots, const at::Tensor& t);

/// The Gaussian tube at t = 1..T.
struct TubeTrajectory {
  at::Tensor mu;      ///< [T, D]
  at::Tensor logvar;  ///< [T, D], 2 log sigma with log sigma clamped
};

/// Evaluates the tube of knots `mu_knots`, `logsig_knots` ([M, D] each) at t_i = linspace(1/T,
/// 1, T), clamping log sigma to [logstd_min, logstd_max].
TubeTrajectory EvaluateTube(const at::Tensor& mu_knots, const at::Tensor& logsig_knots,
                            int64_t horizon, double logstd_min, double logstd_max);

/// The truncated geometric training weights of a horizon T.
struct HaltingWeights {
  at::Tensor w;           ///< [T], sums to 1
  at::Tensor expected_t;  ///< scalar E[T] = sum_t w_t t
};

/// w_t ∝ (1 - p)^(t - 1) p for t = 1..T, plus the tail (1 - p)^T on w_T, normalised (with
/// 1 - p clamped to [1e-6, 1 - 1e-6]). Differentiable in the scalar `p_stop`.
HaltingWeights TruncatedGeometricWeights(const at::Tensor& p_stop, int64_t horizon);

/// P(T = t) for t = 1..max_horizon (index t - 1): (1 - p)^(t - 1) p below max_horizon, the tail
/// (1 - p)^(max_horizon - 1) at max_horizon, the mass below min_horizon moved onto min_horizon;
/// p clipped to [1e-4, 1 - 1e-4]. In double, no gradient.
std::vector<double> HorizonProbabilities(double p_stop, int64_t max_horizon, int64_t min_horizon);

/// The horizon t whose cumulative probability first exceeds `uniform` (in [0, 1)).
int64_t SampleHorizon(const std::vector<double>& probabilities, double uniform);

}  // namespace orch::tam
