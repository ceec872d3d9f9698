// src/envs/controlled_pendulum.cpp
#include "envs/controlled_pendulum.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace orch::envs {
namespace {

constexpr char kStateTag[] = "controlled-pendulum-v1";

}  // namespace

ControlledPendulumEnv::ControlledPendulumEnv(const ControlledPendulumOptions& options,
                                             uint64_t run_seed)
    : options_(options), noise_(run_seed, "env/noise"), flips_(run_seed, "env/regime_flips") {
  action_spec_.kind = ActionSpec::Kind::kContinuous;
  action_spec_.dim = 1;
  action_spec_.low = {-options_.max_action};
  action_spec_.high = {options_.max_action};
  Reset();
}

void ControlledPendulumEnv::Reset() {
  state_ = {options_.reset_theta, options_.reset_omega};
  regime_ = 0;
}

void ControlledPendulumEnv::Reset(std::span<float> obs) {
  if (obs.size() != 2)
    throw std::runtime_error("controlled-pendulum: the observation has 2 floats");
  Reset();
  obs[0] = static_cast<float>(state_[0]);
  obs[1] = static_cast<float>(state_[1]);
}

StepResult ControlledPendulumEnv::Step(const Action& action, std::span<float> obs) {
  if (action.continuous.size() != 1 || obs.size() != 2) {
    throw std::runtime_error("controlled-pendulum: one action and 2 observation floats");
  }
  if (!std::isfinite(action.continuous[0])) {
    throw std::runtime_error("controlled-pendulum: the action is not finite");
  }
  const State& next = Step(static_cast<double>(action.continuous[0]));
  obs[0] = static_cast<float>(next[0]);
  obs[1] = static_cast<float>(next[1]);
  return {};
}

int ControlledPendulumEnv::ScheduledRegime(int64_t episode_index) const {
  return static_cast<int>((episode_index / options_.regime_block) % 2);
}

void ControlledPendulumEnv::BeginEpisode(int64_t episode_index) {
  regime_ = ScheduledRegime(episode_index);
}

double ControlledPendulumEnv::EffectiveAction(int regime, double action) const {
  double a = std::clamp(action, -options_.max_action, options_.max_action);
  if (regime == 0) return a;
  // regime 1: dead zone, then the sign flip, then the gain
  if (std::abs(a) < options_.dead_zone_regime1) a = 0.0;
  if (options_.invert_regime1) a = -a;
  return options_.gain_regime1 * a;
}

ControlledPendulumEnv::State ControlledPendulumEnv::Integrate(const State& state, int regime,
                                                              double action) const {
  const double gravity = regime == 0 ? options_.gravity : options_.gravity_regime1;
  const double friction = regime == 0 ? options_.friction : options_.friction_regime1;
  const auto [theta, omega] = state;
  const double acc =
      -gravity * std::sin(theta) - friction * omega + EffectiveAction(regime, action);
  // semi-implicit Euler: the new velocity moves the angle
  const double next_omega = omega + acc * options_.dt;
  const double next_theta = theta + next_omega * options_.dt;
  return {next_theta, next_omega};
}

const ControlledPendulumEnv::State& ControlledPendulumEnv::Step(double action) {
  // the regime may flip before the step
  if (options_.switch_mid_episode && flips_.Bernoulli(options_.switch_prob)) regime_ = 1 - regime_;
  state_ = Integrate(state_, regime_, action);
  // independent noise on theta, then omega
  state_[0] += noise_.Normal(0.0, options_.noise_std);
  state_[1] += noise_.Normal(0.0, options_.noise_std);
  return state_;
}

std::string ControlledPendulumEnv::SaveState() const {
  // doubles as their bit patterns, so the state reads back exactly
  std::ostringstream out;
  out << kStateTag << ' ' << std::bit_cast<uint64_t>(state_[0]) << ' '
      << std::bit_cast<uint64_t>(state_[1]) << ' ' << regime_ << '\n'
      << noise_.SaveState() << '\n'
      << flips_.SaveState() << '\n';
  return out.str();
}

void ControlledPendulumEnv::LoadState(const std::string& text) {
  std::istringstream in(text);
  std::string tag;
  uint64_t theta_bits = 0, omega_bits = 0;
  int regime = 0;
  in >> tag >> theta_bits >> omega_bits >> regime;
  std::string noise_state, flip_state;
  in.ignore(1);
  std::getline(in, noise_state);
  std::getline(in, flip_state);
  if (!in || tag != kStateTag || (regime != 0 && regime != 1) || noise_state.empty() ||
      flip_state.empty()) {
    throw std::runtime_error("controlled pendulum: not a saved env state");
  }
  state_ = {std::bit_cast<double>(theta_bits), std::bit_cast<double>(omega_bits)};
  regime_ = regime;
  noise_.LoadState(noise_state);
  flips_.LoadState(flip_state);
}

}  // namespace orch::envs
