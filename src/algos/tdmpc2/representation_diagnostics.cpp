// src/algos/tdmpc2/representation_diagnostics.cpp
#include "algos/tdmpc2/representation_diagnostics.h"

#include <torch/torch.h>

#include <cmath>
#include <set>
#include <vector>

namespace orch::tdmpc2 {

LatentDiagnostics DiagnoseLatents(const at::Tensor& z_in, int64_t group_size) {
  torch::NoGradGuard no_grad;
  const at::Tensor z = z_in.detach().to(torch::kDouble);
  const int64_t states = z.size(0);
  const int64_t dim = z.size(1);
  LatentDiagnostics out;

  // effective rank of the centred batch
  const at::Tensor centred = z - z.mean(0, /*keepdim=*/true);
  const at::Tensor singular = torch::linalg_svdvals(centred);
  const double total = singular.sum().item<double>();
  if (total > 1e-12 * std::max<int64_t>(1, states)) {
    const at::Tensor p = singular / total;
    const at::Tensor positive = p.masked_select(p > 0);
    out.effective_rank = std::exp(-(positive * positive.log()).sum().item<double>());
  }

  // SimNorm groups: saturation and the codes of their argmaxes
  const int64_t groups = dim / group_size;
  const at::Tensor grouped = z.narrow(1, 0, groups * group_size).view({states, groups, group_size});
  out.saturation = std::get<0>(grouped.max(2)).mean().item<double>();
  const at::Tensor argmax = std::get<1>(grouped.max(2)).to(torch::kLong).contiguous();
  const int64_t* codes = argmax.data_ptr<int64_t>();
  std::set<std::vector<int64_t>> distinct;
  for (int64_t state = 0; state < states; ++state) {
    distinct.emplace(codes + state * groups, codes + (state + 1) * groups);
  }
  out.distinct_codes = static_cast<double>(distinct.size());

  out.spread = centred.norm(2, /*dim=*/1).mean().item<double>();
  return out;
}

double ActionSensitivity(const at::Tensor& next_a, const at::Tensor& next_b) {
  torch::NoGradGuard no_grad;
  return (next_a.detach().to(torch::kDouble) - next_b.detach().to(torch::kDouble))
      .norm(2, /*dim=*/1)
      .mean()
      .item<double>();
}

}  // namespace orch::tdmpc2
