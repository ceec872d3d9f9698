// src/algos/algorithm.h: what the light front end knows of an algorithm, in one descriptor
// beside its options (no LibTorch): its config namespaces and rules, the envs it runs on, how
// its runs are measured and shown. Its workload lives in the worker (rl/workload.h); both are
// keyed by the one list of algorithms (algorithm_list.h, generated from src/algos/meson.build).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/diagnostic.h"
#include "config/node.h"
#include "config/schema.h"

namespace orch::algos {

struct AlgorithmDescriptor {
  std::string name;            ///< the `algo` value (and the workload's name)
  std::string description;     ///< one line
  std::string example_config;  ///< a primary config that runs it
  /// The config namespaces it reads, in order (`tdmpc2`, `multi_gamma`), with their schemas.
  std::vector<std::pair<std::string, const config::Schema*>> namespaces;
  /// The pages `orch schema NAME` prints: the namespaces and their nested sections
  /// (`tam.memory`, `ppo.policy`).
  std::vector<std::pair<std::string, const config::Schema*>> schema_pages;
  /// The env names it runs on.
  std::vector<std::string> envs;
  /// Whether its workload computes on `run.device` when that is a CUDA device (the
  /// composition refuses cuda / cuda:N for the others, and `auto` means the CPU for them).
  bool computes_on_cuda = false;
  /// Rules across namespaces, checked on the whole config when `algo` is this one.
  std::vector<std::function<void(config::Node& root, Diagnostics& diagnostics)>> rules;
  /// The x-axis budget of a run of this config (environment steps; TAM: episodes).
  std::function<int64_t(const config::Node& root)> budget;
  /// What the x-axis counts: "env steps" or "episodes".
  std::string progress_unit = "env steps";
  /// The metrics `orch ls` shows for its runs, most important first.
  std::vector<std::string> headline_metrics;
  /// Values derived from a validated config by named functions, one line each (orch compose).
  std::function<std::vector<std::string>(const config::Node& root)> derived_values;
};

/// Every built-in algorithm, in the order of the list.
const std::vector<const AlgorithmDescriptor*>& Algorithms();

/// The algorithm named `name`, or nullptr.
const AlgorithmDescriptor* FindAlgorithm(std::string_view name);

/// The int at a dotted key of a config (`fallback` when absent or not an int): for budgets.
int64_t IntAt(const config::Node& root, std::string_view key, int64_t fallback = 0);

}  // namespace orch::algos
