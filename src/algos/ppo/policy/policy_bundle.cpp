// src/algos/ppo/policy/policy_bundle.cpp: what every bundle shares.
#include "algos/ppo/policy/policy_bundle.h"

#include <stdexcept>

namespace orch::ppo {

std::string ConditionalMaskKey(const envs::ActionSpec& action) {
  return action.HasConditionalMask() ? action.conditional_head + "|" + action.condition_head
                                     : std::string();
}

HeadTensors SplitMasks(const envs::ActionSpec& action, const at::Tensor& rows) {
  HeadTensors masks;
  int64_t offset = 0;
  for (int head = 0; head < action.num_heads(); ++head) {
    masks[action.head_names[head]] = rows.narrow(-1, offset, action.head_sizes[head]);
    offset += action.head_sizes[head];
  }
  if (action.HasConditionalMask()) {
    masks[ConditionalMaskKey(action)] = rows.narrow(-1, offset, action.conditional_mask_size());
  }
  return masks;
}

at::Tensor ConditionalMask(const envs::ActionSpec& action, const HeadTensors& masks,
                           const at::Tensor& condition) {
  // a handle, not a reference: the key is a temporary (GCC 14 warns of a dangling reference)
  const at::Tensor block = MaskOf(masks, ConditionalMaskKey(action));
  if (!action.HasConditionalMask() || !block.defined()) return {};
  const int64_t size = action.head_sizes[action.HeadIndex(action.conditional_head)];
  auto sizes = block.sizes().vec();
  sizes.back() = block.size(-1) / size;
  sizes.push_back(size);
  // the row of each choice: [..., C, n] gathered at condition -> [..., n]
  auto index_sizes = condition.sizes().vec();
  index_sizes.push_back(1);
  index_sizes.push_back(size);
  const at::Tensor index = condition.unsqueeze(-1).unsqueeze(-1).expand(index_sizes);
  const at::Tensor row = block.reshape(sizes).gather(-2, index).squeeze(-2);
  const at::Tensor& own = MaskOf(masks, action.conditional_head);
  return own.defined() ? row.logical_and(own) : row;
}

void PolicyBundle::Compile(const std::string& mode) {
  if (mode != "off") {
    throw std::invalid_argument("ppo.policy.compile_mode '" + mode +
                                "': LibTorch 1.13 has no graph compiler; only 'off' is available");
  }
}

HeadTensors PolicyBundle::GetQValues(const at::Tensor&, const RecurrentState&) {
  throw std::logic_error("the '" + type() +
                         "' policy bundle is on-policy: GetQValues is not available");
}

void PolicyBundle::SyncFrom(const PolicyBundle&, double) {
  throw std::logic_error("the '" + type() +
                         "' policy bundle is on-policy: SyncFrom (target networks) is not "
                         "available");
}

}  // namespace orch::ppo
