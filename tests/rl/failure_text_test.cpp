// Tests src/rl/failure_text.cpp: what a failed run's error says in the store.
#include "rl/failure_text.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <new>
#include <stdexcept>
#include <string>

#include "config/yaml_loader.h"

namespace orch::rl {
namespace {

// what tam.hidden_dim=1e8 used to store: LibTorch's allocation failure with its C++ backtrace
TEST(FailureTextTest, ALibTorchErrorLosesItsBacktrace) {
  std::string full;
  std::string described;
  try {
    torch::empty({100'000'000, 100'000'000});
  } catch (const c10::Error& error) {
    full = error.what();
    described = DescribeFailure(error, nullptr);
  }
  ASSERT_FALSE(described.empty()) << "no c10::Error was thrown";
  EXPECT_NE(described.find("DefaultCPUAllocator: can't allocate memory"), std::string::npos)
      << described;
  EXPECT_LT(described.size(), 400u) << described;
  EXPECT_GT(full.size(), described.size());
}

TEST(FailureTextTest, AnAllocationFailureNamesTheLargestSizes) {
  config::Node tree = config::ParseYaml(
                          "tam:\n  hidden_dim: 64\n  memory:\n    size: 1000000000000\n"
                          "  episodes: 8000\nseed: 3\n",
                          "run.yaml")
                          .content;
  std::string text = DescribeFailure(std::bad_alloc(), &tree);
  EXPECT_EQ(text,
            "out of memory (std::bad_alloc); the largest sizes this config asks for: "
            "tam.memory.size=1000000000000, tam.episodes=8000");
  EXPECT_EQ(DescribeFailure(std::bad_alloc(), nullptr), "out of memory (std::bad_alloc)");
}

TEST(FailureTextTest, ALongMessageIsCut) {
  std::string text = DescribeFailure(std::runtime_error(std::string(5000, 'x')), nullptr);
  EXPECT_EQ(text.size(), 2000u + std::string("... (3000 more characters in stderr.log)").size());
}

}  // namespace
}  // namespace orch::rl
