// src/algos/ppo/policy/policy_list.h: the one list of PPO's policy bundles. The schema's choices
// for `ppo.policy.type` (ppo_options.cpp) and the registry's entries (policy_registry.cpp) both
// come from it; adding a bundle is its file and one line here.
//
// ORCH_PPO_POLICIES(X) calls X(type, Factory, "description") for each bundle, where Factory
// names the function its file defines:
//   std::shared_ptr<orch::ppo::PolicyBundle> orch::ppo::Factory(const orch::ppo::PolicySpec&);
#pragma once

#define ORCH_PPO_POLICIES(X)                                                                   \
  X(lstm, MakeFactoredLstmPolicy,                                                              \
    "Esper's factored recurrent actor-critic: feature net, LSTM + LayerNorm, one masked head " \
    "per action head (op first on the factored space) and a value head")                       \
  X(mlp, MakeMlpPolicy,                                                                        \
    "CleanRL's separate actor and critic MLPs: categorical, multi-head masked or Gaussian "    \
    "(state-independent log-std) actions")
