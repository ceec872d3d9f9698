// src/envs/env_checks.h: the argument checks every Env's Reset and Step share (env.h lists them).
// Internal to src/envs. Each throws std::runtime_error naming the env.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "envs/env.h"

namespace orch::envs {

/// Throws unless obs.size() == obs_dim.
void CheckObsSize(const std::string& env_name, std::span<const float> obs, int obs_dim);

/// Throws unless a step is allowed now (after Reset, before an ending).
void CheckInEpisode(const std::string& env_name, bool in_episode);

/// Throws unless `action` has one index per head, each inside its head, and (with `masks`
/// non-empty, laid out as Env::WriteMasks) each index valid under the masks.
void CheckDiscreteAction(const std::string& env_name, const ActionSpec& spec, const Action& action,
                         std::span<const uint8_t> masks = {});

/// Throws unless `action` has spec.dim finite floats.
void CheckContinuousAction(const std::string& env_name, const ActionSpec& spec,
                           const Action& action);

}  // namespace orch::envs
