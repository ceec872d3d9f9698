// src/envs/env_registry.cpp
#include "envs/env_registry.h"

#include <functional>
#include <utility>

#include "common/error.h"
#include "config/schema.h"
#include "envs/cartpole.h"
#include "envs/controlled_pendulum.h"
#include "envs/dmc_env.h"
#include "envs/env_options.h"
#include "envs/invalid_action.h"
#include "envs/pendulum_v1.h"
#include "envs/seed_garden.h"

namespace orch::envs {
namespace {

using Factory = std::function<std::unique_ptr<Env>(const config::Node& section, uint64_t seed,
                                                   std::string_view stream)>;

/// An env whose constructor takes (options, run_seed, stream_name), bound by `schema`.
template <typename EnvType, typename Options>
Factory Plain(const config::Schema& schema) {
  return [&schema](const config::Node& section, uint64_t seed, std::string_view stream) {
    return std::make_unique<EnvType>(config::Bind<Options>(schema, section), seed, stream);
  };
}

/// The list: one line per env (the DMControl tasks share one factory).
const std::vector<std::pair<std::string, Factory>>& Registry() {
  static const std::vector<std::pair<std::string, Factory>> registry = [] {
    std::vector<std::pair<std::string, Factory>> entries;
    for (const auto& task : DmcTaskNames()) {
      entries.emplace_back(task,
                           [](const config::Node& section, uint64_t seed,
                              std::string_view stream) -> std::unique_ptr<Env> {
                             return MakeDmcTask(
                                 config::Bind<DmcTaskOptions>(DmcTaskSchema(), section), seed,
                                 stream);
                           });
    }
    entries.emplace_back(
        "controlled-pendulum",
        [](const config::Node& section, uint64_t seed, std::string_view) -> std::unique_ptr<Env> {
          // its two streams are named by the env itself (env/noise, ...)
          return std::make_unique<ControlledPendulumEnv>(
              config::Bind<ControlledPendulumOptions>(ControlledPendulumSchema(), section), seed);
        });
    entries.emplace_back("cartpole", Plain<CartPoleEnv, CartPoleOptions>(CartPoleSchema()));
    entries.emplace_back("pendulum", Plain<PendulumEnv, PendulumOptions>(PendulumSchema()));
    entries.emplace_back("invalid-action",
                         Plain<InvalidActionEnv, InvalidActionOptions>(InvalidActionSchema()));
    entries.emplace_back("seed-garden",
                         Plain<SeedGardenEnv, SeedGardenOptions>(SeedGardenSchema()));
    return entries;
  }();
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
