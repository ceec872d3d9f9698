// src/config/yaml_writer.cpp
#include "config/yaml_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/json.h"
#include "common/string_util.h"

namespace orch::config {
namespace {

bool IsReservedWord(const std::string& lower) {
  // words that some YAML reader (1.1 or 1.2) takes for a bool, null or special float
  static const char* kWords[] = {"null", "~",    "true", "false", "yes",   "no",    "on",
                                 "off",  "y",    "n",    ".inf",  "-.inf", "+.inf", ".nan",
                                 "inf",  "-inf", "+inf", "nan",   "???",   "<<",    "="};
  for (const char* word : kWords) {
    if (lower == word) return true;
  }
  return false;
}

bool LooksNumeric(const std::string& text) {
  if (text.empty()) return false;
  char first = text[0];
  if (std::isdigit(static_cast<unsigned char>(first))) return true;
  if ((first == '+' || first == '-' || first == '.') && text.size() > 1) {
    char second = text[1];
    return std::isdigit(static_cast<unsigned char>(second)) || second == '.';
  }
  return false;
}

bool NeedsDoubleQuotes(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool NeedsQuotes(const std::string& text, bool in_flow) {
  if (text.empty()) return true;
  if (IsReservedWord(ToLower(text)) || LooksNumeric(text)) return true;
  if (text.front() == ' ' || text.back() == ' ') return true;
  static const std::string kLeadingIndicators = "?:,[]{}#&*!|>'\"%@`";
  if (kLeadingIndicators.find(text.front()) != std::string::npos) return true;
  if (text.front() == '-' && (text.size() == 1 || text[1] == ' ')) return true;
  if (text.find(": ") != std::string::npos || text.find(" #") != std::string::npos) return true;
  if (text.back() == ':') return true;
  if (NeedsDoubleQuotes(text)) return true;
  // yaml-cpp ends a flow plain scalar at '?' and ':'
  if (in_flow && text.find_first_of(",[]{}?:") != std::string::npos) return true;
  // a line starting with a document marker would end the document
  if (StartsWith(text, "---") || StartsWith(text, "...")) return true;
  return false;
}

std::string DoubleQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string SingleQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string QuoteString(const std::string& text, bool in_flow) {
  if (!NeedsQuotes(text, in_flow)) return text;
  return NeedsDoubleQuotes(text) ? DoubleQuoted(text) : SingleQuoted(text);
}

bool AllScalars(const Node::List& items) {
  for (const auto& item : items) {
    if (item.IsContainer() && item.Size() > 0) return false;
  }
  return true;
}

std::string OriginComment(const Node& node) {
  if (!node.origin().IsKnown()) return {};
  return "  # " + node.origin().ToString();
}

/// Writes block YAML by column: a mapping's keys start at `column`; a value nested under a key
/// starts `indent` columns further; a list item's dash sits at `column` and the item's content
/// (a mapping's keys, or a nested list) two columns after it.
class BlockWriter {
 public:
  explicit BlockWriter(const YamlStyle& style) : style_(style) {}

  void WriteMap(const Node& map, size_t column) {
    for (const auto& entry : map.Entries()) {
      Pad(column);
      WriteEntry(entry, column);
    }
  }

  void WriteList(const Node& list, size_t column) {
    for (const auto& item : list.AsList()) {
      Pad(column);
      out_ += "-";
      const size_t content = column + 2;
      if (item.IsMap() && item.Size() > 0) {
        // first entry on the dash line, the rest aligned under it
        bool first = true;
        for (const auto& entry : item.Entries()) {
          if (first) {
            out_ += " ";
          } else {
            Pad(content);
          }
          first = false;
          WriteEntry(entry, content);
        }
      } else if (item.IsList() && item.Size() > 0 && !UseFlow(item)) {
        out_ += Comment(item) + "\n";
        WriteList(item, content);
      } else {
        out_ += " " + Inline(item) + Comment(item) + "\n";
      }
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  void WriteEntry(const Node::Entry& entry, size_t column) {
    out_ += KeyToYaml(entry.key) + ":";
    const Node& value = entry.value;
    const size_t nested = column + static_cast<size_t>(std::max(1, style_.indent));
    if (value.IsMap() && value.Size() > 0) {
      out_ += Comment(value) + "\n";
      WriteMap(value, nested);
    } else if (value.IsList() && value.Size() > 0 && !UseFlow(value)) {
      out_ += Comment(value) + "\n";
      WriteList(value, nested);
    } else {
      out_ += " " + Inline(value) + Comment(value) + "\n";
    }
  }

  bool UseFlow(const Node& list) const {
    if (style_.annotate_origins) return false;
    if (!AllScalars(list.AsList())) return false;
    // yaml-cpp cannot read ??? inside a flow collection
    for (const auto& item : list.AsList()) {
      if (item.IsMissing()) return false;
    }
    return ToFlowYaml(list).size() <= style_.flow_list_width;
  }

  std::string Inline(const Node& node) const {
    if (node.IsContainer()) return ToFlowYaml(node);
    return ScalarToYaml(node);
  }

  std::string Comment(const Node& node) const {
    return style_.annotate_origins ? OriginComment(node) : std::string();
  }

  void Pad(size_t column) { out_.append(column, ' '); }

  const YamlStyle& style_;
  std::string out_;
};

}  // namespace

std::string ScalarToYaml(const Node& node, bool in_flow) {
  switch (node.type()) {
    case NodeType::kNull:
      return "null";
    case NodeType::kMissing:
      return "???";
    case NodeType::kBool:
      return node.AsBool() ? "true" : "false";
    case NodeType::kInt:
      return fmt::format("{}", node.AsInt());
    case NodeType::kFloat:
      return FormatDouble(node.AsDouble());
    case NodeType::kString:
      return QuoteString(node.AsString(), in_flow);
    case NodeType::kList:
    case NodeType::kMap:
      return ToFlowYaml(node);
  }
  return {};
}

std::string KeyToYaml(const std::string& key) { return QuoteString(key, /*in_flow=*/true); }

std::string ToFlowYaml(const Node& node) {
  if (node.IsList()) {
    std::vector<std::string> parts;
    for (const auto& item : node.AsList()) parts.push_back(ToFlowYaml(item));
    return "[" + Join(parts, ", ") + "]";
  }
  if (node.IsMap()) {
    std::vector<std::string> parts;
    for (const auto& entry : node.Entries()) {
      parts.push_back(KeyToYaml(entry.key) + ": " + ToFlowYaml(entry.value));
    }
    return "{" + Join(parts, ", ") + "}";
  }
  return ScalarToYaml(node, /*in_flow=*/true);
}

std::string ToYaml(const Node& node, const YamlStyle& style) {
  BlockWriter writer(style);
  if (node.IsMap() && node.Size() > 0) {
    writer.WriteMap(node, 0);
    return writer.Take();
  }
  if (node.IsList() && node.Size() > 0) {
    writer.WriteList(node, 0);
    return writer.Take();
  }
  return ScalarToYaml(node) + "\n";
}

}  // namespace orch::config
