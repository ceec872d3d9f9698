// src/algos/tam/tam_networks.h: the three TAM networks (tam.md §3): the commitment encoder
// q(z | s0), the policy pi(x, z) and the tube with its stop logit.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <utility>

namespace orch::tam {

/// q(z | s0): a two-hidden-layer ReLU MLP with a mean head and a log-std head.
class ActorNetImpl : public torch::nn::Module {
 public:
  ActorNetImpl(int64_t state_dim, int64_t z_dim, int64_t hidden_dim, double logstd_min,
               double logstd_max);
  /// (z_mu, z_logstd) for s0 [B, state_dim], each [B, z_dim]; log-std clamped.
  std::pair<torch::Tensor, torch::Tensor> Forward(const torch::Tensor& s0);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, mu_head{nullptr}, logstd_head{nullptr};

 private:
  double logstd_min_;
  double logstd_max_;
};
TORCH_MODULE(ActorNet);

/// pi(x, z): a two-hidden-layer ReLU MLP on cat(x, z); a = amax tanh(out).
class SharedPolicyImpl : public torch::nn::Module {
 public:
  SharedPolicyImpl(int64_t state_dim, int64_t z_dim, int64_t hidden_dim, double amax);
  /// Actions [B, 1] for states x [B, state_dim] and commitments z [B, z_dim].
  torch::Tensor Forward(const torch::Tensor& x, const torch::Tensor& z);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, act_head{nullptr};

 private:
  double amax_;
};
TORCH_MODULE(SharedPolicy);

/// The tube of one commitment, read off the tube network's output.
struct TubeKnots {
  torch::Tensor mu_knots;      ///< [M, D]
  torch::Tensor logsig_knots;  ///< [M, D]
  torch::Tensor p_stop;        ///< scalar, clamped to [1e-4, 1 - 1e-4]
};

/// The tube network: a two-hidden-layer ReLU MLP on cat(s0, z) with a linear head of
/// 2 D M + 1 outputs (mu knots, log-sigma knots, stop logit; stop bias starts at halt_bias).
class SharedTubeImpl : public torch::nn::Module {
 public:
  SharedTubeImpl(int64_t state_dim, int64_t z_dim, int64_t hidden_dim, int64_t knots,
                 double halt_bias);
  /// The knots and stop probability for one s0 [1, state_dim] and z [1, z_dim].
  TubeKnots Forward(const torch::Tensor& s0, const torch::Tensor& z);
  /// Re-draws every layer with `generator` (ResetLinearParameters), then sets the stop bias.
  void ResetParameters(at::Generator& generator);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, out_head{nullptr};

 private:
  int64_t state_dim_;
  int64_t knots_;
  double halt_bias_;
};
TORCH_MODULE(SharedTube);

/// Re-draws every Linear of `module` from PyTorch's default distribution,
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, with `generator` (in module
/// registration order), so that initialisation depends only on the run seed.
void ResetLinearParameters(torch::nn::Module& module, at::Generator& generator);

}  // namespace orch::tam
