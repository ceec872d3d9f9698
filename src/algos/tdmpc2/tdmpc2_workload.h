// src/algos/tdmpc2/tdmpc2_workload.h: the `tdmpc2` workload: TD-MPC2's online training loop on a
// DMControl task (tdmpc2.md §8): seed steps with random actions, the pretraining burst, one
// update per agent step, evaluations on a fixed grid, checkpoints that resume exactly.
#pragma once

#include <cstdint>
#include <memory>

#include "algos/tdmpc2/multi_gamma_options.h"
#include "algos/tdmpc2/tdmpc2_options.h"
#include "config/node.h"
#include "envs/env_options.h"
#include "rl/workload.h"

namespace orch::tdmpc2 {

/// One TD-MPC2 run. Metrics use environment steps (agent steps × action_repeat) as their step
/// (decision D6). Evaluations run at agent steps 0, eval_freq, 2 eval_freq, ... (at the first
/// episode boundary at or after each) and at the end of training, so every curve has points at 0
/// and at the budget T (decision D11).
class TdMpc2Workload : public rl::Workload {
 public:
  TdMpc2Workload(const TdMpc2Options& options, const MultiGammaOptions& multi_gamma,
                 const envs::DmcTaskOptions& env_options);

  /// Binds `tdmpc2`, `multi_gamma` and `env` of a validated config (the seed comes from the run
  /// context).
  static std::unique_ptr<TdMpc2Workload> FromConfig(const config::Node& config);

  rl::WorkloadOutcome Run(rl::RunContext& context) override;

 private:
  TdMpc2Options options_;
  MultiGammaOptions multi_gamma_;
  envs::DmcTaskOptions env_options_;
};

/// Registers the `tdmpc2` workload (called through the algorithm list, algos/algorithm_list.h).
void RegisterWorkload(rl::WorkloadRegistry& registry);

}  // namespace orch::tdmpc2
