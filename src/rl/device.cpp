// src/rl/device.cpp
#include "rl/device.h"

#include <fmt/format.h>

#include <stdexcept>

#include "rl/torch_compat.h"

namespace orch::rl {

std::string LibTorchDescription() {
  const std::string version = "LibTorch " + LibTorchVersion();
  if (!CudaAvailable()) return version + " (CPU only)";
  return fmt::format("{} with CUDA ({} device{})", version, CudaDeviceCount(),
                     CudaDeviceCount() == 1 ? "" : "s");
}

std::string ResolveDevice(const std::string& requested) {
  if (requested == "cpu") return "cpu";
  const bool cuda = CudaAvailable();
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
  if (index >= CudaDeviceCount()) {
    throw std::runtime_error(fmt::format("run.device={}: {} has no CUDA device {}", requested,
                                         LibTorchDescription(), index));
  }
  return fmt::format("cuda:{}", index);
}

}  // namespace orch::rl
