// Tests src/rl/fast_mish.cpp against LibTorch's mish: values and gradients over the
// whole float range that matters, including the saturated tails.
#include "rl/fast_mish.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace orch::rl {
namespace {

TEST(FastMishTest, ValuesAndGradientsMatchTorchMish) {
  at::Tensor x = torch::cat({torch::linspace(-30.0, 30.0, 6001), torch::randn({4096}) * 3.0});
  at::Tensor ours_input = x.clone().requires_grad_(true);
  at::Tensor torch_input = x.clone().requires_grad_(true);
  at::Tensor ours = FastMish(ours_input);
  at::Tensor reference = torch::mish(torch_input);
  EXPECT_TRUE(torch::allclose(ours, reference, 1e-6, 1e-6))
      << (ours - reference).abs().max().item<float>();
  at::Tensor upstream = torch::randn_like(x);
  ours.backward(upstream);
  reference.backward(upstream);
  EXPECT_TRUE(torch::allclose(ours_input.grad(), torch_input.grad(), 1e-5, 1e-5))
      << (ours_input.grad() - torch_input.grad()).abs().max().item<float>();
  // hand values: mish(0) = 0; mish(1) = tanh(log(1 + e)) = 0.8650984
  at::Tensor points = FastMish(torch::tensor({0.0f, 1.0f}));
  EXPECT_EQ(points[0].item<float>(), 0.0f);
  EXPECT_NEAR(points[1].item<float>(), 0.8650984, 1e-6);
}

TEST(FastMishTest, WithoutGradientItIsThePlainFunction) {
  torch::NoGradGuard no_grad;
  at::Tensor x = torch::randn({64, 33});
  EXPECT_TRUE(torch::allclose(FastMish(x), torch::mish(x), 1e-6, 1e-6));
}

}  // namespace
}  // namespace orch::rl
