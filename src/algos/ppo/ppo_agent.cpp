// src/algos/ppo/ppo_agent.cpp
#include "algos/ppo/ppo_agent.h"

#include <fmt/format.h>
#include <torch/nn/module.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

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
  // the optimiser binds to the bundle's raw network
  optimizer_ = std::make_unique<torch::optim::Adam>(policy_->Network().parameters(),
                                                    torch::optim::AdamOptions(options_.lr)
                                                        .eps(options_.adam_eps)
                                                        .weight_decay(options_.weight_decay));
}

PpoAgent::~PpoAgent() = default;

void PpoAgent::SaveOptimizer(torch::serialize::OutputArchive& archive) const {
  optimizer_->save(archive);
}

void PpoAgent::LoadOptimizer(torch::serialize::InputArchive& archive) { optimizer_->load(archive); }

UpdateStats PpoAgent::Update(const Rollout& rollout, double learning_rate,
                             at::Generator& generator) {
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
  }
  UpdateStats stats;
  stats.learning_rate = learning_rate;
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

  double clipped = 0.0;
  double counted = 0.0;
  for (int64_t epoch = 0; epoch < epochs && !stats.kl_stopped; ++epoch) {
    ++stats.epochs;
    at::Tensor order = at::randperm(units, generator, at::TensorOptions().dtype(at::kLong));
    for (int64_t first = 0; first + per_batch <= units; first += per_batch) {
      Batch batch = make_batch(order.narrow(0, first, per_batch));
      EvalResult eval = policy_->EvaluateActions(batch.obs, batch.action, batch.masks, batch.starts,
                                                 batch.hidden);
      at::Tensor adv = normalise_minibatch ? Normalise(batch.advantages) : batch.advantages;
      const double samples = static_cast<double>(adv.numel());

      // the clipped surrogate: one ratio per head under its relevance, or one joint ratio
      at::Tensor policy_loss = at::zeros({}, adv.options());
      at::Tensor entropy_bonus = at::zeros({}, adv.options());
      at::Tensor approx_kl = at::zeros({}, adv.options());
      auto surrogate = [&](const at::Tensor& log_ratio, const at::Tensor& weight,
                           const at::Tensor& count) {
        at::Tensor ratio = log_ratio.exp();
        at::Tensor surr =
            at::min(ratio * adv, ratio.clamp(1 - options_.clip_coef, 1 + options_.clip_coef) * adv);
        policy_loss = policy_loss - (surr * weight).sum() / count;
        at::NoGradGuard no_grad;
        approx_kl =
            approx_kl + (count / samples) * (((ratio - 1) - log_ratio) * weight).sum() / count;
        clipped +=
            (((ratio - 1).abs() > options_.clip_coef).to(at::kFloat) * weight).sum().item<double>();
        counted += weight.sum().item<double>();
      };
      if (per_head || eval.log_prob.size() == 1) {
        for (const auto& [name, new_log_prob] : eval.log_prob) {
          auto relevant = batch.relevance.find(name);
          at::Tensor weight = relevant != batch.relevance.end() ? relevant->second.to(at::kFloat)
                                                                : at::ones_like(adv);
          at::Tensor count = weight.sum().clamp_min(1.0);
          surrogate(new_log_prob - batch.old_log_prob.at(name), weight, count);
        }
      } else {
        at::Tensor joint = at::zeros_like(adv);
        at::Tensor old_joint = at::zeros_like(adv);
        for (const auto& [name, new_log_prob] : eval.log_prob) {
          joint = joint + new_log_prob;
          old_joint = old_joint + batch.old_log_prob.at(name);
        }
        surrogate(joint - old_joint, at::ones_like(adv), at::full({}, samples, adv.options()));
      }

      // the entropy of every head, over its relevant samples, optionally over log(#valid)
      for (const auto& [name, entropy] : eval.entropy) {
        at::Tensor value = entropy;
        if (options_.normalize_entropy && policy_->spec().action.IsDiscrete()) {
          auto mask = batch.masks.find(name);
          at::Tensor valid;
          if (mask != batch.masks.end()) {
            valid = mask->second.sum(-1).to(at::kFloat);
          } else {
            const auto& spec = policy_->spec().action;
            const auto at_head = std::find(spec.head_names.begin(), spec.head_names.end(), name);
            valid = at::full_like(entropy, spec.head_sizes[at_head - spec.head_names.begin()]);
          }
          value = at::where(valid > 1, entropy / valid.clamp_min(2).log(), at::zeros_like(entropy));
        }
        auto relevant = batch.relevance.find(name);
        at::Tensor weight = per_head && relevant != batch.relevance.end()
                                ? relevant->second.to(at::kFloat)
                                : at::ones_like(value);
        at::Tensor head_entropy = (value * weight).sum() / weight.sum().clamp_min(1.0);
        entropy_bonus = entropy_bonus + head_entropy;
        stats.head_entropy[name] = head_entropy.item<double>();
      }

      // the value loss, clipped around the rollout's values
      at::Tensor value_loss;
      if (options_.clip_vloss) {
        at::Tensor clipped_values =
            batch.old_values +
            (eval.value - batch.old_values).clamp(-options_.value_clip, options_.value_clip);
        value_loss = 0.5 * at::max((eval.value - batch.returns).pow(2),
                                   (clipped_values - batch.returns).pow(2))
                               .mean();
      } else {
        value_loss = 0.5 * (eval.value - batch.returns).pow(2).mean();
      }
      at::Tensor loss =
          policy_loss - options_.ent_coef * entropy_bonus + options_.vf_coef * value_loss;

      stats.policy_loss = policy_loss.item<double>();
      stats.value_loss = value_loss.item<double>();
      stats.entropy = entropy_bonus.item<double>() / std::max<size_t>(eval.entropy.size(), 1);
      stats.approx_kl = approx_kl.item<double>();

      // Esper's early stop: checked before the step, so a too-large step is never taken
      if (options_.target_kl && stats.approx_kl > options_.kl_stop_factor * *options_.target_kl) {
        stats.kl_stopped = true;
        break;
      }
      optimizer_->zero_grad();
      loss.backward();
      stats.grad_norm = torch::nn::utils::clip_grad_norm_(policy_->Network().parameters(),
                                                          options_.max_grad_norm);
      optimizer_->step();
      ++stats.minibatches;
    }
  }
  stats.clip_fraction = counted > 0 ? clipped / counted : 0.0;
  return stats;
}

}  // namespace orch::ppo
