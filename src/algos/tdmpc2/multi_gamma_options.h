// src/algos/tdmpc2/multi_gamma_options.h: multi-discount auxiliary value heads (`multi_gamma.*`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "config/node.h"
#include "config/schema.h"

namespace orch::tdmpc2 {

/// The research extension of tdmpc2.md §17: auxiliary value heads at extra discounts that only
/// shape the world model (never the planner or the policy prior).
struct MultiGammaOptions {
  bool enabled = false;          ///< false: pure baseline, gammas ignored
  std::vector<double> gammas;    ///< gammas[0] = the primary discount, then up to 5 auxiliary
  std::string head = "joint";    ///< joint: one Linear latent → K x bins; separate: K Linears
  double loss_weight = 0.5;      ///< weight of EACH auxiliary gamma's cross-entropy
  bool debug_logging = false;    ///< richer snapshots at eval_freq
  int64_t log_num_examples = 8;  ///< examples per debug snapshot
};

/// The word that stands for the primary discount inside `multi_gamma.gammas`, so that one sweep
/// file serves tasks with different episode lengths: `gammas: [primary, 0.97, 0.995]`.
inline constexpr const char* kPrimaryGammaKeyword = "primary";

/// At most this many discounts (the primary and 5 auxiliary ones).
inline constexpr size_t kMaxGammas = 6;

/// gammas[0] must equal the primary discount within this tolerance.
inline constexpr double kPrimaryGammaTolerance = 1e-6;

/// The schema of `multi_gamma.*`. The rules that need the primary discount run on the whole
/// config (CheckMultiGamma), since the discount comes from the env and tdmpc2 sections.
const config::Schema& MultiGammaSchema();

/// The multi_gamma rules of tdmpc2.md §17.2 on a validated config: replaces the `primary`
/// keyword by the primary discount; when enabled: empty gammas → error, one gamma → warning
/// (treated as baseline), gammas[0] != primary (within 1e-6) → error naming both values and
/// the derivation, duplicate gammas → warning.
void CheckMultiGamma(config::Node& root, Diagnostics& diagnostics);

/// True when the auxiliary heads exist: enabled with at least two discounts.
bool AuxiliaryHeadsActive(const MultiGammaOptions& options);

}  // namespace orch::tdmpc2
