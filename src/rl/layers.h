// src/rl/layers.h: network layers the RL algorithms share: TD-MPC2's MLP blocks (Linear,
// LayerNorm, Mish) with an optional SimNorm output, and the softmax over groups that SimNorm is.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace orch::rl {

/// Softmax within consecutive groups of `group` features of the last axis.
at::Tensor SimNorm(const at::Tensor& x, int64_t group);

/// mlp(in, hidden..., out) of tdmpc2.md §3: one Linear → LayerNorm → Mish block per hidden size;
/// the output layer is a plain Linear, or Linear → LayerNorm → SimNorm for latent outputs.
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t in, const std::vector<int64_t>& hidden, int64_t out, bool simnorm_output,
          int64_t simnorm_dim);
  at::Tensor forward(const at::Tensor& x);
  /// The same function for inputs cat(z, a) whose latent part is one row shared by every
  /// sample: z [1, L], a [N, A] → [N, out]. The first layer's latent product is computed once
  /// (the planner's first step: every sample starts from the same latent).
  at::Tensor ForwardSharedLatent(const at::Tensor& z, const at::Tensor& a);
  /// Draws every Linear weight from N(0, 0.02²) and zeroes the biases (§3, decision D5).
  void Initialise(at::Generator& generator);
  /// Sets the output layer's weight to zero (reward head: initial logits uniform).
  void ZeroOutputWeight();
  int64_t ParameterCount() const;

 private:
  at::Tensor Continue(at::Tensor h, size_t from_layer);

  std::vector<torch::nn::Linear> linears_;
  std::vector<torch::nn::LayerNorm> norms_;  ///< one per Linear except a plain output
  bool simnorm_output_;
  int64_t simnorm_dim_;
};
TORCH_MODULE(Mlp);

/// The number of values in `tensors` (a module's parameters()).
int64_t CountValues(const std::vector<at::Tensor>& tensors);

}  // namespace orch::rl
