// src/algos/ppo/policy/policy_registry.h: the registry of policy bundles and the factory that
// builds, places and compiles one (ppo-policy.md §2). Filled from the one list (policy_list.h).
#pragma once

#include <c10/core/Device.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "algos/ppo/policy/policy_bundle.h"

namespace orch::ppo {

using PolicyFactory = std::function<std::shared_ptr<PolicyBundle>(const PolicySpec& spec)>;

/// Name → factory. Registration is explicit (no static self-registration, which static libraries
/// can silently drop); the C++ interface checks at compile time that a bundle provides every
/// member of the protocol.
class PolicyRegistry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    PolicyFactory factory;
  };
  /// Throws RegistryError on a duplicate name.
  void Register(std::string name, std::string description, PolicyFactory factory);
  /// Throws RegistryError listing the registered names.
  const Entry& Get(std::string_view name) const;
  std::vector<std::string> Names() const;
  void Clear() { entries_.clear(); }

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

/// Registers every bundle of the list (policy_list.h).
void RegisterBuiltinPolicies(PolicyRegistry& registry);

/// The bundle `type` built for `spec` by the built-in registry, moved to `device`, then compiled
/// (spec.options.compile_mode; only "off" exists). Throws RegistryError for an unknown type.
std::shared_ptr<PolicyBundle> CreatePolicy(const std::string& type, const PolicySpec& spec,
                                           const c10::Device& device);

}  // namespace orch::ppo
