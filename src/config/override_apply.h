// src/config/override_apply.h: applies value overrides (`a.b=1`, `+k=v`, `++k=v`, `~k`) to a tree.
#pragma once

#include "common/diagnostic.h"
#include "config/node.h"
#include "config/override.h"

namespace orch::config {

/// Applies one non-group, non-sweep override with Hydra's rules:
///   `k=v` changes an existing key (a dict value merges into an existing dict);
///   `+k=v` adds a key that is absent or null (a dict or list value merges instead);
///   `++k=v` sets, creating missing parents; `~k` deletes; `~k=v` deletes only on a match.
/// The string `???` becomes a missing (mandatory) value. Problems go to `diagnostics`, and the
/// tree is then left unchanged by this override.
void ApplyValueOverride(Node& root, const Override& override_value, Diagnostics& diagnostics);

}  // namespace orch::config
