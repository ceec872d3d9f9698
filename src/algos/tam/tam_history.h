// src/algos/tam/tam_history.h: one history row per TAM episode (tam.md §10, §12.5).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace orch::tam {

/// What one episode logs: every history key of the notes plus the z-memory keys (0 when the
/// memory is off). Names after the notes' keys.
struct EpisodeRecord {
  int64_t step = 0;           ///< 0-based episode index
  int64_t regime = 0;         ///< regime the episode started in
  double bind_success = 0;    ///< hard predicate: >= bind_success_frac of steps inside k sigma
  double avg_abs_action = 0;  ///< mean |a| of the executed actions
  int64_t horizon = 0;        ///< [T] sampled horizon
  double e_t = 0;             ///< [E_T] imagined expected horizon (weights with T = maxH)
  double e_t_train = 0;       ///< [E_T_train] expected horizon under the training weights
  double exp_nll = 0;         ///< halting-weighted NLL
  double cone_volume = 0;     ///< halting-weighted cone volume (the notes log it twice)
  double kl = 0;              ///< KL(q(z | s0) || N(0, I))
  double z_norm = 0;          ///< ||z|| of the sampled commitment
  double soft_bind = 0;       ///< halting-weighted soft bind rate
  double lambda_bind = 0;     ///< reliability multiplier after the update
  double lambda_t = 0;        ///< [lambda_T] compute multiplier after the update
  double cone_vol = 0;        ///< [cone_vol] = cone_volume
  double mem_loss = 0;        ///< w_mem * mem_risk
  double mem_risk = 0;        ///< kNN kernel risk of z (0 before min_records)
  int64_t mem_n = 0;          ///< records in the memory when the risk was taken
};

/// Number of metric keys of a row.
inline constexpr size_t kHistoryKeyCount = 18;

/// The metric keys in the notes' order: `step, regime, bind_success, ..., mem_n`.
const std::array<std::string_view, kHistoryKeyCount>& HistoryKeys();

/// The row's values in HistoryKeys() order (integers as doubles).
std::array<double, kHistoryKeyCount> HistoryValues(const EpisodeRecord& record);

/// The inverse of HistoryValues.
EpisodeRecord HistoryRecordFromValues(std::span<const double> values);

/// All rows of a run so far, and the sampled z of each episode (for the revisit trail and the
/// clustering check).
struct TamHistory {
  int64_t z_dim = 0;
  std::vector<EpisodeRecord> rows;
  std::vector<float> z_samples;  ///< rows.size() x z_dim, row-major

  /// The sampled z of episode `index`.
  std::span<const float> Z(size_t index) const {
    return {z_samples.data() + index * static_cast<size_t>(z_dim), static_cast<size_t>(z_dim)};
  }
};

}  // namespace orch::tam
