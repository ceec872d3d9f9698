// src/config/key_path.h: dotted key paths (`a.b.0`, shown as `a.b[0]`) and tree navigation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/node.h"

namespace orch::config {

/// `parent.child`, or `child` at the root.
std::string JoinKey(std::string_view parent, std::string_view child);
/// `parent[index]`.
std::string IndexKey(std::string_view parent, size_t index);

/// Splits `a.b.0` into segments; no validation beyond splitting on dots.
std::vector<std::string> SplitDottedKey(std::string_view dotted);

/// True when `segment` is an unsigned decimal integer (a list index when the container is a list).
bool IsIndexSegment(std::string_view segment);

/// The node at a dotted path (`a.b.0`: digits index lists), or nullptr.
const Node* FindPath(const Node& root, std::string_view dotted);
Node* FindPathMutable(Node& root, std::string_view dotted);

/// The display form of a dotted path: `a.b.0` → `a.b[0]` where `b` is a list in `root`.
std::string DisplayKey(const Node& root, std::string_view dotted);

}  // namespace orch::config
