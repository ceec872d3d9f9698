// src/envs/vector_env.h: a batch of envs stepped together into contiguous buffers, with
// same-step autoreset (CleanRL's, Gymnasium's vector envs): a rollout sees one long stream of
// steps per env.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "envs/env.h"

namespace orch::envs {

/// N envs of one task. Observations, rewards, endings and masks go to caller buffers laid out
/// env by env ([num_envs, ...]). When an env's episode ends, it is reset within the same Step:
/// its observation row then holds the next episode's first observation, and the one it ended on
/// stays in final_obs() (a truncated episode's bootstrap value needs it).
class VectorEnv {
 public:
  /// Throws std::invalid_argument when `envs` is empty or their shapes differ.
  explicit VectorEnv(std::vector<std::unique_ptr<Env>> envs);

  int num_envs() const { return static_cast<int>(envs_.size()); }
  int obs_dim() const { return envs_.front()->obs_dim(); }
  const ActionSpec& action_spec() const { return envs_.front()->action_spec(); }
  Env& env(int index) { return *envs_[index]; }

  /// Starts an episode in every env; obs is [num_envs, obs_dim].
  void Reset(std::span<float> obs);
  /// One step of every env. `discrete` [num_envs, num_heads] for discrete actions, `continuous`
  /// [num_envs, dim] for continuous ones (the other span empty). Writes obs [num_envs,
  /// obs_dim], rewards, terminated and truncated [num_envs].
  void Step(std::span<const int64_t> discrete, std::span<const float> continuous,
            std::span<float> obs, std::span<float> rewards, std::span<uint8_t> terminated,
            std::span<uint8_t> truncated);
  /// Every env's masks for its next step, [num_envs, mask_size].
  void WriteMasks(std::span<uint8_t> masks) const;
  /// Which heads each env's action used, [num_envs, num_heads] (Env::WriteHeadRelevance).
  void WriteHeadRelevance(std::span<const int64_t> discrete, std::span<uint8_t> relevant) const;

  /// The observation each env's last episode ended on, [num_envs, obs_dim]; a row is meaningful
  /// right after a Step that ended that env's episode.
  std::span<const float> final_obs() const { return final_obs_; }

  /// An episode that ended: which env, its undiscounted return and its length.
  struct Episode {
    int env = 0;
    double episode_return = 0.0;
    int64_t length = 0;
  };
  /// The episodes that ended since the last call, in the order they ended.
  std::vector<Episode> TakeFinishedEpisodes();

  /// Every env's state and the running returns and lengths, as text LoadState restores.
  std::string SaveState() const;
  /// Throws std::runtime_error for text that is not a SaveState of as many envs of this task.
  void LoadState(const std::string& state);

 private:
  std::vector<std::unique_ptr<Env>> envs_;
  std::vector<float> final_obs_;
  std::vector<double> running_return_;
  std::vector<int64_t> running_length_;
  std::vector<Episode> finished_;
};

}  // namespace orch::envs
