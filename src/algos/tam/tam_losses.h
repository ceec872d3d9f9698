// src/algos/tam/tam_losses.h: the per-episode loss terms of TAM (tam.md §7).
#pragma once

#include <ATen/core/Tensor.h>

#include "algos/tam/tam_options.h"
#include "algos/tam/tube.h"

namespace orch::tam {

/// Per-step Gaussian NLL without the 2 pi constant, averaged over the state dims:
/// mean_d 1/2 (logvar + (y - mu)^2 / (exp(logvar) + 1e-8)). [T, D] inputs, [T] output.
at::Tensor StepNll(const at::Tensor& mu, const at::Tensor& logvar, const at::Tensor& y);

/// Soft "inside the k sigma tube" per step: the product over dims of
/// sigmoid((k_sigma std - |y - mu|) / margin_temp). [T].
at::Tensor SoftInside(const at::Tensor& mu, const at::Tensor& logvar, const at::Tensor& y,
                      double k_sigma, double margin_temp);

/// Fraction of steps with every dim inside k_sigma std (+ 1e-8): the hard predicate's input.
double HardInsideFraction(const at::Tensor& mu, const at::Tensor& logvar, const at::Tensor& y,
                          double k_sigma);

/// KL(N(mu, exp(logstd)^2) || N(0, I)) = 1/2 sum_d (s^2 + mu^2 - 1 - log(s^2 + 1e-8)), averaged
/// over the batch rows of `mu`, `logstd` ([B, z_dim]). Scalar.
at::Tensor KlToStandardNormal(const at::Tensor& mu, const at::Tensor& logstd);

/// Cone volume per step: the product over dims of std = exp(logvar / 2). [T].
at::Tensor StepConeVolume(const at::Tensor& logvar);

/// Every term of one episode's loss, each a scalar tensor.
struct LossTerms {
  at::Tensor exp_nll;     ///< sum_t w_t nll_t
  at::Tensor soft_bind;   ///< sum_t sg(w_t) inside_t
  at::Tensor cone_reg;    ///< mean((logvar / 2)^2), unweighted
  at::Tensor goal;        ///< mean_d mu_T^2
  at::Tensor act;         ///< mean(a^2) of the executed actions (a constant)
  at::Tensor ponder;      ///< (lambda_h + lambda_T) E[T]_train
  at::Tensor kl;          ///< KL of q(z | s0)
  at::Tensor cone_vol_w;  ///< sum_t sg(w_t) cv_t
  at::Tensor constraint;  ///< lambda_bind (target_bind - soft_bind)
  at::Tensor total;       ///< the weighted sum (without the memory term)
};

/// Computes every term of §7 for one episode: `tube` and `halting` for the realised horizon,
/// `y` the realised states x_1..x_T [T, D], `actions` the executed actions [T, 1], the encoder's
/// `z_mu`, `z_logstd` [1, z_dim], and the multipliers before this episode's dual update.
LossTerms ComputeLossTerms(const TubeTrajectory& tube, const HaltingWeights& halting,
                           const at::Tensor& y, const at::Tensor& actions, const at::Tensor& z_mu,
                           const at::Tensor& z_logstd, const TamOptions& options,
                           double lambda_bind, double lambda_t);

}  // namespace orch::tam
