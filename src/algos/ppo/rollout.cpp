// src/algos/ppo/rollout.cpp
#include "algos/ppo/rollout.h"

#include <ATen/ATen.h>

namespace orch::ppo {

Rollout::Rollout(int64_t steps_in, int64_t envs_in, int64_t obs_dim,
                 const envs::ActionSpec& action_spec)
    : steps(steps_in), envs(envs_in) {
  const auto f32 = at::TensorOptions().dtype(at::kFloat);
  const auto i64 = at::TensorOptions().dtype(at::kLong);
  const auto flag = at::TensorOptions().dtype(at::kBool);
  obs = at::zeros({steps, envs, obs_dim}, f32);
  starts = at::zeros({steps, envs}, flag);
  values = at::zeros({steps, envs}, f32);
  rewards = at::zeros({steps, envs}, f32);
  ends = at::zeros({steps, envs}, flag);
  advantages = at::zeros({steps, envs}, f32);
  returns = at::zeros({steps, envs}, f32);
  if (action_spec.IsContinuous()) {
    action["action"] = at::zeros({steps, envs, action_spec.dim}, f32);
    log_prob["action"] = at::zeros({steps, envs}, f32);
    return;
  }
  for (int head = 0; head < action_spec.num_heads(); ++head) {
    const std::string& name = action_spec.head_names[head];
    action[name] = at::zeros({steps, envs}, i64);
    log_prob[name] = at::zeros({steps, envs}, f32);
    relevance[name] = at::ones({steps, envs}, flag);
    if (action_spec.masked) {
      masks[name] = at::ones({steps, envs, action_spec.head_sizes[head]}, flag);
    }
  }
  if (action_spec.masked && action_spec.HasConditionalMask()) {
    masks[ConditionalMaskKey(action_spec)] =
        at::ones({steps, envs, action_spec.conditional_mask_size()}, flag);
  }
}

}  // namespace orch::ppo
