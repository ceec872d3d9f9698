// src/envs/env_registry.cpp
#include "envs/env_registry.h"

#include <functional>
#include <type_traits>
#include <utility>

#include "common/error.h"
#include "config/schema.h"
#include "envs/cartpole.h"
#include "envs/controlled_pendulum.h"
#include "envs/dmc_tasks.h"
#include "envs/env_list.h"
#include "envs/env_options.h"
#include "envs/invalid_action.h"
#include "envs/pendulum_v1.h"
#include "envs/seed_garden.h"

namespace orch::envs {
namespace {

using Factory = std::function<std::unique_ptr<Env>(const config::Node& section, uint64_t seed,
                                                   std::string_view stream)>;

/// `make` of a plain env: its constructor. The controlled pendulum takes no stream name (it
/// names its two streams itself, env/noise, ...).
template <typename EnvType, typename Options>
std::unique_ptr<Env> Construct(const Options& options, uint64_t seed, std::string_view stream) {
  if constexpr (std::is_constructible_v<EnvType, const Options&, uint64_t, std::string_view>) {
    return std::make_unique<EnvType>(options, seed, stream);
  } else {
    return std::make_unique<EnvType>(options, seed);
  }
}

/// The list (env_list.h), each env bound from its section by its schema.
const std::vector<std::pair<std::string, Factory>>& Registry() {
#define ORCH_ENV_FACTORY(name, Options, schema, make)                                           \
  {name, [](const config::Node& section, uint64_t seed, std::string_view stream) {              \
     return std::unique_ptr<Env>(make(config::Bind<Options>(schema(), section), seed, stream)); \
   }},
  static const std::vector<std::pair<std::string, Factory>> registry = {
      ORCH_ENVS(ORCH_ENV_FACTORY)};
#undef ORCH_ENV_FACTORY
  return registry;
}

}  // namespace

std::unique_ptr<Env> MakeEnv(const config::Node& env_section, uint64_t run_seed,
                             std::string_view stream_name) {
  const config::Node* name = env_section.Find("name");
  const std::string text = name != nullptr && name->IsString() ? name->AsString() : "";
  for (const auto& [entry_name, factory] : Registry()) {
    if (entry_name == text) return factory(env_section, run_seed, stream_name);
  }
  throw RegistryError("env", text, EnvNames());
}

std::vector<std::string> EnvNames() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

}  // namespace orch::envs
