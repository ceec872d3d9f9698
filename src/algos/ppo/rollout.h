// src/algos/ppo/rollout.h: what a PPO rollout stores for the update: [T, E] steps of E envs,
// with the masks sampling saw and the recurrent state each sequence started from, so that
// training re-evaluates exactly what was sampled (on-policy integrity).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "algos/ppo/policy/policy_bundle.h"
#include "envs/env.h"

namespace orch::ppo {

struct Rollout {
  /// Allocates every buffer (zeros) for `steps` x `envs` of an env with `obs_dim` and `action`.
  Rollout(int64_t steps, int64_t envs, int64_t obs_dim, const envs::ActionSpec& action);

  int64_t steps = 0;
  int64_t envs = 0;
  at::Tensor obs;                 ///< [T, E, obs_dim]
  at::Tensor starts;              ///< [T, E] bool: obs t is the first of an episode
  HeadTensors action;             ///< per head [T, E] int64, or `action` [T, E, dim] float
  HeadTensors log_prob;           ///< per head [T, E]
  HeadTensors masks;              ///< per head [T, E, n] bool (masked envs only)
  HeadTensors relevance;          ///< per head [T, E] bool: the head's choice shaped the step
  at::Tensor values;              ///< [T, E]
  at::Tensor rewards;             ///< [T, E] (a truncation's bootstrap folded in)
  at::Tensor ends;                ///< [T, E] bool: step t ended the episode
  at::Tensor advantages;          ///< [T, E], from ComputeGae
  at::Tensor returns;             ///< [T, E]
  RecurrentState initial_hidden;  ///< the state at step 0 ([1, E, H]; empty: feed-forward)
};

}  // namespace orch::ppo
