// src/algos/ppo/policy/policy_registry.cpp
#include "algos/ppo/policy/policy_registry.h"

#include "algos/ppo/policy/policy_list.h"
#include "common/error.h"

// each bundle's file defines its factory
#define ORCH_DECLARE_POLICY_FACTORY(type, factory, description)  \
  namespace orch::ppo {                                          \
  std::shared_ptr<PolicyBundle> factory(const PolicySpec& spec); \
  }
ORCH_PPO_POLICIES(ORCH_DECLARE_POLICY_FACTORY)
#undef ORCH_DECLARE_POLICY_FACTORY

namespace orch::ppo {

void PolicyRegistry::Register(std::string name, std::string description, PolicyFactory factory) {
  if (entries_.count(name) > 0) throw RegistryError("duplicate policy bundle", name, Names());
  std::string key = name;
  entries_.emplace(key, Entry{std::move(name), std::move(description), std::move(factory)});
}

const PolicyRegistry::Entry& PolicyRegistry::Get(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw RegistryError("policy bundle", std::string(name), Names());
  return it->second;
}

std::vector<std::string> PolicyRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

void RegisterBuiltinPolicies(PolicyRegistry& registry) {
#define ORCH_REGISTER_POLICY(type, factory, description) \
  registry.Register(#type, description, factory);
  ORCH_PPO_POLICIES(ORCH_REGISTER_POLICY)
#undef ORCH_REGISTER_POLICY
}

std::shared_ptr<PolicyBundle> CreatePolicy(const std::string& type, const PolicySpec& spec,
                                           const c10::Device& device) {
  static const PolicyRegistry registry = [] {
    PolicyRegistry filled;
    RegisterBuiltinPolicies(filled);
    return filled;
  }();
  // construct, place, then compile: the compiled graph is the placed network's
  std::shared_ptr<PolicyBundle> policy = registry.Get(type).factory(spec);
  policy->To(device);
  policy->Compile(spec.options.compile_mode);
  return policy;
}

}  // namespace orch::ppo
