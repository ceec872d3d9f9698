// src/algos/tam/dual_controllers.cpp
#include "algos/tam/dual_controllers.h"

#include <algorithm>

namespace orch::tam {

void UpdateDuals(const TamOptions& options, double soft_bind, double e_t_train, DualState& state) {
  state.lambda_bind =
      std::clamp(state.lambda_bind + options.lambda_lr * (options.target_bind - soft_bind), 0.0,
                 options.lambda_max);

  const double floor = options.compute_dual == "clipped" ? 0.0 : -options.lambda_max;
  const double error = e_t_train - options.target_et;
  state.integral =
      std::clamp(state.integral + options.lambda_t_lr * error, floor, options.lambda_max);
  if (options.compute_dual == "pi") {
    state.error_ema =
        options.lambda_t_smoothing * state.error_ema + (1.0 - options.lambda_t_smoothing) * error;
    state.lambda_t = std::clamp(state.integral + options.lambda_t_kp * state.error_ema, floor,
                                options.lambda_max);
  } else {
    state.lambda_t = state.integral;
  }
}

}  // namespace orch::tam
