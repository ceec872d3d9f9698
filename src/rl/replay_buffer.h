// src/rl/replay_buffer.h: TD-MPC2's replay of whole episodes, sampled as windows of
// horizon + 1 consecutive observations that never cross an episode (tdmpc2.md §8, decision D8).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "rl/seeding.h"

namespace orch::rl {

/// One episode: observations o_0 .. o_n, and the n transitions between them (action a_i taken
/// at o_i earned reward r_i and led to o_{i+1}). TD-MPC2 stores it as n + 1 entries: the reset
/// observation (no action, no reward), then one entry per transition.
struct Episode {
  std::vector<float> obs;      ///< (n + 1) · obs_dim
  std::vector<float> actions;  ///< n · action_dim
  std::vector<float> rewards;  ///< n
  int64_t transitions() const { return static_cast<int64_t>(rewards.size()); }
};

class EpisodeReplayBuffer {
 public:
  /// At most `capacity` entries (an episode of n transitions takes n + 1); when full, whole
  /// episodes leave, oldest first.
  EpisodeReplayBuffer(int64_t capacity, int64_t obs_dim, int64_t action_dim);

  /// Stores an episode; throws std::invalid_argument when its arrays do not fit together.
  void Add(Episode episode);

  int64_t entries() const { return entries_; }
  int64_t episodes() const { return static_cast<int64_t>(episodes_.size()); }
  /// Windows of horizon + 1 entries inside one episode: n - horizon + 1 per episode.
  int64_t Windows(int64_t horizon) const;

  /// `batch` windows drawn uniformly over all windows, written time-major:
  /// obs [horizon + 1][batch][obs_dim], action [horizon][batch][action_dim],
  /// reward [horizon][batch]. Requires Windows(horizon) > 0.
  void Sample(int64_t batch, int64_t horizon, rl::RandomStream& random, float* obs, float* action,
              float* reward) const;

  /// Every stored float, exactly, for checkpoints.
  std::string Serialize() const;
  /// Restores a Serialize() output; throws std::runtime_error on a malformed one.
  void Deserialize(const std::string& bytes);

 private:
  int64_t capacity_;
  int64_t obs_dim_;
  int64_t action_dim_;
  int64_t entries_ = 0;
  std::deque<Episode> episodes_;
};

}  // namespace orch::rl
