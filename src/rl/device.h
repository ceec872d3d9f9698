// src/rl/device.h: where a run computes (`run.device`), checked against what the worker's
// LibTorch can do before the first step (torch_compat.h asks LibTorch).
#pragma once

#include <string>

namespace orch::rl {

/// `LibTorch 1.13.0 (CPU only)`, `LibTorch 2.4.0 with CUDA (2 devices)`.
std::string LibTorchDescription();

/// The device a run asked for (`cpu`, `cuda`, `cuda:N`, `auto`) resolved against this worker's
/// LibTorch: `cpu`, or `cuda:N`. Throws std::runtime_error naming the LibTorch it was built
/// against and how to get a CUDA one, when CUDA (or device N) is asked for and not there.
std::string ResolveDevice(const std::string& requested);

}  // namespace orch::rl
