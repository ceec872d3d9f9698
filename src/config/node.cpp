// src/config/node.cpp
#include "config/node.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "config/yaml_writer.h"

namespace orch::config {

const char* TypeName(NodeType type) {
  switch (type) {
    case NodeType::kNull:
      return "null";
    case NodeType::kMissing:
      return "missing";
    case NodeType::kBool:
      return "bool";
    case NodeType::kInt:
      return "int";
    case NodeType::kFloat:
      return "float";
    case NodeType::kString:
      return "string";
    case NodeType::kList:
      return "list";
    case NodeType::kMap:
      return "dict";
  }
  return "?";
}

std::string TypeWithArticle(NodeType type) {
  std::string name = TypeName(type);
  bool vowel =
      name[0] == 'a' || name[0] == 'e' || name[0] == 'i' || name[0] == 'o' || name[0] == 'u';
  return (vowel ? "an " : "a ") + name;
}

Node Node::Null(Origin origin) {
  Node node;
  node.origin_ = std::move(origin);
  return node;
}

Node Node::Missing(Origin origin) {
  Node node;
  node.type_ = NodeType::kMissing;
  node.origin_ = std::move(origin);
  return node;
}

Node Node::Bool(bool value, Origin origin) {
  Node node;
  node.type_ = NodeType::kBool;
  node.value_ = value;
  node.origin_ = std::move(origin);
  return node;
}

Node Node::Int(int64_t value, Origin origin) {
  Node node;
  node.type_ = NodeType::kInt;
  node.value_ = value;
  node.origin_ = std::move(origin);
  return node;
}

Node Node::Float(double value, Origin origin) {
  Node node;
  node.type_ = NodeType::kFloat;
  node.value_ = value;
  node.origin_ = std::move(origin);
  return node;
}

Node Node::String(std::string value, Origin origin) {
  Node node;
  node.type_ = NodeType::kString;
  node.value_ = std::move(value);
  node.origin_ = std::move(origin);
  return node;
}

Node Node::MakeList(List items, Origin origin) {
  Node node;
  node.type_ = NodeType::kList;
  node.value_ = std::move(items);
  node.origin_ = std::move(origin);
  return node;
}

Node Node::MakeMap(Origin origin) {
  Node node;
  node.type_ = NodeType::kMap;
  node.value_ = Map{};
  node.origin_ = std::move(origin);
  return node;
}

bool Node::IsInterpolation() const {
  return IsString() && std::get<std::string>(value_).find("${") != std::string::npos;
}

bool Node::AsBool() const {
  ORCH_ASSERT(IsBool(), "AsBool on a non-bool node");
  return std::get<bool>(value_);
}

int64_t Node::AsInt() const {
  ORCH_ASSERT(IsInt(), "AsInt on a non-int node");
  return std::get<int64_t>(value_);
}

double Node::AsDouble() const {
  ORCH_ASSERT(IsNumber(), "AsDouble on a non-number node");
  if (IsInt()) return static_cast<double>(std::get<int64_t>(value_));
  return std::get<double>(value_);
}

const std::string& Node::AsString() const {
  ORCH_ASSERT(IsString(), "AsString on a non-string node");
  return std::get<std::string>(value_);
}

const Node::List& Node::AsList() const {
  ORCH_ASSERT(IsList(), "AsList on a non-list node");
  return std::get<List>(value_);
}

Node::List& Node::MutableList() {
  ORCH_ASSERT(IsList(), "MutableList on a non-list node");
  return std::get<List>(value_);
}

const Node::Map& Node::Entries() const {
  ORCH_ASSERT(IsMap(), "Entries on a non-map node");
  return std::get<Map>(value_);
}

Node::Map& Node::MutableEntries() {
  ORCH_ASSERT(IsMap(), "MutableEntries on a non-map node");
  return std::get<Map>(value_);
}

size_t Node::Size() const {
  if (IsList()) return AsList().size();
  if (IsMap()) return Entries().size();
  return 0;
}

const Node::Entry* Node::FindEntry(std::string_view key) const {
  if (!IsMap()) return nullptr;
  for (const auto& entry : Entries()) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

const Node* Node::Find(std::string_view key) const {
  const Entry* entry = FindEntry(key);
  return entry ? &entry->value : nullptr;
}

Node* Node::FindMutable(std::string_view key) {
  if (!IsMap()) return nullptr;
  for (auto& entry : MutableEntries()) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

Node& Node::Set(std::string key, Node value, Origin key_origin) {
  ORCH_ASSERT(IsMap(), "Set on a non-map node");
  auto& entries = MutableEntries();
  for (auto& entry : entries) {
    if (entry.key == key) {
      entry.value = std::move(value);
      if (key_origin.IsKnown()) entry.key_origin = std::move(key_origin);
      return entry.value;
    }
  }
  entries.push_back(Entry{std::move(key), std::move(key_origin), std::move(value)});
  return entries.back().value;
}

bool Node::Erase(std::string_view key) {
  if (!IsMap()) return false;
  auto& entries = MutableEntries();
  auto it = std::find_if(entries.begin(), entries.end(),
                         [&](const Entry& entry) { return entry.key == key; });
  if (it == entries.end()) return false;
  entries.erase(it);
  return true;
}

std::vector<std::string> Node::Keys() const {
  std::vector<std::string> keys;
  if (!IsMap()) return keys;
  for (const auto& entry : Entries()) keys.push_back(entry.key);
  return keys;
}

void Node::SetOriginRecursive(const Origin& origin) {
  origin_ = origin;
  if (IsList()) {
    for (auto& item : MutableList()) item.SetOriginRecursive(origin);
  } else if (IsMap()) {
    for (auto& entry : MutableEntries()) {
      entry.key_origin = origin;
      entry.value.SetOriginRecursive(origin);
    }
  }
}

bool Node::Equals(const Node& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case NodeType::kNull:
    case NodeType::kMissing:
      return true;
    case NodeType::kBool:
      return AsBool() == other.AsBool();
    case NodeType::kInt:
      return AsInt() == other.AsInt();
    case NodeType::kFloat: {
      double a = AsDouble();
      double b = other.AsDouble();
      return a == b || (std::isnan(a) && std::isnan(b));
    }
    case NodeType::kString:
      return AsString() == other.AsString();
    case NodeType::kList: {
      const auto& a = AsList();
      const auto& b = other.AsList();
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i].Equals(b[i])) return false;
      }
      return true;
    }
    case NodeType::kMap: {
      const auto& a = Entries();
      const auto& b = other.Entries();
      if (a.size() != b.size()) return false;
      for (const auto& entry : a) {
        const Node* match = other.Find(entry.key);
        if (match == nullptr || !entry.value.Equals(*match)) return false;
      }
      return true;
    }
  }
  return false;
}

std::string Node::Describe(size_t max_length) const {
  std::string text = ToFlowYaml(*this);
  if (text.size() > max_length) text = text.substr(0, max_length) + "...";
  return text;
}

void MergeInto(Node& destination, const Node& source) {
  if (destination.IsMap() && source.IsMap()) {
    for (const auto& entry : source.Entries()) {
      Node* existing = destination.FindMutable(entry.key);
      if (existing != nullptr && existing->IsMap() && entry.value.IsMap()) {
        MergeInto(*existing, entry.value);
      } else {
        destination.Set(entry.key, entry.value, entry.key_origin);
      }
    }
    return;
  }
  destination = source;
}

}  // namespace orch::config
