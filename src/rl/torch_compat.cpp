// src/rl/torch_compat.cpp
#include "rl/torch_compat.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/version.h>

namespace orch::rl {

std::string LibTorchVersion() {
  return fmt::format("{}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH);
}

bool CudaAvailable() { return torch::cuda::is_available(); }

// size_t in 1.13, c10::DeviceIndex in 2.x
int64_t CudaDeviceCount() { return static_cast<int64_t>(torch::cuda::device_count()); }

// the CUDA hooks are registered by libtorch_cuda when it is loaded (linked --no-as-needed);
// without it the default hooks say no CUDA runtime
int64_t CudaRuntimeVersion() {
  const auto& hooks = at::detail::getCUDAHooks();
  return hooks.hasCUDART() ? static_cast<int64_t>(hooks.versionCUDART()) : 0;
}

at::Generator MakeGenerator(const c10::Device& device, uint64_t seed) {
  if (device.is_cpu()) return at::make_generator<at::CPUGeneratorImpl>(seed);
  // a CUDA generator of its own: a clone of the device's default one, reseeded. Its
  // constructor (at::cuda::detail::createCUDAGenerator) would need CUDA's headers; the clone
  // goes through the hooks that every LibTorch, 1.13 and 2.x, CPU or CUDA, has.
  at::Generator generator = at::globalContext().defaultGenerator(device).clone();
  generator.set_current_seed(seed);
  return generator;
}

}  // namespace orch::rl
