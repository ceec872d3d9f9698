// src/algos/ppo/normalization.h: observation normalisation and reward scaling of the training
// envs (`ppo.norm_obs`, `ppo.norm_reward`), as Gymnasium's NormalizeObservation and
// NormalizeReward followed by CleanRL's clips (ppo_continuous_action.py), so that runs compare
// with the published continuous-control PPO numbers. Plain C++: the statistics are doubles, as
// Gymnasium's numpy arrays are.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace orch::ppo {

/// Running mean and (population) variance of a stream of vectors, merged batch by batch with
/// Chan, Golub and LeVeque's parallel update, as Gymnasium's RunningMeanStd: the stream starts as
/// a pseudo-sample of weight 1e-4 at mean 0 and variance 1, so a first batch of one row is no
/// division by zero.
class RunningMeanStd {
 public:
  explicit RunningMeanStd(int64_t dim);

  /// Merges a batch of rows of dim() values each (row-major; at least one row).
  void Update(std::span<const double> batch);

  int64_t dim() const { return static_cast<int64_t>(mean_.size()); }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& var() const { return var_; }
  double count() const { return count_; }
  /// Restores a saved state (a checkpoint); the sizes must be dim().
  void Restore(std::vector<double> mean, std::vector<double> var, double count);

 private:
  std::vector<double> mean_;
  std::vector<double> var_;
  double count_;
};

/// (obs - mean) / sqrt(var + 1e-8), clipped to +-clip, with the statistics of every training
/// observation so far (each env's after a reset included).
class ObservationNormalizer {
 public:
  ObservationNormalizer(int64_t obs_dim, double clip);

  /// Merges `batch` (rows of obs_dim) into the statistics, then normalises it in place.
  void UpdateAndNormalize(std::span<float> batch);
  /// Normalises in place with the statistics as they are: evaluation episodes and a truncated
  /// episode's final observation add nothing to them.
  void Normalize(std::span<float> batch) const;

  RunningMeanStd& stats() { return stats_; }
  const RunningMeanStd& stats() const { return stats_; }

 private:
  RunningMeanStd stats_;
  double clip_;
};

/// Rewards divided by the running standard deviation of each env's discounted return, clipped
/// to +-clip. As in Gymnasium, an env's return restarts only on termination, and with the
/// terminating step's own reward (return = return * gamma * (1 - terminated) + reward).
class RewardScaler {
 public:
  RewardScaler(int64_t num_envs, double gamma, double clip);

  /// Updates the returns and their statistics with one step of every env, then scales
  /// `rewards` in place.
  void Scale(std::span<float> rewards, std::span<const uint8_t> terminated);
  /// The divisor the last Scale used: sqrt(var + 1e-8) of the returns.
  double divisor() const;

  RunningMeanStd& stats() { return stats_; }
  const RunningMeanStd& stats() const { return stats_; }
  std::vector<double>& returns() { return returns_; }
  const std::vector<double>& returns() const { return returns_; }

 private:
  RunningMeanStd stats_;
  std::vector<double> returns_;
  double gamma_;
  double clip_;
};

}  // namespace orch::ppo
