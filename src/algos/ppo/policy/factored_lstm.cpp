// src/algos/ppo/policy/factored_lstm.cpp
#include "algos/ppo/policy/factored_lstm.h"

#include <torch/nn/init.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "algos/ppo/policy/distributions.h"
#include "algos/ppo/policy/network_state.h"

namespace orch::ppo {
namespace {

/// Linear(in, hidden) -> ReLU -> Linear(hidden, out), orthogonal: sqrt 2 inside, `last_gain` out.
torch::nn::Sequential HeadMlp(int64_t in, int64_t hidden, int64_t out, double last_gain) {
  return torch::nn::Sequential(OrthogonalLinear(in, hidden, std::sqrt(2.0)), torch::nn::ReLU(),
                               OrthogonalLinear(hidden, out, last_gain));
}

bool HasHead(const envs::ActionSpec& action, const char* name) {
  return std::find(action.head_names.begin(), action.head_names.end(), name) !=
         action.head_names.end();
}

}  // namespace

at::Tensor FactoredActions::StyleOverride(const at::Tensor& style_mask, const at::Tensor& op) {
  at::Tensor only = at::zeros_like(style_mask);
  only.select(-1, kStyleSigmoidAdd).fill_(true);
  at::Tensor keep = ((op == kOpGerminate) | (op == kOpSetAlphaTarget)).unsqueeze(-1);
  return at::where(keep, style_mask, only);
}

FactoredRecurrentActorCriticImpl::FactoredRecurrentActorCriticImpl(const PolicySpec& spec)
    : head_names(spec.action.head_names), hidden_dim(spec.options.lstm_hidden_dim) {
  const PolicyOptions& options = spec.options;
  feature_net = register_module(
      "feature_net", torch::nn::Sequential(
                         OrthogonalLinear(spec.obs_dim, options.feature_dim, std::sqrt(2.0)),
                         torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.feature_dim})),
                         torch::nn::ReLU()));
  lstm = register_module(
      "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(options.feature_dim, options.lstm_hidden_dim)
                                  .num_layers(1)
                                  .batch_first(true)));
  lstm_norm = register_module(
      "lstm_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.lstm_hidden_dim})));
  std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> actor_heads;
  for (int head = 0; head < spec.action.num_heads(); ++head) {
    actor_heads.emplace_back(spec.action.head_names[head],
                             HeadMlp(options.lstm_hidden_dim, options.head_hidden_dim,
                                     spec.action.head_sizes[head], options.actor_out_gain)
                                 .ptr());
  }
  heads = register_module("heads", torch::nn::ModuleDict(actor_heads));
  value_head = register_module(
      "value_head",
      HeadMlp(options.lstm_hidden_dim, options.head_hidden_dim, 1, options.value_out_gain));
  // the LSTM: orthogonal weights, zero biases but the forget gate's slice [H, 2H) of each
  torch::NoGradGuard no_grad;
  for (auto& item : lstm->named_parameters()) {
    if (item.key().rfind("weight", 0) == 0) {
      torch::nn::init::orthogonal_(item.value());
    } else {
      item.value().zero_();
      item.value().narrow(0, hidden_dim, hidden_dim).fill_(1.0);
    }
  }
  auto parameters = lstm->named_parameters();
  lstm_weights = {parameters["weight_ih_l0"], parameters["weight_hh_l0"], parameters["bias_ih_l0"],
                  parameters["bias_hh_l0"]};
}

std::tuple<HeadTensors, at::Tensor> FactoredRecurrentActorCriticImpl::Heads(
    const at::Tensor& core) {
  // the nine heads as two matrix products: their first layers stacked, their last layers a
  // block-diagonal matrix (a few wasted multiply-adds instead of 27 small operations forward
  // and as many backward); the parameters stay the modules' own
  std::vector<at::Tensor> first_weights, first_biases, last_weights, last_biases;
  auto add = [&](torch::nn::SequentialImpl& head) {
    auto& first = *head[0]->as<torch::nn::Linear>();
    auto& last = *head[2]->as<torch::nn::Linear>();
    first_weights.push_back(first.weight);
    first_biases.push_back(first.bias);
    last_weights.push_back(last.weight);
    last_biases.push_back(last.bias);
  };
  for (const auto& name : head_names) add(*heads[name]->as<torch::nn::Sequential>());
  add(*value_head);
  auto sizes = core.sizes().vec();
  const int64_t rows = core.numel() / sizes.back();
  at::Tensor hidden = at::relu(at::addmm(at::cat(first_biases), core.reshape({rows, sizes.back()}),
                                         at::cat(first_weights).t()));
  at::Tensor outputs = at::addmm(at::cat(last_biases), hidden, at::block_diag(last_weights).t());
  HeadTensors logits;
  int64_t offset = 0;
  for (size_t head = 0; head < head_names.size(); ++head) {
    const int64_t width = last_weights[head].size(0);
    sizes.back() = width;
    logits[head_names[head]] = outputs.narrow(1, offset, width).reshape(sizes);
    offset += width;
  }
  sizes.pop_back();
  return {std::move(logits), outputs.select(1, offset).reshape(sizes)};
}

std::tuple<HeadTensors, at::Tensor, RecurrentState> FactoredRecurrentActorCriticImpl::Forward(
    const at::Tensor& x, const RecurrentState& hidden, const at::Tensor& starts) {
  auto [out, h, c] =
      rl::LstmSequence(feature_net->forward(x), hidden.h, hidden.c, lstm_weights, starts);
  auto [logits, value] = Heads(lstm_norm->forward(out));
  return {std::move(logits), std::move(value), RecurrentState{h, c}};
}

FactoredLstmPolicy::FactoredLstmPolicy(const PolicySpec& spec)
    : PolicyBundle(spec), network_(spec) {
  if (!spec.action.IsDiscrete() || spec.action.head_sizes.empty()) {
    throw std::invalid_argument(
        "the lstm policy takes discrete actions (one or more heads); use the mlp policy for "
        "continuous ones");
  }
  factored_ = HasHead(spec.action, "op") && HasHead(spec.action, "style");
  if (spec.action.HasConditionalMask() && (!factored_ || spec.action.condition_head != "op")) {
    throw std::invalid_argument("the lstm policy draws the op first: an env's conditional mask (" +
                                spec.action.conditional_head + " given " +
                                spec.action.condition_head + ") must be conditioned on the op");
  }
}

const std::string& FactoredLstmPolicy::type() const {
  static const std::string kType = "lstm";
  return kType;
}

RecurrentState FactoredLstmPolicy::InitialHidden(int64_t batch) const {
  auto options = at::TensorOptions().dtype(at::kFloat).device(device_);
  return {at::zeros({1, batch, network_->hidden_dim}, options),
          at::zeros({1, batch, network_->hidden_dim}, options)};
}

RecurrentState FactoredLstmPolicy::OrZeros(const RecurrentState& hidden, int64_t batch) const {
  return hidden.empty() ? InitialHidden(batch) : hidden;
}

HeadTensors FactoredLstmPolicy::EffectiveMasks(const HeadTensors& masks,
                                               const HeadTensors& actions) const {
  if (!factored_) return masks;
  HeadTensors effective = masks;
  const at::Tensor& op = actions.at("op");
  at::Tensor style = MaskOf(masks, "style");
  if (!style.defined()) {
    auto sizes = op.sizes().vec();
    sizes.push_back(spec().action.head_sizes[std::find(spec().action.head_names.begin(),
                                                       spec().action.head_names.end(), "style") -
                                             spec().action.head_names.begin()]);
    style = at::ones(sizes, op.options().dtype(at::kBool));
  }
  effective["style"] = FactoredActions::StyleOverride(style, op);
  // the slots the drawn op allows, where the env says so (the seed garden's per_op masks)
  if (at::Tensor conditional = ConditionalMask(spec().action, masks, op); conditional.defined()) {
    effective[spec().action.conditional_head] = conditional;
  }
  return effective;
}

ActionResult FactoredLstmPolicy::GetAction(const at::Tensor& obs, const HeadTensors& masks,
                                           const RecurrentState& hidden, bool deterministic,
                                           at::Generator& generator) {
  c10::InferenceMode inference;
  auto [logits, value, next] = network_->Forward(obs.unsqueeze(1), OrZeros(hidden, obs.size(0)));
  ActionResult result;
  result.value = value.squeeze(1);
  result.hidden = std::move(next);
  const double fill = spec().options.mask_fill;
  auto draw = [&](const std::string& name, const at::Tensor& mask) {
    // drawn, and the row checked, in one loop over the values
    auto [choice, log_prob] =
        SampleCategorical(logits.at(name).squeeze(1), mask, fill, deterministic, generator, name);
    result.action[name] = choice;
    result.log_prob[name] = log_prob;
  };
  // the op first: the style a sample may take depends on it
  HeadTensors effective = masks;
  if (factored_) {
    draw("op", MaskOf(masks, "op"));
    effective = EffectiveMasks(masks, result.action);
  }
  for (const auto& name : spec().action.head_names) {
    if (factored_ && name == "op") continue;
    draw(name, MaskOf(effective, name));
  }
  return result;
}

ForwardResult FactoredLstmPolicy::Forward(const at::Tensor& obs, const HeadTensors& masks,
                                          const RecurrentState& hidden) {
  auto [logits, value, next] = network_->Forward(obs.unsqueeze(1), OrZeros(hidden, obs.size(0)));
  ForwardResult result;
  result.value = value.squeeze(1);
  result.hidden = std::move(next);
  for (auto& [name, head_logits] : logits) {
    at::Tensor squeezed = head_logits.squeeze(1);
    const at::Tensor& mask = MaskOf(masks, name);
    result.outputs[name] = mask.defined()
                               ? squeezed.masked_fill(mask.logical_not(), spec().options.mask_fill)
                               : squeezed;
  }
  return result;
}

EvalResult FactoredLstmPolicy::EvaluateActions(const at::Tensor& obs, const HeadTensors& actions,
                                               const HeadTensors& masks, const at::Tensor& starts,
                                               const RecurrentState& hidden) {
  RecurrentState state = OrZeros(hidden, obs.size(0));
  // whole sequences in one recurrence, the state zeroed where an episode starts
  auto [logits, value, next] = network_->Forward(obs, state, starts);
  state = std::move(next);

  EvalResult result;
  result.value = value;
  result.hidden = state;
  HeadTensors effective = EffectiveMasks(masks, actions);
  for (const auto& name : spec().action.head_names) {
    CategoricalTerms terms = EvaluateCategorical(logits.at(name), MaskOf(effective, name),
                                                 actions.at(name), spec().options.mask_fill, name);
    result.log_prob[name] = terms.log_prob;
    result.entropy[name] = terms.entropy;
  }
  return result;
}

at::Tensor FactoredLstmPolicy::GetValue(const at::Tensor& obs, const RecurrentState& hidden) {
  c10::InferenceMode inference;
  auto [logits, value, next] = network_->Forward(obs.unsqueeze(1), OrZeros(hidden, obs.size(0)));
  return value.squeeze(1);
}

StateDict FactoredLstmPolicy::GetStateDict() const { return ModuleStateDict(*network_); }

void FactoredLstmPolicy::LoadStateDict(const StateDict& state, bool strict) {
  LoadModuleState(*network_, state, strict, "the lstm policy");
}

void FactoredLstmPolicy::To(const c10::Device& device) {
  network_->to(device);
  device_ = device;
}

std::shared_ptr<PolicyBundle> MakeFactoredLstmPolicy(const PolicySpec& spec) {
  return std::make_shared<FactoredLstmPolicy>(spec);
}

}  // namespace orch::ppo
