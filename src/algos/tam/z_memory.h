// src/algos/tam/z_memory.h: the z-memory (tam.md §12): a fixed-capacity ring of episode
// outcomes in commitment space and the kNN kernel risk of a new commitment.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algos/tam/tam_options.h"

namespace at {
class Tensor;
}  // namespace at

namespace orch::tam {

/// The outcome of one episode, stored with its z.
struct ZOutcome {
  double soft_bind = 0;    ///< soft bind rate
  double cone_vol = 0;     ///< halting-weighted cone volume
  double e_t = 0;          ///< [E_T] E[T]_train
  double lambda_bind = 0;  ///< reliability multiplier after the update
  double lambda_t = 0;     ///< [lambda_T] compute multiplier after the update
  int64_t episode = 0;     ///< the episode index (for plots; not part of the risk)
};

/// r = a (1 - soft_bind) + b log(cone_vol + 1e-8) + c lambda_bind with the weights of `options`.
double RiskTarget(const ZOutcome& outcome, const TamMemoryOptions& options);

/// FIFO ring of `options.size` records. z values live in one row-major float array whose rows
/// are the [capacity, z_dim] memory tensor (a zero-copy view, so appending costs one row copy);
/// the risk targets are kept beside them, computed once per record.
class ZMemory {
 public:
  ZMemory(const TamMemoryOptions& options, int64_t z_dim);

  /// Stores (z, outcome), overwriting the oldest record when full. z has z_dim values.
  void Append(std::span<const float> z, const ZOutcome& outcome);

  int64_t size() const { return count_; }
  int64_t capacity() const { return capacity_; }
  int64_t z_dim() const { return z_dim_; }
  /// Whether the regulariser applies: at least min_records records.
  bool Active() const { return count_ >= options_.min_records; }

  /// The `index`-th record, oldest first.
  std::span<const float> Z(int64_t index) const;
  const ZOutcome& Outcome(int64_t index) const;
  double Risk(int64_t index) const;

  /// The valid rows as a [size(), z_dim] float tensor: a zero-copy view of the ring's storage
  /// (slot order), without gradient.
  at::Tensor MemoryTensor() const;

  /// The kernel-weighted risk of the k nearest records to `z` ([z_dim] or [1, z_dim], float):
  /// w_j = exp(-d2_j / (2 sigma^2)) normalised, sum_j w_j r_j. Differentiable in z through the
  /// selected distances; the memory is constant. A zero scalar (no graph) while not Active().
  at::Tensor KernelRisk(const at::Tensor& z) const;

  /// The filled slots 0..size()-1 in ring order (for checkpoints), and the write position.
  std::span<const float> SlotZ() const { return {z_.data(), static_cast<size_t>(count_ * z_dim_)}; }
  std::span<const ZOutcome> SlotOutcomes() const {
    return {outcomes_.data(), static_cast<size_t>(count_)};
  }
  int64_t head() const { return head_; }
  /// Restores what SlotZ(), SlotOutcomes(), head() and size() returned. Throws
  /// std::runtime_error when they do not fit this memory's capacity and z_dim.
  void Restore(std::span<const float> z, std::span<const ZOutcome> outcomes, int64_t head,
               int64_t count);

 private:
  int64_t Slot(int64_t index) const;

  TamMemoryOptions options_;
  int64_t z_dim_;
  int64_t capacity_;
  int64_t head_ = 0;                ///< next slot to write
  int64_t count_ = 0;               ///< valid records
  std::vector<float> z_;            ///< capacity x z_dim
  std::vector<ZOutcome> outcomes_;  ///< capacity
  std::vector<float> risk_;         ///< capacity, the risk targets as float32
};

}  // namespace orch::tam
