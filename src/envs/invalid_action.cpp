// src/envs/invalid_action.cpp
#include "envs/invalid_action.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "common/error.h"
#include "envs/env_checks.h"
#include "envs/state_text.h"

namespace orch::envs {
namespace {

constexpr char kStateTag[] = "invalid-action-state-v1";

}  // namespace

InvalidActionEnv::InvalidActionEnv(const InvalidActionOptions& options, uint64_t run_seed,
                                   std::string_view stream_name)
    : options_(options), stream_(run_seed, stream_name) {
  // options that leave no valid action or no observation
  constexpr int64_t kMaxObs = std::numeric_limits<int>::max();
  if (options_.dim < 1 || options_.dim > kMaxObs) {
    throw OrchError("env.dim: must be in [1, " + std::to_string(kMaxObs) + "], got " +
                    std::to_string(options_.dim));
  }
  if (options_.num_invalid < 0 || options_.num_invalid >= options_.dim) {
    throw OrchError("env.num_invalid: must be in [0, dim) so that a valid action remains (dim " +
                    std::to_string(options_.dim) + "), got " +
                    std::to_string(options_.num_invalid));
  }
  if (options_.episode_length < 1) {
    throw OrchError("env.episode_length: must be at least 1, got " +
                    std::to_string(options_.episode_length));
  }
  if (options_.num_heads < 1 || options_.num_heads > kMaxObs / options_.dim) {
    throw OrchError("env.num_heads: must be in [1, " + std::to_string(kMaxObs / options_.dim) +
                    "] (obs_dim = dim * num_heads), got " + std::to_string(options_.num_heads));
  }
  dim_ = static_cast<int>(options_.dim);
  num_heads_ = static_cast<int>(options_.num_heads);

  // one head "action", or head0, head1, ...
  spec_.kind = ActionSpec::Kind::kDiscrete;
  spec_.masked = true;
  spec_.head_names = InvalidActionHeadNames(num_heads_);
  spec_.head_sizes.assign(num_heads_, dim_);
  states_.assign(num_heads_, 0);
  masks_.assign(static_cast<size_t>(dim_) * num_heads_, 1);
}

void InvalidActionEnv::DrawNext() {
  std::vector<int> others;
  others.reserve(dim_);
  for (int head_idx = 0; head_idx < num_heads_; ++head_idx) {
    // the new state, then num_invalid of the other choices (a partial Fisher-Yates shuffle)
    const int state = static_cast<int>(stream_.Below(dim_));
    states_[head_idx] = state;
    others.clear();
    for (int choice = 0; choice < dim_; ++choice) {
      if (choice != state) others.push_back(choice);
    }
    uint8_t* mask = masks_.data() + static_cast<size_t>(head_idx) * dim_;
    std::fill(mask, mask + dim_, uint8_t{1});
    const int num_others = static_cast<int>(others.size());
    for (int pick = 0; pick < options_.num_invalid; ++pick) {
      const int swap = pick + static_cast<int>(stream_.Below(num_others - pick));
      std::swap(others[pick], others[swap]);
      mask[others[pick]] = 0;
    }
  }
}

void InvalidActionEnv::Reset(std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  DrawNext();
  steps_ = 0;
  in_episode_ = true;
  WriteObs(obs);
}

StepResult InvalidActionEnv::Step(const Action& action, std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  CheckInEpisode(name(), in_episode_);
  CheckDiscreteAction(name(), spec_, action, masks_);

  // 1 per head that named its state, then the next states and masks
  StepResult result;
  for (int head_idx = 0; head_idx < num_heads_; ++head_idx) {
    if (action.discrete[head_idx] == states_[head_idx]) result.reward += 1.0;
  }
  DrawNext();
  ++steps_;
  result.truncated = steps_ >= options_.episode_length;
  in_episode_ = !result.truncated;
  WriteObs(obs);
  return result;
}

void InvalidActionEnv::WriteMasks(std::span<uint8_t> masks) const {
  if (masks.size() != masks_.size()) {
    throw std::runtime_error(name() + ": mask span has " + std::to_string(masks.size()) +
                             " entries, the action spec needs " + std::to_string(masks_.size()));
  }
  std::copy(masks_.begin(), masks_.end(), masks.begin());
}

void InvalidActionEnv::WriteObs(std::span<float> obs) const {
  std::fill(obs.begin(), obs.end(), 0.0f);
  for (int head_idx = 0; head_idx < num_heads_; ++head_idx) {
    obs[static_cast<size_t>(head_idx) * dim_ + states_[head_idx]] = 1.0f;
  }
}

std::string InvalidActionEnv::SaveState() const {
  // the sizes first, so that another configuration's state is refused
  StateWriter writer(kStateTag);
  writer.Int(dim_).Int(num_heads_).Int(steps_).Int(in_episode_ ? 1 : 0);
  for (int64_t state : states_) writer.Int(state);
  for (uint8_t valid : masks_) writer.Int(valid);
  writer.Stream(stream_);
  return writer.str();
}

void InvalidActionEnv::LoadState(const std::string& text) {
  StateReader reader(text, kStateTag, name());
  if (reader.Int(dim_, dim_) != dim_ || reader.Int(num_heads_, num_heads_) != num_heads_) {
    reader.Fail("another dim or head count");
  }
  const int64_t steps = reader.Int(0, options_.episode_length);
  const bool in_episode = reader.Int(0, 1) == 1;
  std::vector<int64_t> states(num_heads_);
  for (int64_t& state : states) state = reader.Int(0, dim_ - 1);
  std::vector<uint8_t> masks(masks_.size());
  for (uint8_t& valid : masks) valid = static_cast<uint8_t>(reader.Int(0, 1));
  const std::string stream = reader.Stream();
  reader.Finish();
  states_ = std::move(states);
  masks_ = std::move(masks);
  steps_ = steps;
  in_episode_ = in_episode;
  stream_.LoadState(stream);
}

}  // namespace orch::envs
