// src/envs/pendulum_v1.cpp
#include "envs/pendulum_v1.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "common/error.h"
#include "envs/env_checks.h"
#include "envs/state_text.h"

namespace orch::envs {
namespace {

constexpr char kStateTag[] = "pendulum-v1-state-v1";

void RequirePositive(const char* key, double value) {
  if (!(value > 0.0)) {
    throw OrchError(std::string("env.") + key + ": must be positive, got " + std::to_string(value));
  }
}

}  // namespace

double AngleNormalize(double x) {
  // Python's % is a floored mod: the result has the sign of the divisor
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  double wrapped = std::fmod(x + std::numbers::pi, kTwoPi);
  if (wrapped < 0.0) wrapped += kTwoPi;
  return wrapped - std::numbers::pi;
}

PendulumEnv::PendulumEnv(const PendulumOptions& options, uint64_t run_seed,
                         std::string_view stream_name)
    : options_(options), stream_(run_seed, stream_name) {
  if (options_.max_episode_steps < 1) {
    throw OrchError("env.max_episode_steps: must be at least 1, got " +
                    std::to_string(options_.max_episode_steps));
  }
  RequirePositive("max_speed", options_.max_speed);
  RequirePositive("max_torque", options_.max_torque);
  RequirePositive("dt", options_.dt);
  RequirePositive("gravity", options_.gravity);
  RequirePositive("mass", options_.mass);
  RequirePositive("length", options_.length);
  spec_.kind = ActionSpec::Kind::kContinuous;
  spec_.dim = 1;
  spec_.low = {-options_.max_torque};
  spec_.high = {options_.max_torque};
}

void PendulumEnv::Reset(std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  // Gymnasium: uniform(low=-high, high=high) with high = (pi, 1)
  const double theta = std::numbers::pi * (2.0 * stream_.Uniform() - 1.0);
  const double theta_dot = 2.0 * stream_.Uniform() - 1.0;
  state_ = {theta, theta_dot};
  steps_ = 0;
  in_episode_ = true;
  WriteObs(obs);
}

StepResult PendulumEnv::Step(const Action& action, std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  CheckInEpisode(name(), in_episode_);
  CheckContinuousAction(name(), spec_, action);

  const auto [theta, theta_dot] = state_;
  const double g = options_.gravity, m = options_.mass, l = options_.length, dt = options_.dt;
  const double u = std::clamp(static_cast<double>(action.continuous[0]), -options_.max_torque,
                              options_.max_torque);

  // the cost is taken on the state before the step
  const double norm_theta = AngleNormalize(theta);
  const double cost = norm_theta * norm_theta + 0.1 * theta_dot * theta_dot + 0.001 * u * u;

  // the new velocity (clipped) moves the angle
  double new_theta_dot =
      theta_dot + (3.0 * g / (2.0 * l) * std::sin(theta) + 3.0 / (m * l * l) * u) * dt;
  new_theta_dot = std::clamp(new_theta_dot, -options_.max_speed, options_.max_speed);
  const double new_theta = theta + new_theta_dot * dt;
  state_ = {new_theta, new_theta_dot};
  ++steps_;

  StepResult result;
  result.reward = -cost;
  result.truncated = steps_ >= options_.max_episode_steps;
  in_episode_ = !result.truncated;
  WriteObs(obs);
  return result;
}

void PendulumEnv::WriteObs(std::span<float> obs) const {
  obs[0] = static_cast<float>(std::cos(state_[0]));
  obs[1] = static_cast<float>(std::sin(state_[0]));
  obs[2] = static_cast<float>(state_[1]);
}

std::string PendulumEnv::SaveState() const {
  StateWriter writer(kStateTag);
  writer.Double(state_[0]).Double(state_[1]).Int(steps_).Int(in_episode_ ? 1 : 0).Stream(stream_);
  return writer.str();
}

void PendulumEnv::LoadState(const std::string& text) {
  StateReader reader(text, kStateTag, name());
  const double theta = reader.Double();
  const double theta_dot = reader.Double();
  const int64_t steps = reader.Int(0, options_.max_episode_steps);
  const bool in_episode = reader.Int(0, 1) == 1;
  const std::string stream = reader.Stream();
  reader.Finish();
  state_ = {theta, theta_dot};
  steps_ = steps;
  in_episode_ = in_episode;
  stream_.LoadState(stream);
}

}  // namespace orch::envs
