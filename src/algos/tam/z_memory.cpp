// src/algos/tam/z_memory.cpp
#include "algos/tam/z_memory.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orch::tam {

double RiskTarget(const ZOutcome& outcome, const TamMemoryOptions& options) {
  return options.risk_bind * (1.0 - outcome.soft_bind) +
         options.risk_cone * std::log(outcome.cone_vol + 1e-8) +
         options.risk_lambda * outcome.lambda_bind;
}

ZMemory::ZMemory(const TamMemoryOptions& options, int64_t z_dim)
    : options_(options), z_dim_(z_dim), capacity_(options.size) {
  if (z_dim_ < 1 || capacity_ < 1) throw std::invalid_argument("tam: empty z-memory");
  z_.assign(static_cast<size_t>(capacity_ * z_dim_), 0.0f);
  outcomes_.assign(static_cast<size_t>(capacity_), ZOutcome{});
  risk_.assign(static_cast<size_t>(capacity_), 0.0f);
}

void ZMemory::Append(std::span<const float> z, const ZOutcome& outcome) {
  if (static_cast<int64_t>(z.size()) != z_dim_) {
    throw std::invalid_argument("tam: z-memory record has the wrong z_dim");
  }
  std::copy(z.begin(), z.end(), z_.begin() + head_ * z_dim_);
  outcomes_[head_] = outcome;
  risk_[head_] = static_cast<float>(RiskTarget(outcome, options_));
  head_ = (head_ + 1) % capacity_;
  count_ = std::min(count_ + 1, capacity_);
}

int64_t ZMemory::Slot(int64_t index) const {
  if (index < 0 || index >= count_) throw std::out_of_range("tam: z-memory index out of range");
  // the oldest record sits at head_ once the ring has wrapped, at 0 before
  const int64_t oldest = count_ == capacity_ ? head_ : 0;
  return (oldest + index) % capacity_;
}

std::span<const float> ZMemory::Z(int64_t index) const {
  return {z_.data() + Slot(index) * z_dim_, static_cast<size_t>(z_dim_)};
}

const ZOutcome& ZMemory::Outcome(int64_t index) const { return outcomes_[Slot(index)]; }

double ZMemory::Risk(int64_t index) const { return risk_[Slot(index)]; }

at::Tensor ZMemory::MemoryTensor() const {
  // before the ring wraps the valid rows are the first count_ slots, after it every slot
  return at::from_blob(const_cast<float*>(z_.data()), {count_, z_dim_},
                       at::TensorOptions().dtype(at::kFloat));
}

at::Tensor ZMemory::KernelRisk(const at::Tensor& z) const {
  if (!Active()) return at::zeros({}, z.options().requires_grad(false));
  // the order of rows does not matter to the kNN estimate
  at::Tensor memory_z = MemoryTensor();
  at::Tensor risk = at::from_blob(const_cast<float*>(risk_.data()), {count_},
                                  at::TensorOptions().dtype(at::kFloat));
  // [z_dim] or [1, z_dim] -> [1, z_dim], broadcast against every stored row
  at::Tensor query = z.reshape({1, z_dim_});
  at::Tensor d2 = (memory_z - query).pow(2).sum(-1);
  const int64_t k = std::min<int64_t>(options_.k, count_);
  auto [nearest_d2, nearest_index] = at::topk(d2, k, /*dim=*/-1, /*largest=*/false);
  at::Tensor weights = at::exp(-nearest_d2 / (2.0 * options_.sigma * options_.sigma));
  weights = weights / (weights.sum() + 1e-8);
  return (weights * risk.index_select(0, nearest_index)).sum();
}

void ZMemory::Restore(std::span<const float> z, std::span<const ZOutcome> outcomes, int64_t head,
                      int64_t count) {
  const bool consistent =
      count >= 0 && count <= capacity_ && static_cast<int64_t>(z.size()) == count * z_dim_ &&
      static_cast<int64_t>(outcomes.size()) == count &&
      head == (count == capacity_ ? head : count) && head >= 0 && head < capacity_;
  if (!consistent) {
    throw std::runtime_error("tam: saved z-memory does not match tam.memory.size and z_dim");
  }
  // the saved slots are 0..count-1; the rest stay empty
  std::fill(z_.begin(), z_.end(), 0.0f);
  std::fill(outcomes_.begin(), outcomes_.end(), ZOutcome{});
  std::copy(z.begin(), z.end(), z_.begin());
  std::copy(outcomes.begin(), outcomes.end(), outcomes_.begin());
  head_ = head;
  count_ = count;
  for (int64_t slot = 0; slot < capacity_; ++slot) {
    risk_[slot] = static_cast<float>(RiskTarget(outcomes_[slot], options_));
  }
}

}  // namespace orch::tam
