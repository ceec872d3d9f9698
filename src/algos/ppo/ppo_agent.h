// src/algos/ppo/ppo_agent.h: PPO's learning mechanics on an injected policy bundle (ppo-policy.md
// §5-7). The agent never builds a network: it receives a PolicyBundle, binds its optimiser and
// gradient clip to the bundle's Network(), and trains through EvaluateActions. Its Meson target
// does not depend on the networks' target, and their headers refuse to be included here.
#pragma once

#include <ATen/core/Generator.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "algos/ppo/policy/policy_bundle.h"
#include "algos/ppo/ppo_options.h"
#include "algos/ppo/rollout.h"
#include "algos/ppo/schedules.h"

namespace torch::optim {
class Adam;
}
namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace orch::ppo {

/// What one update did (the values of its last minibatch, as CleanRL logs them, except where
/// said).
struct UpdateStats {
  double policy_loss = 0.0;
  double value_loss = 0.0;
  double entropy = 0.0;  ///< the mean over heads of each head's masked mean entropy
  std::map<std::string, double> head_entropy;
  double approx_kl = 0.0;      ///< sum over heads of (n_valid / N) x masked mean((r - 1) - log r)
  double clip_fraction = 0.0;  ///< share of relevant samples with |r - 1| > clip, all minibatches
  double explained_variance = 0.0;  ///< 1 - Var(returns - values) / Var(returns), the rollout
  double learning_rate = 0.0;
  double ent_coef = 0.0;    ///< the entropy coefficient it ran at
  double grad_norm = 0.0;   ///< before clipping, last minibatch
  int64_t epochs = 0;       ///< epochs begun
  int64_t minibatches = 0;  ///< optimiser steps taken
  bool kl_stopped = false;  ///< approx-KL passed kl_stop_factor x target_kl before a step
};

class PpoAgent {
 public:
  /// Takes the policy (built by CreatePolicy) and the PPO options; builds Adam on
  /// policy->Network().parameters(), packed into one buffer that the parameters then view (so
  /// a step, the global gradient norm and its clip are one operation each). Throws
  /// std::invalid_argument for options that do not fit the rollout (recurrent policies split envs
  /// into minibatches: num_envs must divide).
  PpoAgent(std::shared_ptr<PolicyBundle> policy, const PpoOptions& options);
  ~PpoAgent();
  PpoAgent(const PpoAgent&) = delete;
  PpoAgent& operator=(const PpoAgent&) = delete;

  /// The epochs of one update over `rollout` (advantages and returns filled) at learning rate
  /// `rates` (learning rate, entropy coefficient): minibatches of shuffled samples (feed-forward)
  /// or of whole env sequences replayed from their stored initial state (recurrent), the clipped
  /// surrogate per head
  /// (`per_head`, under the causal relevance masks) or on the summed log-probability
  /// (`joint_sum`), the clipped value loss, the entropy bonus, approx-KL early stop checked
  /// before each optimiser step, and the global gradient clip through the bundle's network.
  /// Shuffling draws from `generator`.
  UpdateStats Update(const Rollout& rollout, const UpdateRates& rates, at::Generator& generator);

  PolicyBundle& policy() { return *policy_; }
  const PpoOptions& options() const { return options_; }

  /// The optimiser's state, in and out of a checkpoint archive.
  void SaveOptimizer(torch::serialize::OutputArchive& archive) const;
  void LoadOptimizer(torch::serialize::InputArchive& archive);

 private:
  std::shared_ptr<PolicyBundle> policy_;
  PpoOptions options_;
  at::Tensor flat_;       ///< every parameter of the network, packed (the parameters are views)
  at::Tensor flat_grad_;  ///< their gradients, packed likewise
  std::unique_ptr<torch::optim::Adam> optimizer_;
};

}  // namespace orch::ppo
