// src/app/run_options.h: settings of a run that no algorithm owns (`run.*`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.h"

namespace orch::app {

struct RunOptions {
  std::optional<std::string> name;  ///< run name; null = derived from algo, env and run id
  int64_t threads = 1;              ///< intra-op threads; 0 = max(1, cores / parallel runs)
  int64_t keep_checkpoints = 3;     ///< newest checkpoints kept (0 = keep all)
  /// Where the workload computes: cpu, cuda, cuda:N, or auto (CUDA when the worker's LibTorch
  /// has it). The worker checks it before the first step (device.h).
  std::string device = "cpu";
};

/// `cpu`, `cuda`, `cuda:N` (N a device number) or `auto`.
bool IsDeviceName(const std::string& text);

const config::Schema& RunSchema();

}  // namespace orch::app
