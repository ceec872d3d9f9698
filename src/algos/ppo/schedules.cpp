// src/algos/ppo/schedules.cpp
#include "algos/ppo/schedules.h"

#include <algorithm>

namespace orch::ppo {

UpdateRates RatesAt(const PpoOptions& options, int64_t update, int64_t num_updates) {
  const double progress = static_cast<double>(update - 1) / static_cast<double>(num_updates);
  UpdateRates rates;
  rates.learning_rate = options.anneal_lr ? (1.0 - progress) * options.lr : options.lr;
  rates.ent_coef = options.ent_coef;
  if (options.ent_coef_final) {
    const double remaining = std::max(0.0, 1.0 - progress / options.ent_anneal_fraction);
    rates.ent_coef =
        *options.ent_coef_final + (options.ent_coef - *options.ent_coef_final) * remaining;
  }
  return rates;
}

}  // namespace orch::ppo
