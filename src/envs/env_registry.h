// src/envs/env_registry.h: every environment by its name, built from its validated `env`
// section by the factories of the one list (env_list.h), whose names are also the `env`
// schema's variants (env_options.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/node.h"
#include "envs/env.h"

namespace orch::envs {

/// The env `env_section` names (its `name` key), with its options bound from the section and
/// its random streams derived from (run_seed, stream_name). Throws RegistryError listing the
/// known names for an unknown one, and OrchError for impossible options.
std::unique_ptr<Env> MakeEnv(const config::Node& env_section, uint64_t run_seed,
                             std::string_view stream_name = "env");

/// The names MakeEnv builds, in the order of the list.
std::vector<std::string> EnvNames();

}  // namespace orch::envs
