// src/rl/discrete_regression.cpp
#include "rl/discrete_regression.h"

#include <torch/torch.h>

#include <stdexcept>

namespace orch::rl {

at::Tensor Symlog(const at::Tensor& x) { return torch::sign(x) * torch::log1p(torch::abs(x)); }

at::Tensor Symexp(const at::Tensor& x) { return torch::sign(x) * torch::expm1(torch::abs(x)); }

DiscreteRegression::DiscreteRegression(int64_t num_bins, double vmin, double vmax)
    : num_bins_(num_bins), vmin_(vmin), vmax_(vmax) {
  if (num_bins < 2 || !(vmax > vmin)) {
    throw std::invalid_argument("discrete regression needs at least 2 bins and vmax > vmin");
  }
  bin_size_ = (vmax - vmin) / static_cast<double>(num_bins - 1);
  bins_ = torch::linspace(vmin, vmax, num_bins, torch::kFloat32);
}

void DiscreteRegression::To(const c10::Device& device) { bins_ = bins_.to(device); }

std::pair<at::Tensor, at::Tensor> DiscreteRegression::Locate(const at::Tensor& x) const {
  at::Tensor position = (Symlog(x).clamp(vmin_, vmax_) - vmin_) / bin_size_;
  at::Tensor lower = torch::floor(position);
  return {lower.to(torch::kLong), position - lower};
}

at::Tensor DiscreteRegression::TwoHot(const at::Tensor& x) const {
  auto [lower, upper_weight] = Locate(x);
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = num_bins_;
  at::Tensor out = torch::zeros(shape, x.options());
  out.scatter_(-1, lower, 1.0 - upper_weight);
  // the wrap to bin 0 only happens at vmax, where the upper weight is 0
  out.scatter_(-1, (lower + 1).remainder(num_bins_), upper_weight);
  return out;
}

at::Tensor DiscreteRegression::SoftCrossEntropy(const at::Tensor& logits,
                                                const at::Tensor& target) const {
  auto [lower, upper_weight] = Locate(target);
  at::Tensor log_probs = torch::log_softmax(logits, -1);
  at::Tensor lower_term = log_probs.gather(-1, lower);
  at::Tensor upper_term = log_probs.gather(-1, (lower + 1).remainder(num_bins_));
  return -((1.0 - upper_weight) * lower_term + upper_weight * upper_term);
}

at::Tensor DiscreteRegression::Decode(const at::Tensor& logits) const {
  return Symexp(torch::matmul(torch::softmax(logits, -1), bins_).unsqueeze(-1));
}

}  // namespace orch::rl
