// src/algos/tam/tam_options.h: the TAM agent with z-memory (`tam.*`, `tam.memory.*`).
#pragma once

#include <cstdint>
#include <string>

#include "config/schema.h"

namespace orch::tam {

/// z-memory (tam.md §12): a replay of episode outcomes in z-space and a kNN risk regulariser.
/// Original names in brackets.
struct TamMemoryOptions {
  bool enabled = false;          ///< add the memory regulariser to the loss
  int64_t size = 50'000;         ///< [mem_size] capacity, FIFO
  int64_t min_records = 500;     ///< [mem_min] no regulariser below this many records
  int64_t k = 64;                ///< [mem_k] neighbours
  double sigma = 1.0;            ///< [mem_sigma] Gaussian kernel width in z-space
  double w_mem = 0.02;           ///< regulariser strength (the notes' name)
  bool detach_targets = true;    ///< [mem_detach_targets] stored outcomes are constants
  double risk_bind = 1.0;        ///< [a] risk weight of (1 - soft_bind)
  double risk_cone = 0.2;        ///< [b] risk weight of log(cone_vol + 1e-8)
  double risk_lambda = 0.05;     ///< [c] risk weight of lambda_bind
  int64_t map_points = 5'000;    ///< records subsampled for the PCA z-map
  int64_t trail_length = 1'000;  ///< recent z samples drawn as the revisit trail
};

/// The TAM actor (tam.md §2-8) on the controlled pendulum. Original names in brackets.
struct TamOptions {
  int64_t episodes = 8'000;          ///< [steps] episodes of training (one update each)
  int64_t z_dim = 8;                 ///< commitment dimension
  int64_t hidden_dim = 64;           ///< width of every hidden layer
  int64_t knots = 16;                ///< [M] tube knots
  double lr = 7e-4;                  ///< Adam learning rate (one optimiser over all networks)
  double grad_clip = 1.0;            ///< global gradient-norm clip
  int64_t max_horizon = 64;          ///< [maxH] longest episode
  int64_t min_horizon = 2;           ///< [minT] shortest episode
  double k_sigma = 2.0;              ///< tube half-width in sigmas
  double margin_temp = 0.25;         ///< soft-inside temperature
  double tube_logstd_min = -4.0;     ///< tube log-sigma clamp, low
  double tube_logstd_max = 2.0;      ///< tube log-sigma clamp, high
  double z_logstd_min = -6.0;        ///< encoder log-std clamp, low
  double z_logstd_max = 2.0;         ///< encoder log-std clamp, high
  double halt_bias = -1.0;           ///< initial bias of the stop logit
  double cone_reg = 0.001;           ///< log-sigma regulariser weight
  double goal_weight = 0.25;         ///< terminal-mean cost weight
  double action_l2 = 0.01;           ///< action penalty weight
  double lambda_h = 0.002;           ///< base ponder cost
  double beta_kl = 3e-4;             ///< KL weight of q(z | s0)
  double target_bind = 0.90;         ///< reliability target
  double lambda_lr = 0.05;           ///< reliability dual step
  double target_et = 16.0;           ///< [target_ET] expected-horizon target
  double lambda_t_lr = 0.02;         ///< [lambda_T_lr] compute dual step (integral gain)
  double lambda_t_kp = 1.0;          ///< compute_dual=pi: gain on the smoothed E[T] error
  double lambda_t_smoothing = 0.95;  ///< compute_dual=pi: EMA factor of that error
  double lambda_max = 50.0;          ///< upper clip of both multipliers
  double w_cone = 0.05;              ///< cone-volume weight
  double bind_success_frac = 0.85;   ///< hard binding predicate threshold (logging only)
  double amax = 2.0;                 ///< action bound of the policy
  double explore_std = 0.05;         ///< exploration noise added to actions
  std::string policy_objective = "frozen";  ///< frozen: faithful, the policy gets no gradient
  std::string compute_dual = "clipped";  ///< clipped (faithful), signed or pi (dual_controllers.h)
  int64_t checkpoint_every = 1'000;      ///< episodes between checkpoints (0 = only at the end)
  TamMemoryOptions memory;               ///< z-memory
};

const config::Schema& TamMemorySchema();
const config::Schema& TamSchema();

}  // namespace orch::tam
