// src/app/config_schema.h: the root schema of orch's config tree, wired from every component.
#pragma once

#include <string>
#include <vector>

#include "config/schema.h"

namespace orch::app {

/// The root schema: `algo`, `seed`, `run`, `env` (schema chosen by `env.name`), and the
/// namespaces of the chosen algorithm (from its descriptor, algos/algorithm.h), plus the
/// cross-namespace rules (env fits algo; the algorithm's own rules).
const config::Schema& RootSchema();

/// Values derived from a validated config by the chosen algorithm's named functions (never
/// written into the config): one line each, for `orch compose`.
std::vector<std::string> DerivedValueLines(const config::Node& root);

/// Every namespace `orch schema` can print, by dotted name.
std::vector<std::pair<std::string, const config::Schema*>> Namespaces();

}  // namespace orch::app
