// src/algos/ppo/policy/mlp_policy.h: the `mlp` bundle: CleanRL's separate actor and critic MLPs
// (ppo-policy.md §6.1) with a categorical, multi-head masked or diagonal-Gaussian action head.
// Only the policy layer includes this header (the PPO agent sees policy_bundle.h alone).
#pragma once

#ifndef ORCH_PPO_POLICY_LAYER
#error "a policy network header is for the policy layer only: PPO talks to policy_bundle.h"
#endif

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <string>
#include <vector>

#include "algos/ppo/policy/policy_bundle.h"
#include "rl/dense_stack.h"

namespace orch::ppo {

/// The networks: `actor` (obs -> hidden_sizes -> the logits of every head side by side, or the
/// Gaussian mean), `critic` (obs -> hidden_sizes -> 1) and, for continuous actions, `log_std`
/// (state-independent, initialised to log_std_init). Every Linear orthogonal with bias 0: gain
/// hidden_gain inside, actor_out_gain and value_out_gain on the outputs. The bundle runs the two
/// MLPs as rl::DenseStack over the modules' own parameters (one autograd node each, and a plain
/// loop when acting).
class MlpActorCriticImpl : public torch::nn::Module {
 public:
  MlpActorCriticImpl(const PolicySpec& spec);
  torch::nn::Sequential actor{nullptr};
  torch::nn::Sequential critic{nullptr};
  at::Tensor log_std;             ///< [dim], continuous actions only
  rl::DenseLayers actor_layers;   ///< the actor's Linear parameters, as DenseStack takes them
  rl::DenseLayers critic_layers;  ///< the critic's
};
TORCH_MODULE(MlpActorCritic);

class MlpPolicy : public PolicyBundle {
 public:
  explicit MlpPolicy(const PolicySpec& spec);

  ActionResult GetAction(const at::Tensor& obs, const HeadTensors& masks,
                         const RecurrentState& hidden, bool deterministic,
                         at::Generator& generator) override;
  ForwardResult Forward(const at::Tensor& obs, const HeadTensors& masks,
                        const RecurrentState& hidden) override;
  EvalResult EvaluateActions(const at::Tensor& obs, const HeadTensors& actions,
                             const HeadTensors& masks, const at::Tensor& starts,
                             const RecurrentState& hidden) override;
  at::Tensor GetValue(const at::Tensor& obs, const RecurrentState& hidden) override;
  RecurrentState InitialHidden(int64_t) const override { return {}; }

  StateDict GetStateDict() const override;
  void LoadStateDict(const StateDict& state, bool strict) override;
  void To(const c10::Device& device) override;
  torch::nn::Module& Network() override { return *network_; }

  const std::string& type() const override;
  bool is_recurrent() const override { return false; }
  c10::Device device() const override { return device_; }
  int64_t hidden_dim() const override { return 0; }

 private:
  /// The actor's output [..., sum of head sizes] split into the heads' logits.
  HeadTensors SplitHeads(const at::Tensor& actor_out) const;

  MlpActorCritic network_;
  c10::Device device_ = c10::Device(c10::kCPU);
};

}  // namespace orch::ppo
