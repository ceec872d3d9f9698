// src/config/compose.h: primary config + overrides → one composed, interpolated config tree.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "config/config_repository.h"
#include "config/defaults_list.h"
#include "config/hydra_settings.h"
#include "config/interpolation.h"
#include "config/node.h"
#include "config/override.h"

namespace orch::config {

struct ComposeOptions {
  /// Runs after the config files are merged and before the value overrides apply; the app layer
  /// uses it to lay the schema defaults under every namespace, so that `k=v` can change a key
  /// that only the schema names.
  std::function<void(Node&)> prepare;
  bool resolve_interpolations = true;
  InterpolationContext interpolation;
};

/// The composed tree and how it was made.
struct ComposedConfig {
  Node tree;
  /// The configs merged, in order (for --explain).
  std::vector<ResultDefault> defaults;
  /// Group choices by override key (`env` → `cheetah-run`).
  std::map<std::string, std::string> choices;
  /// Problems in the value overrides and interpolations, all of them (composition errors that
  /// make the tree meaningless are thrown as ConfigError instead).
  Diagnostics diagnostics;
  /// What the config's `hydra` node asked for (the node itself is not part of the tree).
  HydraSettings hydra;
};

/// A primary config file resolved against its config root.
struct PrimaryConfig {
  std::filesystem::path root;  ///< the config directory
  std::string config_path;     ///< relative to the root, without `.yaml` (`tdmpc2/cheetah`)
};

/// Finds the config root of `primary_file` (see FindConfigRoot) and the primary's path in it.
/// Throws ConfigError when the file does not exist or lies outside `config_dir`.
PrimaryConfig LocatePrimaryConfig(const std::filesystem::path& primary_file,
                                  const std::optional<std::filesystem::path>& config_dir);

/// Composes the primary config with the overrides (none may be a sweep): expands the defaults
/// list, merges the configs at their packages, runs `prepare`, applies value overrides in
/// command-line order, takes Hydra's `hydra` node out of the tree (TakeHydraSettings), then
/// resolves interpolations.
ComposedConfig Compose(ConfigRepository& repository, const std::string& primary_config_path,
                       const std::vector<Override>& overrides, const ComposeOptions& options = {});

/// Parses command-line override texts (1-based indices in order). Collects every parse error
/// into one ConfigError.
std::vector<Override> ParseOverrides(const std::vector<std::string>& texts);

}  // namespace orch::config
