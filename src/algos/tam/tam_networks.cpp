// src/algos/tam/tam_networks.cpp
#include "algos/tam/tam_networks.h"

#include <cmath>

namespace orch::tam {

ActorNetImpl::ActorNetImpl(int64_t state_dim, int64_t z_dim, int64_t hidden_dim, double logstd_min,
                           double logstd_max)
    : logstd_min_(logstd_min), logstd_max_(logstd_max) {
  fc1 = register_module("fc1", torch::nn::Linear(state_dim, hidden_dim));
  fc2 = register_module("fc2", torch::nn::Linear(hidden_dim, hidden_dim));
  mu_head = register_module("mu_head", torch::nn::Linear(hidden_dim, z_dim));
  logstd_head = register_module("logstd_head", torch::nn::Linear(hidden_dim, z_dim));
}

std::pair<torch::Tensor, torch::Tensor> ActorNetImpl::Forward(const torch::Tensor& s0) {
  torch::Tensor h = torch::relu(fc1->forward(s0));
  h = torch::relu(fc2->forward(h));
  return {mu_head->forward(h), logstd_head->forward(h).clamp(logstd_min_, logstd_max_)};
}

SharedPolicyImpl::SharedPolicyImpl(int64_t state_dim, int64_t z_dim, int64_t hidden_dim,
                                   double amax)
    : amax_(amax) {
  fc1 = register_module("fc1", torch::nn::Linear(state_dim + z_dim, hidden_dim));
  fc2 = register_module("fc2", torch::nn::Linear(hidden_dim, hidden_dim));
  act_head = register_module("act_head", torch::nn::Linear(hidden_dim, 1));
}

torch::Tensor SharedPolicyImpl::Forward(const torch::Tensor& x, const torch::Tensor& z) {
  torch::Tensor h = torch::relu(fc1->forward(torch::cat({x, z}, -1)));
  h = torch::relu(fc2->forward(h));
  return amax_ * torch::tanh(act_head->forward(h));
}

SharedTubeImpl::SharedTubeImpl(int64_t state_dim, int64_t z_dim, int64_t hidden_dim, int64_t knots,
                               double halt_bias)
    : state_dim_(state_dim), knots_(knots), halt_bias_(halt_bias) {
  fc1 = register_module("fc1", torch::nn::Linear(state_dim + z_dim, hidden_dim));
  fc2 = register_module("fc2", torch::nn::Linear(hidden_dim, hidden_dim));
  out_head = register_module("out_head", torch::nn::Linear(hidden_dim, 2 * state_dim * knots + 1));
  torch::NoGradGuard no_grad;
  out_head->bias[-1].fill_(halt_bias_);
}

void SharedTubeImpl::ResetParameters(at::Generator& generator) {
  ResetLinearParameters(*this, generator);
  torch::NoGradGuard no_grad;
  out_head->bias[-1].fill_(halt_bias_);
}

TubeKnots SharedTubeImpl::Forward(const torch::Tensor& s0, const torch::Tensor& z) {
  torch::Tensor h = torch::relu(fc1->forward(torch::cat({s0, z}, -1)));
  h = torch::relu(fc2->forward(h));
  // [1, 2 D M + 1] -> [2 D M + 1]: one commitment per call
  torch::Tensor out = out_head->forward(h).squeeze(0);
  const int64_t knot_values = state_dim_ * knots_;
  TubeKnots tube;
  // the first D M outputs are the mu knots, the next D M the log-sigma knots, row-major [M, D]
  tube.mu_knots = out.narrow(0, 0, knot_values).view({knots_, state_dim_});
  tube.logsig_knots = out.narrow(0, knot_values, knot_values).view({knots_, state_dim_});
  tube.p_stop = torch::sigmoid(out[-1]).clamp(1e-4, 1.0 - 1e-4);
  return tube;
}

void ResetLinearParameters(torch::nn::Module& module, at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (const auto& child : module.modules(/*include_self=*/false)) {
    auto* linear = child->as<torch::nn::LinearImpl>();
    if (linear == nullptr) continue;
    const double bound = 1.0 / std::sqrt(static_cast<double>(linear->options.in_features()));
    linear->weight.uniform_(-bound, bound, generator);
    linear->bias.uniform_(-bound, bound, generator);
  }
}

}  // namespace orch::tam
