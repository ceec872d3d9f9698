// src/rl/torch_compat.h: the one place that knows which LibTorch orch is built against
// (Debian's 1.13, CPU only, or an upstream 2.x, possibly with CUDA; gpu.md): its version,
// whether it has CUDA, and the calls that are spelt differently or need CUDA's headers.
#pragma once

#include <ATen/core/Generator.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>

namespace orch::rl {

/// "1.13.0", "2.4.1".
std::string LibTorchVersion();
/// Whether this LibTorch was built with CUDA and sees at least one device.
bool CudaAvailable();
int64_t CudaDeviceCount();
/// The CUDA runtime this LibTorch was built with (12040 for 12.4), whether or not a device is
/// there; 0 for a CPU-only LibTorch (or one whose CUDA library was not linked in).
int64_t CudaRuntimeVersion();

/// A random generator of its own on `device`, seeded with `seed`: mt19937 on the CPU (the
/// generator every CPU metric was computed with), Philox on CUDA.
at::Generator MakeGenerator(const c10::Device& device, uint64_t seed);

}  // namespace orch::rl
