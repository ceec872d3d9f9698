// src/config/yaml_loader.cpp
#include "config/yaml_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "common/error.h"
#include "common/string_util.h"

namespace orch::config {
namespace {

constexpr const char* kTagStr = "tag:yaml.org,2002:str";
constexpr const char* kTagInt = "tag:yaml.org,2002:int";
constexpr const char* kTagFloat = "tag:yaml.org,2002:float";
constexpr const char* kTagBool = "tag:yaml.org,2002:bool";
constexpr const char* kTagNull = "tag:yaml.org,2002:null";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

/// Digits with single underscores between them: "1", "1_000"; returns the digits only.
bool ReadDigitRun(std::string_view text, std::string& digits) {
  if (text.empty() || !IsDigit(text.front()) || !IsDigit(text.back())) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      if (text[i + 1] == '_') return false;
      continue;
    }
    if (!IsDigit(text[i])) return false;
    digits += text[i];
  }
  return true;
}

std::optional<int64_t> ParseIntLiteral(std::string_view text) {
  std::string digits;
  std::string_view body = text;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    if (body[0] == '-') digits += '-';
    body.remove_prefix(1);
  }
  size_t sign_length = digits.size();
  if (!ReadDigitRun(body, digits)) return std::nullopt;
  // no leading zeros: `010` is a string, not octal and not ten
  if (digits.size() - sign_length > 1 && digits[sign_length] == '0') return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseFloatLiteral(std::string_view text) {
  const std::string lower = ToLower(text);
  if (lower == ".inf" || lower == "+.inf") return std::numeric_limits<double>::infinity();
  if (lower == "-.inf") return -std::numeric_limits<double>::infinity();
  if (lower == ".nan") return std::numeric_limits<double>::quiet_NaN();

  // [+-]? (D+ . D* | . D+ | D+) ([eE] [+-]? D+)?  with single underscores inside digit runs,
  // and at least a dot or an exponent
  std::string normalized;
  std::string_view rest = text;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    normalized += rest[0];
    rest.remove_prefix(1);
  }
  size_t exponent_at = rest.find_first_of("eE");
  std::string_view mantissa = rest.substr(0, exponent_at);
  std::string_view exponent =
      exponent_at == std::string_view::npos ? std::string_view() : rest.substr(exponent_at + 1);
  size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos && exponent_at == std::string_view::npos) return std::nullopt;
  std::string_view int_part = dot == std::string_view::npos ? mantissa : mantissa.substr(0, dot);
  std::string_view frac_part =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return std::nullopt;
  if (!int_part.empty() && !ReadDigitRun(int_part, normalized)) return std::nullopt;
  if (dot != std::string_view::npos) {
    normalized += '.';
    if (!frac_part.empty() && !ReadDigitRun(frac_part, normalized)) return std::nullopt;
  }
  if (exponent_at != std::string_view::npos) {
    normalized += 'e';
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
      normalized += exponent[0];
      exponent.remove_prefix(1);
    }
    if (!ReadDigitRun(exponent, normalized)) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(normalized.c_str(), &end);
  if (end != normalized.c_str() + normalized.size()) return std::nullopt;
  return value;
}

Origin MarkOrigin(const YAML::Mark& mark, const std::string& display_path) {
  if (mark.line < 0) return Origin::File(display_path, 0, 0);
  return Origin::File(display_path, mark.line + 1, mark.column + 1);
}

class Converter {
 public:
  explicit Converter(const std::string& display_path) : display_path_(display_path) {}

  Node Convert(const YAML::Node& yaml, const Origin& fallback) {
    Origin origin = MarkOrigin(yaml.Mark(), display_path_);
    switch (yaml.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Node::Null(fallback.IsKnown() ? fallback : origin);
      case YAML::NodeType::Scalar:
        return ConvertScalar(yaml, origin);
      case YAML::NodeType::Sequence: {
        Node list = Node::MakeList({}, origin);
        for (const auto& item : yaml) list.MutableList().push_back(Convert(item, {}));
        return list;
      }
      case YAML::NodeType::Map:
        return ConvertMap(yaml, origin);
    }
    return Node::Null(origin);
  }

 private:
  Node ConvertMap(const YAML::Node& yaml, const Origin& origin) {
    Node map = Node::MakeMap(origin);
    std::unordered_map<std::string, int> first_line;
    for (auto it = yaml.begin(); it != yaml.end(); ++it) {
      const YAML::Node& key = it->first;
      Origin key_origin = MarkOrigin(key.Mark(), display_path_);
      if (!key.IsScalar()) {
        throw ConfigError(key_origin, "", "a mapping key must be a plain scalar",
                          "Use a string key", "yaml");
      }
      const std::string& key_text = key.Scalar();
      auto [seen, inserted] = first_line.emplace(key_text, key_origin.line);
      if (!inserted) {
        throw ConfigError(key_origin, key_text,
                          fmt::format("duplicate key (first defined on line {})", seen->second),
                          "Remove one of the two entries", "yaml");
      }
      // an empty value (`key:`) has no position of its own: point at the key
      const YAML::Node& value = it->second;
      Origin value_fallback;
      if (value.IsNull() && (value.Mark().line != key.Mark().line)) value_fallback = key_origin;
      map.Set(key_text, Convert(value, value_fallback), key_origin);
    }
    return map;
  }

  Node ConvertScalar(const YAML::Node& yaml, const Origin& origin) {
    const std::string& text = yaml.Scalar();
    const std::string& tag = yaml.Tag();
    if (tag == "?") return ConvertPlainScalar(text, origin);
    if (tag == "!" || tag == kTagStr) return Node::String(text, origin);
    if (tag == kTagNull) return Node::Null(origin);
    Node plain = ConvertPlainScalar(text, origin);
    if (tag == kTagBool && plain.IsBool()) return plain;
    if (tag == kTagInt && plain.IsInt()) return plain;
    if (tag == kTagFloat && plain.IsNumber()) return Node::Float(plain.AsDouble(), origin);
    if (tag == kTagBool || tag == kTagInt || tag == kTagFloat) {
      throw ConfigError(origin, "", fmt::format("'{}' does not match its tag {}", text, tag), {},
                        "yaml");
    }
    throw ConfigError(origin, "", fmt::format("unsupported YAML tag '{}'", tag),
                      "Remove the tag; types come from the schema", "yaml");
  }

  const std::string& display_path_;
};

}  // namespace

Node ConvertPlainScalar(const std::string& text, const Origin& origin) {
  if (text.empty() || text == "~") return Node::Null(origin);
  const std::string lower = ToLower(text);
  if (lower == "null") return Node::Null(origin);
  if (text == "???") return Node::Missing(origin);
  if (lower == "true") return Node::Bool(true, origin);
  if (lower == "false") return Node::Bool(false, origin);
  if (auto value = ParseIntLiteral(text)) return Node::Int(*value, origin);
  if (auto value = ParseFloatLiteral(text)) return Node::Float(*value, origin);
  return Node::String(text, origin);
}

std::optional<std::string> FindPackageHeader(std::string_view text) {
  // the header lives in the comment block at the top of the file
  std::istringstream stream{std::string(text)};
  std::string line;
  while (std::getline(stream, line)) {
    std::string_view trimmed = Trim(line);
    if (trimmed.empty()) continue;
    if (trimmed.front() != '#') break;
    trimmed.remove_prefix(1);
    trimmed = Trim(trimmed);
    if (StartsWith(trimmed, "@package")) {
      std::string_view package = Trim(trimmed.substr(8));
      return std::string(package);
    }
  }
  return std::nullopt;
}

Node ParseYamlValue(std::string_view text, const std::string& display_path) {
  YAML::Node yaml;
  try {
    yaml = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    throw ConfigError(MarkOrigin(error.mark, display_path), "",
                      "malformed YAML: " + error.msg, {}, "yaml");
  }
  Converter converter(display_path);
  return converter.Convert(yaml, Origin::File(display_path, 1, 1));
}

LoadedConfig ParseYaml(std::string_view text, const std::string& display_path) {
  LoadedConfig loaded;
  loaded.display_path = display_path;
  loaded.package_header = FindPackageHeader(text);
  Node root = ParseYamlValue(text, display_path);
  if (root.IsNull()) {
    loaded.content = Node::MakeMap(Origin::File(display_path, 1, 1));
    return loaded;
  }
  if (!root.IsMap()) {
    throw ConfigError(root.origin(), "",
                      fmt::format("a config file must hold a mapping at the top level, found a {}",
                                  TypeName(root.type())),
                      {}, "yaml");
  }
  // the defaults list steers composition and is not part of the config itself
  if (const Node* defaults = root.Find("defaults")) {
    loaded.defaults = *defaults;
    root.Erase("defaults");
  }
  loaded.content = std::move(root);
  return loaded;
}

LoadedConfig LoadYamlFile(const std::string& path, const std::string& display_path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw ConfigError(Origin::File(display_path, 0, 0), "", "cannot read the file", {}, "io");
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  return ParseYaml(buffer.str(), display_path);
}

}  // namespace orch::config
