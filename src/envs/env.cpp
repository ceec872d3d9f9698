// src/envs/env.cpp
#include "envs/env.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace orch::envs {

int ActionSpec::HeadIndex(const std::string& name) const {
  const auto it = std::find(head_names.begin(), head_names.end(), name);
  return it == head_names.end() ? -1 : static_cast<int>(it - head_names.begin());
}

int ActionSpec::conditional_mask_size() const {
  if (!HasConditionalMask()) return 0;
  return head_sizes[HeadIndex(condition_head)] * head_sizes[HeadIndex(conditional_head)];
}

int ActionSpec::mask_size() const {
  return std::accumulate(head_sizes.begin(), head_sizes.end(), 0) + conditional_mask_size();
}

void Env::WriteMasks(std::span<uint8_t> masks) const {
  // an unmasked env allows every choice of every head
  const int size = action_spec().mask_size();
  if (masks.size() != static_cast<size_t>(size)) {
    throw std::runtime_error(name() + ": mask span has " + std::to_string(masks.size()) +
                             " entries, the action spec needs " + std::to_string(size));
  }
  std::fill(masks.begin(), masks.end(), uint8_t{1});
}

void Env::WriteHeadRelevance(std::span<const int64_t> action, std::span<uint8_t> relevant) const {
  // by default every head's choice counts
  const size_t heads = action_spec().head_sizes.size();
  if (action.size() != heads || relevant.size() != heads) {
    throw std::runtime_error(name() + ": head relevance needs one entry per head (" +
                             std::to_string(heads) + ")");
  }
  std::fill(relevant.begin(), relevant.end(), uint8_t{1});
}

}  // namespace orch::envs
