// src/envs/env_checks.cpp
#include "envs/env_checks.h"

#include <cmath>
#include <stdexcept>

namespace orch::envs {

void CheckObsSize(const std::string& env_name, std::span<const float> obs, int obs_dim) {
  if (obs.size() != static_cast<size_t>(obs_dim)) {
    throw std::runtime_error(env_name + ": observation span has " + std::to_string(obs.size()) +
                             " entries, obs_dim is " + std::to_string(obs_dim));
  }
}

void CheckInEpisode(const std::string& env_name, bool in_episode) {
  if (!in_episode) {
    throw std::runtime_error(env_name +
                             ": Step called outside an episode (call Reset first, and again "
                             "after an ending)");
  }
}

void CheckDiscreteAction(const std::string& env_name, const ActionSpec& spec, const Action& action,
                         std::span<const uint8_t> masks) {
  // one index per head
  if (action.discrete.size() != static_cast<size_t>(spec.num_heads())) {
    throw std::runtime_error(env_name + ": discrete action has " +
                             std::to_string(action.discrete.size()) + " indices, the env has " +
                             std::to_string(spec.num_heads()) + " heads");
  }
  // each inside its head and, when masked, valid
  int offset = 0;
  for (int head_idx = 0; head_idx < spec.num_heads(); ++head_idx) {
    const int64_t choice = action.discrete[head_idx];
    const int size = spec.head_sizes[head_idx];
    const std::string& head = spec.head_names[head_idx];
    if (choice < 0 || choice >= size) {
      throw std::runtime_error(env_name + ": action " + std::to_string(choice) + " of head '" +
                               head + "' is outside [0, " + std::to_string(size) + ")");
    }
    if (!masks.empty() && masks[offset + choice] == 0) {
      throw std::runtime_error(env_name + ": action " + std::to_string(choice) + " of head '" +
                               head + "' is masked");
    }
    offset += size;
  }
}

void CheckContinuousAction(const std::string& env_name, const ActionSpec& spec,
                           const Action& action) {
  if (action.continuous.size() != static_cast<size_t>(spec.dim)) {
    throw std::runtime_error(env_name + ": continuous action has " +
                             std::to_string(action.continuous.size()) + " floats, the env takes " +
                             std::to_string(spec.dim));
  }
  for (float value : action.continuous) {
    if (!std::isfinite(value)) {
      throw std::runtime_error(env_name + ": continuous action is not finite");
    }
  }
}

}  // namespace orch::envs
