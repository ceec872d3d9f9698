// src/algos/ppo/gae.h: generalized advantage estimation (Schulman et al. 2016), as CleanRL's
// ppo.py computes it.
#pragma once

#include <ATen/core/Tensor.h>

#include <utility>

namespace orch::ppo {

/// Advantages and returns of a [T, E] rollout. `ends[t, e]` is 1 where step t ended env e's
/// episode (nothing is bootstrapped across it: a truncation's bootstrap value is already in its
/// reward); `next_value` [E] is the value of the observation after the last step. With
/// delta_t = r_t + gamma V_{t+1} (1 - end_t) - V_t, A_t = delta_t + gamma lambda (1 - end_t)
/// A_{t+1}, and returns = A + V. Computed in double on the CPU, returned as float.
std::pair<at::Tensor, at::Tensor> ComputeGae(const at::Tensor& rewards, const at::Tensor& values,
                                             const at::Tensor& ends, const at::Tensor& next_value,
                                             double gamma, double lambda);

}  // namespace orch::ppo
