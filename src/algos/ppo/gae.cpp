// src/algos/ppo/gae.cpp
#include "algos/ppo/gae.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace orch::ppo {

std::pair<at::Tensor, at::Tensor> ComputeGae(const at::Tensor& rewards, const at::Tensor& values,
                                             const at::Tensor& ends, const at::Tensor& next_value,
                                             double gamma, double lambda) {
  if (rewards.dim() != 2 || !values.sizes().equals(rewards.sizes()) ||
      !ends.sizes().equals(rewards.sizes()) || next_value.dim() != 1 ||
      next_value.size(0) != rewards.size(1)) {
    throw std::invalid_argument("GAE: rewards, values and ends are [T, E] and next_value [E]");
  }
  const int64_t steps = rewards.size(0);
  const int64_t envs = rewards.size(1);
  at::Tensor r = rewards.to(at::kDouble).contiguous();
  at::Tensor v = values.to(at::kDouble).contiguous();
  at::Tensor e = ends.to(at::kDouble).contiguous();
  at::Tensor last = next_value.to(at::kDouble).contiguous();
  at::Tensor advantages = at::zeros({steps, envs}, r.options());
  const double* rp = r.data_ptr<double>();
  const double* vp = v.data_ptr<double>();
  const double* ep = e.data_ptr<double>();
  const double* lp = last.data_ptr<double>();
  double* ap = advantages.data_ptr<double>();
  // backwards through time, each env on its own
  for (int64_t env = 0; env < envs; ++env) {
    double running = 0.0;
    for (int64_t t = steps - 1; t >= 0; --t) {
      const int64_t at_t = t * envs + env;
      const double next = t == steps - 1 ? lp[env] : vp[at_t + envs];
      const double nonterminal = 1.0 - ep[at_t];
      const double delta = rp[at_t] + gamma * next * nonterminal - vp[at_t];
      running = delta + gamma * lambda * nonterminal * running;
      ap[at_t] = running;
    }
  }
  at::Tensor returns = advantages + v;
  return {advantages.to(at::kFloat), returns.to(at::kFloat)};
}

}  // namespace orch::ppo
