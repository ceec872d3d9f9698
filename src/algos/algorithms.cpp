// src/algos/algorithms.cpp: the descriptors of the built-in algorithms, from the one list.
#include <algorithm>

#include "algos/algorithm.h"
#include "algos/algorithm_list.h"
#include "config/key_path.h"

// each algorithm's folder defines its descriptor
#define ORCH_DECLARE_DESCRIPTOR(ns)               \
  namespace orch::ns {                            \
  const algos::AlgorithmDescriptor& Descriptor(); \
  }
ORCH_ALGORITHMS(ORCH_DECLARE_DESCRIPTOR)
#undef ORCH_DECLARE_DESCRIPTOR

namespace orch::algos {

const std::vector<const AlgorithmDescriptor*>& Algorithms() {
#define ORCH_DESCRIPTOR_ENTRY(ns) &::orch::ns::Descriptor(),
  static const std::vector<const AlgorithmDescriptor*> algorithms = {
      ORCH_ALGORITHMS(ORCH_DESCRIPTOR_ENTRY)};
#undef ORCH_DESCRIPTOR_ENTRY
  return algorithms;
}

const AlgorithmDescriptor* FindAlgorithm(std::string_view name) {
  const auto& all = Algorithms();
  auto it = std::find_if(all.begin(), all.end(), [&](const AlgorithmDescriptor* algorithm) {
    return algorithm->name == name;
  });
  return it == all.end() ? nullptr : *it;
}

int64_t IntAt(const config::Node& root, std::string_view key, int64_t fallback) {
  const config::Node* value = config::FindPath(root, key);
  return value != nullptr && value->IsInt() ? value->AsInt() : fallback;
}

}  // namespace orch::algos
