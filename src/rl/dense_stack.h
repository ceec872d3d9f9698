// src/rl/dense_stack.h: a stack of dense layers (Linear, then tanh or ReLU after every layer but
// the last) as one operation. On a small MLP every LibTorch operation costs more than its
// arithmetic: a torch::nn::Sequential of three Linear layers records eight autograd nodes and
// dispatches about twenty operations forward and backward. Here the forward pass is one autograd
// node whose backward pass is written out (matrix products on the saved activations), and a
// forward pass of a few rows without gradients is a plain loop with no dispatch at all (PPO acts
// on 4 to 16 environments at a time). The parameters stay the modules' own tensors.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace orch::rl {

enum class HiddenActivation { kTanh, kRelu };

/// weights[l] [out_l, in_l] and biases[l] [out_l] in LibTorch's Linear layout, float, on the
/// CPU; the activation follows every layer but the last.
struct DenseLayers {
  std::vector<at::Tensor> weights;
  std::vector<at::Tensor> biases;
  HiddenActivation activation = HiddenActivation::kTanh;

  int64_t inputs() const { return weights.front().size(1); }
  int64_t outputs() const { return weights.back().size(0); }
};

/// x [..., in] -> [..., out]: the same function as the Linear/activation modules, differentiable
/// with respect to x and every weight and bias (one autograd node). Without gradients and with
/// at most kDirectRows rows, the direct loop; otherwise matrix products.
at::Tensor DenseStack(const at::Tensor& x, const DenseLayers& layers);

/// The direct loop's row limit: above it, a matrix product's packing pays for itself.
constexpr int64_t kDirectRows = 32;

/// The direct loop: `rows` rows of x (row-major, layers.inputs() wide) into `out` (rows x
/// layers.outputs()). No tensor is created; the parameters are read in place (contiguous).
void DenseStackRows(const DenseLayers& layers, const float* x, int64_t rows, float* out);

}  // namespace orch::rl
