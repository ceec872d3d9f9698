// src/config/defaults_list.h: Hydra's defaults list: which config files merge, in which order,
// at which package.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/origin.h"
#include "config/config_repository.h"
#include "config/node.h"
#include "config/override.h"

namespace orch::config {

/// One entry of a `defaults:` list, as written.
struct DefaultsEntry {
  enum class Kind {
    kSelf,    ///< `_self_`: where the including file's own content merges
    kConfig,  ///< `name`, `dir/name`, `/abs/name` (optionally `@pkg`): a config, not overridable
    kGroup,   ///< `group: option` (with `optional`, `override`, `@pkg`): a config group choice
  };
  Kind kind = Kind::kConfig;
  /// kConfig: the config path as written; kGroup: the group path as written (may start with /).
  std::string path;
  /// kGroup: the chosen option; nullopt for `group: null` (a placeholder).
  std::optional<std::string> option;
  /// kGroup: `group: [a, b]` selects several options of one group.
  std::vector<std::string> options;
  bool is_option_list = false;
  /// kGroup: `group: ???`, an option the user must choose.
  bool option_missing = false;
  /// The package after `@` as written (`_global_`, `_here_`, `a.b`); nullopt when absent.
  std::optional<std::string> package;
  bool optional = false;
  bool is_override = false;
  /// Appended from the command line (`+group=option`): the group path is absolute and the
  /// package is relative to the root.
  bool external_append = false;
  /// Where the entry was written (file:line:col, or the command-line override).
  Origin origin;
};

/// Parses the `defaults:` node of one config file. Throws ConfigError on a malformed entry.
std::vector<DefaultsEntry> ParseDefaultsList(const Node& defaults);

/// One config to merge, in merge order.
struct ResultDefault {
  std::string config_path;  ///< `env/cheetah-run`
  std::string package;      ///< where its content goes; "" is the root
  bool is_self = false;     ///< the own content of a config that has a defaults list
  bool primary = false;
  std::string parent;        ///< config path of the including config (empty for the primary)
  std::string override_key;  ///< group entries: `env`, `db@backup`
  Origin origin;             ///< where this config was chosen
};

/// The outcome of expanding a primary config's defaults list.
struct DefaultsListResult {
  std::vector<ResultDefault> defaults;
  /// Every group choice, by override key (`env` → `cheetah-run`), for --explain and the store.
  std::map<std::string, std::string> choices;
  /// The command-line overrides that did not name a config group (value overrides), in order.
  std::vector<const Override*> value_overrides;
};

/// Expands the defaults list of `primary_config_path` (relative to the repository root, no
/// extension) with the command-line overrides. Group overrides (`env=x`, `+g=x`, `~g`) steer the
/// list; the rest are returned as value overrides. The primary config sits at the root package
/// unless its `# @package` header says otherwise (orch's rule for a primary config given as a
/// file path; Hydra would nest a primary config found in a subdirectory under that directory's
/// name). Throws ConfigError on any composition error.
DefaultsListResult BuildDefaultsList(ConfigRepository& repository,
                                     const std::string& primary_config_path,
                                     const std::vector<Override>& overrides);

/// True when an override names a config group of the repository (and so steers the defaults
/// list rather than a value): a dict value is always a value override.
bool IsGroupOverride(const ConfigRepository& repository, const Override& override_value);

}  // namespace orch::config
