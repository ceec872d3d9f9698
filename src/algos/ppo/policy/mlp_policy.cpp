// src/algos/ppo/policy/mlp_policy.cpp
#include "algos/ppo/policy/mlp_policy.h"

#include <torch/torch.h>

#include <numeric>
#include <stdexcept>

#include "algos/ppo/policy/distributions.h"
#include "algos/ppo/policy/network_state.h"

namespace orch::ppo {
namespace {

/// obs -> hidden_sizes (activation) -> `out`, orthogonal init with `out_gain` last.
torch::nn::Sequential Mlp(const PolicyOptions& options, int64_t in, int64_t out, double out_gain) {
  torch::nn::Sequential net;
  int64_t width = in;
  for (int64_t hidden : options.hidden_sizes) {
    net->push_back(OrthogonalLinear(width, hidden, options.hidden_gain));
    if (options.activation == "relu") {
      net->push_back(torch::nn::ReLU());
    } else {
      net->push_back(torch::nn::Tanh());
    }
    width = hidden;
  }
  net->push_back(OrthogonalLinear(width, out, out_gain));
  return net;
}

int64_t ActorOutputs(const envs::ActionSpec& action) {
  if (action.IsContinuous()) return action.dim;
  return std::accumulate(action.head_sizes.begin(), action.head_sizes.end(), int64_t{0});
}

}  // namespace

MlpActorCriticImpl::MlpActorCriticImpl(const PolicySpec& spec) {
  const PolicyOptions& options = spec.options;
  critic = register_module("critic", Mlp(options, spec.obs_dim, 1, options.value_out_gain));
  actor = register_module(
      "actor", Mlp(options, spec.obs_dim, ActorOutputs(spec.action), options.actor_out_gain));
  if (spec.action.IsContinuous()) {
    log_std = register_parameter(
        "log_std", torch::full({spec.action.dim}, options.log_std_init, torch::kFloat32));
  }
}

MlpPolicy::MlpPolicy(const PolicySpec& spec) : PolicyBundle(spec), network_(spec) {
  if (spec.obs_dim < 1) throw std::invalid_argument("the mlp policy needs obs_dim >= 1");
  if (spec.action.IsDiscrete() && spec.action.head_sizes.empty()) {
    throw std::invalid_argument("the mlp policy needs at least one action head");
  }
}

const std::string& MlpPolicy::type() const {
  static const std::string kType = "mlp";
  return kType;
}

HeadTensors MlpPolicy::HeadLogProbs(const at::Tensor& actor_out, const HeadTensors& masks,
                                    bool validate) const {
  const envs::ActionSpec& action = spec().action;
  HeadTensors log_probs;
  int64_t offset = 0;
  for (int head = 0; head < action.num_heads(); ++head) {
    const std::string& name = action.head_names[head];
    const int64_t size = action.head_sizes[head];
    at::Tensor logits = actor_out.narrow(-1, offset, size);
    offset += size;
    log_probs[name] =
        MaskedLogSoftmax(logits, MaskOf(masks, name), spec().options.mask_fill, validate, name);
  }
  return log_probs;
}

ActionResult MlpPolicy::GetAction(const at::Tensor& obs, const HeadTensors& masks,
                                  const RecurrentState&, bool deterministic,
                                  at::Generator& generator) {
  c10::InferenceMode inference;
  ActionResult result;
  result.value = network_->critic->forward(obs).squeeze(-1);
  at::Tensor out = network_->actor->forward(obs);
  if (spec().action.IsContinuous()) {
    // a diagonal Gaussian with a state-independent std; the env clips what it receives
    const at::Tensor& log_std = network_->log_std;
    at::Tensor action =
        deterministic ? out
                      : out + log_std.exp() * at::randn(out.sizes(), generator, out.options());
    result.log_prob["action"] = GaussianLogProb(action, out, log_std);
    result.action["action"] = action;
    return result;
  }
  // the choices are drawn (and the rows checked) in one loop over the values
  for (auto& [name, log_probs] : HeadLogProbs(out, masks, /*validate=*/false)) {
    auto [choice, log_prob] =
        ChooseRows(log_probs, MaskOf(masks, name), deterministic, generator, name);
    result.action[name] = choice;
    result.log_prob[name] = log_prob;
  }
  return result;
}

ForwardResult MlpPolicy::Forward(const at::Tensor& obs, const HeadTensors& masks,
                                 const RecurrentState&) {
  ForwardResult result;
  result.value = network_->critic->forward(obs).squeeze(-1);
  at::Tensor out = network_->actor->forward(obs);
  if (spec().action.IsContinuous()) {
    result.outputs["mean"] = out;
    result.outputs["log_std"] = network_->log_std.expand_as(out);
    return result;
  }
  const envs::ActionSpec& action = spec().action;
  int64_t offset = 0;
  for (int head = 0; head < action.num_heads(); ++head) {
    const std::string& name = action.head_names[head];
    at::Tensor logits = out.narrow(-1, offset, action.head_sizes[head]);
    offset += action.head_sizes[head];
    const at::Tensor& mask = MaskOf(masks, name);
    result.outputs[name] =
        mask.defined() ? logits.masked_fill(mask.logical_not(), spec().options.mask_fill) : logits;
  }
  return result;
}

EvalResult MlpPolicy::EvaluateActions(const at::Tensor& obs, const HeadTensors& actions,
                                      const HeadTensors& masks, const at::Tensor&,
                                      const RecurrentState&) {
  EvalResult result;
  result.value = network_->critic->forward(obs).squeeze(-1);
  at::Tensor out = network_->actor->forward(obs);
  if (spec().action.IsContinuous()) {
    const at::Tensor& action = actions.at("action");
    result.log_prob["action"] = GaussianLogProb(action, out, network_->log_std);
    result.entropy["action"] = GaussianEntropy(out, network_->log_std);
    return result;
  }
  for (auto& [name, log_probs] : HeadLogProbs(out, masks, /*validate=*/true)) {
    result.log_prob[name] = log_probs.gather(-1, actions.at(name).unsqueeze(-1)).squeeze(-1);
    result.entropy[name] = MaskedEntropy(log_probs, MaskOf(masks, name));
  }
  return result;
}

at::Tensor MlpPolicy::GetValue(const at::Tensor& obs, const RecurrentState&) {
  c10::InferenceMode inference;
  return network_->critic->forward(obs).squeeze(-1);
}

StateDict MlpPolicy::GetStateDict() const { return ModuleStateDict(*network_); }

void MlpPolicy::LoadStateDict(const StateDict& state, bool strict) {
  LoadModuleState(*network_, state, strict, "the mlp policy");
}

void MlpPolicy::To(const c10::Device& device) {
  network_->to(device);
  device_ = device;
}

std::shared_ptr<PolicyBundle> MakeMlpPolicy(const PolicySpec& spec) {
  return std::make_shared<MlpPolicy>(spec);
}

}  // namespace orch::ppo
