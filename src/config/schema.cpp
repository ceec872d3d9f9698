// src/config/schema.cpp
#include "config/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/json.h"
#include "common/string_util.h"
#include "config/json_writer.h"
#include "config/yaml_writer.h"

namespace orch::config {
namespace {

std::string NumberText(double value, FieldType type) {
  if (type == FieldType::kInt || type == FieldType::kIntList) {
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
      return fmt::format("{}", static_cast<int64_t>(value));
    }
  }
  return fmt::format("{}", value);
}

std::string BaseTypeText(FieldType type) {
  switch (type) {
    case FieldType::kBool:
      return "bool";
    case FieldType::kInt:
      return "int";
    case FieldType::kFloat:
      return "float";
    case FieldType::kString:
      return "string";
    case FieldType::kIntList:
      return "list[int]";
    case FieldType::kFloatList:
      return "list[float]";
    case FieldType::kStringList:
      return "list[string]";
    case FieldType::kFloatMap:
      return "dict[string, float]";
    case FieldType::kSection:
      return "dict";
    case FieldType::kVariant:
      return "dict";
  }
  return "?";
}

void SetOriginsToDefault(Node& node, const std::string& schema_name) {
  node.SetOriginRecursive(Origin::SchemaDefault(schema_name));
}

}  // namespace

std::string FieldSpec::TypeText() const {
  std::string text = BaseTypeText(type);
  if (type == FieldType::kFloatList && !keywords.empty()) {
    text = "list[float | " + Join(keywords, " | ") + "]";
  }
  if (nullable) text += " | null";
  return text;
}

std::string FieldSpec::ConstraintText() const {
  std::vector<std::string> parts;
  if (minimum && maximum) {
    parts.push_back(fmt::format("{}{}, {}{}", minimum_exclusive ? "in (" : "in [",
                                NumberText(*minimum, type), NumberText(*maximum, type),
                                maximum_exclusive ? ")" : "]"));
  } else if (minimum) {
    parts.push_back(
        fmt::format("{} {}", minimum_exclusive ? ">" : ">=", NumberText(*minimum, type)));
  } else if (maximum) {
    parts.push_back(
        fmt::format("{} {}", maximum_exclusive ? "<" : "<=", NumberText(*maximum, type)));
  }
  if (!choices.empty()) parts.push_back("one of: " + Join(choices, ", "));
  if (min_items && max_items) {
    parts.push_back(fmt::format("{} to {} items", *min_items, *max_items));
  } else if (max_items) {
    parts.push_back(fmt::format("at most {} items", *max_items));
  } else if (min_items) {
    parts.push_back(fmt::format("at least {} items", *min_items));
  }
  if (type == FieldType::kVariant) {
    parts.push_back(fmt::format("{}: one of {}", discriminator, Join(VariantNames(), ", ")));
  }
  return Join(parts, "; ");
}

const Schema* FieldSpec::Variant(std::string_view variant_name) const {
  for (const auto& [name, schema] : variants) {
    if (name == variant_name) return schema;
  }
  return nullptr;
}

std::vector<std::string> FieldSpec::VariantNames() const {
  std::vector<std::string> names;
  for (const auto& [name, schema] : variants) names.push_back(name);
  return names;
}

Schema::Schema(std::string name, std::string doc) : name_(std::move(name)), doc_(std::move(doc)) {}

const FieldSpec* Schema::Find(std::string_view field_name) const {
  for (const auto& field : fields_) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

std::vector<std::string> Schema::FieldNames() const {
  std::vector<std::string> names;
  for (const auto& field : fields_) names.push_back(field.name);
  return names;
}

FieldSpec& Schema::AddField(FieldSpec field) {
  fields_.push_back(std::move(field));
  return fields_.back();
}

Node Schema::Defaults() const {
  Node defaults = Node::MakeMap(Origin::SchemaDefault(name_));
  for (const auto& field : fields_) {
    Node value;
    if (field.type == FieldType::kSection && field.section != nullptr) {
      value = field.section->Defaults();
    } else if (field.type == FieldType::kVariant && !field.variants.empty()) {
      value = field.variants.front().second->Defaults();
    } else {
      value = field.default_value;
      SetOriginsToDefault(value, name_);
    }
    defaults.Set(field.name, std::move(value), Origin::SchemaDefault(name_));
  }
  return defaults;
}

void Schema::BindInto(const Node& section, void* options) const {
  for (const auto& field : fields_) {
    if (!field.assign) continue;
    const Node* value = section.Find(field.name);
    if (value != nullptr) field.assign(options, *value);
  }
}

std::string FormatSchema(const Schema& schema, const std::string& prefix) {
  struct Row {
    std::string key, type, default_text, constraint, doc;
  };
  std::vector<Row> rows;
  std::vector<std::string> nested;
  for (const auto& field : schema.fields()) {
    std::string key = prefix.empty() ? field.name : prefix + "." + field.name;
    if (field.type == FieldType::kSection && field.section != nullptr) {
      rows.push_back({key, "dict", "", "", field.doc + " (below)"});
      nested.push_back(FormatSchema(*field.section, key));
      continue;
    }
    if (field.type == FieldType::kVariant) {
      rows.push_back({key, "dict", field.variants.empty() ? "" : field.variants.front().first,
                      field.ConstraintText(), field.doc});
      continue;
    }
    std::string doc = field.doc;
    if (field.applies_when) doc += " (" + field.applies_doc + ")";
    rows.push_back(
        {key, field.TypeText(), ToFlowYaml(field.default_value), field.ConstraintText(), doc});
  }
  size_t key_width = 3, type_width = 4, default_width = 7, constraint_width = 10;
  for (const auto& row : rows) {
    key_width = std::max(key_width, row.key.size());
    type_width = std::max(type_width, row.type.size());
    default_width = std::max(default_width, std::min<size_t>(row.default_text.size(), 28));
    constraint_width = std::max(constraint_width, std::min<size_t>(row.constraint.size(), 36));
  }
  std::string out =
      fmt::format("{}: {}\n\n", prefix.empty() ? schema.name() : prefix, schema.doc());
  out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", "key", key_width, "type", type_width,
                     "default", default_width, "constraint", constraint_width, "doc");
  for (const auto& row : rows) {
    out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", row.key, key_width, row.type,
                       type_width, row.default_text, default_width, row.constraint,
                       constraint_width, row.doc);
  }
  for (const auto& section : nested) out += "\n" + section;
  return out;
}

namespace {

void WriteSchemaJson(JsonWriter& json, const Schema& schema) {
  json.BeginObject();
  json.Key("name").String(schema.name());
  json.Key("doc").String(schema.doc());
  json.Key("fields").BeginArray();
  for (const auto& field : schema.fields()) {
    json.BeginObject();
    json.Key("name").String(field.name);
    json.Key("type").String(field.TypeText());
    json.Key("doc").String(field.doc);
    json.Key("constraint").String(field.ConstraintText());
    if (field.type == FieldType::kSection && field.section != nullptr) {
      json.Key("section");
      WriteSchemaJson(json, *field.section);
    } else if (field.type == FieldType::kVariant) {
      json.Key("variants").BeginObject();
      for (const auto& [name, variant] : field.variants) {
        json.Key(name);
        WriteSchemaJson(json, *variant);
      }
      json.EndObject();
    } else {
      json.Key("default");
      WriteJson(json, field.default_value);
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

}  // namespace

std::string SchemaToJson(const Schema& schema) {
  JsonWriter json(2);
  WriteSchemaJson(json, schema);
  return json.Take();
}

}  // namespace orch::config
