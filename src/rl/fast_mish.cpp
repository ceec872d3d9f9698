// src/rl/fast_mish.cpp
#include "rl/fast_mish.h"

#include <torch/torch.h>

namespace orch::rl {
namespace {

// beyond 20, tanh(softplus(x)) is 1 in float, and n² would overflow
constexpr double kSaturation = 20.0;

/// (n, tanh(softplus(x))) of x.
std::pair<at::Tensor, at::Tensor> MishParts(const at::Tensor& x) {
  at::Tensor n = torch::exp(torch::clamp_max(x, kSaturation));
  at::Tensor a = n * (n + 2.0);
  return {n, a / (a + 2.0)};
}

class MishFunction : public torch::autograd::Function<MishFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* context, const at::Tensor& x) {
    auto [n, t] = MishParts(x);
    context->save_for_backward({x, n, t});
    return x * t;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list grad_outputs) {
    const auto saved = context->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& n = saved[1];
    const at::Tensor& t = saved[2];
    // d/dx x·tanh(sp(x)) = tanh(sp) + x · (1 − tanh²(sp)) · sigmoid(x), sigmoid(x) = n / (1 + n)
    at::Tensor derivative = t + x * (1.0 - t * t) * (n / (n + 1.0));
    return {grad_outputs[0] * derivative};
  }
};

}  // namespace

at::Tensor FastMish(const at::Tensor& x) {
  if (!at::GradMode::is_enabled() || !x.requires_grad()) {
    auto [n, t] = MishParts(x);
    return x * t;
  }
  return MishFunction::apply(x);
}

}  // namespace orch::rl
