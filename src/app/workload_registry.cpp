// src/app/workload_registry.cpp
#include "app/workload_registry.h"

#include "algos/tam/tam_workload.h"

namespace orch::app {

void RegisterBuiltinWorkloads(rl::WorkloadRegistry& registry) {
  tam::RegisterTamWorkload(registry);
}

}  // namespace orch::app
