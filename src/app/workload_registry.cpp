// src/app/workload_registry.cpp
#include "app/workload_registry.h"

#include "algos/tam/tam_workload.h"
#include "algos/tdmpc2/tdmpc2_workload.h"

namespace orch::app {

void RegisterBuiltinWorkloads(rl::WorkloadRegistry& registry) {
  tam::RegisterTamWorkload(registry);
  tdmpc2::RegisterTdMpc2Workload(registry);
}

}  // namespace orch::app
