// src/algos/ppo/policy/policy_bundle.h: the interface PPO talks to its policy through
// (ppo-policy.md §1). The agent never builds or names a network: it receives a PolicyBundle from
// the registry's factory (policy_registry.h) and uses only what is declared here. The network is a
// torch::nn::Module the bundle owns; Network() hands it out for the optimiser and the gradient
// clip, StateDict() for checkpoints.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "algos/ppo/ppo_options.h"
#include "envs/env.h"

namespace torch::nn {
class Module;
}

namespace orch::ppo {

/// One tensor per action head, by the head's name (`op`, `slot`, ...; `action` for a single
/// head or a continuous action).
using HeadTensors = std::map<std::string, at::Tensor>;

/// The mask of `head`, or an undefined tensor (every choice valid) when there is none.
inline const at::Tensor& MaskOf(const HeadTensors& masks, const std::string& head) {
  static const at::Tensor kNone;
  auto it = masks.find(head);
  return it == masks.end() ? kNone : it->second;
}

/// The key of an env's conditional mask block in a HeadTensors of masks (`slot|op`: the slots
/// each op allows, [.., size(op) x size(slot)]); empty when the env has none.
std::string ConditionalMaskKey(const envs::ActionSpec& action);

/// Mask rows as WriteMasks lays them out ([N, mask_size] bool) split into one [N, n] mask per
/// head, and the conditional block under ConditionalMaskKey. Views of `rows`.
HeadTensors SplitMasks(const envs::ActionSpec& action, const at::Tensor& rows);

/// The mask of the conditional head given the condition head's chosen `condition` ([...]
/// int64): its own mask and the block's row for that choice ([..., n] bool). Undefined when
/// `masks` has no block.
at::Tensor ConditionalMask(const envs::ActionSpec& action, const HeadTensors& masks,
                           const at::Tensor& condition);

/// A recurrent policy's state: LSTM (h, c), each [1, batch, hidden]; empty for feed-forward ones.
struct RecurrentState {
  at::Tensor h;
  at::Tensor c;
  bool empty() const { return !h.defined(); }
};

/// What GetAction returns: per head, the action ([B] int64 for discrete heads, [B, dim] float for
/// a continuous action) and its log-probability ([B]); the value [B]; the next recurrent state.
struct ActionResult {
  HeadTensors action;
  HeadTensors log_prob;
  at::Tensor value;
  RecurrentState hidden;
};

/// What EvaluateActions returns, per head for a [B, S] batch of sequences: log-probabilities and
/// entropies ([B, S]; the entropy over the valid choices only, not normalised: PPO divides by
/// log(#valid) when `ppo.normalize_entropy` says so); the values [B, S]; the state after the
/// sequences. Gradients flow to every parameter that shaped them.
struct EvalResult {
  HeadTensors log_prob;
  HeadTensors entropy;
  at::Tensor value;
  RecurrentState hidden;
};

/// What Forward returns: per head the masked logits (discrete) or `mean` and `log_std`
/// (continuous), the value, the next state.
struct ForwardResult {
  HeadTensors outputs;
  at::Tensor value;
  RecurrentState hidden;
};

/// What a bundle is built for: its options (`ppo.policy`), the observation size and the env's
/// actions.
struct PolicySpec {
  PolicyOptions options;
  int64_t obs_dim = 0;
  envs::ActionSpec action;
};

/// The named tensors of a network (parameters and buffers), as a checkpoint stores them.
using StateDict = std::vector<std::pair<std::string, at::Tensor>>;

class PolicyBundle {
 public:
  virtual ~PolicyBundle() = default;

  /// Samples (or, `deterministic`, takes the most likely) action of every head under its mask,
  /// with no autograd. `obs` [B, obs_dim]; `masks` [B, n] bool per head (none for an unmasked
  /// env); `hidden` the recurrent state (empty: zeros); random draws come from `generator` only.
  /// Throws std::invalid_argument when a mask row has no valid choice or a logit is not finite.
  virtual ActionResult GetAction(const at::Tensor& obs, const HeadTensors& masks,
                                 const RecurrentState& hidden, bool deterministic,
                                 at::Generator& generator) = 0;
  virtual ForwardResult Forward(const at::Tensor& obs, const HeadTensors& masks,
                                const RecurrentState& hidden) = 0;
  /// The training path: `obs` [B, S, obs_dim], `actions` and `masks` per head over [B, S],
  /// `starts` [B, S] (1 where a step begins an episode: a recurrent state is zeroed there),
  /// `hidden` the state at the start of each sequence. Gradients flow.
  virtual EvalResult EvaluateActions(const at::Tensor& obs, const HeadTensors& actions,
                                     const HeadTensors& masks, const at::Tensor& starts,
                                     const RecurrentState& hidden) = 0;
  /// The value alone, [B], without autograd.
  virtual at::Tensor GetValue(const at::Tensor& obs, const RecurrentState& hidden) = 0;
  /// The zero state of `batch` rollouts; empty for a feed-forward bundle.
  virtual RecurrentState InitialHidden(int64_t batch) const = 0;

  /// The raw network's tensors (never a wrapper's), and their restoration: strict requires the
  /// same names and shapes, and throws std::runtime_error naming the first mismatch.
  virtual StateDict GetStateDict() const = 0;
  virtual void LoadStateDict(const StateDict& state, bool strict = true) = 0;
  /// Moves the network to `device`.
  virtual void To(const c10::Device& device) = 0;
  /// The network, for the optimiser (`parameters()`) and the global gradient clip.
  virtual torch::nn::Module& Network() = 0;
  /// Graph compilation: LibTorch 1.13 has none, so only "off" is accepted.
  virtual void Compile(const std::string& mode);

  /// Off-policy methods of the protocol: these on-policy bundles do not provide them and throw
  /// std::logic_error saying so.
  virtual HeadTensors GetQValues(const at::Tensor& obs, const RecurrentState& hidden);
  virtual void SyncFrom(const PolicyBundle& source, double tau);

  /// The registered name (`lstm`, `mlp`).
  virtual const std::string& type() const = 0;
  virtual bool is_recurrent() const = 0;
  bool supports_off_policy() const { return false; }
  virtual c10::Device device() const = 0;
  const PolicySpec& spec() const { return spec_; }
  /// The observation size the network reads (the first layer's input).
  int64_t feature_dim() const { return spec_.obs_dim; }
  /// The recurrent state's size (0 for a feed-forward bundle).
  virtual int64_t hidden_dim() const = 0;

 protected:
  explicit PolicyBundle(PolicySpec spec) : spec_(std::move(spec)) {}

 private:
  PolicySpec spec_;
};

}  // namespace orch::ppo
