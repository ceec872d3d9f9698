// src/config/json_writer.cpp
#include "config/json_writer.h"

#include <algorithm>

namespace orch::config {

void WriteJson(JsonWriter& json, const Node& node, bool sort_keys) {
  switch (node.type()) {
    case NodeType::kNull:
      json.Null();
      return;
    case NodeType::kMissing:
      json.String("???");
      return;
    case NodeType::kBool:
      json.Bool(node.AsBool());
      return;
    case NodeType::kInt:
      json.Int(node.AsInt());
      return;
    case NodeType::kFloat:
      json.Double(node.AsDouble());
      return;
    case NodeType::kString:
      json.String(node.AsString());
      return;
    case NodeType::kList:
      json.BeginArray();
      for (const auto& item : node.AsList()) WriteJson(json, item, sort_keys);
      json.EndArray();
      return;
    case NodeType::kMap: {
      std::vector<const Node::Entry*> entries;
      for (const auto& entry : node.Entries()) entries.push_back(&entry);
      if (sort_keys) {
        std::sort(entries.begin(), entries.end(),
                  [](const Node::Entry* a, const Node::Entry* b) { return a->key < b->key; });
      }
      json.BeginObject();
      for (const auto* entry : entries) {
        json.Key(entry->key);
        WriteJson(json, entry->value, sort_keys);
      }
      json.EndObject();
      return;
    }
  }
}

std::string ToJson(const Node& node, int indent) {
  JsonWriter json(indent);
  WriteJson(json, node);
  return json.Take();
}

std::string CanonicalJson(const Node& node) {
  JsonWriter json(0);
  WriteJson(json, node, /*sort_keys=*/true);
  return json.Take();
}

}  // namespace orch::config
