// src/rl/threads.cpp
#include "rl/threads.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

namespace orch::rl {

void ConfigureIntraOpThreads(int threads) { at::set_num_threads(std::max(1, threads)); }

int ThreadBudget(int parallel_runs) {
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, parallel_runs));
}

}  // namespace orch::rl
