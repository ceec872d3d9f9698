// src/envs/pendulum_v1.h: Gymnasium's Pendulum-v1 (ppo-policy.md §6.3).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "envs/env.h"
#include "envs/env_options.h"
#include "rl/seeding.h"

namespace orch::envs {

/// theta wrapped to [-pi, pi): ((x + pi) mod 2 pi) - pi with a floored mod, as Gymnasium's
/// angle_normalize.
double AngleNormalize(double x);

/// The inverted pendulum swing-up of Gymnasium's Pendulum-v1: theta = 0 is upright; the torque
/// is clipped to +-max_torque; reward -(angle_normalize(theta)^2 + 0.1 thetadot^2 + 0.001 u^2)
/// on the pre-step state; thetadot clipped to +-max_speed, then theta moves with the new
/// thetadot (semi-implicit Euler). Observation (cos theta, sin theta, thetadot) as float32.
/// Never terminates; truncates after max_episode_steps. Continuous action of dim 1 in
/// [-max_torque, max_torque].
class PendulumEnv final : public Env {
 public:
  /// (theta, thetadot).
  using State = std::array<double, 2>;

  /// Throws OrchError naming the key for a non-positive constant or max_episode_steps < 1.
  PendulumEnv(const PendulumOptions& options, uint64_t run_seed,
              std::string_view stream_name = "env");

  const std::string& name() const override { return options_.name; }
  int obs_dim() const override { return 3; }
  const ActionSpec& action_spec() const override { return spec_; }
  int64_t max_episode_steps() const override { return options_.max_episode_steps; }

  /// theta ~ U[-pi, pi), thetadot ~ U[-1, 1).
  void Reset(std::span<float> obs) override;
  StepResult Step(const Action& action, std::span<float> obs) override;

  std::string SaveState() const override;
  void LoadState(const std::string& state) override;

  const State& state() const { return state_; }
  /// Overrides the physics state (tests); the episode and step count are kept.
  void set_state(const State& state) { state_ = state; }

 private:
  void WriteObs(std::span<float> obs) const;

  PendulumOptions options_;
  ActionSpec spec_;
  rl::RandomStream stream_;
  State state_{};
  int64_t steps_ = 0;
  bool in_episode_ = false;
};

}  // namespace orch::envs
