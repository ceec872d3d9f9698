// src/envs/controlled_pendulum.h: the TAM notes' pendulum with two dynamics regimes (tam.md §9).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "envs/env.h"
#include "envs/env_options.h"
#include "rl/seeding.h"

namespace orch::envs {

/// A damped pendulum whose actuator and physics change with a binary regime: regime 0 is the
/// plain pendulum, regime 1 has stronger gravity and friction and a dead-zoned, sign-flipped,
/// amplified actuator. State (theta, omega) in double; theta = 0 hangs down. There is no reward
/// and no termination: TAM predicts trajectories, it does not maximise a return.
///
/// Randomness comes from two streams derived from the run seed, one for the state noise and one
/// for the per-step regime flips, so that each is reproducible on its own.
///
/// As an Env: observation (theta, omega), one continuous action in [-max_action, max_action],
/// reward 0, no ending of its own (TAM decides each episode's horizon).
class ControlledPendulumEnv : public Env {
 public:
  /// (theta, omega).
  using State = std::array<double, 2>;

  ControlledPendulumEnv(const ControlledPendulumOptions& options, uint64_t run_seed);

  /// Puts the pendulum at (reset_theta, reset_omega) in regime 0. The streams keep going.
  void Reset();

  // the Env interface
  const std::string& name() const override { return options_.name; }
  int obs_dim() const override { return 2; }
  const ActionSpec& action_spec() const override { return action_spec_; }
  int64_t max_episode_steps() const override { return 0; }
  void Reset(std::span<float> obs) override;
  StepResult Step(const Action& action, std::span<float> obs) override;

  /// The regime episode `episode_index` starts in: (episode_index / regime_block) mod 2.
  int ScheduledRegime(int64_t episode_index) const;

  /// Sets the regime to the scheduled one of `episode_index` (the state is kept: the env is not
  /// reset between episodes).
  void BeginEpisode(int64_t episode_index);

  /// One control step: with switch_mid_episode, first flips the regime with switch_prob; then
  /// applies `action` (clipped to +-max_action) under the current regime, integrates one
  /// semi-implicit Euler step and adds Gaussian noise to theta and omega. Returns the new state.
  const State& Step(double action);

  /// The action that reaches the joint in `regime`: clipped, then (regime 1) dead-zoned,
  /// sign-flipped and scaled by gain_regime1.
  double EffectiveAction(int regime, double action) const;

  /// The noiseless successor of `state` under `regime` and `action` (no regime flip).
  State Integrate(const State& state, int regime, double action) const;

  const State& state() const { return state_; }
  void set_state(const State& state) { state_ = state; }
  int regime() const { return regime_; }
  void set_regime(int regime) { regime_ = regime; }
  const ControlledPendulumOptions& options() const { return options_; }

  /// State, regime and both stream states as text that LoadState restores exactly.
  std::string SaveState() const override;
  /// Throws std::runtime_error when `text` is not a SaveState output.
  void LoadState(const std::string& text) override;

 private:
  ControlledPendulumOptions options_;
  ActionSpec action_spec_;
  State state_{};
  int regime_ = 0;
  rl::RandomStream noise_;
  rl::RandomStream flips_;
};

}  // namespace orch::envs
