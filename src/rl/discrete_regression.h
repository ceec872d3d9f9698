// src/rl/discrete_regression.h: TD-MPC2's discrete regression of rewards and values
// (tdmpc2.md §4): symlog, two-hot targets on fixed bins, soft cross-entropy, and decoding.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <utility>

namespace orch::rl {

/// sign(x) log(1 + |x|).
at::Tensor Symlog(const at::Tensor& x);
/// sign(x) (exp(|x|) - 1), the inverse of Symlog.
at::Tensor Symexp(const at::Tensor& x);

/// Scalars regressed as categorical distributions over `num_bins` bins evenly spaced in
/// symlog space on [vmin, vmax] (101 bins on [-10, 10] by default: bin size 0.2).
class DiscreteRegression {
 public:
  DiscreteRegression(int64_t num_bins, double vmin, double vmax);

  /// The two-hot encoding of x [..., 1]: weight 1 - w on bin i and w on bin i + 1 (mod bins),
  /// for p = (clamp(symlog x, vmin, vmax) - vmin) / bin_size, i = floor(p), w = p - i.
  at::Tensor TwoHot(const at::Tensor& x) const;
  /// -sum_k TwoHot(target)_k log_softmax(logits)_k: logits [..., bins], target [..., 1] →
  /// [..., 1]. Computed by gathering the two bins instead of building the two-hot vector.
  at::Tensor SoftCrossEntropy(const at::Tensor& logits, const at::Tensor& target) const;
  /// symexp(sum_k softmax(logits)_k bin_k): logits [..., bins] → [..., 1].
  at::Tensor Decode(const at::Tensor& logits) const;

  /// Moves the bins onto `device` (where the logits will be).
  void To(const c10::Device& device);

  int64_t num_bins() const { return num_bins_; }
  double bin_size() const { return bin_size_; }
  const at::Tensor& bins() const { return bins_; }

 private:
  /// (lower bin index, weight of the upper bin) of x [..., 1].
  std::pair<at::Tensor, at::Tensor> Locate(const at::Tensor& x) const;

  int64_t num_bins_;
  double vmin_;
  double vmax_;
  double bin_size_;
  at::Tensor bins_;  ///< [num_bins], in symlog space
};

}  // namespace orch::rl
