// src/common/string_util.cpp
#include "common/string_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace orch {

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string_view Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::vector<std::string> ClosestMatches(std::string_view name,
                                        const std::vector<std::string>& candidates, size_t limit) {
  // a typo is at most a third of the name (and at least 2 edits for short names);
  // a candidate that contains the name, or is contained in it, also counts
  const int threshold = std::max<int>(2, static_cast<int>(name.size()) / 3);
  const std::string lower_name = ToLower(name);
  std::vector<std::pair<int, std::string>> scored;
  for (const auto& candidate : candidates) {
    if (candidate == name) continue;
    const std::string lower = ToLower(candidate);
    int distance = EditDistance(lower_name, lower);
    bool contains = lower_name.size() >= 3 && lower.size() >= 3 &&
                    (lower.find(lower_name) != std::string::npos ||
                     lower_name.find(lower) != std::string::npos);
    if (distance <= threshold || contains) scored.emplace_back(distance, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [distance, candidate] : scored) {
    if (out.size() >= limit) break;
    out.push_back(candidate);
  }
  return out;
}

std::string DidYouMeanSentence(std::string_view name, const std::vector<std::string>& candidates) {
  auto matches = ClosestMatches(name, candidates);
  if (matches.empty()) return {};
  if (matches.size() == 1) return "Did you mean " + Quoted(matches[0]) + "?";
  std::vector<std::string> quoted;
  for (const auto& m : matches) quoted.push_back(Quoted(m));
  return "Did you mean one of " + Join(quoted, ", ") + "?";
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string ShellQuote(std::string_view text) {
  auto safe = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_-./=:,@%+").find(c) != std::string_view::npos;
  };
  if (!text.empty() && std::all_of(text.begin(), text.end(), safe)) return std::string(text);
  return SingleQuoted(text);
}

std::string SingleQuoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::optional<std::string> NameProblem(std::string_view name) {
  if (name.empty()) return "a name cannot be empty";
  if (name.size() > 200)
    return fmt::format("a name has at most 200 characters, got {}", name.size());
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return fmt::format("a name cannot hold control characters (found {} at position {})",
                         PrintableText(std::string_view(&c, 1)), name.find(c) + 1);
    }
  }
  if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "a name of digits only would read as a run id";
  }
  if (std::isspace(static_cast<unsigned char>(name.front())) ||
      std::isspace(static_cast<unsigned char>(name.back()))) {
    return "a name cannot start or end with a space";
  }
  return std::nullopt;
}

std::string PrintableText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatBytes(int64_t bytes) {
  if (bytes >= (1LL << 30)) return fmt::format("{:.1f} GiB", bytes / double(1LL << 30));
  if (bytes >= (1LL << 20)) return fmt::format("{:.1f} MiB", bytes / double(1LL << 20));
  if (bytes >= (1LL << 10)) return fmt::format("{:.1f} KiB", bytes / double(1LL << 10));
  return fmt::format("{} B", bytes);
}

}  // namespace orch
