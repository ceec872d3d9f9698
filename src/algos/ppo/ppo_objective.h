// src/algos/ppo/ppo_objective.h: PPO's loss on one minibatch as one autograd operation: the
// clipped surrogate (per head under causal weights, or on the joint log-probability), the entropy
// bonus and the (clipped) value loss, with their gradients written out by hand. Composed of
// LibTorch's elementwise operations the same loss takes about eighty forward and sixty backward
// nodes per minibatch, each a dispatch on tensors of a few hundred values; here it is one of
// each. A test checks the loss and every gradient against that composition.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace orch::ppo {

/// One action head's part of the minibatch, every tensor [N] float.
struct HeadTerms {
  std::string name;
  at::Tensor log_prob;      ///< under the current policy (requires grad)
  at::Tensor old_log_prob;  ///< at sampling
  at::Tensor entropy;       ///< of the current policy's distribution (requires grad)
  /// 1 / log(#valid) to normalise the entropy (0 where one choice is valid), or undefined for 1.
  at::Tensor entropy_scale;
  /// Where the head's choice was relevant (Esper's causal mask), or undefined for everywhere.
  at::Tensor weight;
  /// The head's multiple of ent_coef (Esper's per-head entropy coefficients; ppo.ent_head_coef).
  double entropy_multiplier = 1.0;
};

struct ObjectiveOptions {
  double clip_coef = 0.2;
  bool clip_vloss = true;
  double value_clip = 0.2;
  double ent_coef = 0.01;
  double vf_coef = 0.5;
  bool joint = false;  ///< one ratio of the summed log-probabilities (SB3) instead of one per head
};

/// The loss and what it measured, read after the step.
struct ObjectiveResult {
  at::Tensor loss;  ///< a scalar with grad_fn
  /// [4 + heads] double, no gradient: policy loss, value loss, approx-KL (sum over heads of
  /// n_valid / N times the masked mean of (r - 1) - log r), clipped fraction numerator over its
  /// denominator as one value, then each head's (weighted) mean entropy, in `heads` order
  /// (before its multiplier).
  at::Tensor stats;
};

/// loss = policy_loss - ent_coef * sum_h m_h entropy_h + vf_coef * value_loss, where
///   policy_loss = -sum_h masked_mean_h(min(r A, clip(r, 1 +- clip_coef) A)), r = exp(logp - old)
///   entropy_h   = masked_mean_h(scale_h * entropy_h), m_h its head's entropy_multiplier
///   value_loss  = mean(0.5 max((v - R)^2, (old_v + clip(v - old_v, +- value_clip) - R)^2))
/// (without clip_vloss, mean(0.5 (v - R)^2)). `advantages`, `returns` and `old_values` are [N].
ObjectiveResult PpoObjective(const std::vector<HeadTerms>& heads, const at::Tensor& value,
                             const at::Tensor& advantages, const at::Tensor& returns,
                             const at::Tensor& old_values, const ObjectiveOptions& options);

}  // namespace orch::ppo
