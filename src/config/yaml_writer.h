// src/config/yaml_writer.h: renders a config tree as YAML that reads back to the same tree.
#pragma once

#include <string>

#include "config/node.h"

namespace orch::config {

struct YamlStyle {
  int indent = 2;
  /// Lists of scalars shorter than this many characters are written in flow style (`[a, b]`).
  size_t flow_list_width = 100;
  /// Appends `# origin` to every value (`orch compose --explain`); lists are then written in block
  /// style so that each item gets its own origin.
  bool annotate_origins = false;
};

/// Block-style YAML document (ends with a newline; `{}` for an empty mapping).
std::string ToYaml(const Node& node, const YamlStyle& style = {});

/// One-line flow-style YAML (`{a: 1, b: [x, y]}`), for messages and plan listings. A missing
/// value is written `???`, which yaml-cpp cannot read inside a flow collection; ToYaml therefore
/// writes lists holding one in block style.
std::string ToFlowYaml(const Node& node);

/// A scalar as YAML text: strings quoted only when a YAML reader could take them for another
/// type or misparse them (`'yes'`, `'1.0'`, `'a: b'`); `in_flow` also quotes `,[]{}`.
std::string ScalarToYaml(const Node& node, bool in_flow = false);

/// A mapping key as YAML text, quoted when needed.
std::string KeyToYaml(const std::string& key);

}  // namespace orch::config
