// src/rl/layers.cpp
#include "rl/layers.h"

#include <torch/torch.h>

#include "rl/fast_mish.h"

namespace orch::rl {
namespace {

constexpr double kInitStd = 0.02;
constexpr double kLayerNormEps = 1e-5;

/// Linear → LayerNorm → Mish on [..., in].
at::Tensor NormedMish(torch::nn::Linear& linear, torch::nn::LayerNorm& norm, const at::Tensor& x) {
  return FastMish(norm->forward(linear->forward(x)));
}

}  // namespace

int64_t CountValues(const std::vector<at::Tensor>& tensors) {
  int64_t count = 0;
  for (const auto& tensor : tensors) count += tensor.numel();
  return count;
}

at::Tensor SimNorm(const at::Tensor& x, int64_t group) {
  // [..., D] viewed as [..., D / group, group] (built without back(), which GCC 14 takes for
  // an index of -1 into a vector it cannot tell is non-empty)
  std::vector<int64_t> grouped(x.sizes().begin(), x.sizes().end() - 1);
  grouped.push_back(x.size(-1) / group);
  grouped.push_back(group);
  return torch::softmax(x.view(grouped), -1).view(x.sizes());
}

// --- Mlp

MlpImpl::MlpImpl(int64_t in, const std::vector<int64_t>& hidden, int64_t out, bool simnorm_output,
                 int64_t simnorm_dim)
    : simnorm_output_(simnorm_output), simnorm_dim_(simnorm_dim) {
  std::vector<int64_t> sizes = {in};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(out);
  for (size_t layer = 0; layer + 1 < sizes.size(); ++layer) {
    linears_.push_back(register_module("linear" + std::to_string(layer),
                                       torch::nn::Linear(sizes[layer], sizes[layer + 1])));
    const bool last = layer + 2 == sizes.size();
    if (!last || simnorm_output_) {
      norms_.push_back(
          register_module("norm" + std::to_string(layer),
                          torch::nn::LayerNorm(
                              torch::nn::LayerNormOptions({sizes[layer + 1]}).eps(kLayerNormEps))));
    }
  }
}

at::Tensor MlpImpl::Continue(at::Tensor h, size_t from_layer) {
  for (size_t layer = from_layer; layer < linears_.size(); ++layer) {
    const bool last = layer + 1 == linears_.size();
    if (!last) {
      h = NormedMish(linears_[layer], norms_[layer], h);
    } else if (simnorm_output_) {
      h = SimNorm(norms_[layer]->forward(linears_[layer]->forward(h)), simnorm_dim_);
    } else {
      h = linears_[layer]->forward(h);
    }
  }
  return h;
}

at::Tensor MlpImpl::forward(const at::Tensor& x) { return Continue(x, 0); }

at::Tensor MlpImpl::ForwardSharedLatent(const at::Tensor& z, const at::Tensor& a) {
  // W [z | a] + b = (W_z z + b) + W_a a, with W_z z computed for the one shared row
  const at::Tensor& weight = linears_[0]->weight;
  const int64_t latent = z.size(-1);
  at::Tensor shared =
      torch::addmm(linears_[0]->bias.unsqueeze(0), z, weight.narrow(1, 0, latent).t());
  at::Tensor h = torch::addmm(shared, a, weight.narrow(1, latent, a.size(-1)).t());
  if (linears_.size() == 1) {
    return simnorm_output_ ? SimNorm(norms_[0]->forward(h), simnorm_dim_) : h;
  }
  return Continue(FastMish(norms_[0]->forward(h)), 1);
}

void MlpImpl::Initialise(at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto& linear : linears_) {
    linear->weight.normal_(0.0, kInitStd, generator);
    linear->bias.zero_();
  }
  for (auto& norm : norms_) {
    norm->weight.fill_(1.0);
    norm->bias.zero_();
  }
}

void MlpImpl::ZeroOutputWeight() {
  torch::NoGradGuard no_grad;
  linears_.back()->weight.zero_();
}

int64_t MlpImpl::ParameterCount() const { return CountValues(parameters()); }

}  // namespace orch::rl
