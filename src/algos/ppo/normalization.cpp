// src/algos/ppo/normalization.cpp
#include "algos/ppo/normalization.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orch::ppo {
namespace {

constexpr double kPriorCount = 1e-4;  // Gymnasium's RunningMeanStd epsilon
constexpr double kVarEpsilon = 1e-8;  // the wrappers' epsilon under the square root

}  // namespace

RunningMeanStd::RunningMeanStd(int64_t dim)
    : mean_(static_cast<size_t>(dim), 0.0),
      var_(static_cast<size_t>(dim), 1.0),
      count_(kPriorCount) {}

void RunningMeanStd::Update(std::span<const double> batch) {
  const size_t dim = mean_.size();
  const size_t rows = batch.size() / dim;
  if (rows == 0 || batch.size() % dim != 0) {
    throw std::invalid_argument("RunningMeanStd::Update: not a whole number of rows");
  }
  const double batch_count = static_cast<double>(rows);
  const double total = count_ + batch_count;
  for (size_t j = 0; j < dim; ++j) {
    double batch_mean = 0.0;
    for (size_t i = 0; i < rows; ++i) batch_mean += batch[i * dim + j];
    batch_mean /= batch_count;
    double batch_var = 0.0;
    for (size_t i = 0; i < rows; ++i) {
      const double deviation = batch[i * dim + j] - batch_mean;
      batch_var += deviation * deviation;
    }
    batch_var /= batch_count;
    const double delta = batch_mean - mean_[j];
    const double m2 =
        var_[j] * count_ + batch_var * batch_count + delta * delta * count_ * batch_count / total;
    mean_[j] += delta * batch_count / total;
    var_[j] = m2 / total;
  }
  count_ = total;
}

void RunningMeanStd::Restore(std::vector<double> mean, std::vector<double> var, double count) {
  if (mean.size() != mean_.size() || var.size() != var_.size()) {
    throw std::runtime_error("normalisation statistics of another size");
  }
  mean_ = std::move(mean);
  var_ = std::move(var);
  count_ = count;
}

ObservationNormalizer::ObservationNormalizer(int64_t obs_dim, double clip)
    : stats_(obs_dim), clip_(clip) {}

void ObservationNormalizer::UpdateAndNormalize(std::span<float> batch) {
  const std::vector<double> values(batch.begin(), batch.end());
  stats_.Update(values);
  Normalize(batch);
}

void ObservationNormalizer::Normalize(std::span<float> batch) const {
  const size_t dim = stats_.mean().size();
  for (size_t i = 0; i < batch.size(); ++i) {
    const size_t j = i % dim;
    const double normalised =
        (batch[i] - stats_.mean()[j]) / std::sqrt(stats_.var()[j] + kVarEpsilon);
    batch[i] = static_cast<float>(std::clamp(normalised, -clip_, clip_));
  }
}

RewardScaler::RewardScaler(int64_t num_envs, double gamma, double clip)
    : stats_(1), returns_(static_cast<size_t>(num_envs), 0.0), gamma_(gamma), clip_(clip) {}

void RewardScaler::Scale(std::span<float> rewards, std::span<const uint8_t> terminated) {
  for (size_t env = 0; env < returns_.size(); ++env) {
    returns_[env] = returns_[env] * gamma_ * (terminated[env] ? 0.0 : 1.0) + rewards[env];
  }
  stats_.Update(returns_);
  const double divisor = this->divisor();
  for (float& reward : rewards) {
    reward = static_cast<float>(std::clamp(reward / divisor, -clip_, clip_));
  }
}

double RewardScaler::divisor() const { return std::sqrt(stats_.var()[0] + kVarEpsilon); }

}  // namespace orch::ppo
