// src/config/yaml_loader.h: reads YAML into the config tree with one documented scalar policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/node.h"

namespace orch::config {

/// One config file as read from disk: its content without the defaults list, the defaults list
/// (if any), and the `# @package` header (if any).
struct LoadedConfig {
  std::string display_path;  ///< the path used in messages
  Node content;              ///< a mapping (empty for an empty file)
  std::optional<Node> defaults;
  std::optional<std::string> package_header;
};

/// Parses YAML text. `display_path` names the source in origins and errors.
///
/// Scalar policy for files (YAML 1.2 core schema, made explicit; the command line has its own
/// grammar, see override.h). Quoted and block scalars are strings. Plain scalars:
///   `~`, `null` (any case) and empty → null;  `???` → missing (mandatory);
///   `true`/`false` (any case) → bool; `yes`, `no`, `on`, `off`, `y`, `n` stay strings;
///   `[+-]?(0|[1-9][0-9]*)` with single `_` between digits → int (`1_000_000`); `010`, `0x10` →
///   strings; decimal floats with `.` and/or exponent (`3e-4`, `.5`, `1.`) and `.inf`, `-.inf`,
///   `.nan` (any case) → float; `inf`, `nan` without the dot stay strings; everything else →
///   string.
/// A file holds one YAML document. An empty list item takes the position of its dash.
/// Explicit tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` are honoured.
/// Throws ConfigError (file:line:col) for malformed YAML, duplicate keys, non-scalar keys, a
/// top level that is not a mapping, and unsupported tags.
LoadedConfig ParseYaml(std::string_view text, const std::string& display_path);

/// Reads and parses a file; a missing or unreadable file is a ConfigError naming the path.
LoadedConfig LoadYamlFile(const std::string& path, const std::string& display_path);

/// Parses a YAML value (not necessarily a mapping) without extracting a defaults list; for sweep
/// files and stored configs.
Node ParseYamlValue(std::string_view text, const std::string& display_path);

/// Converts one plain (unquoted) YAML scalar with the policy above. An int or float outside the
/// 64-bit or double range is a ConfigError naming `key`, not a silent string or infinity.
Node ConvertPlainScalar(const std::string& text, const Origin& origin, const std::string& key = "");

/// The `# @package <pkg>` header in the leading comment block of `text`, if any.
std::optional<std::string> FindPackageHeader(std::string_view text);

}  // namespace orch::config
