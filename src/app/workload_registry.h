// src/app/workload_registry.h: the one place that registers every built-in algorithm.
#pragma once

#include "rl/workload.h"

namespace orch::app {

/// Registers the workload of every algorithm of the list (algos/algorithm_list.h), explicitly:
/// no static self-registration, which static libraries can silently drop.
void RegisterBuiltinWorkloads(rl::WorkloadRegistry& registry);

}  // namespace orch::app
