// src/rl/device.h: where a run computes (`run.device`), checked against what the worker's
// LibTorch can do before the first step (torch_compat.h asks LibTorch).
#pragma once

#include <cstdint>
#include <string>

namespace orch::rl {

/// What a worker's LibTorch can do, as torch_compat.h reads it.
struct TorchFacts {
  std::string version;       ///< "1.13.0", "2.6.0"
  int64_t cuda_runtime = 0;  ///< CUDA runtime it was built with (12040 = 12.4); 0: none
  int64_t cuda_devices = 0;  ///< devices it sees
};

/// This worker's LibTorch.
TorchFacts ThisLibTorch();

/// `LibTorch 1.13.0 (CPU only)`, `LibTorch 2.6.0 with CUDA 12.4 (2 devices)`,
/// `LibTorch 2.6.0 with CUDA 12.4 (no CUDA device visible)`.
std::string LibTorchDescription(const TorchFacts& torch = ThisLibTorch());

/// The device a run asked for (`cpu`, `cuda`, `cuda:N`, `auto`) resolved against a LibTorch:
/// `cpu`, or `cuda:N`. Throws std::runtime_error when CUDA (or device N) is asked for and not
/// there, saying why: a CPU-only LibTorch (and how to build against a CUDA one), or a CUDA one
/// that sees no device (driver, CUDA_VISIBLE_DEVICES), or fewer devices than N + 1.
std::string ResolveDevice(const std::string& requested, const TorchFacts& torch = ThisLibTorch());

}  // namespace orch::rl
