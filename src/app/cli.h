// src/app/cli.h: command-line parsing, help text, exit codes and diagnostic printing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostic.h"

namespace orch::app {

/// Exit codes of every command (architecture.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

/// One `--flag` or `--option VALUE` of a command.
struct OptionSpec {
  std::string name;        ///< without dashes: "json", "config-dir"
  std::string value_name;  ///< empty for a flag; "DIR" for an option that takes a value
  std::string help;
  std::string short_name;  ///< optional one-letter alias without the dash ("m")
};

/// What a command accepts, and the text of its --help.
struct CommandSpec {
  std::string name;         ///< "compose"
  std::string usage;        ///< the arguments only, "CONFIG [OVERRIDE...]"; the options come
                            ///< from `options` (UsageLine)
  std::string summary;      ///< one line for `orch --help`
  std::string description;  ///< paragraphs for `orch NAME --help`
  std::vector<OptionSpec> options;
  std::string examples;  ///< example invocations, one per line
};

/// The parsed arguments of one command.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  ///< options with a value (the last given)
  std::map<std::string, std::vector<std::string>> all_values;  ///< every value, in order
  std::map<std::string, bool> flags;
  bool help = false;

  bool Flag(const std::string& name) const;
  std::optional<std::string> Value(const std::string& name) const;
  /// Every value of a repeatable option, comma-separated lists split (`--key a --key b,c`).
  std::vector<std::string> Values(const std::string& name) const;
};

/// Parses `args` (the words after the command name). Throws UsageError for an unknown option or
/// a missing value, with a "did you mean". `--help`/`-h` sets `help`; `--` ends the options.
ParsedArgs ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args);

/// Parses a command's arguments; prints its help and returns nullopt for --help. Throws
/// UsageError when fewer than `min_positional` positional arguments are given.
std::optional<ParsedArgs> ParseCommand(const CommandSpec& spec,
                                       const std::vector<std::string>& args,
                                       size_t min_positional = 0);

/// `usage: orch NAME ARGS [--option VALUE]...`, the options from the command's table.
std::string UsageLine(const CommandSpec& spec);

/// The --help text of a command.
std::string CommandHelp(const CommandSpec& spec);

/// Prints diagnostics to stderr, then a summary line; returns kExitUsage when there are errors,
/// kExitOk otherwise. `what` names the stage ("configuration").
int ReportDiagnostics(const Diagnostics& diagnostics, const std::string& what);

/// The diagnostics as a JSON array (for --json output of errors).
std::string DiagnosticsJson(const Diagnostics& diagnostics);

}  // namespace orch::app
