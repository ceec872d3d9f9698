// src/algos/ppo/rollout_collector.h: fills a Rollout from a vector of envs with the policy
// bundle: the observations, the masks sampling saw, the actions and their log-probabilities, the
// causal head relevance, rewards with a truncation's bootstrap folded in, and the recurrent state
// each sequence starts from (zeroed where an episode starts).
#pragma once

#include <ATen/core/Generator.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "algos/ppo/normalization.h"
#include "algos/ppo/policy/policy_bundle.h"
#include "algos/ppo/rollout.h"
#include "envs/vector_env.h"

namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace orch::ppo {

/// `ppo.norm_obs`, `ppo.norm_reward` and their clips (normalization.h).
struct NormalizationOptions {
  bool obs = false;
  double clip_obs = 10.0;
  bool reward = false;
  double clip_reward = 10.0;
};

class RolloutCollector {
 public:
  /// What ends bootstrapping: "terminated" (a truncated episode's reward gets gamma V(final obs))
  /// or "terminated_or_truncated" (CleanRL: both end it). With `normalization`, the policy sees
  /// normalised observations and learns from scaled rewards; the episodes' returns stay the
  /// envs' own.
  RolloutCollector(std::unique_ptr<envs::VectorEnv> envs, std::string bootstrap, double gamma,
                   NormalizationOptions normalization = {});

  /// Starts an episode in every env, and the zero recurrent state of `policy`.
  void Reset(PolicyBundle& policy);

  /// rollout.steps steps of every env (autoreset), then advantages and returns by GAE with
  /// `gae_lambda`. Actions are drawn from `generator`; every finished episode is passed to
  /// `on_episode` with the env-step count at its end.
  void Collect(Rollout& rollout, PolicyBundle& policy, at::Generator& generator, double gae_lambda,
               const std::function<void(const envs::VectorEnv::Episode&, int64_t)>& on_episode);

  envs::VectorEnv& envs() { return *envs_; }
  /// Environment steps taken so far (all envs).
  int64_t env_steps() const { return env_steps_; }
  void set_env_steps(int64_t steps) { env_steps_ = steps; }
  const RecurrentState& hidden() const { return hidden_; }

  /// An evaluation env's observation, normalised in place with the training statistics as they
  /// stand (unchanged without norm_obs).
  void NormalizeForEvaluation(std::span<float> obs) const;
  /// What the last step's rewards were divided by (1 without norm_reward).
  double reward_divisor() const;

  /// Everything that decides the next rollout: the envs, the current observations, which start
  /// an episode, the recurrent state.
  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive, const PolicyBundle& policy);

 private:
  /// The masks of the current observations per head ([E, n] bool); none for unmasked envs.
  HeadTensors CurrentMasks();

  std::unique_ptr<envs::VectorEnv> envs_;
  std::string bootstrap_;
  double gamma_;
  at::Tensor obs_;     // [E, obs_dim]: what the next step acts on
  at::Tensor starts_;  // [E]: obs_ begins an episode
  RecurrentState hidden_;
  std::vector<uint8_t> mask_bytes_;
  std::vector<uint8_t> relevance_bytes_;
  std::vector<int64_t> discrete_;  // the chosen actions as the envs take them, [E, heads]
  std::vector<float> continuous_;  // [E, dim]
  std::vector<float> rewards_;
  std::vector<uint8_t> terminated_;
  std::vector<uint8_t> truncated_;
  int64_t env_steps_ = 0;
  std::optional<ObservationNormalizer> obs_normalizer_;
  std::optional<RewardScaler> reward_scaler_;
  std::vector<float> final_obs_;  // a truncated episode's final observations, normalised
};

}  // namespace orch::ppo
