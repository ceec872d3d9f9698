// src/algos/ppo/rollout_collector.cpp
#include "algos/ppo/rollout_collector.h"

#include <ATen/ATen.h>
#include <torch/serialize/archive.h>

#include <cstring>
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

at::Tensor Doubles(const std::vector<double>& values) {
  return at::tensor(at::ArrayRef<double>(values), at::TensorOptions().dtype(at::kDouble));
}

std::vector<double> ToDoubles(const at::Tensor& tensor) {
  const at::Tensor values = tensor.to(at::kDouble).contiguous();
  return {values.data_ptr<double>(), values.data_ptr<double>() + values.numel()};
}

// the running statistics, exactly (doubles), so that a resumed run normalises as the
// uninterrupted one does
void WriteStats(torch::serialize::OutputArchive& archive, const std::string& prefix,
                const RunningMeanStd& stats) {
  archive.write(prefix + "/mean", Doubles(stats.mean()));
  archive.write(prefix + "/var", Doubles(stats.var()));
  archive.write(prefix + "/count", c10::IValue(stats.count()));
}

void ReadStats(torch::serialize::InputArchive& archive, const std::string& prefix,
               RunningMeanStd& stats) {
  c10::IValue count;
  if (!archive.try_read(prefix + "/count", count)) {
    throw std::runtime_error("ppo checkpoint: it has no '" + prefix +
                             "' statistics (written without this normalisation?)");
  }
  stats.Restore(ToDoubles(Read(archive, prefix + "/mean")),
                ToDoubles(Read(archive, prefix + "/var")), count.toDouble());
}

}  // namespace

RolloutCollector::RolloutCollector(std::unique_ptr<envs::VectorEnv> envs, std::string bootstrap,
                                   double gamma, NormalizationOptions normalization)
    : envs_(std::move(envs)), bootstrap_(std::move(bootstrap)), gamma_(gamma) {
  if (normalization.obs) obs_normalizer_.emplace(envs_->obs_dim(), normalization.clip_obs);
  if (normalization.reward) {
    reward_scaler_.emplace(envs_->num_envs(), gamma, normalization.clip_reward);
  }
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
  if (obs_normalizer_) obs_normalizer_->UpdateAndNormalize(Span(obs_));
  starts_.fill_(true);
  hidden_ = policy.InitialHidden(envs_->num_envs());
}

HeadTensors RolloutCollector::CurrentMasks() {
  const envs::ActionSpec& action = envs_->action_spec();
  if (!action.masked) return {};
  envs_->WriteMasks(mask_bytes_);
  return SplitMasks(
      action, at::from_blob(mask_bytes_.data(), {envs_->num_envs(), action.mask_size()}, at::kByte)
                  .to(at::kBool));
}

void RolloutCollector::Collect(
    Rollout& rollout, PolicyBundle& policy, at::Generator& generator, double gae_lambda,
    const std::function<void(const envs::VectorEnv::Episode&, int64_t)>& on_episode) {
  const envs::ActionSpec& spec = envs_->action_spec();
  const int64_t envs = envs_->num_envs();
  const int64_t obs_dim = envs_->obs_dim();
  if (policy.is_recurrent()) rollout.initial_hidden = {hidden_.h.clone(), hidden_.c.clone()};
  // the rollout's buffers are written in place, step by step (no tensor operation per copy)
  auto copy = [](const at::Tensor& source, const at::Tensor& target, int64_t t) {
    const at::Tensor from = source.contiguous();
    std::memcpy(
        static_cast<char*>(target.data_ptr()) + t * target.stride(0) * target.element_size(),
        from.data_ptr(), from.numel() * from.element_size());
  };
  for (int64_t t = 0; t < rollout.steps; ++t) {
    std::memcpy(rollout.obs.data_ptr<float>() + t * envs * obs_dim, obs_.data_ptr<float>(),
                envs * obs_dim * sizeof(float));
    std::memcpy(rollout.starts.data_ptr<bool>() + t * envs, starts_.data_ptr<bool>(), envs);
    HeadTensors masks = CurrentMasks();
    for (auto& [name, mask] : masks) copy(mask, rollout.masks[name], t);
    ActionResult result = policy.GetAction(obs_, masks, hidden_, false, generator);
    copy(result.value, rollout.values, t);

    // the actions, to the rollout and to the envs
    if (spec.IsContinuous()) {
      copy(result.action.at("action"), rollout.action["action"], t);
      copy(result.log_prob.at("action"), rollout.log_prob["action"], t);
      continuous_.assign(static_cast<size_t>(envs * spec.dim), 0.0f);
      at::Tensor chosen = result.action.at("action").contiguous();
      std::memcpy(continuous_.data(), chosen.data_ptr<float>(), continuous_.size() * sizeof(float));
    } else {
      const int heads = spec.num_heads();
      discrete_.assign(static_cast<size_t>(envs * heads), 0);
      for (int head = 0; head < heads; ++head) {
        const std::string& name = spec.head_names[head];
        const at::Tensor chosen = result.action.at(name).contiguous();
        copy(chosen, rollout.action[name], t);
        copy(result.log_prob.at(name), rollout.log_prob[name], t);
        const int64_t* picks = chosen.data_ptr<int64_t>();
        for (int64_t env = 0; env < envs; ++env) discrete_[env * heads + head] = picks[env];
      }
      // which heads the op used (the seed garden's causal masks); all of them elsewhere
      if (heads > 1) {
        envs_->WriteHeadRelevance(discrete_, relevance_bytes_);
        for (int head = 0; head < heads; ++head) {
          bool* relevant = rollout.relevance[spec.head_names[head]].data_ptr<bool>() + t * envs;
          for (int64_t env = 0; env < envs; ++env) {
            relevant[env] = relevance_bytes_[env * heads + head] != 0;
          }
        }
      }
    }
    envs_->Step(discrete_, continuous_, Span(obs_), rewards_, terminated_, truncated_);
    if (reward_scaler_) reward_scaler_->Scale(rewards_, terminated_);
    if (obs_normalizer_) obs_normalizer_->UpdateAndNormalize(Span(obs_));

    // a truncated episode is not over for the value: fold gamma V(final obs) into its reward
    bool any_end = false;
    bool any_truncation = false;
    for (int64_t env = 0; env < envs; ++env) {
      any_end |= terminated_[env] || truncated_[env];
      any_truncation |= truncated_[env] && !terminated_[env];
    }
    if (any_truncation && bootstrap_ == "terminated") {
      final_obs_.assign(envs_->final_obs().begin(), envs_->final_obs().end());
      if (obs_normalizer_) obs_normalizer_->Normalize(final_obs_);
      at::Tensor final_obs = at::from_blob(final_obs_.data(), {envs, obs_dim}, at::kFloat);
      at::Tensor final_values = policy.GetValue(final_obs, result.hidden).contiguous();
      const float* value = final_values.data_ptr<float>();
      for (int64_t env = 0; env < envs; ++env) {
        if (truncated_[env] && !terminated_[env]) {
          rewards_[env] += static_cast<float>(gamma_ * value[env]);
        }
      }
    }
    std::memcpy(rollout.rewards.data_ptr<float>() + t * envs, rewards_.data(),
                envs * sizeof(float));
    bool* ends = rollout.ends.data_ptr<bool>() + t * envs;
    bool* starts = starts_.data_ptr<bool>();
    for (int64_t env = 0; env < envs; ++env) {
      ends[env] = terminated_[env] || truncated_[env];
      starts[env] = ends[env];
    }
    hidden_ = std::move(result.hidden);
    // a new episode starts from the zero state
    if (policy.is_recurrent() && any_end) {
      at::Tensor keep = starts_.logical_not().to(at::kFloat).view({1, envs, 1});
      hidden_ = {hidden_.h * keep, hidden_.c * keep};
    }
    env_steps_ += envs;
    for (const auto& episode : envs_->TakeFinishedEpisodes()) on_episode(episode, env_steps_);
  }
  at::Tensor next_value = policy.GetValue(obs_, hidden_);
  std::tie(rollout.advantages, rollout.returns) =
      ComputeGae(rollout.rewards, rollout.values, rollout.ends, next_value, gamma_, gae_lambda);
}

void RolloutCollector::NormalizeForEvaluation(std::span<float> obs) const {
  if (obs_normalizer_) obs_normalizer_->Normalize(obs);
}

double RolloutCollector::reward_divisor() const {
  return reward_scaler_ ? reward_scaler_->divisor() : 1.0;
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
  if (obs_normalizer_) WriteStats(archive, "norm/obs", obs_normalizer_->stats());
  if (reward_scaler_) {
    WriteStats(archive, "norm/return", reward_scaler_->stats());
    archive.write("norm/returns", Doubles(reward_scaler_->returns()));
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
  if (obs_normalizer_) ReadStats(archive, "norm/obs", obs_normalizer_->stats());
  if (reward_scaler_) {
    ReadStats(archive, "norm/return", reward_scaler_->stats());
    std::vector<double> returns = ToDoubles(Read(archive, "norm/returns"));
    if (returns.size() != reward_scaler_->returns().size()) {
      throw std::runtime_error("ppo checkpoint: its reward returns are for another env count");
    }
    reward_scaler_->returns() = std::move(returns);
  }
}

}  // namespace orch::ppo
