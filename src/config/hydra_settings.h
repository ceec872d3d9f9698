// src/config/hydra_settings.h: Hydra's own `hydra.*` node in a composed config. orch reads one
// part of it, `hydra.sweeper.params` (Hydra 1.2+: sweep axes declared in the config), and
// answers every other key with what orch uses instead, so that no Hydra habit is silently
// ignored.
#pragma once

#include <vector>

#include "common/diagnostic.h"
#include "config/node.h"
#include "config/override.h"

namespace orch::config {

/// What a config's `hydra` node asked for.
struct HydraSettings {
  /// `hydra.sweeper.params` as sweep overrides (`seed=0,1,2`), in the order written; each
  /// carries the file:line:col of its entry. The grid sweeper puts them before the command
  /// line's overrides, and a command-line override of the same key replaces the value but
  /// keeps the position (hydra-semantics.md §5.1).
  std::vector<Override> sweeper_params;
};

/// Removes the `hydra` node from `tree` (it is Hydra's runtime config, not the job's) and
/// returns the sweeper params. Every other `hydra.*` leaf is an error in `diagnostics` that
/// says what orch uses instead; a sweeper param that does not parse is an error at its line.
HydraSettings TakeHydraSettings(Node& tree, Diagnostics& diagnostics);

/// What orch does instead of the Hydra runtime setting `key` (`hydra.run.dir`: where a run's
/// files go), for messages about `hydra.*` keys in configs and overrides.
std::string_view InsteadOf(std::string_view key);

/// Reports every value still `???` (mandatory, never set) as an error with its key and the
/// file:line:col that left it unset. Keys `diagnostics` already has a problem with (the
/// schema's validator reports its own, an unknown key is reported as such) are left alone.
void ReportMissingValues(const Node& tree, Diagnostics& diagnostics);

}  // namespace orch::config
