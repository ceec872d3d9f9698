// src/algos/tdmpc2/tdmpc2_agent.h: the TD-MPC2 agent (tdmpc2.md §6-7): one training update on a
// batch of replay windows, and one action from the MPPI planner. The multi-gamma auxiliary
// heads (§17) are trained inside the same update and never touch planning or the policy.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algos/tdmpc2/multi_gamma_options.h"
#include "algos/tdmpc2/tdmpc2_options.h"
#include "algos/tdmpc2/world_model.h"

namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace orch::tdmpc2 {

/// Replay windows for one update: obs [H+1, B, obs_dim], action [H, B, A], reward [H, B, 1]
/// (action t was taken at obs t and earned reward t).
struct TrainingBatch {
  at::Tensor obs;
  at::Tensor action;
  at::Tensor reward;
};

/// The auxiliary heads' numbers of one update, per auxiliary discount (gammas[1:]).
struct AuxStats {
  std::vector<double> cross_entropy;  ///< CE_i, rho-weighted mean over the horizon
  std::vector<double> pred_mean;      ///< decoded prediction, mean over steps and batch
  std::vector<double> pred_std;
  std::vector<double> mae;  ///< |decoded prediction − target|
  std::vector<double> rmse;
};

/// What one update reports (all losses before their coefficients).
struct UpdateStats {
  double consistency_loss = 0.0;
  double reward_loss = 0.0;
  double value_loss = 0.0;
  double aux_loss = 0.0;  ///< loss_weight · Σ CE_i (0 without auxiliary heads)
  double total_loss = 0.0;
  double grad_norm = 0.0;  ///< world-model gradient norm before clipping
  double pi_loss = 0.0;
  double pi_grad_norm = 0.0;
  double pi_scale = 1.0;  ///< the running scale of the policy's Q
  double pi_entropy_bonus = 0.0;
  double td_target_mean = 0.0;
  AuxStats aux;
};

/// The world-model objective of one update, with its graph (tdmpc2.md §6 steps 1-4, §17.5).
struct WorldModelLoss {
  at::Tensor total;        ///< 20 consistency + 0.1 reward + 0.1 value (+ aux)
  at::Tensor consistency;  ///< each before its coefficient
  at::Tensor reward;
  at::Tensor value;
  at::Tensor aux;          ///< loss_weight · Σ CE_i; undefined without auxiliary heads
  at::Tensor aux_ce;       ///< [K] CE_i
  at::Tensor aux_logits;   ///< [K, H, B, bins]
  at::Tensor aux_targets;  ///< [K, H, B, 1], no gradient
  at::Tensor td_target;    ///< [H, B, 1], no gradient
  at::Tensor latents;      ///< [H+1, B, L] the rollout z_0 .. z_H, with gradient
};

/// The policy-prior objective on detached latents (§6 step 6).
struct PolicyLoss {
  at::Tensor total;
  at::Tensor entropy_bonus;  ///< mean, no gradient
};

/// Everything that shapes the agent.
struct AgentSpec {
  TdMpc2Options options;
  MultiGammaOptions multi_gamma;  ///< with `primary` already replaced by the discount
  WorldModelSpec model;
  double discount = 0.99;  ///< the primary discount (heuristic, §5)
  /// Where the networks, optimiser state, target networks and the update, dropout and
  /// planning streams live: `cpu` or `cuda:N` (run.device resolved). The networks are
  /// initialised on the CPU from the init stream, then moved, so every device starts from the
  /// same weights; batches and observations come in on the CPU and are moved once.
  std::string device = "cpu";
};

/// Builds the model spec of `options` for a task with these dimensions (presets applied).
WorldModelSpec MakeWorldModelSpec(const TdMpc2Options& options,
                                  const MultiGammaOptions& multi_gamma, int64_t obs_dim,
                                  int64_t action_dim);

class TdMpc2Agent {
 public:
  /// Builds and initialises the networks from the run seed's "init" stream; the update,
  /// dropout and planning streams are derived from the run seed too (§16 D12).
  TdMpc2Agent(const AgentSpec& spec, uint64_t run_seed);
  ~TdMpc2Agent();
  TdMpc2Agent(const TdMpc2Agent&) = delete;
  TdMpc2Agent& operator=(const TdMpc2Agent&) = delete;

  /// One update (tdmpc2.md §6; with §17.4-17.5 when the auxiliary heads exist): the world-model
  /// loss, its backward, clip and Adam step; the policy loss, its backward, clip and step; the
  /// Polyak update of the target Q.
  UpdateStats Update(const TrainingBatch& batch);

  /// The two halves of Update without the optimiser steps (they draw from the same random
  /// streams as Update), for tests of the gradient paths.
  WorldModelLoss ComputeWorldModelLoss(const TrainingBatch& batch);
  PolicyLoss ComputePolicyLoss(const at::Tensor& latents);

  /// An action in [-1, 1]^A for obs [obs_dim]: MPPI (§7), or the policy prior when mpc is off.
  /// `first_step`: the episode's first decision (no warm start). `eval_mode`: no added noise.
  at::Tensor Act(const at::Tensor& obs, bool first_step, bool eval_mode);

  /// A bounded JSON snapshot of the auxiliary heads on `batch` (§17.8): up to `examples` batch
  /// elements with per-gamma targets, decoded predictions and errors; with `debug`, also the
  /// top-2 bins, the two-hot bins of the target, the bootstrap values and the CE per step.
  /// Requires auxiliary heads.
  std::string AuxSnapshotJson(const TrainingBatch& batch, int64_t examples, bool debug);

  /// The agent's whole state, device-independent: a checkpoint written on one device loads on
  /// any other. Load moves every tensor onto this agent's device; when the checkpoint's random
  /// streams come from another kind of device (mt19937 on the CPU, Philox on CUDA: states that
  /// cannot be carried over) they restart from the run seed, and Load returns a note saying so
  /// (else "").
  void Save(torch::serialize::OutputArchive& archive) const;
  std::string Load(torch::serialize::InputArchive& archive);

  WorldModel& model();
  const AgentSpec& spec() const;
  ComponentCounts Counts() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace orch::tdmpc2
