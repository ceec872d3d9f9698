// src/algos/ppo/policy/distributions.h: the action distributions the bundles share: masked
// categoricals (Esper's -1e4 fill, normalised entropy) and a diagonal Gaussian.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>

namespace orch::ppo {

/// log_softmax of `logits` [..., n] with the choices where `mask` [..., n] (bool) is false set to
/// `fill` first (-1e4: exactly zero probability in float32, and safe in half precision). An
/// undefined mask masks nothing. With `validate`, throws std::invalid_argument naming `head`
/// when a row has no valid choice or a logit is inf or NaN.
at::Tensor MaskedLogSoftmax(const at::Tensor& logits, const at::Tensor& mask, double fill,
                            bool validate, const std::string& head);

/// -sum over valid choices of p log p, [...] from log-probabilities [..., n].
at::Tensor MaskedEntropy(const at::Tensor& log_probs, const at::Tensor& mask);

/// MaskedEntropy / log(#valid), in [0, 1]; 0 where one choice is valid (Esper's normalisation).
at::Tensor NormalisedMaskedEntropy(const at::Tensor& log_probs, const at::Tensor& mask);

/// What evaluating taken actions under a masked categorical gives, each shaped like the actions.
struct CategoricalTerms {
  at::Tensor log_prob;  ///< log p(action)
  at::Tensor entropy;   ///< -sum over valid choices of p log p (unnormalised)
};

/// MaskedLogSoftmax (validated), the log-probability of `actions` [...] (int64) and MaskedEntropy
/// as one autograd operation on `logits` [..., n]: a loop over the rows forward, the gradient
/// written out (d log p_a / dz = onehot(a) - p, dH / dz = -p (log p + H), zero where masked).
/// PPO evaluates every head of every minibatch this way; composed of LibTorch operations it is a
/// dozen nodes per head. Throws like MaskedLogSoftmax, and for an action outside [0, n).
CategoricalTerms EvaluateCategorical(const at::Tensor& logits, const at::Tensor& mask,
                                     const at::Tensor& actions, double fill,
                                     const std::string& head);

/// One choice per row of logits [B, n] under `mask` [B, n] (bool, or undefined for none; masked
/// choices take `fill` as in MaskedLogSoftmax), and its log-probability ([B] int64, [B]): drawn
/// by inverse transform from one uniform of `generator` per row, or, `deterministic`, the most
/// likely (the first of equals). A plain loop over the values: no tensor operations, which at a
/// few rows cost more than the arithmetic. Throws std::invalid_argument naming `head` when a row
/// holds inf or NaN or has no valid choice.
std::pair<at::Tensor, at::Tensor> SampleCategorical(const at::Tensor& logits,
                                                    const at::Tensor& mask, double fill,
                                                    bool deterministic, at::Generator& generator,
                                                    const std::string& head);

/// log N(action; mean, exp(log_std)) summed over the last dimension.
at::Tensor GaussianLogProb(const at::Tensor& action, const at::Tensor& mean,
                           const at::Tensor& log_std);

/// The entropy of N(mean, exp(log_std)) summed over the last dimension, shaped like `mean`
/// without it.
at::Tensor GaussianEntropy(const at::Tensor& mean, const at::Tensor& log_std);

}  // namespace orch::ppo
