// src/envs/invalid_action.h: MaskablePPO's masked identity task, InvalidActionEnvDiscrete of
// SB3-contrib, and its multi-discrete variant (ppo-policy.md §6.2, §8).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envs/env.h"
#include "envs/env_options.h"
#include "rl/seeding.h"

namespace orch::envs {

/// Each head has a hidden state in [0, dim), observed as its one-hot (the heads' one-hots
/// concatenated: obs_dim = dim * num_heads). Reward 1 per head whose action equals its state.
/// After every step (and at Reset) each head draws a new state and a new mask: num_invalid of
/// the choices other than the state, uniformly without replacement, are invalid, so the correct
/// action is always valid. A masked action throws. Truncated (never terminated) after
/// episode_length steps. Heads are named "action" (one head) or "head0", "head1", ...
class InvalidActionEnv final : public Env {
 public:
  /// Throws OrchError naming the key for dim < 1, num_invalid outside [0, dim), episode_length
  /// < 1, num_heads < 1, or an observation too large for an int.
  InvalidActionEnv(const InvalidActionOptions& options, uint64_t run_seed,
                   std::string_view stream_name = "env");

  const std::string& name() const override { return options_.name; }
  int obs_dim() const override { return dim_ * num_heads_; }
  const ActionSpec& action_spec() const override { return spec_; }
  int64_t max_episode_steps() const override { return options_.episode_length; }

  void Reset(std::span<float> obs) override;
  StepResult Step(const Action& action, std::span<float> obs) override;
  void WriteMasks(std::span<uint8_t> masks) const override;

  std::string SaveState() const override;
  void LoadState(const std::string& state) override;

  /// The correct action of each head for the next step.
  const std::vector<int64_t>& states() const { return states_; }

 private:
  /// Draws every head's new state and mask.
  void DrawNext();
  void WriteObs(std::span<float> obs) const;

  InvalidActionOptions options_;
  int dim_ = 0;
  int num_heads_ = 0;
  ActionSpec spec_;
  rl::RandomStream stream_;
  std::vector<int64_t> states_;
  std::vector<uint8_t> masks_;  ///< laid out as WriteMasks
  int64_t steps_ = 0;
  bool in_episode_ = false;
};

}  // namespace orch::envs
