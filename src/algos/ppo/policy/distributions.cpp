// src/algos/ppo/policy/distributions.cpp
#include "algos/ppo/policy/distributions.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

namespace orch::ppo {

at::Tensor MaskedLogSoftmax(const at::Tensor& logits, const at::Tensor& mask, double fill,
                            bool validate, const std::string& head) {
  if (validate) {
    if (!at::isfinite(logits).all().item<bool>()) {
      throw std::invalid_argument("the logits of head '" + head + "' hold inf or NaN");
    }
    if (mask.defined() && !mask.any(-1).all().item<bool>()) {
      throw std::invalid_argument("a row of the mask of head '" + head + "' has no valid choice");
    }
  }
  if (!mask.defined()) return at::log_softmax(logits, -1);
  return at::log_softmax(logits.masked_fill(mask.logical_not(), fill), -1);
}

at::Tensor MaskedEntropy(const at::Tensor& log_probs, const at::Tensor& mask) {
  at::Tensor terms = log_probs.exp() * log_probs;
  if (mask.defined()) terms = terms.masked_fill(mask.logical_not(), 0.0);
  return -terms.sum(-1);
}

at::Tensor NormalisedMaskedEntropy(const at::Tensor& log_probs, const at::Tensor& mask) {
  at::Tensor entropy = MaskedEntropy(log_probs, mask);
  at::Tensor valid = mask.defined() ? mask.sum(-1)
                                    : at::full(entropy.sizes(), log_probs.size(-1),
                                               entropy.options().dtype(at::kLong));
  at::Tensor scale = valid.clamp_min(2).to(entropy.scalar_type()).log();
  return at::where(valid > 1, entropy / scale, at::zeros_like(entropy));
}

std::pair<at::Tensor, at::Tensor> SampleCategorical(const at::Tensor& log_probs,
                                                    at::Generator& generator) {
  at::Tensor choice = at::multinomial(log_probs.exp(), 1, /*replacement=*/false, generator);
  return {choice.squeeze(-1), log_probs.gather(-1, choice).squeeze(-1)};
}

std::pair<at::Tensor, at::Tensor> ModeOfCategorical(const at::Tensor& log_probs) {
  at::Tensor choice = log_probs.argmax(-1, /*keepdim=*/true);
  return {choice.squeeze(-1), log_probs.gather(-1, choice).squeeze(-1)};
}

at::Tensor GaussianLogProb(const at::Tensor& action, const at::Tensor& mean,
                           const at::Tensor& log_std) {
  static const double kHalfLogTwoPi = 0.5 * std::log(2.0 * M_PI);
  at::Tensor z = (action - mean) * (-log_std).exp();
  return (-0.5 * z * z - log_std - kHalfLogTwoPi).sum(-1);
}

at::Tensor GaussianEntropy(const at::Tensor& mean, const at::Tensor& log_std) {
  static const double kHalfOnePlusLogTwoPi = 0.5 + 0.5 * std::log(2.0 * M_PI);
  return (log_std + kHalfOnePlusLogTwoPi).expand_as(mean).sum(-1);
}

}  // namespace orch::ppo
