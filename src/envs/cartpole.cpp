// src/envs/cartpole.cpp
#include "envs/cartpole.h"

#include <cmath>

#include "common/error.h"
#include "envs/env_checks.h"
#include "envs/state_text.h"

namespace orch::envs {
namespace {

constexpr char kStateTag[] = "cartpole-state-v1";

}  // namespace

CartPoleEnv::CartPoleEnv(const CartPoleOptions& options, uint64_t run_seed,
                         std::string_view stream_name)
    : options_(options), stream_(run_seed, stream_name) {
  if (options_.max_episode_steps < 1) {
    throw OrchError("env.max_episode_steps: must be at least 1, got " +
                    std::to_string(options_.max_episode_steps));
  }
  spec_.kind = ActionSpec::Kind::kDiscrete;
  spec_.head_names = {"action"};
  spec_.head_sizes = {2};
}

void CartPoleEnv::Reset(std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  // Gymnasium: uniform(low=-0.05, high=0.05) for each of the four values
  for (double& value : state_) value = -0.05 + 0.1 * stream_.Uniform();
  steps_ = 0;
  in_episode_ = true;
  WriteObs(obs);
}

StepResult CartPoleEnv::Step(const Action& action, std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  CheckInEpisode(name(), in_episode_);
  CheckDiscreteAction(name(), spec_, action);

  // Gymnasium's dynamics (Barto, Sutton and Anderson 1983), in its order of operations
  auto [x, x_dot, theta, theta_dot] = state_;
  const double force = action.discrete[0] == 1 ? kForceMag : -kForceMag;
  const double cos_theta = std::cos(theta);
  const double sin_theta = std::sin(theta);
  const double temp = (force + kPoleMassLength * theta_dot * theta_dot * sin_theta) / kTotalMass;
  const double theta_acc = (kGravity * sin_theta - cos_theta * temp) /
                           (kLength * (4.0 / 3.0 - kMassPole * cos_theta * cos_theta / kTotalMass));
  const double x_acc = temp - kPoleMassLength * theta_acc * cos_theta / kTotalMass;

  // explicit Euler: positions move with the old velocities
  x = x + kTau * x_dot;
  x_dot = x_dot + kTau * x_acc;
  theta = theta + kTau * theta_dot;
  theta_dot = theta_dot + kTau * theta_acc;
  state_ = {x, x_dot, theta, theta_dot};
  ++steps_;

  // reward 1 on every step, the terminating one included
  StepResult result;
  result.reward = 1.0;
  result.terminated =
      x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  result.truncated = !result.terminated && steps_ >= options_.max_episode_steps;
  in_episode_ = !result.terminated && !result.truncated;
  WriteObs(obs);
  return result;
}

void CartPoleEnv::WriteObs(std::span<float> obs) const {
  if (options_.hide_velocity) {
    obs[0] = static_cast<float>(state_[0]);
    obs[1] = static_cast<float>(state_[2]);
    return;
  }
  for (int idx = 0; idx < 4; ++idx) obs[idx] = static_cast<float>(state_[idx]);
}

std::string CartPoleEnv::SaveState() const {
  StateWriter writer(kStateTag);
  for (double value : state_) writer.Double(value);
  writer.Int(steps_).Int(in_episode_ ? 1 : 0).Stream(stream_);
  return writer.str();
}

void CartPoleEnv::LoadState(const std::string& text) {
  StateReader reader(text, kStateTag, name());
  State state;
  for (double& value : state) value = reader.Double();
  const int64_t steps = reader.Int(0, options_.max_episode_steps);
  const bool in_episode = reader.Int(0, 1) == 1;
  const std::string stream = reader.Stream();
  reader.Finish();
  state_ = state;
  steps_ = steps;
  in_episode_ = in_episode;
  stream_.LoadState(stream);
}

}  // namespace orch::envs
