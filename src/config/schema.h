// src/config/schema.h: typed schemas of config namespaces, built from plain options structs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "config/node.h"

namespace orch::config {

enum class FieldType {
  kBool,
  kInt,
  kFloat,
  kString,
  kIntList,
  kFloatList,
  kStringList,
  kFloatMap,  ///< names of the user's choosing, each with a float (`ppo.ent_head_coef`)
  kSection,   ///< a nested mapping with a schema of its own
  kVariant,   ///< a nested mapping whose schema is chosen by one of its keys (`env.name`)
};

class Schema;

/// A cross-field rule: checks (and may normalise) `section`, whose dotted path is `path`, and
/// reports problems with their origins. Runs after every field of the section is valid.
using SchemaRule = std::function<void(Node& section, const std::string& path, Diagnostics&)>;

/// One key of a schema: its type, default, constraints and a one-line doc.
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  std::string doc;
  /// The default (`Missing` for a mandatory value, `Null` for "unset").
  Node default_value;
  bool nullable = false;

  // numbers, and the elements of number lists
  std::optional<double> minimum;
  std::optional<double> maximum;
  bool minimum_exclusive = false;
  bool maximum_exclusive = false;
  bool allow_non_finite = false;
  // strings, and the elements of string lists
  std::vector<std::string> choices;
  // lists
  std::optional<size_t> min_items;
  std::optional<size_t> max_items;
  /// Words accepted in place of an element of a float list (`primary`); kept as strings by the
  /// validator and replaced by a rule that knows their value.
  std::vector<std::string> keywords;
  // sections
  const Schema* section = nullptr;
  std::string discriminator;  ///< kVariant: the key that names the variant (`name`)
  std::vector<std::pair<std::string, const Schema*>> variants;
  /// When set, the key applies only if this returns true for the enclosing mapping (e.g. the
  /// `tam` namespace only when `algo` is `tam`); nullopt means it cannot tell (`algo` itself is
  /// invalid), and then a present value is validated and an absent one left out, so that one
  /// mistake does not cascade. `applies_doc` says when, for messages.
  std::function<std::optional<bool>(const Node& parent)> applies_when;
  std::string applies_doc;
  /// Binds a validated value into an options struct (set by SchemaBuilder).
  std::function<void(void* options, const Node& value)> assign;

  /// `float`, `int | null`, `list[float]`, `dict`, ...
  std::string TypeText() const;
  /// `in (0, 1)`, `>= 1`, `one of: joint, separate`, `at most 6 items`; empty when none.
  std::string ConstraintText() const;
  /// The schema of a variant name, or nullptr.
  const Schema* Variant(std::string_view name) const;
  std::vector<std::string> VariantNames() const;
};

/// The typed schema of one namespace (`multi_gamma`, `tam.memory`, the root).
class Schema {
 public:
  Schema(std::string name, std::string doc);

  const std::string& name() const { return name_; }
  const std::string& doc() const { return doc_; }
  const std::vector<FieldSpec>& fields() const { return fields_; }
  const FieldSpec* Find(std::string_view field_name) const;
  std::vector<std::string> FieldNames() const;

  FieldSpec& AddField(FieldSpec field);
  void AddRule(SchemaRule rule) { rules_.push_back(std::move(rule)); }
  const std::vector<SchemaRule>& rules() const { return rules_; }

  /// Every default as a mapping (sections recursively; variants with their first variant),
  /// each node with a schema-default origin.
  Node Defaults() const;

  /// Copies the values of a validated section into an options struct built by SchemaBuilder.
  void BindInto(const Node& section, void* options) const;

 private:
  std::string name_;
  std::string doc_;
  std::vector<FieldSpec> fields_;
  std::vector<SchemaRule> rules_;
};

/// How a C++ field type maps onto a schema type; specialised below.
template <typename T>
struct FieldTraits;

template <>
struct FieldTraits<bool> {
  static constexpr FieldType kType = FieldType::kBool;
  static Node ToNode(bool value) { return Node::Bool(value); }
  static bool FromNode(const Node& node) { return node.AsBool(); }
};
template <>
struct FieldTraits<int64_t> {
  static constexpr FieldType kType = FieldType::kInt;
  static Node ToNode(int64_t value) { return Node::Int(value); }
  static int64_t FromNode(const Node& node) { return node.AsInt(); }
};
template <>
struct FieldTraits<int> {
  static constexpr FieldType kType = FieldType::kInt;
  static Node ToNode(int value) { return Node::Int(value); }
  static int FromNode(const Node& node) { return static_cast<int>(node.AsInt()); }
};
template <>
struct FieldTraits<double> {
  static constexpr FieldType kType = FieldType::kFloat;
  static Node ToNode(double value) { return Node::Float(value); }
  static double FromNode(const Node& node) { return node.AsDouble(); }
};
template <>
struct FieldTraits<std::string> {
  static constexpr FieldType kType = FieldType::kString;
  static Node ToNode(const std::string& value) { return Node::String(value); }
  static std::string FromNode(const Node& node) { return node.AsString(); }
};
template <typename T>
struct FieldTraits<std::optional<T>> {
  static constexpr FieldType kType = FieldTraits<T>::kType;
  static Node ToNode(const std::optional<T>& value) {
    return value ? FieldTraits<T>::ToNode(*value) : Node::Null();
  }
  static std::optional<T> FromNode(const Node& node) {
    if (node.IsNull()) return std::nullopt;
    return FieldTraits<T>::FromNode(node);
  }
};
template <typename T>
struct FieldTraits<std::vector<T>> {
  static constexpr FieldType kType = FieldTraits<T>::kType == FieldType::kInt ? FieldType::kIntList
                                     : FieldTraits<T>::kType == FieldType::kFloat
                                         ? FieldType::kFloatList
                                         : FieldType::kStringList;
  static Node ToNode(const std::vector<T>& values) {
    Node list = Node::MakeList();
    for (const auto& value : values) list.MutableList().push_back(FieldTraits<T>::ToNode(value));
    return list;
  }
  static std::vector<T> FromNode(const Node& node) {
    std::vector<T> values;
    for (const auto& item : node.AsList()) values.push_back(FieldTraits<T>::FromNode(item));
    return values;
  }
};

template <>
struct FieldTraits<std::map<std::string, double>> {
  static constexpr FieldType kType = FieldType::kFloatMap;
  static Node ToNode(const std::map<std::string, double>& values) {
    Node map = Node::MakeMap();
    for (const auto& [key, value] : values) map.Set(key, Node::Float(value));
    return map;
  }
  static std::map<std::string, double> FromNode(const Node& node) {
    std::map<std::string, double> values;
    for (const auto& key : node.Keys()) values[key] = node.Find(key)->AsDouble();
    return values;
  }
};

template <typename T>
inline constexpr bool kIsOptional = false;
template <typename T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

/// Fluent constraints on the field just added.
class FieldRef {
 public:
  explicit FieldRef(FieldSpec& spec) : spec_(&spec) {}
  FieldRef& Min(double value) {
    spec_->minimum = value;
    spec_->minimum_exclusive = false;
    return *this;
  }
  FieldRef& Max(double value) {
    spec_->maximum = value;
    spec_->maximum_exclusive = false;
    return *this;
  }
  FieldRef& Above(double value) {
    spec_->minimum = value;
    spec_->minimum_exclusive = true;
    return *this;
  }
  FieldRef& Below(double value) {
    spec_->maximum = value;
    spec_->maximum_exclusive = true;
    return *this;
  }
  FieldRef& Range(double low, double high) { return Min(low).Max(high); }
  /// (low, high), both ends excluded.
  FieldRef& OpenRange(double low, double high) { return Above(low).Below(high); }
  FieldRef& Positive() { return Above(0); }
  FieldRef& NonNegative() { return Min(0); }
  FieldRef& Choices(std::vector<std::string> choices) {
    spec_->choices = std::move(choices);
    return *this;
  }
  FieldRef& MinItems(size_t count) {
    spec_->min_items = count;
    return *this;
  }
  FieldRef& MaxItems(size_t count) {
    spec_->max_items = count;
    return *this;
  }
  FieldRef& Keywords(std::vector<std::string> words) {
    spec_->keywords = std::move(words);
    return *this;
  }
  FieldRef& AllowNonFinite() {
    spec_->allow_non_finite = true;
    return *this;
  }
  /// Replaces the default taken from the options struct (e.g. a list holding a keyword).
  FieldRef& Default(Node value) {
    spec_->default_value = std::move(value);
    return *this;
  }
  FieldRef& Mandatory() {
    spec_->default_value = Node::Missing();
    return *this;
  }

 private:
  FieldSpec* spec_;
};

/// Builds the schema of an options struct from member pointers, so that the struct's default
/// member initialisers are the one place where defaults live:
///
///   SchemaBuilder<MultiGammaOptions> b("multi_gamma", "multi-discount auxiliary value heads");
///   b.Field("head", &MultiGammaOptions::head, "head layout").Choices({"joint", "separate"});
template <typename Options>
class SchemaBuilder {
 public:
  SchemaBuilder(std::string name, std::string doc)
      : schema_(std::make_unique<Schema>(std::move(name), std::move(doc))) {}

  template <typename T>
  FieldRef Field(std::string name, T Options::*member, std::string doc) {
    FieldSpec spec;
    spec.name = std::move(name);
    spec.type = FieldTraits<T>::kType;
    spec.doc = std::move(doc);
    spec.nullable = kIsOptional<T>;
    spec.default_value = FieldTraits<T>::ToNode(defaults_.*member);
    spec.assign = [member](void* options, const Node& value) {
      static_cast<Options*>(options)->*member = FieldTraits<T>::FromNode(value);
    };
    return FieldRef(schema_->AddField(std::move(spec)));
  }

  /// A nested namespace with its own options struct and schema (`tam.memory`).
  template <typename Sub>
  FieldRef Section(std::string name, Sub Options::*member, const Schema& sub_schema,
                   std::string doc) {
    FieldSpec spec;
    spec.name = std::move(name);
    spec.type = FieldType::kSection;
    spec.doc = std::move(doc);
    spec.section = &sub_schema;
    spec.default_value = sub_schema.Defaults();
    spec.assign = [member, &sub_schema](void* options, const Node& value) {
      sub_schema.BindInto(value, &(static_cast<Options*>(options)->*member));
    };
    return FieldRef(schema_->AddField(std::move(spec)));
  }

  void Rule(SchemaRule rule) { schema_->AddRule(std::move(rule)); }

  std::unique_ptr<Schema> Build() { return std::move(schema_); }

 private:
  Options defaults_{};
  std::unique_ptr<Schema> schema_;
};

/// Binds a validated section into a fresh options struct.
template <typename Options>
Options Bind(const Schema& schema, const Node& section) {
  Options options{};
  schema.BindInto(section, &options);
  return options;
}

/// The options struct of the section `key` of a whole validated config (`tam`, `env`, ...),
/// or the schema's defaults when the config has no such section. The one way a workload turns
/// its config into options.
template <typename Options>
Options BindSection(const Node& config, std::string_view key, const Schema& schema) {
  const Node* section = config.Find(key);
  return section != nullptr ? Bind<Options>(schema, *section)
                            : Bind<Options>(schema, schema.Defaults());
}

/// A human-readable table of a schema (`orch schema NAMESPACE`): key, type, default,
/// constraint and doc, nested sections indented under their parent.
std::string FormatSchema(const Schema& schema, const std::string& prefix = "");

/// The schema as one JSON object (for tools and `orch schema --json`).
std::string SchemaToJson(const Schema& schema);

}  // namespace orch::config
