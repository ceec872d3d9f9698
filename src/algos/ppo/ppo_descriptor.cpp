// src/algos/ppo/ppo_descriptor.cpp: PPO as the front end knows it (algos/algorithm.h).
#include "algos/algorithm.h"
#include "algos/ppo/ppo_options.h"

namespace orch::ppo {

const algos::AlgorithmDescriptor& Descriptor() {
  static const algos::AlgorithmDescriptor descriptor = [] {
    algos::AlgorithmDescriptor d;
    d.name = "ppo";
    d.description = "PPO with a registry-built PolicyBundle (MLP or factored masked LSTM)";
    d.example_config = "configs/ppo/cartpole.yaml";
    d.namespaces = {{"ppo", &PpoSchema()}};
    d.schema_pages = {{"ppo", &PpoSchema()}, {"ppo.policy", &PolicySchema()}};
    d.envs = {"cartpole", "pendulum", "invalid-action", "seed-garden"};
    d.rules = {CheckPolicyFitsEnv, CheckEntropyHeads};
    // whole updates only, as CleanRL counts them: total_steps / (num_envs x num_steps) rollouts
    d.budget = [](const config::Node& root) {
      const int64_t total = algos::IntAt(root, "ppo.total_steps");
      const int64_t rollout =
          algos::IntAt(root, "ppo.num_envs", 4) * algos::IntAt(root, "ppo.num_steps", 128);
      return rollout > 0 && total >= rollout ? total / rollout * rollout : total;
    };
    d.headline_metrics = {"eval/episode_return", "episode_return"};
    return d;
  }();
  return descriptor;
}

}  // namespace orch::ppo
