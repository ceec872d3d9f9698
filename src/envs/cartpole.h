// src/envs/cartpole.h: Gymnasium's CartPole-v1, and its velocity-hidden variant (ppo-policy.md
// §6.3, §8).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "envs/env.h"
#include "envs/env_options.h"
#include "rl/seeding.h"

namespace orch::envs {

/// A pole on a cart, pushed left or right with a fixed force: Gymnasium's CartPole-v1 with its
/// constants and explicit Euler integration, the state in double as Gymnasium keeps it in
/// float64. Reward 1 on every step, the terminating one included; terminated when |x| > 2.4 or
/// |theta| > 12 degrees; truncated after max_episode_steps. Observation (x, x_dot, theta,
/// theta_dot) as float32, or (x, theta) with hide_velocity. One unmasked head "action": 0 pushes
/// left, 1 right.
class CartPoleEnv final : public Env {
 public:
  /// (x, x_dot, theta, theta_dot).
  using State = std::array<double, 4>;

  static constexpr double kGravity = 9.8;
  static constexpr double kMassCart = 1.0;
  static constexpr double kMassPole = 0.1;
  static constexpr double kTotalMass = kMassCart + kMassPole;
  static constexpr double kLength = 0.5;  ///< half the pole's length
  static constexpr double kPoleMassLength = kMassPole * kLength;
  static constexpr double kForceMag = 10.0;
  static constexpr double kTau = 0.02;  ///< seconds per step
  static constexpr double kThetaThreshold = 12.0 * 2.0 * 3.141592653589793 / 360.0;
  static constexpr double kXThreshold = 2.4;

  /// Throws OrchError naming the key when max_episode_steps < 1.
  CartPoleEnv(const CartPoleOptions& options, uint64_t run_seed,
              std::string_view stream_name = "env");

  const std::string& name() const override { return options_.name; }
  int obs_dim() const override { return options_.hide_velocity ? 2 : 4; }
  const ActionSpec& action_spec() const override { return spec_; }
  int64_t max_episode_steps() const override { return options_.max_episode_steps; }

  /// Each state value uniform in [-0.05, 0.05).
  void Reset(std::span<float> obs) override;
  StepResult Step(const Action& action, std::span<float> obs) override;

  std::string SaveState() const override;
  void LoadState(const std::string& state) override;

  const State& state() const { return state_; }
  /// Overrides the physics state (tests); the episode and step count are kept.
  void set_state(const State& state) { state_ = state; }
  int64_t steps() const { return steps_; }

 private:
  void WriteObs(std::span<float> obs) const;

  CartPoleOptions options_;
  ActionSpec spec_;
  rl::RandomStream stream_;
  State state_{};
  int64_t steps_ = 0;
  bool in_episode_ = false;
};

}  // namespace orch::envs
