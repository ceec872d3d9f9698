// src/algos/ppo/ppo_agent.cpp
#include "algos/ppo/ppo_agent.h"

#include <fmt/format.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "algos/ppo/ppo_objective.h"

namespace orch::ppo {
namespace {

/// One minibatch, shaped [B, S] (feed-forward samples are sequences of one step).
struct Batch {
  at::Tensor obs;  ///< [B, S, F]
  HeadTensors action;
  HeadTensors old_log_prob;
  HeadTensors masks;
  HeadTensors relevance;
  at::Tensor advantages;
  at::Tensor returns;
  at::Tensor old_values;
  at::Tensor starts;  ///< [B, S] (recurrent only)
  RecurrentState hidden;
};

/// Every [T, E, ...] tensor of a map, reshaped by `select`.
template <typename Select>
HeadTensors SelectAll(const HeadTensors& tensors, Select&& select) {
  HeadTensors selected;
  for (const auto& [name, tensor] : tensors) selected[name] = select(tensor);
  return selected;
}

/// (advantages - mean) / (std + 1e-8), CleanRL's normalisation.
at::Tensor Normalise(const at::Tensor& advantages) {
  return (advantages - advantages.mean()) / (advantages.std() + 1e-8);
}

double ExplainedVariance(const at::Tensor& values, const at::Tensor& returns) {
  const double variance = returns.var().item<double>();
  if (!(variance > 0.0)) return std::nan("");
  return 1.0 - (returns - values).var().item<double>() / variance;
}

}  // namespace

PpoAgent::PpoAgent(std::shared_ptr<PolicyBundle> policy, const PpoOptions& options)
    : policy_(std::move(policy)), options_(options) {
  if (!policy_) throw std::invalid_argument("the PPO agent needs a policy bundle");
  if (policy_->is_recurrent() && options_.num_envs % options_.num_minibatches != 0) {
    throw std::invalid_argument(fmt::format(
        "a recurrent policy trains on whole env sequences: ppo.num_minibatches ({}) must divide "
        "ppo.num_envs ({})",
        options_.num_minibatches, options_.num_envs));
  }
  // the optimiser binds to the bundle's raw network, its parameters packed into one buffer
  // (each parameter a view of it, its gradient a view of another), so that a step, the gradient
  // norm and the clip are one operation each, whatever the number of layers
  std::vector<at::Tensor> parameters = policy_->Network().parameters();
  int64_t total = 0;
  for (const auto& parameter : parameters) total += parameter.numel();
  flat_ = at::empty({total}, parameters.front().options().requires_grad(false));
  flat_grad_ = at::zeros({total}, flat_.options());
  {
    at::NoGradGuard no_grad;
    int64_t offset = 0;
    for (auto& parameter : parameters) {
      const int64_t count = parameter.numel();
      flat_.narrow(0, offset, count).copy_(parameter.reshape({count}));
      parameter.set_data(flat_.narrow(0, offset, count).view(parameter.sizes()));
      parameter.mutable_grad() = flat_grad_.narrow(0, offset, count).view(parameter.sizes());
      offset += count;
    }
  }
  flat_.mutable_grad() = flat_grad_;
  optimizer_ = std::make_unique<torch::optim::Adam>(std::vector<at::Tensor>{flat_},
                                                    torch::optim::AdamOptions(options_.lr)
                                                        .eps(options_.adam_eps)
                                                        .weight_decay(options_.weight_decay));
}

PpoAgent::~PpoAgent() = default;

void PpoAgent::SaveOptimizer(torch::serialize::OutputArchive& archive) const {
  optimizer_->save(archive);
}

void PpoAgent::LoadOptimizer(torch::serialize::InputArchive& archive) { optimizer_->load(archive); }

UpdateStats PpoAgent::Update(const Rollout& rollout, const UpdateRates& rates,
                             at::Generator& generator) {
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(rates.learning_rate);
  }
  UpdateStats stats;
  stats.learning_rate = rates.learning_rate;
  stats.ent_coef = rates.ent_coef;
  at::Tensor last_grad_norm;
  stats.explained_variance = ExplainedVariance(rollout.values, rollout.returns);

  const int64_t steps = rollout.steps;
  const int64_t envs = rollout.envs;
  const bool recurrent = policy_->is_recurrent();
  const int64_t epochs = recurrent ? options_.recurrent_epochs : options_.update_epochs;
  const bool per_head = options_.factored_objective == "per_head";
  const bool normalise_minibatch = options_.norm_adv && options_.adv_norm_scope == "minibatch";
  at::Tensor advantages = rollout.advantages;
  if (options_.norm_adv && options_.adv_norm_scope == "buffer") advantages = Normalise(advantages);

  // the minibatches: shuffled samples, or whole env sequences for a recurrent policy
  const int64_t units = recurrent ? envs : steps * envs;
  const int64_t per_batch = units / options_.num_minibatches;
  auto make_batch = [&](const at::Tensor& index) {
    Batch batch;
    if (recurrent) {
      auto seq = [&](const at::Tensor& tensor) {
        return tensor.index_select(1, index).transpose(0, 1);
      };
      batch.obs = seq(rollout.obs);
      batch.action = SelectAll(rollout.action, seq);
      batch.old_log_prob = SelectAll(rollout.log_prob, seq);
      batch.masks = SelectAll(rollout.masks, seq);
      batch.relevance = SelectAll(rollout.relevance, seq);
      batch.advantages = seq(advantages);
      batch.returns = seq(rollout.returns);
      batch.old_values = seq(rollout.values);
      batch.starts = seq(rollout.starts);
      batch.hidden = {rollout.initial_hidden.h.index_select(1, index),
                      rollout.initial_hidden.c.index_select(1, index)};
      return batch;
    }
    auto flat = [&](const at::Tensor& tensor) {
      auto sizes = tensor.sizes().vec();
      sizes.erase(sizes.begin());
      sizes[0] = steps * envs;
      return tensor.reshape(sizes).index_select(0, index).unsqueeze(1);
    };
    batch.obs = flat(rollout.obs);
    batch.action = SelectAll(rollout.action, flat);
    batch.old_log_prob = SelectAll(rollout.log_prob, flat);
    batch.masks = SelectAll(rollout.masks, flat);
    batch.relevance = SelectAll(rollout.relevance, flat);
    batch.advantages = flat(advantages);
    batch.returns = flat(rollout.returns);
    batch.old_values = flat(rollout.values);
    return batch;
  };

  // the loss of a minibatch is one operation (ppo_objective.h); its statistics stay a tensor
  // until the end, so there is no synchronising read per minibatch
  const auto& action_spec = policy_->spec().action;
  const bool weighted = per_head && action_spec.num_heads() > 1;
  ObjectiveOptions objective;
  objective.clip_coef = options_.clip_coef;
  objective.clip_vloss = options_.clip_vloss;
  objective.value_clip = options_.value_clip;
  objective.ent_coef = rates.ent_coef;
  objective.vf_coef = options_.vf_coef;
  objective.joint = !per_head && action_spec.num_heads() > 1;
  at::Tensor last_stats;
  std::vector<std::string> head_order;  // the order of the heads in the stats
  at::Tensor clip_sum = at::zeros({}, at::kDouble);
  int64_t clip_batches = 0;
  for (int64_t epoch = 0; epoch < epochs && !stats.kl_stopped; ++epoch) {
    ++stats.epochs;
    at::Tensor order = at::randperm(units, generator, at::TensorOptions().dtype(at::kLong));
    for (int64_t first = 0; first + per_batch <= units; first += per_batch) {
      Batch batch = make_batch(order.narrow(0, first, per_batch));
      EvalResult eval = policy_->EvaluateActions(batch.obs, batch.action, batch.masks, batch.starts,
                                                 batch.hidden);
      at::Tensor adv = normalise_minibatch ? Normalise(batch.advantages) : batch.advantages;

      // each head's terms: its log-probabilities, where it was relevant, its entropy's scale
      std::vector<HeadTerms> heads;
      for (const auto& [name, log_prob] : eval.log_prob) {
        HeadTerms head;
        head.name = name;
        head.log_prob = log_prob;
        head.old_log_prob = batch.old_log_prob.at(name);
        head.entropy = eval.entropy.at(name);
        if (auto coef = options_.ent_head_coef.find(name); coef != options_.ent_head_coef.end()) {
          head.entropy_multiplier = coef->second;
        }
        auto relevant = batch.relevance.find(name);
        if (weighted && relevant != batch.relevance.end()) {
          head.weight = relevant->second.to(at::kFloat);
        }
        if (options_.normalize_entropy && action_spec.IsDiscrete()) {
          auto mask = batch.masks.find(name);
          at::Tensor valid;
          if (mask != batch.masks.end()) {
            valid = mask->second.sum(-1).to(at::kFloat);
          } else {
            const auto at_head =
                std::find(action_spec.head_names.begin(), action_spec.head_names.end(), name);
            valid = at::full(log_prob.sizes(),
                             action_spec.head_sizes[at_head - action_spec.head_names.begin()],
                             log_prob.options());
          }
          head.entropy_scale =
              at::where(valid > 1, valid.clamp_min(2).log().reciprocal(), at::zeros_like(valid));
        }
        heads.push_back(std::move(head));
      }
      ObjectiveResult result =
          PpoObjective(heads, eval.value, adv, batch.returns, batch.old_values, objective);
      last_stats = result.stats;
      head_order.clear();
      for (const auto& head : heads) head_order.push_back(head.name);
      clip_sum += result.stats[3];
      ++clip_batches;

      // Esper's early stop: checked before the step, so a too-large step is never taken
      if (options_.target_kl &&
          result.stats[2].item<double>() > options_.kl_stop_factor * *options_.target_kl) {
        stats.kl_stopped = true;
        break;
      }
      // one backward into the packed gradient, one norm, one clip, one Adam step
      flat_grad_.zero_();
      result.loss.backward();
      at::Tensor norm = flat_grad_.norm();
      flat_grad_.mul_((options_.max_grad_norm / (norm + 1e-6)).clamp_max(1.0));
      last_grad_norm = norm;
      optimizer_->step();
      ++stats.minibatches;
    }
  }
  if (last_stats.defined()) {
    const double* values = last_stats.data_ptr<double>();
    stats.policy_loss = values[0];
    stats.value_loss = values[1];
    stats.approx_kl = values[2];
    double total = 0.0;
    for (size_t head = 0; head < head_order.size(); ++head) {
      stats.head_entropy[head_order[head]] = values[4 + head];
    }
    for (const auto& [name, entropy] : stats.head_entropy) total += entropy;
    stats.entropy = total / std::max<size_t>(stats.head_entropy.size(), 1);
    stats.clip_fraction = clip_sum.item<double>() / std::max<int64_t>(clip_batches, 1);
  }
  if (last_grad_norm.defined()) stats.grad_norm = last_grad_norm.item<double>();
  return stats;
}

}  // namespace orch::ppo
