// src/algos/ppo/policy/factored_lstm.h: the `lstm` bundle: Esper's FactoredRecurrentActorCritic
// (ppo-policy.md §3). Only the policy layer includes this header (the PPO agent sees
// policy_bundle.h alone).
#pragma once

#ifndef ORCH_PPO_POLICY_LAYER
#error "a policy network header is for the policy layer only: PPO talks to policy_bundle.h"
#endif

#include <torch/nn/module.h>
#include <torch/nn/modules/container/moduledict.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/rnn.h>

#include <string>
#include <vector>

#include "algos/ppo/policy/policy_bundle.h"
#include "rl/lstm_sequence.h"

namespace orch::ppo {

/// Esper's factored action space (the seed garden's): when a bundle's heads include `op` and
/// `style`, op is sampled first, and unless it is GERMINATE or SET_ALPHA_TARGET only
/// SIGMOID_ADD stays valid for style (evaluation re-applies the same override).
struct FactoredActions {
  static constexpr int64_t kOpGerminate = 1;
  static constexpr int64_t kOpSetAlphaTarget = 2;
  static constexpr int64_t kStyleSigmoidAdd = 2;
  /// `style_mask` [..., 4] with only SIGMOID_ADD left where `op` [...] is neither GERMINATE nor
  /// SET_ALPHA_TARGET.
  static at::Tensor StyleOverride(const at::Tensor& style_mask, const at::Tensor& op);
};

/// feature net Linear(obs, feature_dim) -> LayerNorm -> ReLU; LSTM(feature_dim -> hidden, one
/// layer, batch-first) -> LayerNorm; one head per action head and a value head, each
/// Linear(hidden, head_hidden) -> ReLU -> Linear(head_hidden, n). Init: every Linear orthogonal
/// with gain sqrt 2 and bias 0, the actor heads' last layers with gain 0.01, the value head's with
/// 1.0; LSTM weights orthogonal (gain 1), biases 0 except the forget-gate slice [H, 2H) of both
/// biases, 1.
class FactoredRecurrentActorCriticImpl : public torch::nn::Module {
 public:
  explicit FactoredRecurrentActorCriticImpl(const PolicySpec& spec);

  /// x [B, S, obs] from `hidden` -> (the heads' raw logits [B, S, n] by name, value [B, S],
  /// the state after the last step). `starts` [B, S] (or undefined): where an episode starts the
  /// state is zeroed first. The recurrence is rl::LstmSequence on the LSTM module's weights: one
  /// autograd node for the whole sequence.
  std::tuple<HeadTensors, at::Tensor, RecurrentState> Forward(const at::Tensor& x,
                                                              const RecurrentState& hidden,
                                                              const at::Tensor& starts = {});

  torch::nn::Sequential feature_net{nullptr};
  torch::nn::LSTM lstm{nullptr};
  torch::nn::LayerNorm lstm_norm{nullptr};
  torch::nn::ModuleDict heads{nullptr};
  torch::nn::Sequential value_head{nullptr};
  std::vector<std::string> head_names;
  int64_t hidden_dim = 0;
  rl::LstmWeights lstm_weights;  ///< the LSTM module's parameters, as LstmSequence takes them

 private:
  /// The heads and the value on the LSTM's (normalised) output, computed as two matrix products
  /// (stacked first layers, block-diagonal last layers) over the modules' own parameters.
  std::tuple<HeadTensors, at::Tensor> Heads(const at::Tensor& core);
};
TORCH_MODULE(FactoredRecurrentActorCritic);

class FactoredLstmPolicy : public PolicyBundle {
 public:
  explicit FactoredLstmPolicy(const PolicySpec& spec);

  ActionResult GetAction(const at::Tensor& obs, const HeadTensors& masks,
                         const RecurrentState& hidden, bool deterministic,
                         at::Generator& generator) override;
  ForwardResult Forward(const at::Tensor& obs, const HeadTensors& masks,
                        const RecurrentState& hidden) override;
  /// Whole sequences in one recurrence (rl::LstmSequence), the state zeroed where an episode
  /// starts.
  EvalResult EvaluateActions(const at::Tensor& obs, const HeadTensors& actions,
                             const HeadTensors& masks, const at::Tensor& starts,
                             const RecurrentState& hidden) override;
  at::Tensor GetValue(const at::Tensor& obs, const RecurrentState& hidden) override;
  RecurrentState InitialHidden(int64_t batch) const override;

  StateDict GetStateDict() const override;
  void LoadStateDict(const StateDict& state, bool strict) override;
  void To(const c10::Device& device) override;
  torch::nn::Module& Network() override { return *network_; }

  const std::string& type() const override;
  bool is_recurrent() const override { return true; }
  c10::Device device() const override { return device_; }
  int64_t hidden_dim() const override { return network_->hidden_dim; }

 private:
  /// The masks evaluation applies: the style override on the factored space.
  HeadTensors EffectiveMasks(const HeadTensors& masks, const HeadTensors& actions) const;
  RecurrentState OrZeros(const RecurrentState& hidden, int64_t batch) const;

  FactoredRecurrentActorCritic network_;
  bool factored_ = false;  ///< the heads include op and style
  c10::Device device_ = c10::Device(c10::kCPU);
};

}  // namespace orch::ppo
