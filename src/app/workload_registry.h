// src/app/workload_registry.h: the one place that registers every built-in algorithm.
#pragma once

#include "rl/workload.h"

namespace orch::app {

/// Registers tam (and, as they land, tdmpc2 and ppo), explicitly: no static self-registration.
void RegisterBuiltinWorkloads(rl::WorkloadRegistry& registry);

}  // namespace orch::app
