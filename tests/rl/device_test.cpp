// Tests src/rl/device.cpp: run.device resolved against what a LibTorch can do, and what the
// run is told when it cannot: a CPU-only LibTorch, a CUDA one that sees no device, too few
// devices. The facts are made up here, so every case runs on a machine without a GPU.
#include "rl/device.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace orch::rl {
namespace {

std::string ErrorOf(const std::string& requested, const TorchFacts& torch) {
  try {
    ResolveDevice(requested, torch);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for run.device=" << requested;
  return {};
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DeviceTest, ACpuOnlyLibTorchRunsOnTheCpuAndSaysHowToGetCuda) {
  const TorchFacts debian{"1.13.0", 0, 0};
  EXPECT_EQ(LibTorchDescription(debian), "LibTorch 1.13.0 (CPU only)");
  EXPECT_EQ(ResolveDevice("cpu", debian), "cpu");
  EXPECT_EQ(ResolveDevice("auto", debian), "cpu");
  const std::string error = ErrorOf("cuda", debian);
  EXPECT_TRUE(Has(error, "built against LibTorch 1.13.0 (CPU only)")) << error;
  EXPECT_TRUE(Has(error, "tools/build-libtorch.sh PATH")) << error;
}

TEST(DeviceTest, ACudaLibTorchWithoutADeviceSaysSoAndNotThatItIsCpuOnly) {
  const TorchFacts no_gpu{"2.6.0", 12040, 0};
  EXPECT_EQ(LibTorchDescription(no_gpu), "LibTorch 2.6.0 with CUDA 12.4 (no CUDA device visible)");
  EXPECT_EQ(ResolveDevice("auto", no_gpu), "cpu");
  const std::string error = ErrorOf("cuda:0", no_gpu);
  EXPECT_TRUE(Has(error, "LibTorch 2.6.0 with CUDA 12.4 (no CUDA device visible)")) << error;
  EXPECT_TRUE(Has(error, "nvidia-smi")) << error;
  EXPECT_TRUE(Has(error, "CUDA_VISIBLE_DEVICES")) << error;
  EXPECT_FALSE(Has(error, "build-libtorch")) << error;
}

TEST(DeviceTest, DevicesAreNumberedFromZeroAndAMissingOneIsNamed) {
  const TorchFacts two{"2.11.0", 13000, 2};
  EXPECT_EQ(LibTorchDescription(two), "LibTorch 2.11.0 with CUDA 13.0 (2 devices)");
  EXPECT_EQ(LibTorchDescription({"2.11.0", 12080, 1}), "LibTorch 2.11.0 with CUDA 12.8 (1 device)");
  EXPECT_EQ(ResolveDevice("auto", two), "cuda:0");
  EXPECT_EQ(ResolveDevice("cuda", two), "cuda:0");
  EXPECT_EQ(ResolveDevice("cuda:1", two), "cuda:1");
  EXPECT_TRUE(Has(ErrorOf("cuda:2", two), "has no CUDA device 2"));
}

TEST(DeviceTest, ThisWorkersLibTorchSeesDevicesOnlyWithACudaRuntime) {
  const TorchFacts here = ThisLibTorch();
  EXPECT_FALSE(here.version.empty());
  if (here.cuda_runtime == 0) {
    EXPECT_EQ(here.cuda_devices, 0);
  }
}

}  // namespace
}  // namespace orch::rl
