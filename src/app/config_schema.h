// src/app/config_schema.h: the root schema of orch's config tree, wired from every component.
#pragma once

#include <string>
#include <vector>

#include "config/schema.h"

namespace orch::app {

/// One built-in algorithm as the front end knows it (its workload lives in the worker).
struct AlgorithmInfo {
  std::string name;                     ///< the `algo` value
  std::string description;              ///< one line
  std::string example_config;           ///< a primary config that runs it
  std::vector<std::string> namespaces;  ///< the config namespaces it reads
  std::vector<std::string> envs;        ///< the env names it runs on
  bool trainable = true;                ///< false: configs validate, but no training loop yet
};

/// The built-in algorithms, in one explicit list (no static self-registration).
const std::vector<AlgorithmInfo>& Algorithms();

/// The root schema: `algo`, `seed`, `run`, `env` (schema chosen by `env.name`), and the
/// namespaces of the chosen algorithm (`tdmpc2` and `multi_gamma`, `tam`, `ppo`), plus the
/// cross-namespace rules (env fits algo; the multi_gamma rules).
const config::Schema& RootSchema();

/// For `orch run`, `sweep` and `plan`: an error at `algo` when the chosen algorithm has a
/// schema but no training loop in this build, so nothing is recorded for a run that cannot start.
void CheckTrainable(const config::Node& root, Diagnostics& diagnostics);

/// Values derived from a validated config by the chosen algorithm's named functions (never
/// written into the config): one line each, for `orch compose`.
std::vector<std::string> DerivedValueLines(const config::Node& root);

/// Every namespace `orch schema` can print, by dotted name.
std::vector<std::pair<std::string, const config::Schema*>> Namespaces();

}  // namespace orch::app
