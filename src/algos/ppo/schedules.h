// src/algos/ppo/schedules.h: what changes over a PPO run's updates, the learning rate (CleanRL's
// linear decay to 0) and the entropy coefficient (Esper's optional decay to a floor). Both are
// functions of the update's index alone, so a resumed run continues them exactly.
#pragma once

#include <cstdint>

#include "algos/ppo/ppo_options.h"

namespace orch::ppo {

/// The rates one update runs at.
struct UpdateRates {
  double learning_rate = 0.0;
  double ent_coef = 0.0;
};

/// The rates of update `update` (1-based) of `num_updates`, with progress p = (update - 1) /
/// num_updates (0 for the first update):
///   learning_rate = lr * (1 - p) with anneal_lr, lr otherwise;
///   ent_coef      = ent_coef_final + (ent_coef - ent_coef_final) * max(0, 1 - p / f), where
///                   f = ent_anneal_fraction, with ent_coef_final set; ent_coef otherwise.
UpdateRates RatesAt(const PpoOptions& options, int64_t update, int64_t num_updates);

}  // namespace orch::ppo
