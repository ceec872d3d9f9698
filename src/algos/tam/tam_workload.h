// src/algos/tam/tam_workload.h: the `tam` workload: trains the TAM agent episode by episode,
// logs every history key, checkpoints, resumes, and reports the acceptance numbers at the end.
#pragma once

#include <cstdint>
#include <memory>

#include "algos/tam/tam_options.h"
#include "config/node.h"
#include "envs/env_options.h"
#include "rl/workload.h"

namespace orch::tam {

/// One TAM run (tam.md): `episodes` episodes of one update each on the controlled pendulum.
/// Metrics use the 0-based episode index as their step. Writes analysis.json, zmap.csv and
/// trail.csv into the run directory at the end.
class TamWorkload : public rl::Workload {
 public:
  TamWorkload(const TamOptions& options, const envs::ControlledPendulumOptions& env_options);

  /// Binds `tam` and `env` of a validated config (the seed comes from the run context). Throws
  /// std::invalid_argument when `env` is not the controlled pendulum.
  static std::unique_ptr<TamWorkload> FromConfig(const config::Node& config);

  /// Trains from scratch, or from context.resume_from; checkpoints every checkpoint_every
  /// episodes, when stopped, and at the end. Throws std::runtime_error when the run fails.
  rl::WorkloadOutcome Run(rl::RunContext& context) override;

 private:
  TamOptions options_;
  envs::ControlledPendulumOptions env_options_;
};

/// Registers the `tam` workload (called through the algorithm list, algos/algorithm_list.h).
void RegisterWorkload(rl::WorkloadRegistry& registry);

}  // namespace orch::tam
