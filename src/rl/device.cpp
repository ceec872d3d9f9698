// src/rl/device.cpp
#include "rl/device.h"

#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <stdexcept>

namespace orch::rl {

std::string LibTorchDescription() {
  const std::string version = fmt::format("LibTorch {}.{}.{}", TORCH_VERSION_MAJOR,
                                          TORCH_VERSION_MINOR, TORCH_VERSION_PATCH);
  if (!torch::cuda::is_available()) return version + " (CPU only)";
  return fmt::format("{} with CUDA ({} device{})", version, torch::cuda::device_count(),
                     torch::cuda::device_count() == 1 ? "" : "s");
}

std::string ResolveDevice(const std::string& requested) {
  if (requested == "cpu") return "cpu";
  const bool cuda = torch::cuda::is_available();
  if (requested == "auto") return cuda ? "cuda:0" : "cpu";
  if (!cuda) {
    throw std::runtime_error(fmt::format(
        "run.device={}: this orch-worker was built against {}; build one against a CUDA "
        "LibTorch (a libtorch/ distribution, or a pip PyTorch's torch/ folder) with "
        "tools/build-libtorch.sh PATH and run it with ORCH_WORKER=build-libtorch/src/app/"
        "orch-worker, or use run.device=cpu (or auto)",
        requested, LibTorchDescription()));
  }
  const int64_t index = requested == "cuda" ? 0 : std::stoll(requested.substr(5));
  if (index >= static_cast<int64_t>(torch::cuda::device_count())) {
    throw std::runtime_error(fmt::format("run.device={}: {} has no CUDA device {}", requested,
                                         LibTorchDescription(), index));
  }
  return fmt::format("cuda:{}", index);
}

}  // namespace orch::rl
