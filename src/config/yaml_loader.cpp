// src/config/yaml_loader.cpp
#include "config/yaml_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "common/string_util.h"
#include "config/key_path.h"

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

/// True for text with the int grammar (`[+-]?(0|[1-9](_?[0-9])*)`), whatever its size.
bool IsIntShaped(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  std::string digits;
  if (!ReadDigitRun(text, digits)) return false;
  return digits.size() == 1 || digits[0] != '0';
}

Origin MarkOrigin(const YAML::Mark& mark, const std::string& display_path) {
  if (mark.line < 0) return Origin::File(display_path, 0, 0);
  return Origin::File(display_path, mark.line + 1, mark.column + 1);
}

/// The position after the quoted scalar that starts at `open` in `source`, or npos when the
/// quote is never closed (yaml-cpp 0.7 accepts a quote left open before a final newline).
size_t ClosingQuote(std::string_view source, size_t open) {
  const char quote = source[open];
  for (size_t i = open + 1; i < source.size(); ++i) {
    if (quote == '"' && source[i] == '\\') {
      ++i;
    } else if (source[i] == quote) {
      if (quote == '\'' && i + 1 < source.size() && source[i + 1] == '\'') {
        ++i;  // '' is an escaped quote
      } else {
        return i + 1;
      }
    }
  }
  return std::string_view::npos;
}

class Converter {
 public:
  Converter(std::string_view source, const std::string& display_path)
      : source_(source), display_path_(display_path) {}

  /// `path` is the dotted key of `yaml`, for messages.
  Node Convert(const YAML::Node& yaml, const Origin& fallback, const std::string& path) {
    Origin origin = MarkOrigin(yaml.Mark(), display_path_);
    CountExpansion(yaml, origin, path);
    switch (yaml.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Node::Null(fallback.IsKnown() ? fallback : origin);
      case YAML::NodeType::Scalar:
        return ConvertScalar(yaml, origin, path);
      case YAML::NodeType::Sequence: {
        Node list = Node::MakeList({}, origin);
        size_t index = 0;
        for (const YAML::Node& item : yaml) {
          list.MutableList().push_back(
              Convert(item, EmptyItemOrigin(item), IndexKey(path, index++)));
        }
        return list;
      }
      case YAML::NodeType::Map:
        return ConvertMap(yaml, origin, path);
    }
    return Node::Null(origin);
  }

 private:
  /// yaml-cpp shares an anchored node with its aliases, so an alias bomb ("billion laughs")
  /// costs nothing to parse and everything to copy. A node met a second time (by its position
  /// in the source) is an alias being expanded: those copies are counted and bounded.
  void CountExpansion(const YAML::Node& yaml, const Origin& origin, const std::string& path) {
    if (yaml.IsNull() || yaml.Mark().pos < 0) return;
    if (seen_.insert(yaml.Mark().pos).second) return;
    if (++expanded_ <= kMaxAliasExpansion) return;
    throw ConfigError(
        origin, path,
        fmt::format("the YAML aliases (*name) expand to more than {} copied values, which is "
                    "what an alias bomb ('billion laughs') does; refused",
                    kMaxAliasExpansion),
        "Write the values out, or use fewer nested aliases", "yaml");
  }

  /// Bounds the values copied through aliases: far above any real config, far below the
  /// memory an exponential expansion would take.
  static constexpr int64_t kMaxAliasExpansion = 100'000;

  Node ConvertMap(const YAML::Node& yaml, const Origin& origin, const std::string& path) {
    Node map = Node::MakeMap(origin);
    std::unordered_map<std::string, int> first_line;
    for (auto it = yaml.begin(); it != yaml.end(); ++it) {
      // copies: the iterator's pair is a temporary
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      Origin key_origin = MarkOrigin(key.Mark(), display_path_);
      if (!key.IsScalar()) {
        throw ConfigError(key_origin, path, "a mapping key must be a plain scalar",
                          "Use a string key", "yaml");
      }
      const std::string key_text = key.Scalar();
      const std::string key_path = JoinKey(path, key_text);
      auto [seen, inserted] = first_line.emplace(key_text, key_origin.line);
      if (!inserted) {
        throw ConfigError(key_origin, key_path,
                          fmt::format("duplicate key (first defined on line {})", seen->second),
                          "Remove one of the two entries", "yaml");
      }
      // an empty value (`key:`) has no position of its own: point at the key
      Origin value_fallback;
      if (value.IsNull() && (value.Mark().line != key.Mark().line)) value_fallback = key_origin;
      map.Set(key_text, Convert(value, value_fallback, key_path), key_origin);
    }
    return map;
  }

  Node ConvertScalar(const YAML::Node& yaml, const Origin& origin, const std::string& path) {
    const std::string& text = yaml.Scalar();
    const std::string& tag = yaml.Tag();
    if (tag == "?") return ConvertPlainScalar(text, origin, path);
    if (tag == "!" || tag == kTagStr) {
      CheckQuoteClosed(yaml.Mark(), origin, path);
      return Node::String(text, origin);
    }
    if (tag == kTagNull) return Node::Null(origin);
    Node plain = ConvertPlainScalar(text, origin, path);
    if (tag == kTagBool && plain.IsBool()) return plain;
    if (tag == kTagInt && plain.IsInt()) return plain;
    if (tag == kTagFloat && plain.IsNumber()) return Node::Float(plain.AsDouble(), origin);
    if (tag == kTagBool || tag == kTagInt || tag == kTagFloat) {
      throw ConfigError(origin, path, fmt::format("'{}' does not match its tag {}", text, tag), {},
                        "yaml");
    }
    throw ConfigError(origin, path, fmt::format("unsupported YAML tag '{}'", tag),
                      "Remove the tag; types come from the schema", "yaml");
  }

  /// An empty list item (`-` and nothing) gets the position of its dash; yaml-cpp gives it the
  /// position of the next token.
  Origin EmptyItemOrigin(const YAML::Node& item) const {
    if (!item.IsNull() || item.Mark().pos < 0) return {};
    size_t pos = std::min(static_cast<size_t>(item.Mark().pos), source_.size());
    std::string_view rest = source_.substr(pos);
    if (!rest.empty() && (rest[0] == '~' || StartsWith(ToLower(rest.substr(0, 4)), "null"))) {
      return {};  // an explicit null has a position of its own
    }
    while (pos > 0 && std::isspace(static_cast<unsigned char>(source_[pos - 1]))) --pos;
    if (pos == 0 || source_[pos - 1] != '-') return {};
    size_t dash = pos - 1;
    size_t line_start = source_.rfind('\n', dash);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    int line = 1 + static_cast<int>(std::count(source_.begin(), source_.begin() + dash, '\n'));
    return Origin::File(display_path_, line, static_cast<int>(dash - line_start) + 1);
  }

  void CheckQuoteClosed(const YAML::Mark& mark, const Origin& origin, const std::string& path) {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= source_.size()) return;
    char first = source_[static_cast<size_t>(mark.pos)];
    if (first != '"' && first != '\'') return;
    if (ClosingQuote(source_, static_cast<size_t>(mark.pos)) == std::string_view::npos) {
      throw ConfigError(origin, path, "malformed YAML: the quoted string is never closed",
                        fmt::format("Close it with {}", first), "yaml");
    }
  }

  std::string_view source_;
  const std::string& display_path_;
  std::unordered_set<int> seen_;  // source positions of the nodes converted so far
  int64_t expanded_ = 0;
};

}  // namespace

Node ConvertPlainScalar(const std::string& text, const Origin& origin, const std::string& key) {
  if (text.empty() || text == "~") return Node::Null(origin);
  const std::string lower = ToLower(text);
  if (lower == "null") return Node::Null(origin);
  if (text == "???") return Node::Missing(origin);
  if (lower == "true") return Node::Bool(true, origin);
  if (lower == "false") return Node::Bool(false, origin);
  if (auto value = ParseIntLiteral(text)) return Node::Int(*value, origin);
  if (IsIntShaped(text)) {
    throw ConfigError(origin, key, fmt::format("integer {} is outside the 64-bit range", text),
                      "Quote it to keep it as a string", "yaml");
  }
  if (auto value = ParseFloatLiteral(text)) {
    if (std::isinf(*value) && ToLower(text).find("inf") == std::string::npos) {
      throw ConfigError(origin, key, fmt::format("float {} is outside the double range", text),
                        "Write .inf for infinity, or quote it to keep it as a string", "yaml");
    }
    return Node::Float(*value, origin);
  }
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
    if (StartsWith(trimmed, "@package") &&
        (trimmed.size() == 8 || std::isspace(static_cast<unsigned char>(trimmed[8])))) {
      std::string_view package = Trim(trimmed.substr(8));
      return std::string(package);
    }
  }
  return std::nullopt;
}

Node ParseYamlValue(std::string_view text, const std::string& display_path) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    throw ConfigError(MarkOrigin(error.mark, display_path), "", "malformed YAML: " + error.msg, {},
                      "yaml");
  }
  if (documents.size() > 1) {
    throw ConfigError(MarkOrigin(documents[1].Mark(), display_path), "",
                      "a config file holds one YAML document, and this one starts another",
                      "Remove the '---' line, or split the file", "yaml");
  }
  if (documents.empty()) return Node::Null(Origin::File(display_path, 1, 1));
  Converter converter(text, display_path);
  return converter.Convert(documents.front(), Origin::File(display_path, 1, 1), "");
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
                      fmt::format("a config file must hold a mapping at the top level, found {}",
                                  TypeWithArticle(root.type())),
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
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw ConfigError(Origin::File(display_path, 0, 0), "",
                      "cannot read the file: it is a directory", {}, "io");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw ConfigError(Origin::File(display_path, 0, 0), "",
                      std::filesystem::exists(path, error)
                          ? "cannot read the file"
                          : "cannot read the file: it does not exist",
                      {}, "io");
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  return ParseYaml(buffer.str(), display_path);
}

}  // namespace orch::config
