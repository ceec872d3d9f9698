// src/algos/tam/tam_losses.cpp
#include "algos/tam/tam_losses.h"

#include <ATen/ATen.h>

namespace orch::tam {

at::Tensor StepNll(const at::Tensor& mu, const at::Tensor& logvar, const at::Tensor& y) {
  at::Tensor squared_error = (y - mu).pow(2);
  return (0.5 * (logvar + squared_error / (logvar.exp() + 1e-8))).mean(-1);
}

at::Tensor SoftInside(const at::Tensor& mu, const at::Tensor& logvar, const at::Tensor& y,
                      double k_sigma, double margin_temp) {
  at::Tensor std = (0.5 * logvar).exp();
  at::Tensor margin = k_sigma * std - (y - mu).abs();
  // all dims must be inside: product over dims
  return at::sigmoid(margin / margin_temp).prod(-1);
}

double HardInsideFraction(const at::Tensor& mu, const at::Tensor& logvar, const at::Tensor& y,
                          double k_sigma) {
  at::Tensor std = (0.5 * logvar).exp();
  at::Tensor inside = ((y - mu).abs() <= k_sigma * std + 1e-8).all(-1);
  return inside.to(at::kDouble).mean().item<double>();
}

at::Tensor KlToStandardNormal(const at::Tensor& mu, const at::Tensor& logstd) {
  at::Tensor var = (2.0 * logstd).exp();
  return (0.5 * (var + mu.pow(2) - 1.0 - (var + 1e-8).log()).sum(-1)).mean();
}

at::Tensor StepConeVolume(const at::Tensor& logvar) { return (0.5 * logvar).exp().prod(-1); }

LossTerms ComputeLossTerms(const TubeTrajectory& tube, const HaltingWeights& halting,
                           const at::Tensor& y, const at::Tensor& actions, const at::Tensor& z_mu,
                           const at::Tensor& z_logstd, const TamOptions& options,
                           double lambda_bind, double lambda_t) {
  LossTerms terms;
  const at::Tensor& w = halting.w;
  at::Tensor w_constant = w.detach();
  // prediction: the halting-weighted NLL
  terms.exp_nll = (w * StepNll(tube.mu, tube.logvar, y)).sum();
  // reliability: soft bind rate under the (constant) halting weights
  terms.soft_bind =
      (w_constant * SoftInside(tube.mu, tube.logvar, y, options.k_sigma, options.margin_temp))
          .sum();
  // shape regularisers: log sigma magnitude, terminal mean near the hanging-down equilibrium
  terms.cone_reg = (0.5 * tube.logvar).pow(2).mean();
  terms.goal = tube.mu[-1].pow(2).mean();
  // executed actions carry no gradient
  terms.act = actions.pow(2).mean();
  // compute: ponder cost on the expected horizon
  terms.ponder = (options.lambda_h + lambda_t) * halting.expected_t;
  terms.kl = KlToStandardNormal(z_mu, z_logstd);
  // tightness: halting-weighted cone volume
  terms.cone_vol_w = (w_constant * StepConeVolume(tube.logvar)).sum();
  terms.constraint = lambda_bind * (options.target_bind - terms.soft_bind);
  terms.total = terms.exp_nll + options.cone_reg * terms.cone_reg +
                options.goal_weight * terms.goal + options.action_l2 * terms.act + terms.ponder +
                options.beta_kl * terms.kl + options.w_cone * terms.cone_vol_w + terms.constraint;
  return terms;
}

}  // namespace orch::tam
