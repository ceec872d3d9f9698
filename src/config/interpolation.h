// src/config/interpolation.h: OmegaConf-style interpolation (`${a.b}`, `${.x}`, `${oc.env:V,d}`).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/diagnostic.h"
#include "config/node.h"

namespace orch::config {

/// What interpolation may consult outside the tree; tests replace both.
struct InterpolationContext {
  /// Environment lookup for `${oc.env:VAR}`; default: getenv.
  std::function<std::optional<std::string>(const std::string&)> get_env;
  /// The clock for `${now:%Y-%m-%d}`; default: the system clock.
  std::function<std::chrono::system_clock::time_point()> now;
};

/// Resolves every interpolation of `root` in place, after composition and all overrides.
/// A value that is exactly one `${...}` takes the referenced node's type (containers are copied);
/// anything else becomes a string. Every problem (missing key, `???` target, cycle, unknown
/// resolver, unset variable) is added to `diagnostics` with the key path and the origin of the
/// interpolation; the node is then left unresolved.
///
/// Forms: `${a.b}`, `${a.b[0]}`, relative `${.x}` / `${..x}`, nested `${a.${k}}`, escapes `\${`
/// (literal) and `\\${a}` (backslash, then the value). Resolvers: `oc.env:VAR[,default]`,
/// `now:FORMAT` (local time), `oc.select:key[,default]`. A resolved node keeps the origin of the
/// interpolation. Run it once per tree: an escaped `\${` becomes a plain `${` in the result.
void ResolveInterpolations(Node& root, Diagnostics& diagnostics,
                           const InterpolationContext& context = {});

}  // namespace orch::config
