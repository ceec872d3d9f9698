// src/algos/tdmpc2/running_scale.h: TD-MPC2's RunningScale (tdmpc2.md §6): the scale the policy
// loss divides Q by.
#pragma once

#include <ATen/core/Tensor.h>

namespace orch::tdmpc2 {

/// value starts at 1; Update(q) moves it towards max(P95 − P5, 1) of q with rate tau, where the
/// percentiles interpolate linearly at positions p (n − 1) / 100 of the sorted values
/// (n = 256: 12.75 and 242.25).
class RunningScale {
 public:
  explicit RunningScale(double tau);
  void Update(const at::Tensor& q);
  /// [1], float32.
  const at::Tensor& value() const { return value_; }
  at::Tensor& mutable_value() { return value_; }

 private:
  double tau_;
  at::Tensor value_;
};

}  // namespace orch::tdmpc2
