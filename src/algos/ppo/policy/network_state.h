// src/algos/ppo/policy/network_state.h: what the bundles' networks share: a Linear layer with
// CleanRL's orthogonal init, and a module's named tensors in and out of a StateDict.
#pragma once

#ifndef ORCH_PPO_POLICY_LAYER
#error "a policy network header is for the policy layer only: PPO talks to policy_bundle.h"
#endif

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <string>

#include "algos/ppo/policy/policy_bundle.h"

namespace orch::ppo {

/// Linear(in, out) with orthogonal weights of `gain` and zero bias (CleanRL's layer_init).
torch::nn::Linear OrthogonalLinear(int64_t in, int64_t out, double gain);

/// Every parameter and buffer of `module` by its dotted name, in registration order.
StateDict ModuleStateDict(const torch::nn::Module& module);

/// Copies `state` into `module` under no_grad. `strict`: every name of the module present with
/// its shape, and no other; else only the names both have (shapes must still match). Throws
/// std::runtime_error naming `what` and the first mismatch.
void LoadModuleState(torch::nn::Module& module, const StateDict& state, bool strict,
                     const std::string& what);

}  // namespace orch::ppo
