// Tests src/rl/dense_stack.cpp against torch::nn::Linear/Tanh/ReLU modules: the same outputs and
// the same gradients for the input, every weight and every bias; the direct loop for a few rows
// agrees with the matrix products.
#include "rl/dense_stack.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

namespace orch::rl {
namespace {

struct Stack {
  torch::nn::Sequential modules;
  DenseLayers layers;
};

/// in -> 16 -> 16 -> out with the given activation between layers.
Stack MakeStack(int64_t in, int64_t out, HiddenActivation activation) {
  torch::manual_seed(3);
  Stack stack;
  const std::vector<int64_t> widths = {in, 16, 16, out};
  for (size_t layer = 0; layer + 1 < widths.size(); ++layer) {
    torch::nn::Linear linear(widths[layer], widths[layer + 1]);
    stack.modules->push_back(linear);
    stack.layers.weights.push_back(linear->weight);
    stack.layers.biases.push_back(linear->bias);
    if (layer + 2 < widths.size()) {
      if (activation == HiddenActivation::kTanh) {
        stack.modules->push_back(torch::nn::Tanh());
      } else {
        stack.modules->push_back(torch::nn::ReLU());
      }
    }
  }
  stack.layers.activation = activation;
  return stack;
}

void ExpectSameAsModules(HiddenActivation activation) {
  Stack stack = MakeStack(5, 3, activation);
  at::Tensor x = torch::randn({2, 7, 5}, torch::requires_grad());
  at::Tensor weight = torch::randn({2, 7, 3});
  std::vector<at::Tensor> inputs = {x};
  for (const auto& parameter : stack.modules->parameters()) inputs.push_back(parameter);

  at::Tensor expected = stack.modules->forward(x);
  auto expected_grads = torch::autograd::grad({(expected * weight).sum()}, inputs);
  at::Tensor out = DenseStack(x, stack.layers);
  ASSERT_EQ(out.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(out, expected, 1e-5, 1e-6));
  auto grads = torch::autograd::grad({(out * weight).sum()}, inputs);
  ASSERT_EQ(grads.size(), expected_grads.size());
  for (size_t index = 0; index < grads.size(); ++index) {
    EXPECT_TRUE(torch::allclose(grads[index], expected_grads[index], 1e-4, 1e-6))
        << "input " << index << " (0 is x, then weight/bias of each layer)";
  }
}

TEST(DenseStackTest, TanhMatchesTheModulesAndTheirGradients) {
  ExpectSameAsModules(HiddenActivation::kTanh);
}

TEST(DenseStackTest, ReluMatchesTheModulesAndTheirGradients) {
  ExpectSameAsModules(HiddenActivation::kRelu);
}

TEST(DenseStackTest, FewRowsWithoutGradientsTakeTheDirectLoopAndAgree) {
  for (HiddenActivation activation : {HiddenActivation::kTanh, HiddenActivation::kRelu}) {
    Stack stack = MakeStack(4, 2, activation);
    at::Tensor x = torch::randn({4, 4});
    at::Tensor expected;
    {
      torch::NoGradGuard no_grad;
      expected = stack.modules->forward(x);
    }
    c10::InferenceMode inference;
    at::Tensor out = DenseStack(x, stack.layers);
    EXPECT_FALSE(out.requires_grad());
    EXPECT_TRUE(torch::allclose(out, expected, 1e-5, 1e-6)) << out << expected;
    // more rows than the direct loop takes: the matrix products, the same values
    at::Tensor many = torch::randn({kDirectRows + 3, 4});
    EXPECT_TRUE(
        torch::allclose(DenseStack(many, stack.layers), stack.modules->forward(many), 1e-5, 1e-6));
  }
}

TEST(DenseStackTest, RejectsAWrongWidthOrType) {
  Stack stack = MakeStack(4, 2, HiddenActivation::kTanh);
  EXPECT_THROW(DenseStack(torch::randn({3, 5}), stack.layers), std::invalid_argument);
  EXPECT_THROW(DenseStack(torch::randn({3, 4}, torch::kDouble), stack.layers),
               std::invalid_argument);
  EXPECT_THROW(DenseStack(torch::randn({3, 4}), DenseLayers{}), std::invalid_argument);
}

}  // namespace
}  // namespace orch::rl
