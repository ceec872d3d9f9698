// src/algos/tdmpc2/running_scale.cpp
#include "algos/tdmpc2/running_scale.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace orch::tdmpc2 {

RunningScale::RunningScale(double tau) : tau_(tau), value_(torch::ones({1})) {}

void RunningScale::Update(const at::Tensor& q) {
  at::Tensor sorted = std::get<0>(torch::sort(q.detach().flatten(), 0));
  const int64_t n = sorted.size(0);
  auto percentile = [&](double p) {
    const double position = p * static_cast<double>(n - 1) / 100.0;
    const auto lower = static_cast<int64_t>(std::floor(position));
    const int64_t upper = std::min(lower + 1, n - 1);
    const double weight = position - static_cast<double>(lower);
    return sorted[lower] * (1.0 - weight) + sorted[upper] * weight;
  };
  at::Tensor range = (percentile(95.0) - percentile(5.0)).clamp_min(1.0);
  value_.lerp_(range.view({1}), tau_);
}

}  // namespace orch::tdmpc2
