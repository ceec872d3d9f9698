// src/common/diagnostic.h: one user-facing problem report, and the collector that gathers them.
#pragma once

#include <string>
#include <vector>

#include "common/origin.h"

namespace orch {

enum class Severity { kError, kWarning };

/// One problem found in the user's input. Printed as
/// `<origin>: [warning: ]<key>: <message>[. <suggestion>]` followed by indented detail lines
/// (a caret under an override, say) and one `while ...` line per layer the error passed through.
struct Diagnostic {
  Severity severity = Severity::kError;
  Origin origin;
  std::string key;         ///< full dotted key path (`multi_gamma.gammas[0]`); may be empty
  std::string message;     ///< short lowercase cause, no final full stop
  std::string suggestion;  ///< the fix or a "Did you mean" (a full sentence); may be empty
  std::string kind;        ///< machine-readable category: unknown_key, type, range, rule, ...
  std::vector<std::string> candidates;  ///< for unknown keys and options: the close matches
  std::vector<std::string> details;     ///< extra lines printed under the first one
  std::vector<std::string> context;     ///< "while composing ..." lines, innermost first

  /// The full text, one or more lines, without a trailing newline.
  std::string Format() const;
  /// One JSON object with every field, for `--json` output.
  std::string ToJson() const;
};

/// Collects diagnostics so that every mistake is reported at once.
class Diagnostics {
 public:
  void Add(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
  void Error(Origin origin, std::string key, std::string message, std::string suggestion = {},
             std::string kind = "error");
  void Warning(Origin origin, std::string key, std::string message, std::string suggestion = {},
               std::string kind = "warning");
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  size_t ErrorCount() const;
  size_t WarningCount() const;
  bool Empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& Items() const { return items_; }

  /// Sorts by origin (files by position, then overrides in order); stable among equals.
  void SortByOrigin();
  /// Every diagnostic formatted, separated by newlines.
  std::string Format() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace orch
