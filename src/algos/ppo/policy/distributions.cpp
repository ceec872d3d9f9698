// src/algos/ppo/policy/distributions.cpp
#include "algos/ppo/policy/distributions.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <mutex>
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

std::pair<at::Tensor, at::Tensor> ChooseRows(const at::Tensor& log_probs, const at::Tensor& mask,
                                             bool deterministic, at::Generator& generator,
                                             const std::string& head) {
  const at::Tensor values = log_probs.to(at::kFloat).contiguous();
  const at::Tensor valid = mask.defined() ? mask.to(at::kBool).contiguous() : at::Tensor();
  const int64_t rows = values.size(0);
  const int64_t choices = values.size(1);
  at::Tensor chosen = at::empty({rows}, at::TensorOptions().dtype(at::kLong));
  at::Tensor chosen_log_prob = at::empty({rows}, at::TensorOptions().dtype(at::kFloat));
  const float* lp = values.data_ptr<float>();
  const bool* ok = valid.defined() ? valid.data_ptr<bool>() : nullptr;
  int64_t* out = chosen.data_ptr<int64_t>();
  float* out_lp = chosen_log_prob.data_ptr<float>();
  auto* engine = at::check_generator<at::CPUGeneratorImpl>(generator);
  for (int64_t row = 0; row < rows; ++row) {
    const float* p = lp + row * choices;
    bool any_valid = ok == nullptr;
    for (int64_t c = 0; c < choices; ++c) {
      if (!std::isfinite(p[c])) {
        throw std::invalid_argument("the logits of head '" + head + "' hold inf or NaN");
      }
      if (ok != nullptr && ok[row * choices + c]) any_valid = true;
    }
    if (!any_valid) {
      throw std::invalid_argument("a row of the mask of head '" + head + "' has no valid choice");
    }
    int64_t pick = 0;
    if (deterministic) {
      for (int64_t c = 1; c < choices; ++c) {
        if (p[c] > p[pick]) pick = c;
      }
    } else {
      // inverse transform: the first choice whose cumulative probability passes u
      double u = 0.0;
      {
        std::lock_guard<std::mutex> lock(engine->mutex_);
        u = static_cast<double>(engine->random64() >> 11) * 0x1.0p-53;
      }
      double cumulative = 0.0;
      pick = -1;
      int64_t last_possible = 0;
      for (int64_t c = 0; c < choices; ++c) {
        const double probability = std::exp(static_cast<double>(p[c]));
        if (probability > 0.0) last_possible = c;
        cumulative += probability;
        if (pick < 0 && u < cumulative && probability > 0.0) pick = c;
      }
      if (pick < 0) pick = last_possible;  // rounding left u above the total
    }
    out[row] = pick;
    out_lp[row] = p[pick];
  }
  return {chosen, chosen_log_prob};
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
