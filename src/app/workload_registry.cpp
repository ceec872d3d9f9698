// src/app/workload_registry.cpp
#include "app/workload_registry.h"

#include "algos/algorithm_list.h"

// each algorithm's folder defines its workload registration
#define ORCH_DECLARE_WORKLOAD(ns)                        \
  namespace orch::ns {                                   \
  void RegisterWorkload(rl::WorkloadRegistry& registry); \
  }
ORCH_ALGORITHMS(ORCH_DECLARE_WORKLOAD)
#undef ORCH_DECLARE_WORKLOAD

namespace orch::app {

void RegisterBuiltinWorkloads(rl::WorkloadRegistry& registry) {
#define ORCH_REGISTER_WORKLOAD(ns) ::orch::ns::RegisterWorkload(registry);
  ORCH_ALGORITHMS(ORCH_REGISTER_WORKLOAD)
#undef ORCH_REGISTER_WORKLOAD
}

}  // namespace orch::app
