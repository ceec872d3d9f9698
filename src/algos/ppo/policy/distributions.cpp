// src/algos/ppo/policy/distributions.cpp
#include "algos/ppo/policy/distributions.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <vector>

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

namespace {

/// One row's masked log-softmax into `lp` (n values), validated: throws naming `head` on a
/// non-finite logit or a row with no valid choice. Accumulates in double.
void MaskedLogSoftmaxRow(const float* z, const bool* ok, int64_t n, float fill, float* lp,
                         const std::string& head) {
  bool any_valid = ok == nullptr;
  float top = -std::numeric_limits<float>::infinity();
  for (int64_t c = 0; c < n; ++c) {
    if (!std::isfinite(z[c])) {
      throw std::invalid_argument("the logits of head '" + head + "' hold inf or NaN");
    }
    const bool valid = ok == nullptr || ok[c];
    any_valid = any_valid || valid;
    lp[c] = valid ? z[c] : fill;
    top = std::max(top, lp[c]);
  }
  if (!any_valid) {
    throw std::invalid_argument("a row of the mask of head '" + head + "' has no valid choice");
  }
  double total = 0.0;
  for (int64_t c = 0; c < n; ++c) total += std::exp(static_cast<double>(lp[c] - top));
  const float log_total = static_cast<float>(std::log(total));
  for (int64_t c = 0; c < n; ++c) lp[c] = lp[c] - top - log_total;
}

class CategoricalFunction : public torch::autograd::Function<CategoricalFunction> {
 public:
  /// logits [N, n] float contiguous, mask [N, n] bool (or empty), actions [N] int64
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* context,
                                                const at::Tensor& logits, const at::Tensor& mask,
                                                const at::Tensor& actions, double fill,
                                                const std::string& head) {
    const int64_t rows = logits.size(0);
    const int64_t choices = logits.size(1);
    const bool masked = mask.numel() > 0;
    at::Tensor log_probs = at::empty({rows, choices}, logits.options());
    at::Tensor chosen = at::empty({rows}, logits.options());
    at::Tensor entropy = at::empty({rows}, logits.options());
    const float* z = logits.data_ptr<float>();
    const bool* ok = masked ? mask.data_ptr<bool>() : nullptr;
    const int64_t* action = actions.data_ptr<int64_t>();
    float* lp = log_probs.data_ptr<float>();
    const float filled = static_cast<float>(fill);
    for (int64_t row = 0; row < rows; ++row) {
      const bool* okr = masked ? ok + row * choices : nullptr;
      float* lpr = lp + row * choices;
      MaskedLogSoftmaxRow(z + row * choices, okr, choices, filled, lpr, head);
      double h = 0.0;
      for (int64_t c = 0; c < choices; ++c) {
        if (!masked || okr[c]) h -= std::exp(static_cast<double>(lpr[c])) * lpr[c];
      }
      if (action[row] < 0 || action[row] >= choices) {
        throw std::invalid_argument("an action of head '" + head + "' is outside [0, " +
                                    std::to_string(choices) + ")");
      }
      chosen.data_ptr<float>()[row] = lpr[action[row]];
      entropy.data_ptr<float>()[row] = static_cast<float>(h);
    }
    context->save_for_backward({log_probs, entropy, mask, actions});
    return {chosen, entropy};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grads) {
    const auto saved = context->get_saved_variables();
    const at::Tensor& log_probs = saved[0];
    const at::Tensor& entropy = saved[1];
    const at::Tensor& mask = saved[2];
    const at::Tensor& actions = saved[3];
    const int64_t rows = log_probs.size(0);
    const int64_t choices = log_probs.size(1);
    const bool masked = mask.numel() > 0;
    at::Tensor grad_logits = at::zeros({rows, choices}, log_probs.options());
    const float* lp = log_probs.data_ptr<float>();
    const float* h = entropy.data_ptr<float>();
    const bool* ok = masked ? mask.data_ptr<bool>() : nullptr;
    const int64_t* action = actions.data_ptr<int64_t>();
    at::Tensor grad_lp = grads[0].defined() ? grads[0].contiguous() : at::Tensor();
    at::Tensor grad_h = grads[1].defined() ? grads[1].contiguous() : at::Tensor();
    const float* g_lp = grad_lp.defined() ? grad_lp.data_ptr<float>() : nullptr;
    const float* g_h = grad_h.defined() ? grad_h.data_ptr<float>() : nullptr;
    float* out = grad_logits.data_ptr<float>();
    for (int64_t row = 0; row < rows; ++row) {
      const float a = g_lp != nullptr ? g_lp[row] : 0.0f;
      const float e = g_h != nullptr ? g_h[row] : 0.0f;
      for (int64_t c = 0; c < choices; ++c) {
        const int64_t at_rc = row * choices + c;
        if (masked && !ok[at_rc]) continue;  // the fill cut these off
        const float p = std::exp(lp[at_rc]);
        out[at_rc] = a * ((c == action[row] ? 1.0f : 0.0f) - p) - e * p * (lp[at_rc] + h[row]);
      }
    }
    return {grad_logits, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

CategoricalTerms EvaluateCategorical(const at::Tensor& logits, const at::Tensor& mask,
                                     const at::Tensor& actions, double fill,
                                     const std::string& head) {
  if (!logits.device().is_cpu()) {
    // off the CPU the loop cannot read the values: the composed operations
    at::Tensor log_probs = MaskedLogSoftmax(logits, mask, fill, /*validate=*/true, head);
    return {log_probs.gather(-1, actions.unsqueeze(-1)).squeeze(-1),
            MaskedEntropy(log_probs, mask)};
  }
  auto shape = actions.sizes().vec();
  const int64_t choices = logits.size(-1);
  at::Tensor flat_logits = logits.reshape({-1, choices}).to(at::kFloat).contiguous();
  at::Tensor flat_mask = mask.defined() ? mask.reshape({-1, choices}).to(at::kBool).contiguous()
                                        : at::empty({0}, flat_logits.options().dtype(at::kBool));
  at::Tensor flat_actions = actions.reshape({-1}).to(at::kLong).contiguous();
  if (flat_actions.size(0) != flat_logits.size(0)) {
    throw std::invalid_argument("head '" + head + "': one action per row of logits");
  }
  auto outputs = CategoricalFunction::apply(flat_logits, flat_mask, flat_actions, fill, head);
  return {outputs[0].view(shape), outputs[1].view(shape)};
}

std::pair<at::Tensor, at::Tensor> SampleCategorical(const at::Tensor& logits,
                                                    const at::Tensor& mask, double fill,
                                                    bool deterministic, at::Generator& generator,
                                                    const std::string& head) {
  const at::Tensor values = logits.to(at::kFloat).contiguous();
  const at::Tensor valid = mask.defined() ? mask.to(at::kBool).contiguous() : at::Tensor();
  const int64_t rows = values.size(0);
  const int64_t choices = values.size(1);
  at::Tensor chosen = at::empty({rows}, at::TensorOptions().dtype(at::kLong));
  at::Tensor chosen_log_prob = at::empty({rows}, at::TensorOptions().dtype(at::kFloat));
  const float* z = values.data_ptr<float>();
  const bool* ok = valid.defined() ? valid.data_ptr<bool>() : nullptr;
  int64_t* out = chosen.data_ptr<int64_t>();
  float* out_lp = chosen_log_prob.data_ptr<float>();
  auto* engine = at::check_generator<at::CPUGeneratorImpl>(generator);
  thread_local std::vector<float> row_log_probs;
  row_log_probs.resize(static_cast<size_t>(choices));
  float* p = row_log_probs.data();
  for (int64_t row = 0; row < rows; ++row) {
    MaskedLogSoftmaxRow(z + row * choices, ok != nullptr ? ok + row * choices : nullptr, choices,
                        static_cast<float>(fill), p, head);
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
