// src/rl/workload.cpp
#include "rl/workload.h"

#include "common/error.h"

namespace orch::rl {

void WorkloadRegistry::Register(std::string name, std::string description,
                                WorkloadFactory factory) {
  if (entries_.count(name) > 0) {
    throw RegistryError("duplicate workload", name, Names());
  }
  std::string key = name;
  entries_.emplace(key, Entry{std::move(name), std::move(description), std::move(factory)});
}

const WorkloadRegistry::Entry& WorkloadRegistry::Get(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw RegistryError("algorithm", std::string(name), Names());
  return it->second;
}

std::vector<std::string> WorkloadRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

}  // namespace orch::rl
