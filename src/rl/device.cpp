// src/rl/device.cpp
#include "rl/device.h"

#include <fmt/format.h>

#include <stdexcept>

#include "rl/torch_compat.h"

namespace orch::rl {

TorchFacts ThisLibTorch() {
  return {LibTorchVersion(), CudaRuntimeVersion(), CudaAvailable() ? CudaDeviceCount() : 0};
}

std::string LibTorchDescription(const TorchFacts& torch) {
  const std::string version = "LibTorch " + torch.version;
  if (torch.cuda_runtime == 0) return version + " (CPU only)";
  const std::string cuda = fmt::format("{} with CUDA {}.{}", version, torch.cuda_runtime / 1000,
                                       torch.cuda_runtime % 1000 / 10);
  if (torch.cuda_devices == 0) return cuda + " (no CUDA device visible)";
  return fmt::format("{} ({} device{})", cuda, torch.cuda_devices,
                     torch.cuda_devices == 1 ? "" : "s");
}

std::string ResolveDevice(const std::string& requested, const TorchFacts& torch) {
  if (requested == "cpu") return "cpu";
  if (requested == "auto") return torch.cuda_devices > 0 ? "cuda:0" : "cpu";
  if (torch.cuda_runtime == 0) {
    throw std::runtime_error(fmt::format(
        "run.device={}: this orch-worker was built against {}; build one against a CUDA "
        "LibTorch (a libtorch/ distribution, or a pip PyTorch's torch/ folder) with "
        "tools/build-libtorch.sh PATH and run it with ORCH_WORKER=build-libtorch/src/app/"
        "orch-worker, or use run.device=cpu (or auto)",
        requested, LibTorchDescription(torch)));
  }
  if (torch.cuda_devices == 0) {
    throw std::runtime_error(fmt::format(
        "run.device={}: this orch-worker's {}: check that nvidia-smi lists a GPU (the driver) "
        "and that CUDA_VISIBLE_DEVICES does not hide it, or use run.device=cpu (or auto)",
        requested, LibTorchDescription(torch)));
  }
  const int64_t index = requested == "cuda" ? 0 : std::stoll(requested.substr(5));
  if (index >= torch.cuda_devices) {
    throw std::runtime_error(fmt::format("run.device={}: {} has no CUDA device {}", requested,
                                         LibTorchDescription(torch), index));
  }
  return fmt::format("cuda:{}", index);
}

}  // namespace orch::rl
