// src/config/node.h: the config value tree; every node knows where its value came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/origin.h"

namespace orch::config {

enum class NodeType : uint8_t { kNull, kMissing, kBool, kInt, kFloat, kString, kList, kMap };

/// Name of a type as users read it in messages: null, missing, bool, int, float, string, list,
/// dict.
const char* TypeName(NodeType type);
/// The type name with its article: `an int`, `a list`.
std::string TypeWithArticle(NodeType type);

/// A config value: null, `???` (missing, mandatory), bool, int, float, string, list or mapping.
/// Mappings keep insertion order (the order of the YAML file). Value semantics: copying a Node
/// copies the subtree. A string holding `${...}` is an interpolation, resolved after composition.
class Node {
 public:
  struct Entry;
  using List = std::vector<Node>;
  using Map = std::vector<Entry>;

  Node() = default;  ///< null
  static Node Null(Origin origin = {});
  static Node Missing(Origin origin = {});
  static Node Bool(bool value, Origin origin = {});
  static Node Int(int64_t value, Origin origin = {});
  static Node Float(double value, Origin origin = {});
  static Node String(std::string value, Origin origin = {});
  static Node MakeList(List items = {}, Origin origin = {});
  static Node MakeMap(Origin origin = {});

  NodeType type() const { return type_; }
  bool IsNull() const { return type_ == NodeType::kNull; }
  bool IsMissing() const { return type_ == NodeType::kMissing; }
  bool IsBool() const { return type_ == NodeType::kBool; }
  bool IsInt() const { return type_ == NodeType::kInt; }
  bool IsFloat() const { return type_ == NodeType::kFloat; }
  bool IsNumber() const { return IsInt() || IsFloat(); }
  bool IsString() const { return type_ == NodeType::kString; }
  bool IsList() const { return type_ == NodeType::kList; }
  bool IsMap() const { return type_ == NodeType::kMap; }
  bool IsContainer() const { return IsList() || IsMap(); }
  bool IsScalar() const { return !IsContainer(); }
  /// A string containing `${` (an interpolation, or an escaped `\${` still to be unescaped).
  bool IsInterpolation() const;

  bool AsBool() const;
  int64_t AsInt() const;
  /// The value of a float, or of an int converted to double.
  double AsDouble() const;
  const std::string& AsString() const;
  const List& AsList() const;
  List& MutableList();

  // --- mappings
  const Map& Entries() const;
  Map& MutableEntries();
  /// Number of list items or map entries; 0 for scalars.
  size_t Size() const;
  const Node* Find(std::string_view key) const;
  Node* FindMutable(std::string_view key);
  const Entry* FindEntry(std::string_view key) const;
  /// Inserts or replaces (keeping the position of an existing key); returns the stored value.
  Node& Set(std::string key, Node value, Origin key_origin = {});
  /// Removes `key`; false when absent.
  bool Erase(std::string_view key);
  std::vector<std::string> Keys() const;

  const Origin& origin() const { return origin_; }
  void set_origin(Origin origin) { origin_ = std::move(origin); }
  /// Sets the origin of this node and of every node below it.
  void SetOriginRecursive(const Origin& origin);

  /// Structural equality: same types and values (an int never equals a float); origins ignored.
  bool Equals(const Node& other) const;

  /// A short rendering for messages: scalars as YAML writes them (quoted only where YAML needs
  /// it: `fast`, `'yes'`), containers in flow style, shortened past `max_length` characters.
  std::string Describe(size_t max_length = 60) const;

 private:
  NodeType type_ = NodeType::kNull;
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map> value_;
  Origin origin_;
};

struct Node::Entry {
  std::string key;
  Origin key_origin;
  Node value;
};

/// Deep merge with Hydra's rules: mappings merge key by key, everything else (lists included)
/// replaces the destination wholesale.
void MergeInto(Node& destination, const Node& source);

}  // namespace orch::config
