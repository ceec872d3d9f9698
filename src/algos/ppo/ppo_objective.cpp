// src/algos/ppo/ppo_objective.cpp
#include "algos/ppo/ppo_objective.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orch::ppo {
namespace {

/// What the forward pass reads besides the differentiable tensors.
struct Constants {
  const std::vector<HeadTerms>* heads;
  const at::Tensor* advantages;
  const at::Tensor* returns;
  const at::Tensor* old_values;
  const ObjectiveOptions* options;
};

const float* Data(const at::Tensor& tensor) { return tensor.data_ptr<float>(); }

/// The derivative of min(r A, clamp(r, lo, hi) A) with respect to r, as LibTorch's autograd
/// takes it (minimum splits a tie; clamp passes its gradient inside [lo, hi]).
double SurrogateSlope(double r, double a, double lo, double hi) {
  const double unclipped = r * a;
  const double clipped = std::clamp(r, lo, hi) * a;
  const bool inside = r >= lo && r <= hi;
  if (unclipped < clipped) return a;
  if (unclipped > clipped) return inside ? a : 0.0;
  return 0.5 * a + (inside ? 0.5 * a : 0.0);
}

class ObjectiveFunction : public torch::autograd::Function<ObjectiveFunction> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* context,
                                                at::TensorList inputs, const Constants* constants) {
    const std::vector<HeadTerms>& heads = *constants->heads;
    const ObjectiveOptions& options = *constants->options;
    const size_t head_count = heads.size();
    const int64_t n = constants->advantages->numel();
    const double samples = static_cast<double>(n);
    const float* adv = Data(*constants->advantages);
    const float* ret = Data(*constants->returns);
    const float* old_v = Data(*constants->old_values);
    const float* value = Data(inputs[2 * head_count]);
    const double lo = 1.0 - options.clip_coef;
    const double hi = 1.0 + options.clip_coef;

    // the gradients with respect to every input, scaled later by the loss's own gradient
    auto f32 = at::TensorOptions().dtype(at::kFloat);
    std::vector<at::Tensor> slopes;
    for (size_t index = 0; index < 2 * head_count + 1; ++index)
      slopes.push_back(at::zeros({n}, f32));
    at::Tensor stats = at::zeros({static_cast<int64_t>(4 + head_count)}, at::kDouble);
    double* out = stats.data_ptr<double>();
    double policy_loss = 0.0;
    double approx_kl = 0.0;
    double clip_hits = 0.0;
    double clip_count = 0.0;

    // the surrogate of a ratio over weighted samples; `slope` receives d loss / d log-prob
    auto surrogate = [&](const std::vector<double>& log_ratio, const float* weight,
                         std::vector<float*> slope_targets) {
      double count = 0.0;
      for (int64_t i = 0; i < n; ++i) count += weight != nullptr ? weight[i] : 1.0;
      const double normaliser = std::max(count, 1.0);
      const double denominator = weight != nullptr ? normaliser : samples;
      double term = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const double w = weight != nullptr ? weight[i] : 1.0;
        if (w == 0.0) continue;
        const double r = std::exp(log_ratio[i]);
        const double a = adv[i];
        term += w * std::min(r * a, std::clamp(r, lo, hi) * a);
        const double slope = -w / denominator * SurrogateSlope(r, a, lo, hi) * r;
        for (float* target : slope_targets) target[i] += static_cast<float>(slope);
        approx_kl += w * ((r - 1.0) - log_ratio[i]) / samples;
        clip_hits += w * (std::abs(r - 1.0) > options.clip_coef ? 1.0 : 0.0);
        clip_count += w;
      }
      policy_loss -= term / denominator;
    };
    std::vector<double> log_ratio(static_cast<size_t>(n), 0.0);
    if (options.joint) {
      std::vector<float*> targets;
      for (size_t h = 0; h < head_count; ++h) {
        const float* now = Data(inputs[h]);
        const float* old = Data(heads[h].old_log_prob);
        for (int64_t i = 0; i < n; ++i) log_ratio[i] += static_cast<double>(now[i]) - old[i];
        targets.push_back(slopes[h].data_ptr<float>());
      }
      surrogate(log_ratio, nullptr, targets);
    } else {
      for (size_t h = 0; h < head_count; ++h) {
        const float* now = Data(inputs[h]);
        const float* old = Data(heads[h].old_log_prob);
        for (int64_t i = 0; i < n; ++i) log_ratio[i] = static_cast<double>(now[i]) - old[i];
        const float* weight = heads[h].weight.defined() ? Data(heads[h].weight) : nullptr;
        surrogate(log_ratio, weight, {slopes[h].data_ptr<float>()});
      }
    }

    // the entropy bonus: each head's (weighted, scaled) mean
    double entropy_total = 0.0;
    for (size_t h = 0; h < head_count; ++h) {
      const float* entropy = Data(inputs[head_count + h]);
      const float* weight =
          heads[h].weight.defined() && !options.joint ? Data(heads[h].weight) : nullptr;
      const float* scale =
          heads[h].entropy_scale.defined() ? Data(heads[h].entropy_scale) : nullptr;
      double count = 0.0;
      for (int64_t i = 0; i < n; ++i) count += weight != nullptr ? weight[i] : 1.0;
      const double denominator = weight != nullptr ? std::max(count, 1.0) : samples;
      double mean = 0.0;
      float* slope = slopes[head_count + h].data_ptr<float>();
      // (a multiplier of 1 leaves every value as it was without one: x * 1.0 is x)
      const double coef = options.ent_coef * heads[h].entropy_multiplier;
      for (int64_t i = 0; i < n; ++i) {
        const double w =
            (weight != nullptr ? weight[i] : 1.0) * (scale != nullptr ? scale[i] : 1.0);
        mean += w * entropy[i];
        slope[i] = static_cast<float>(-coef * w / denominator);
      }
      mean /= denominator;
      out[4 + h] = mean;
      entropy_total += heads[h].entropy_multiplier * mean;
    }

    // the value loss, clipped around the rollout's values
    double value_loss = 0.0;
    float* value_slope = slopes[2 * head_count].data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
      const double v = value[i];
      const double d = v - ret[i];
      double term = 0.5 * d * d;
      double slope = d;
      if (options.clip_vloss) {
        const double delta = v - old_v[i];
        const double clipped_delta = std::clamp(delta, -options.value_clip, options.value_clip);
        const double dc = old_v[i] + clipped_delta - ret[i];
        const bool inside = delta >= -options.value_clip && delta <= options.value_clip;
        const double clipped_term = 0.5 * dc * dc;
        if (clipped_term > term) {
          slope = inside ? dc : 0.0;
          term = clipped_term;
        } else if (clipped_term == term) {
          slope = 0.5 * d + (inside ? 0.5 * dc : 0.0);
        }
      }
      value_loss += term;
      value_slope[i] = static_cast<float>(options.vf_coef * slope / samples);
    }
    value_loss /= samples;

    out[0] = policy_loss;
    out[1] = value_loss;
    out[2] = approx_kl;
    out[3] = clip_count > 0 ? clip_hits / clip_count : 0.0;
    const double loss =
        policy_loss - options.ent_coef * entropy_total + options.vf_coef * value_loss;
    context->save_for_backward(slopes);
    context->saved_data["clip_count"] = clip_count;
    context->mark_non_differentiable({stats});
    return {at::scalar_tensor(loss, f32), stats};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grad_outputs) {
    torch::autograd::variable_list slopes = context->get_saved_variables();
    torch::autograd::variable_list gradients;
    const at::Tensor& scale = grad_outputs[0];
    for (auto& slope : slopes) gradients.push_back(slope * scale);
    gradients.push_back(at::Tensor());  // the constants
    return gradients;
  }
};

}  // namespace

ObjectiveResult PpoObjective(const std::vector<HeadTerms>& heads, const at::Tensor& value,
                             const at::Tensor& advantages, const at::Tensor& returns,
                             const at::Tensor& old_values, const ObjectiveOptions& options) {
  if (heads.empty()) throw std::invalid_argument("the PPO objective needs at least one head");
  // flat, contiguous float views of everything (a [B, S] minibatch is N = B x S samples)
  auto flat = [](const at::Tensor& tensor) {
    return tensor.defined() ? tensor.reshape({-1}).to(at::kFloat).contiguous() : at::Tensor();
  };
  std::vector<HeadTerms> flat_heads;
  std::vector<at::Tensor> inputs;
  for (const auto& head : heads) {
    flat_heads.push_back({head.name, at::Tensor(), flat(head.old_log_prob), at::Tensor(),
                          flat(head.entropy_scale), flat(head.weight), head.entropy_multiplier});
    inputs.push_back(head.log_prob.reshape({-1}));
  }
  for (const auto& head : heads) inputs.push_back(head.entropy.reshape({-1}));
  inputs.push_back(value.reshape({-1}));
  // the inputs the loop reads, contiguous (their graph is kept by the function's inputs)
  std::vector<at::Tensor> contiguous;
  for (const auto& input : inputs) contiguous.push_back(input.contiguous());
  const at::Tensor adv = flat(advantages);
  const at::Tensor ret = flat(returns);
  const at::Tensor old = flat(old_values);
  const Constants constants{&flat_heads, &adv, &ret, &old, &options};
  torch::autograd::variable_list outputs =
      ObjectiveFunction::apply(at::TensorList(contiguous), &constants);
  return {outputs[0], outputs[1]};
}

}  // namespace orch::ppo
