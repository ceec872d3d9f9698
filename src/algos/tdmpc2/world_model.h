// src/algos/tdmpc2/world_model.h: TD-MPC2's networks (tdmpc2.md §3): encoder, latent dynamics,
// reward, policy prior, the Q ensemble with its target copy, and the multi-gamma auxiliary value
// heads (§17.3). The agent (tdmpc2_agent.h) trains and plans with them.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rl/layers.h"

namespace orch::tdmpc2 {

/// The sizes a world model is built from (tdmpc2.md §2 presets already applied).
struct WorldModelSpec {
  int64_t obs_dim = 0;
  int64_t action_dim = 0;
  int64_t enc_dim = 256;
  int64_t mlp_dim = 512;
  int64_t latent_dim = 512;
  int64_t num_enc_layers = 2;
  int64_t num_q = 5;
  int64_t simnorm_dim = 8;
  double q_dropout = 0.01;
  int64_t num_bins = 101;
  double log_std_min = -10.0;
  double log_std_max = 2.0;
  /// "head": HEAD's scaled entropy; "v2023": the first commit's log-probability (§16 D1).
  std::string entropy_variant = "head";
  /// Auxiliary discounts (K = len(gammas) - 1); 0: no auxiliary heads exist.
  int64_t aux_heads = 0;
  std::string aux_head_kind = "joint";  ///< joint | separate
};

// the layers TD-MPC2 shares with the other RL code (src/rl/layers.h)
using rl::Mlp;
using rl::MlpImpl;
using rl::SimNorm;

/// Which parameters a Q-ensemble evaluation uses (tdmpc2.md §3).
enum class QView {
  kOnline,    ///< trained parameters
  kDetached,  ///< the same values without gradient into them (policy loss)
  kTarget,    ///< the Polyak-averaged copy
};

/// num_q Q networks mlp(L + A, [M, M], bins, dropout) with their weights stacked along a leading
/// member axis, evaluated together (decision D4: no vmap in LibTorch 1.13). Any subset of the
/// members can be evaluated, so the callers that need only the drawn pair compute only it.
class QEnsembleImpl : public torch::nn::Module {
 public:
  QEnsembleImpl(int64_t members, int64_t in, int64_t hidden, int64_t bins, double dropout);

  /// Logits [k, ..., bins] of the members `members` (empty: all) for x [..., in]. Dropout with
  /// independent masks per member when `dropout_generator` is given (never for kTarget).
  at::Tensor forward(const at::Tensor& x, const std::vector<int64_t>& members, QView view,
                     at::Generator* dropout_generator);
  /// N(0, 0.02²) weights, zero biases, LayerNorm 1 and 0, zero output weights; target = online.
  void Initialise(at::Generator& generator);
  /// target ← target + tau (online − target).
  void UpdateTarget(double tau);
  int64_t members() const { return members_; }
  int64_t ParameterCount() const;

 private:
  struct Layer {
    at::Tensor weight;                  ///< [E, out, in]
    at::Tensor bias;                    ///< [E, out]
    at::Tensor norm_weight, norm_bias;  ///< [E, out]; undefined for the output layer
  };
  std::vector<Layer> Select(QView view, const std::vector<int64_t>& members) const;

  int64_t members_;
  int64_t hidden_;
  double dropout_;
  std::vector<Layer> online_;
  std::vector<Layer> target_;  ///< registered as buffers: saved, never trained
};
TORCH_MODULE(QEnsemble);

/// The K auxiliary value heads V_i(z) of the multi-gamma extension (§17.3): `joint` is one
/// Linear(L, K · bins) whose output is read as K heads of `bins` logits; `separate` is K
/// Linear(L, bins). Zero-initialised (§17.7), so their first predictions decode to 0.
class AuxValueHeadsImpl : public torch::nn::Module {
 public:
  AuxValueHeadsImpl(int64_t latent_dim, int64_t heads, int64_t bins, std::string kind);
  /// Logits [K, ..., bins] for z [..., L].
  at::Tensor forward(const at::Tensor& z);
  int64_t ParameterCount() const;
  int64_t heads() const { return heads_; }

 private:
  int64_t heads_;
  int64_t bins_;
  std::string kind_;
  std::vector<torch::nn::Linear> linears_;  ///< one (joint) or K (separate)
};
TORCH_MODULE(AuxValueHeads);

/// A sample of the policy prior π(z) (tdmpc2.md §6, "Policy prior").
struct PolicySample {
  at::Tensor action;  ///< tanh-squashed sample [..., A]
  at::Tensor mean;    ///< tanh(mean) [..., A]
  /// The term the policy loss rewards with entropy_coef: HEAD's scaled entropy, or minus the
  /// squashed log-probability for entropy_variant v2023 [..., 1].
  at::Tensor entropy_bonus;
};

/// Parameter counts per component, logged once per run.
struct ComponentCounts {
  int64_t encoder = 0, dynamics = 0, reward = 0, policy = 0, q_ensemble = 0, aux_heads = 0;
  int64_t Total() const { return encoder + dynamics + reward + policy + q_ensemble + aux_heads; }
};

class WorldModelImpl : public torch::nn::Module {
 public:
  explicit WorldModelImpl(const WorldModelSpec& spec);

  /// The baseline modules from `generator` in a fixed order (encoder, dynamics, reward, policy,
  /// Q ensemble); the auxiliary heads are zero and draw nothing, so the baseline's weights are
  /// the same with the extension on or off (§17.7).
  void Initialise(at::Generator& generator);

  at::Tensor Encode(const at::Tensor& obs);
  at::Tensor Next(const at::Tensor& z, const at::Tensor& a);
  at::Tensor RewardLogits(const at::Tensor& z, const at::Tensor& a);
  PolicySample Pi(const at::Tensor& z, at::Generator& generator);
  at::Tensor QLogits(const at::Tensor& z, const at::Tensor& a, const std::vector<int64_t>& members,
                     QView view, at::Generator* dropout_generator);
  /// Aux logits [K, ..., bins]; requires HasAuxHeads().
  at::Tensor AuxLogits(const at::Tensor& z);
  bool HasAuxHeads() const { return !aux_.is_empty(); }

  /// Parameters of the world-model optimiser: encoder (its own learning rate), then the rest.
  std::vector<at::Tensor> EncoderParameters() const;
  std::vector<at::Tensor> ModelParameters() const;  ///< dynamics, reward, Q, aux heads
  std::vector<at::Tensor> PolicyParameters() const;

  ComponentCounts Counts() const;
  const WorldModelSpec& spec() const { return spec_; }
  Mlp& dynamics() { return dynamics_; }
  Mlp& reward() { return reward_; }
  QEnsemble& q() { return q_; }

 private:
  WorldModelSpec spec_;
  Mlp encoder_{nullptr};
  Mlp dynamics_{nullptr};
  Mlp reward_{nullptr};
  Mlp policy_{nullptr};
  QEnsemble q_{nullptr};
  AuxValueHeads aux_{nullptr};
};
TORCH_MODULE(WorldModel);

}  // namespace orch::tdmpc2
