// src/algos/ppo/ppo_workload.h: the `ppo` workload: builds the policy with the registry's
// factory, injects it into the PPO agent, and runs the training loop: vectorised rollouts with
// the masks and recurrent state sampling saw, GAE, updates, a deterministic evaluation,
// metrics, checkpoints and an exact resume.
#pragma once

#include <memory>

#include "algos/ppo/ppo_options.h"
#include "config/node.h"
#include "rl/workload.h"

namespace orch::ppo {

/// One PPO run. Metrics use environment steps (all envs) as their step: per update the losses
/// (`losses/*`), `charts/learning_rate` and `system/steps_per_second`; per finished training
/// episode `episode_return` and `episode_length`; per evaluation (every eval_every steps and at the
/// end) `eval/episode_return` (mean over eval_episodes deterministic episodes, the same episodes
/// each time) and `eval/episode_return_sd`; at the end `summary/episode_return_last20`.
/// Writes eval_returns.csv (every evaluation's per-episode returns) into the run directory.
class PpoWorkload : public rl::Workload {
 public:
  PpoWorkload(const PpoOptions& options, config::Node env_config);

  /// Binds `ppo` and keeps the `env` section (built by the env registry); the seed comes from
  /// the run context.
  static std::unique_ptr<PpoWorkload> FromConfig(const config::Node& config);

  /// Trains from scratch or from context.resume_from; checkpoints every checkpoint_every steps,
  /// when stopped, and at the end. Throws std::runtime_error when the run fails.
  rl::WorkloadOutcome Run(rl::RunContext& context) override;

 private:
  PpoOptions options_;
  config::Node env_config_;
};

/// Registers the `ppo` workload (called through the algorithm list, algos/algorithm_list.h).
void RegisterWorkload(rl::WorkloadRegistry& registry);

}  // namespace orch::ppo
