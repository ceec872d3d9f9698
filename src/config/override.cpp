// src/config/override.cpp: key elements, rendering parsed values back as override text, and the
// expansion helpers for range and glob sweeps
#include "config/override.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace orch::config {
namespace {

// characters a string may hold and still be written unquoted
bool IsPlainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_-/+.$%*@?|").find(c) != std::string_view::npos;
}

// floats as the grammar reads them: always a point or an exponent, inf and nan by name
std::string FormatFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return FormatDouble(value);
}

// `text` in single quotes: a quote becomes `\'`, and a backslash run just before a quote (or
// before the closing quote) is doubled; every other backslash stays as it is
std::string SingleQuoted(std::string_view text) {
  std::string out = "'";
  size_t index = 0;
  while (index < text.size()) {
    if (text[index] == '\'') {
      out += "\\'";
      ++index;
      continue;
    }
    if (text[index] != '\\') {
      out += text[index++];
      continue;
    }
    size_t run_end = index;
    while (run_end < text.size() && text[run_end] == '\\') ++run_end;
    size_t run = run_end - index;
    if (run_end < text.size() && text[run_end] == '\'') {
      out.append(2 * run + 1, '\\');
      out += '\'';
      index = run_end + 1;
    } else if (run_end == text.size()) {
      out.append(2 * run, '\\');
      index = run_end;
    } else {
      out.append(run, '\\');
      index = run_end;
    }
  }
  return out + "'";
}

// a string unquoted when the grammar reads it back as the same string, else single-quoted
std::string FormatString(const std::string& text) {
  bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return IsPlainChar(c) || c == ':' || c == '{' || c == '}';
  });
  if (plain) {
    try {
      Override parsed = ParseOverride("k=" + text, 0);
      if (parsed.value && parsed.value->IsString() && parsed.value->AsString() == text) {
        return text;
      }
    } catch (const ConfigError&) {
      // not valid unquoted: quote it below
    }
  }
  return SingleQuoted(text);
}

// a dict key: keys cannot be quoted, so special characters are backslash-escaped
std::string FormatKey(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (std::string_view("\\()[]{}:=, \t").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

//----- decimal arithmetic for float ranges

// mantissa * 10^exponent, exactly
struct Decimal {
  __int128 mantissa = 0;
  int exponent = 0;
};

// the shortest decimal that reads back as the node's value (ints exactly)
Decimal ToDecimal(const Node& node) {
  if (node.IsInt()) return {node.AsInt(), 0};
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), node.AsDouble(),
                              std::chars_format::scientific);
  std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  Decimal decimal;
  bool negative = !text.empty() && text.front() == '-';
  size_t e_at = text.find('e');
  int fraction_digits = 0;
  bool after_point = false;
  for (char c : text.substr(0, e_at)) {
    if (c == '.') {
      after_point = true;
    } else if (c >= '0' && c <= '9') {
      decimal.mantissa = decimal.mantissa * 10 + (c - '0');
      if (after_point) ++fraction_digits;
    }
  }
  if (negative) decimal.mantissa = -decimal.mantissa;
  decimal.exponent = std::atoi(std::string(text.substr(e_at + 1)).c_str()) - fraction_digits;
  return decimal;
}

// the double nearest to mantissa * 10^exponent
double DecimalToDouble(__int128 mantissa, int exponent) {
  bool negative = mantissa < 0;
  unsigned __int128 magnitude = negative ? -static_cast<unsigned __int128>(mantissa)
                                         : static_cast<unsigned __int128>(mantissa);
  std::string digits;
  do {
    digits += static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  std::reverse(digits.begin(), digits.end());
  std::string text = fmt::format("{}{}e{}", negative ? "-" : "", digits, exponent);
  return std::strtod(text.c_str(), nullptr);
}

// 10^power for small powers
__int128 Power10(int power) {
  __int128 value = 1;
  for (int index = 0; index < power; ++index) value *= 10;
  return value;
}

// how many values start, start + step, ... lie before stop (exclusive)
__int128 RangeCount(__int128 start, __int128 stop, __int128 step) {
  __int128 span = stop - start;
  if (step > 0) return span <= 0 ? 0 : (span + step - 1) / step;
  return span >= 0 ? 0 : (-span + (-step) - 1) / (-step);
}

// refuses ranges too large to materialise
void CheckRangeSize(__int128 count, const Sweep& sweep) {
  if (count > static_cast<__int128>(kMaxRangeValues)) {
    throw ConfigError(sweep.start.origin(), "",
                      fmt::format("range has more than {} values", kMaxRangeValues),
                      "Use a larger step or a narrower range", "range");
  }
}

}  // namespace

std::string Override::KeyElement() const {
  std::string prefix;
  switch (type) {
    case OverrideType::kChange:
      break;
    case OverrideType::kAdd:
      prefix = "+";
      break;
    case OverrideType::kForceAdd:
      prefix = "++";
      break;
    case OverrideType::kDelete:
      prefix = "~";
      break;
  }
  return prefix + key + (package ? "@" + *package : std::string());
}

std::string FormatOverrideValue(const Node& value) {
  switch (value.type()) {
    case NodeType::kNull:
      return "null";
    case NodeType::kMissing:
      return "???";
    case NodeType::kBool:
      return value.AsBool() ? "true" : "false";
    case NodeType::kInt:
      return std::to_string(value.AsInt());
    case NodeType::kFloat:
      return FormatFloat(value.AsDouble());
    case NodeType::kString:
      return FormatString(value.AsString());
    case NodeType::kList: {
      std::string out = "[";
      for (size_t index = 0; index < value.AsList().size(); ++index) {
        if (index > 0) out += ", ";
        out += FormatOverrideValue(value.AsList()[index]);
      }
      return out + "]";
    }
    case NodeType::kMap: {
      std::string out = "{";
      for (size_t index = 0; index < value.Entries().size(); ++index) {
        const Node::Entry& entry = value.Entries()[index];
        if (index > 0) out += ", ";
        out += FormatKey(entry.key) + ": " + FormatOverrideValue(entry.value);
      }
      return out + "}";
    }
  }
  return "null";
}

std::string FormatOverride(const Override& override_value, const Node& value) {
  return override_value.KeyElement() + "=" + FormatOverrideValue(value);
}

std::vector<Node> ExpandRange(const Sweep& range_sweep) {
  std::vector<Node> values;
  const Origin& origin = range_sweep.start.origin();
  bool floats =
      range_sweep.start.IsFloat() || range_sweep.stop.IsFloat() || range_sweep.step.IsFloat();
  if (!floats) {
    // ints: exact
    __int128 start = range_sweep.start.AsInt();
    __int128 step = range_sweep.step.AsInt();
    __int128 count = step == 0 ? 0 : RangeCount(start, range_sweep.stop.AsInt(), step);
    CheckRangeSize(count, range_sweep);
    for (__int128 index = 0; index < count; ++index) {
      values.push_back(Node::Int(static_cast<int64_t>(start + index * step), origin));
    }
  } else {
    // floats: decimal arithmetic on the shortest forms, one rounding per value
    Decimal start = ToDecimal(range_sweep.start);
    Decimal stop = ToDecimal(range_sweep.stop);
    Decimal step = ToDecimal(range_sweep.step);
    int exponent = std::min({start.exponent, stop.exponent, step.exponent});
    int widest = std::max({start.exponent, stop.exponent, step.exponent}) - exponent;
    if (step.mantissa == 0) return values;
    if (widest <= 20) {
      __int128 first = start.mantissa * Power10(start.exponent - exponent);
      __int128 last = stop.mantissa * Power10(stop.exponent - exponent);
      __int128 stride = step.mantissa * Power10(step.exponent - exponent);
      __int128 count = RangeCount(first, last, stride);
      CheckRangeSize(count, range_sweep);
      for (__int128 index = 0; index < count; ++index) {
        values.push_back(Node::Float(DecimalToDouble(first + index * stride, exponent), origin));
      }
    } else {
      // magnitudes too far apart for exact integers: start + index * step in doubles
      double first = range_sweep.start.AsDouble();
      double last = range_sweep.stop.AsDouble();
      double stride = range_sweep.step.AsDouble();
      if (!std::isfinite(first) || !std::isfinite(last) || !std::isfinite(stride)) {
        throw ConfigError(origin, "", "range bounds must be finite numbers", "", "range");
      }
      for (size_t index = 0;; ++index) {
        double value = first + static_cast<double>(index) * stride;
        if (stride > 0 ? value >= last : value <= last) break;
        CheckRangeSize(static_cast<__int128>(index) + 1, range_sweep);
        values.push_back(Node::Float(value, origin));
      }
    }
  }
  // sort(range(...)) orders the values when expanded
  if (range_sweep.sort) {
    bool reverse = range_sweep.sort_reverse;
    auto less = [](const Node& a, const Node& b) {
      return a.IsInt() ? a.AsInt() < b.AsInt() : a.AsDouble() < b.AsDouble();
    };
    std::stable_sort(values.begin(), values.end(), [&](const Node& a, const Node& b) {
      return reverse ? less(b, a) : less(a, b);
    });
  }
  return values;
}

bool GlobMatch(std::string_view pattern, std::string_view name) {
  size_t pattern_at = 0;
  size_t name_at = 0;
  size_t star = std::string_view::npos;
  size_t star_name = 0;
  while (name_at < name.size()) {
    if (pattern_at < pattern.size() && pattern[pattern_at] == '*') {
      star = pattern_at++;
      star_name = name_at;
    } else if (pattern_at < pattern.size() &&
               (pattern[pattern_at] == '?' || pattern[pattern_at] == name[name_at])) {
      ++pattern_at;
      ++name_at;
    } else if (star != std::string_view::npos) {
      // let the last '*' swallow one more character
      pattern_at = star + 1;
      name_at = ++star_name;
    } else {
      return false;
    }
  }
  while (pattern_at < pattern.size() && pattern[pattern_at] == '*') ++pattern_at;
  return pattern_at == pattern.size();
}

std::vector<std::string> ExpandGlob(const Sweep& glob_sweep,
                                    const std::vector<std::string>& options) {
  auto matches_any = [](const std::vector<std::string>& patterns, const std::string& name) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& pattern) { return GlobMatch(pattern, name); });
  };
  std::vector<std::string> selected;
  for (const std::string& option : options) {
    if (matches_any(glob_sweep.include, option) && !matches_any(glob_sweep.exclude, option)) {
      selected.push_back(option);
    }
  }
  // sort(glob(...)) orders the names
  if (glob_sweep.sort) {
    std::stable_sort(selected.begin(), selected.end());
    if (glob_sweep.sort_reverse) std::reverse(selected.begin(), selected.end());
  }
  return selected;
}

void Override::SetSource(const Origin& origin) {
  source = origin;
  if (value) value->SetOriginRecursive(origin);
  if (sweep) {
    for (Node& item : sweep->items) item.SetOriginRecursive(origin);
    sweep->start.SetOriginRecursive(origin);
    sweep->stop.SetOriginRecursive(origin);
    sweep->step.SetOriginRecursive(origin);
  }
}

}  // namespace orch::config
