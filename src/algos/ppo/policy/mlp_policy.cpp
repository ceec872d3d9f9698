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

/// The Linear layers of `net`, in order, as DenseStack takes them.
rl::DenseLayers LayersOf(torch::nn::Sequential& net, const std::string& activation) {
  rl::DenseLayers layers;
  for (const auto& module : net->children()) {
    if (const auto* linear = module->as<torch::nn::Linear>()) {
      layers.weights.push_back(linear->weight);
      layers.biases.push_back(linear->bias);
    }
  }
  layers.activation =
      activation == "relu" ? rl::HiddenActivation::kRelu : rl::HiddenActivation::kTanh;
  return layers;
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
  actor_layers = LayersOf(actor, options.activation);
  critic_layers = LayersOf(critic, options.activation);
}

MlpPolicy::MlpPolicy(const PolicySpec& spec) : PolicyBundle(spec), network_(spec) {
  if (spec.obs_dim < 1) throw std::invalid_argument("the mlp policy needs obs_dim >= 1");
  if (spec.action.IsDiscrete() && spec.action.head_sizes.empty()) {
    throw std::invalid_argument("the mlp policy needs at least one action head");
  }
  if (spec.action.HasConditionalMask()) {
    throw std::invalid_argument(
        "the mlp policy draws its heads independently; it cannot honour a conditional mask (" +
        spec.action.conditional_head + " given " + spec.action.condition_head + ")");
  }
}

const std::string& MlpPolicy::type() const {
  static const std::string kType = "mlp";
  return kType;
}

HeadTensors MlpPolicy::SplitHeads(const at::Tensor& actor_out) const {
  const envs::ActionSpec& action = spec().action;
  HeadTensors logits;
  if (action.num_heads() == 1) {
    logits[action.head_names.front()] = actor_out;  // no slice (nor its backward) for one head
    return logits;
  }
  int64_t offset = 0;
  for (int head = 0; head < action.num_heads(); ++head) {
    logits[action.head_names[head]] = actor_out.narrow(-1, offset, action.head_sizes[head]);
    offset += action.head_sizes[head];
  }
  return logits;
}

ActionResult MlpPolicy::GetAction(const at::Tensor& obs, const HeadTensors& masks,
                                  const RecurrentState&, bool deterministic,
                                  at::Generator& generator) {
  c10::InferenceMode inference;
  ActionResult result;
  result.value = rl::DenseStack(obs, network_->critic_layers).squeeze(-1);
  at::Tensor out = rl::DenseStack(obs, network_->actor_layers);
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
  for (auto& [name, logits] : SplitHeads(out)) {
    auto [choice, log_prob] = SampleCategorical(
        logits, MaskOf(masks, name), spec().options.mask_fill, deterministic, generator, name);
    result.action[name] = choice;
    result.log_prob[name] = log_prob;
  }
  return result;
}

ForwardResult MlpPolicy::Forward(const at::Tensor& obs, const HeadTensors& masks,
                                 const RecurrentState&) {
  ForwardResult result;
  result.value = rl::DenseStack(obs, network_->critic_layers).squeeze(-1);
  at::Tensor out = rl::DenseStack(obs, network_->actor_layers);
  if (spec().action.IsContinuous()) {
    result.outputs["mean"] = out;
    result.outputs["log_std"] = network_->log_std.expand_as(out);
    return result;
  }
  for (auto& [name, logits] : SplitHeads(out)) {
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
  result.value = rl::DenseStack(obs, network_->critic_layers).squeeze(-1);
  at::Tensor out = rl::DenseStack(obs, network_->actor_layers);
  if (spec().action.IsContinuous()) {
    const at::Tensor& action = actions.at("action");
    result.log_prob["action"] = GaussianLogProb(action, out, network_->log_std);
    result.entropy["action"] = GaussianEntropy(out, network_->log_std);
    return result;
  }
  for (auto& [name, logits] : SplitHeads(out)) {
    CategoricalTerms terms = EvaluateCategorical(logits, MaskOf(masks, name), actions.at(name),
                                                 spec().options.mask_fill, name);
    result.log_prob[name] = terms.log_prob;
    result.entropy[name] = terms.entropy;
  }
  return result;
}

at::Tensor MlpPolicy::GetValue(const at::Tensor& obs, const RecurrentState&) {
  c10::InferenceMode inference;
  return rl::DenseStack(obs, network_->critic_layers).squeeze(-1);
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
