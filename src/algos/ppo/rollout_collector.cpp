// src/algos/ppo/rollout_collector.cpp
#include "algos/ppo/rollout_collector.h"

#include <ATen/ATen.h>
#include <torch/serialize/archive.h>

#include <stdexcept>

#include "algos/ppo/gae.h"

namespace orch::ppo {
namespace {

std::span<float> Span(at::Tensor& tensor) {
  return {tensor.data_ptr<float>(), static_cast<size_t>(tensor.numel())};
}

at::Tensor Read(torch::serialize::InputArchive& archive, const std::string& key) {
  at::Tensor tensor;
  if (!archive.try_read(key, tensor)) {
    throw std::runtime_error("ppo checkpoint: it has no tensor '" + key + "'");
  }
  return tensor;
}

}  // namespace

RolloutCollector::RolloutCollector(std::unique_ptr<envs::VectorEnv> envs, std::string bootstrap,
                                   double gamma)
    : envs_(std::move(envs)), bootstrap_(std::move(bootstrap)), gamma_(gamma) {
  const int64_t count = envs_->num_envs();
  const envs::ActionSpec& action = envs_->action_spec();
  obs_ = at::zeros({count, envs_->obs_dim()}, at::kFloat);
  starts_ = at::ones({count}, at::kBool);
  mask_bytes_.assign(static_cast<size_t>(count * action.mask_size()), 1);
  relevance_bytes_.assign(static_cast<size_t>(count * action.num_heads()), 1);
  rewards_.assign(static_cast<size_t>(count), 0.0f);
  terminated_.assign(static_cast<size_t>(count), 0);
  truncated_.assign(static_cast<size_t>(count), 0);
}

void RolloutCollector::Reset(PolicyBundle& policy) {
  envs_->Reset(Span(obs_));
  starts_.fill_(true);
  hidden_ = policy.InitialHidden(envs_->num_envs());
}

HeadTensors RolloutCollector::CurrentMasks() {
  const envs::ActionSpec& action = envs_->action_spec();
  HeadTensors masks;
  if (!action.masked) return masks;
  envs_->WriteMasks(mask_bytes_);
  at::Tensor all =
      at::from_blob(mask_bytes_.data(), {envs_->num_envs(), action.mask_size()}, at::kByte)
          .to(at::kBool);
  int64_t offset = 0;
  for (int head = 0; head < action.num_heads(); ++head) {
    masks[action.head_names[head]] = all.narrow(1, offset, action.head_sizes[head]);
    offset += action.head_sizes[head];
  }
  return masks;
}

void RolloutCollector::Collect(
    Rollout& rollout, PolicyBundle& policy, at::Generator& generator, double gae_lambda,
    const std::function<void(const envs::VectorEnv::Episode&, int64_t)>& on_episode) {
  const envs::ActionSpec& spec = envs_->action_spec();
  const int64_t envs = envs_->num_envs();
  if (policy.is_recurrent()) rollout.initial_hidden = {hidden_.h.clone(), hidden_.c.clone()};
  for (int64_t t = 0; t < rollout.steps; ++t) {
    rollout.obs[t].copy_(obs_);
    rollout.starts[t].copy_(starts_);
    HeadTensors masks = CurrentMasks();
    for (auto& [name, mask] : masks) rollout.masks[name][t].copy_(mask);
    ActionResult result = policy.GetAction(obs_, masks, hidden_, false, generator);
    rollout.values[t].copy_(result.value);

    // the actions, to the rollout and to the envs
    at::Tensor discrete;
    at::Tensor continuous;
    if (spec.IsContinuous()) {
      continuous = result.action.at("action").contiguous();
      rollout.action["action"][t].copy_(continuous);
      rollout.log_prob["action"][t].copy_(result.log_prob.at("action"));
    } else {
      std::vector<at::Tensor> columns;
      for (const auto& name : spec.head_names) {
        rollout.action[name][t].copy_(result.action.at(name));
        rollout.log_prob[name][t].copy_(result.log_prob.at(name));
        columns.push_back(result.action.at(name));
      }
      discrete = columns.size() == 1 ? columns[0].contiguous() : at::stack(columns, 1).contiguous();
      std::span<const int64_t> chosen(discrete.data_ptr<int64_t>(),
                                      static_cast<size_t>(discrete.numel()));
      // which heads the op used (the seed garden's causal masks); all of them elsewhere
      if (spec.num_heads() > 1) {
        envs_->WriteHeadRelevance(chosen, relevance_bytes_);
        at::Tensor relevant =
            at::from_blob(relevance_bytes_.data(), {envs, spec.num_heads()}, at::kByte);
        for (int head = 0; head < spec.num_heads(); ++head) {
          rollout.relevance[spec.head_names[head]][t].copy_(relevant.select(1, head));
        }
      }
    }
    envs_->Step(discrete.defined()
                    ? std::span<const int64_t>(discrete.data_ptr<int64_t>(), discrete.numel())
                    : std::span<const int64_t>(),
                continuous.defined()
                    ? std::span<const float>(continuous.data_ptr<float>(), continuous.numel())
                    : std::span<const float>(),
                Span(obs_), rewards_, terminated_, truncated_);

    // a truncated episode is not over for the value: fold gamma V(final obs) into its reward
    bool any_end = false;
    bool any_truncation = false;
    for (int64_t env = 0; env < envs; ++env) {
      any_end |= terminated_[env] || truncated_[env];
      any_truncation |= truncated_[env] && !terminated_[env];
    }
    if (any_truncation && bootstrap_ == "terminated") {
      at::Tensor final_obs = at::from_blob(const_cast<float*>(envs_->final_obs().data()),
                                           {envs, envs_->obs_dim()}, at::kFloat);
      at::Tensor final_values = policy.GetValue(final_obs, result.hidden).contiguous();
      const float* value = final_values.data_ptr<float>();
      for (int64_t env = 0; env < envs; ++env) {
        if (truncated_[env] && !terminated_[env]) {
          rewards_[env] += static_cast<float>(gamma_ * value[env]);
        }
      }
    }
    rollout.rewards[t].copy_(at::from_blob(rewards_.data(), {envs}, at::kFloat));
    at::Tensor ended = any_end
                           ? at::from_blob(terminated_.data(), {envs}, at::kByte)
                                 .logical_or(at::from_blob(truncated_.data(), {envs}, at::kByte))
                           : at::zeros({envs}, at::kBool);
    rollout.ends[t].copy_(ended);
    starts_.copy_(ended);
    hidden_ = std::move(result.hidden);
    // a new episode starts from the zero state
    if (policy.is_recurrent() && any_end) {
      at::Tensor keep = ended.logical_not().to(at::kFloat).view({1, envs, 1});
      hidden_ = {hidden_.h * keep, hidden_.c * keep};
    }
    env_steps_ += envs;
    for (const auto& episode : envs_->TakeFinishedEpisodes()) on_episode(episode, env_steps_);
  }
  at::Tensor next_value = policy.GetValue(obs_, hidden_);
  std::tie(rollout.advantages, rollout.returns) =
      ComputeGae(rollout.rewards, rollout.values, rollout.ends, next_value, gamma_, gae_lambda);
}

void RolloutCollector::Save(torch::serialize::OutputArchive& archive) const {
  archive.write("envs", c10::IValue(envs_->SaveState()));
  archive.write("obs", obs_);
  archive.write("starts", starts_);
  archive.write("env_steps", c10::IValue(env_steps_));
  if (!hidden_.empty()) {
    archive.write("hidden/h", hidden_.h);
    archive.write("hidden/c", hidden_.c);
  }
}

void RolloutCollector::Load(torch::serialize::InputArchive& archive, const PolicyBundle& policy) {
  c10::IValue envs;
  if (!archive.try_read("envs", envs)) throw std::runtime_error("ppo checkpoint: it has no envs");
  envs_->LoadState(envs.toStringRef());
  obs_.copy_(Read(archive, "obs"));
  starts_.copy_(Read(archive, "starts"));
  c10::IValue steps;
  if (!archive.try_read("env_steps", steps)) {
    throw std::runtime_error("ppo checkpoint: it has no env_steps");
  }
  env_steps_ = steps.toInt();
  hidden_ = policy.is_recurrent()
                ? RecurrentState{Read(archive, "hidden/h"), Read(archive, "hidden/c")}
                : RecurrentState{};
}

}  // namespace orch::ppo
