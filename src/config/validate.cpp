// src/config/validate.cpp
#include "config/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/string_util.h"
#include "config/key_path.h"
#include "config/yaml_writer.h"

namespace orch::config {
namespace {

std::string ElementTypeText(FieldType type) {
  switch (type) {
    case FieldType::kIntList:
      return "int";
    case FieldType::kFloatList:
      return "float";
    case FieldType::kStringList:
      return "string";
    default:
      return "value";
  }
}

std::string Expected(const FieldSpec& field, const std::string& type_text) {
  std::string range;
  if (field.minimum && field.maximum) {
    range = field.ConstraintText().substr(0, field.ConstraintText().find(';'));
  } else if (field.minimum || field.maximum) {
    range = field.ConstraintText().substr(0, field.ConstraintText().find(';'));
  }
  return range.empty() ? type_text : type_text + " " + range;
}

bool InRange(const FieldSpec& field, double value) {
  if (field.minimum) {
    if (field.minimum_exclusive ? !(value > *field.minimum) : !(value >= *field.minimum)) {
      return false;
    }
  }
  if (field.maximum) {
    if (field.maximum_exclusive ? !(value < *field.maximum) : !(value <= *field.maximum)) {
      return false;
    }
  }
  return true;
}

void TypeError(const std::string& expected, Node& value, const std::string& key,
               Diagnostics& diagnostics, std::string suggestion = {}) {
  diagnostics.Error(value.origin(), key,
                    fmt::format("expected {}, got {}", expected, DescribeFound(value)),
                    std::move(suggestion), "type");
}

/// Checks one scalar (a field value or a list element) of base type `type`.
void CheckScalar(const FieldSpec& field, FieldType type, Node& value, const std::string& key,
                 Diagnostics& diagnostics) {
  switch (type) {
    case FieldType::kBool:
      if (!value.IsBool()) {
        std::string suggestion;
        if (value.IsString() || value.IsInt()) suggestion = "Write true or false";
        TypeError("bool", value, key, diagnostics, suggestion);
      }
      return;
    case FieldType::kInt:
      if (!value.IsInt()) {
        TypeError("int", value, key, diagnostics);
        return;
      }
      if (!InRange(field, static_cast<double>(value.AsInt()))) {
        diagnostics.Error(value.origin(), key,
                          fmt::format("expected {}, got {}", Expected(field, "int"), value.AsInt()),
                          {}, "range");
      }
      if (!field.choices.empty() &&
          std::find(field.choices.begin(), field.choices.end(), std::to_string(value.AsInt())) ==
              field.choices.end()) {
        diagnostics.Error(
            value.origin(), key,
            fmt::format("expected one of {}, got {}", Join(field.choices, ", "), value.AsInt()), {},
            "choice");
      }
      return;
    case FieldType::kFloat: {
      if (value.IsInt()) value = Node::Float(value.AsDouble(), value.origin());
      if (!value.IsFloat()) {
        TypeError("float", value, key, diagnostics);
        return;
      }
      double number = value.AsDouble();
      if (!std::isfinite(number) && !field.allow_non_finite) {
        diagnostics.Error(value.origin(), key,
                          fmt::format("expected a finite float, got {}", ScalarToYaml(value)),
                          "Non-finite values cannot be hashed or stored stably", "range");
        return;
      }
      if (!InRange(field, number)) {
        diagnostics.Error(
            value.origin(), key,
            fmt::format("expected {}, got {}", Expected(field, "float"), ScalarToYaml(value)), {},
            "range");
      }
      return;
    }
    case FieldType::kString: {
      if (value.IsInt()) value = Node::String(std::to_string(value.AsInt()), value.origin());
      if (!value.IsString()) {
        TypeError("string", value, key, diagnostics);
        return;
      }
      if (!field.choices.empty() && std::find(field.choices.begin(), field.choices.end(),
                                              value.AsString()) == field.choices.end()) {
        std::vector<std::string> quoted;
        for (const auto& choice : field.choices) quoted.push_back(Quoted(choice));
        diagnostics.Error(
            value.origin(), key,
            fmt::format("expected one of {}, got {}", Join(quoted, ", "), Quoted(value.AsString())),
            DidYouMeanSentence(value.AsString(), field.choices), "choice");
      }
      return;
    }
    default:
      return;
  }
}

FieldType ElementType(FieldType list_type) {
  switch (list_type) {
    case FieldType::kIntList:
      return FieldType::kInt;
    case FieldType::kFloatList:
      return FieldType::kFloat;
    default:
      return FieldType::kString;
  }
}

void ValidateSection(const Schema& schema, Node& section, const std::string& path,
                     Diagnostics& diagnostics);

void CheckVariant(const FieldSpec& field, Node& value, const std::string& key,
                  Diagnostics& diagnostics) {
  Node* name = value.FindMutable(field.discriminator);
  const std::string name_key = JoinKey(key, field.discriminator);
  if (name == nullptr || name->IsMissing()) {
    diagnostics.Error(value.origin(), name_key, "missing mandatory value",
                      fmt::format("Choose one of: {}", Join(field.VariantNames(), ", ")),
                      "missing");
    return;
  }
  if (!name->IsString()) {
    TypeError("string", *name, name_key, diagnostics);
    return;
  }
  const Schema* variant = field.Variant(name->AsString());
  if (variant == nullptr) {
    std::string did_you_mean = DidYouMeanSentence(name->AsString(), field.VariantNames());
    diagnostics.Error(name->origin(), name_key,
                      fmt::format("unknown {} '{}'", field.name, name->AsString()),
                      (did_you_mean.empty() ? "" : did_you_mean + " ") +
                          "Known: " + Join(field.VariantNames(), ", "),
                      "choice");
    return;
  }
  ValidateSection(*variant, value, key, diagnostics);
}

void ValidateSection(const Schema& schema, Node& section, const std::string& path,
                     Diagnostics& diagnostics) {
  // keys the schema does not know
  const std::vector<std::string> known = schema.FieldNames();
  for (const auto& entry : section.Entries()) {
    if (schema.Find(entry.key) != nullptr) continue;
    const Origin& origin = entry.key_origin.IsKnown() ? entry.key_origin : entry.value.origin();
    std::string suggestion = DidYouMeanSentence(entry.key, known);
    Diagnostic diagnostic;
    diagnostic.origin = origin;
    diagnostic.key = JoinKey(path, entry.key);
    diagnostic.message = "unknown key";
    diagnostic.kind = "unknown_key";
    diagnostic.candidates = ClosestMatches(entry.key, known);
    if (suggestion.empty()) {
      suggestion = known.size() <= 12 ? "Valid keys: " + Join(known, ", ")
                                      : fmt::format("See 'orch schema {}' for the valid keys",
                                                    path.empty() ? schema.name() : path);
    }
    diagnostic.suggestion = suggestion;
    diagnostics.Add(diagnostic);
  }

  for (const FieldSpec& field : schema.fields()) {
    const std::string key = JoinKey(path, field.name);
    Node* value = section.FindMutable(field.name);
    std::optional<bool> applies = field.applies_when ? field.applies_when(section) : true;
    if (!applies.has_value() && value == nullptr) continue;
    if (applies.has_value() && !*applies) {
      if (value != nullptr) {
        const Node::Entry* entry = section.FindEntry(field.name);
        diagnostics.Error(entry->key_origin.IsKnown() ? entry->key_origin : value->origin(), key,
                          fmt::format("'{}' applies only {}", key, field.applies_doc),
                          "Remove it, or change what it depends on", "not_applicable");
      }
      continue;
    }
    if (value == nullptr) {
      // a key deleted with ~key, or never set: back to its default
      Node fallback = field.type == FieldType::kSection && field.section ? field.section->Defaults()
                                                                         : field.default_value;
      if (field.type != FieldType::kSection) {
        fallback.SetOriginRecursive(Origin::SchemaDefault(schema.name()));
      }
      if (field.type == FieldType::kVariant) {
        diagnostics.Error(section.origin(), key, "missing section",
                          fmt::format("Choose one with {}=<option>; known: {}", field.name,
                                      Join(field.VariantNames(), ", ")),
                          "missing");
        continue;
      }
      value = &section.Set(field.name, fallback, Origin::SchemaDefault(schema.name()));
    }
    CheckField(field, *value, key, diagnostics);
  }

  // present the keys in schema order (the same layout for every config), unknown keys last
  auto field_index = [&](const std::string& key) {
    const auto& fields = schema.fields();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == key) return i;
    }
    return fields.size();
  };
  auto& entries = section.MutableEntries();
  std::stable_sort(entries.begin(), entries.end(), [&](const Node::Entry& a, const Node::Entry& b) {
    return field_index(a.key) < field_index(b.key);
  });

  for (const SchemaRule& rule : schema.rules()) rule(section, path, diagnostics);
}

}  // namespace

std::string DescribeFound(const Node& value) {
  switch (value.type()) {
    case NodeType::kNull:
      return "null";
    case NodeType::kMissing:
      return "??? (missing)";
    case NodeType::kString:
      return "string " + Quoted(value.AsString());
    default:
      return fmt::format("{} {}", TypeName(value.type()), value.Describe());
  }
}

void CheckField(const FieldSpec& field, Node& value, const std::string& key,
                Diagnostics& diagnostics) {
  if (value.IsMissing()) {
    diagnostics.Error(
        value.origin(), key, "missing mandatory value (?\?\?)",
        fmt::format("Set it in a config file or on the command line: {}=<value>", key), "missing");
    return;
  }
  if (value.IsNull()) {
    if (!field.nullable) TypeError(field.TypeText(), value, key, diagnostics);
    return;
  }
  switch (field.type) {
    case FieldType::kBool:
    case FieldType::kInt:
    case FieldType::kFloat:
    case FieldType::kString:
      CheckScalar(field, field.type, value, key, diagnostics);
      return;
    case FieldType::kIntList:
    case FieldType::kFloatList:
    case FieldType::kStringList: {
      if (!value.IsList()) {
        TypeError(field.TypeText(), value, key, diagnostics);
        return;
      }
      size_t count = value.AsList().size();
      if (field.max_items && count > *field.max_items) {
        diagnostics.Error(value.origin(), key,
                          fmt::format("expected at most {} items, got {}", *field.max_items, count),
                          {}, "range");
      }
      if (field.min_items && count < *field.min_items) {
        diagnostics.Error(
            value.origin(), key,
            fmt::format("expected at least {} items, got {}", *field.min_items, count), {},
            "range");
      }
      FieldType element = ElementType(field.type);
      for (size_t i = 0; i < count; ++i) {
        Node& item = value.MutableList()[i];
        const std::string item_key = IndexKey(key, i);
        if (item.IsString() && !field.keywords.empty() &&
            std::find(field.keywords.begin(), field.keywords.end(), item.AsString()) !=
                field.keywords.end()) {
          continue;  // a keyword, replaced by the rule that knows its value
        }
        if (!field.keywords.empty() && item.IsString()) {
          std::vector<std::string> quoted;
          for (const auto& word : field.keywords) quoted.push_back(Quoted(word));
          TypeError(fmt::format("{} or {}", ElementTypeText(field.type), Join(quoted, ", ")), item,
                    item_key, diagnostics, DidYouMeanSentence(item.AsString(), field.keywords));
          continue;
        }
        CheckScalar(field, element, item, item_key, diagnostics);
      }
      return;
    }
    case FieldType::kFloatMap:
      // the names are the caller's to check (a rule that knows them); each value is a float
      if (!value.IsMap()) {
        TypeError(field.TypeText(), value, key, diagnostics);
        return;
      }
      for (auto& entry : value.MutableEntries()) {
        CheckScalar(field, FieldType::kFloat, entry.value, JoinKey(key, entry.key), diagnostics);
      }
      return;
    case FieldType::kSection:
      if (!value.IsMap()) {
        TypeError("a dict", value, key, diagnostics);
        return;
      }
      ValidateSection(*field.section, value, key, diagnostics);
      return;
    case FieldType::kVariant:
      if (!value.IsMap()) {
        TypeError("a dict", value, key, diagnostics);
        return;
      }
      CheckVariant(field, value, key, diagnostics);
      return;
  }
}

void FillSchemaDefaults(const Schema& schema, Node& root) {
  if (!root.IsMap()) return;
  for (const FieldSpec& field : schema.fields()) {
    if (field.applies_when && field.applies_when(root) != std::optional<bool>(true)) continue;
    Node* value = root.FindMutable(field.name);
    if (field.type == FieldType::kVariant) {
      if (value == nullptr || !value->IsMap()) continue;
      const Node* name = value->Find(field.discriminator);
      if (name == nullptr || !name->IsString()) continue;
      if (const Schema* variant = field.Variant(name->AsString())) {
        FillSchemaDefaults(*variant, *value);
      }
      continue;
    }
    if (field.type == FieldType::kSection) {
      if (value == nullptr) {
        root.Set(field.name, field.section->Defaults(), Origin::SchemaDefault(schema.name()));
      } else if (value->IsMap()) {
        FillSchemaDefaults(*field.section, *value);
      }
      continue;
    }
    if (value == nullptr) {
      Node fallback = field.default_value;
      fallback.SetOriginRecursive(Origin::SchemaDefault(schema.name()));
      root.Set(field.name, std::move(fallback), Origin::SchemaDefault(schema.name()));
    }
  }
}

void ValidateConfig(const Schema& schema, Node& root, Diagnostics& diagnostics) {
  if (!root.IsMap()) {
    diagnostics.Error(root.origin(), "", "a config must be a mapping", {}, "type");
    return;
  }
  ValidateSection(schema, root, "", diagnostics);
}

}  // namespace orch::config
