// src/common/string_util.h: small string utilities and the "did you mean" matcher.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orch {

std::string Join(const std::vector<std::string>& parts, std::string_view separator);
std::vector<std::string> Split(std::string_view text, char separator);
bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);
std::string_view Trim(std::string_view text);
std::string ToLower(std::string_view text);

/// Edit distance with adjacent transpositions (optimal string alignment), so that a swapped pair
/// of letters (`horzion`) counts as one mistake.
int EditDistance(std::string_view a, std::string_view b);

/// The candidates close enough to `name` to be a likely typo, closest first (at most `limit`).
std::vector<std::string> ClosestMatches(std::string_view name,
                                        const std::vector<std::string>& candidates,
                                        size_t limit = 3);

/// "Did you mean 'x'?" or "Did you mean one of 'x', 'y'?"; empty when nothing is close.
std::string DidYouMeanSentence(std::string_view name, const std::vector<std::string>& candidates);

/// 'text' with single quotes, as used in messages.
std::string Quoted(std::string_view text);

/// `text` as one word for /bin/sh: unchanged when it holds only safe characters
/// (letters, digits, `_-./=:,@%+`), else single-quoted.
std::string ShellQuote(std::string_view text);

/// `text` single-quoted for /bin/sh whatever it holds (a generated script's paths, which are
/// read more easily when always quoted).
std::string SingleQuoted(std::string_view text);

/// `text` as one CSV field: as it is, or in double quotes (doubled inside) when it holds a comma,
/// a quote or a line break.
std::string CsvField(std::string_view text);

/// Why `name` cannot name a run or a sweep, or nullopt when it can: it must be non-empty, at
/// most 200 characters, free of control characters (they would reach terminals raw), not only
/// digits (`1` would read as run id 1) and without leading or trailing spaces.
std::optional<std::string> NameProblem(std::string_view name);

/// `text` with control characters written as `\xNN`, safe to print on a terminal.
std::string PrintableText(std::string_view text);

/// A size in binary units: `512 B`, `1.5 KiB`, `48.2 MiB`, `1.1 GiB`.
std::string FormatBytes(int64_t bytes);

}  // namespace orch
