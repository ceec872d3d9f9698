// src/algos/tam/dual_controllers.h: the two multipliers of TAM's "tit-for-tat" bargain
// (tam.md §8): reliability (lambda_bind) and compute (lambda_T).
#pragma once

#include "algos/tam/tam_options.h"

namespace orch::tam {

/// The multipliers and the compute controller's memory; all of it goes into a checkpoint.
struct DualState {
  double lambda_bind = 0.0;  ///< reliability multiplier
  double lambda_t = 0.0;     ///< compute multiplier, the value the next loss uses
  double integral = 0.0;     ///< compute controller's integral term (= lambda_t unless pi)
  double error_ema = 0.0;    ///< pi: smoothed E[T]_train - target_et
};

/// One update after the optimiser step, from the episode's soft bind rate and E[T]_train.
///
/// lambda_bind <- clip(lambda_bind + lambda_lr (target_bind - soft_bind), 0, lambda_max), always.
/// lambda_T by `compute_dual`:
///   clipped (tam.md §8, the notes' code): integral only, clipped to [0, lambda_max], so target_et
///       is a ceiling; nothing pushes E[T] up and it falls to the minimum.
///   signed (the notes' README formula): integral only, in [-lambda_max, lambda_max], so target_et
///       is a set point; with Adam moving the stop logit at a near-constant rate, the integral
///       overshoots and E[T] swings between 1 and max_horizon.
///   pi: the signed integral plus lambda_t_kp times an EMA of the error, the damping of a PI
///       controller (Stooke et al. 2020, "Responsive Safety in RL by PID Lagrangian Methods");
///       the multiplier flips sign as soon as E[T] crosses the target instead of after the
///       integral unwinds. The integral is clipped on its own (anti-windup).
void UpdateDuals(const TamOptions& options, double soft_bind, double e_t_train, DualState& state);

}  // namespace orch::tam
