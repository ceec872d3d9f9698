// src/app/cli.cpp
#include "app/cli.h"

#include <fmt/format.h>

#include <cstdio>
#include <map>

#include "common/error.h"
#include "common/string_util.h"

namespace orch::app {

bool ParsedArgs::Flag(const std::string& name) const {
  auto it = flags.find(name);
  return it != flags.end() && it->second;
}

std::vector<std::string> ParsedArgs::Values(const std::string& name) const {
  std::vector<std::string> out;
  auto found = all_values.find(name);
  if (found == all_values.end()) return out;
  for (const auto& value : found->second) {
    for (const auto& part : Split(value, ',')) {
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

std::optional<std::string> ParsedArgs::Value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

ParsedArgs ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs parsed;
  auto find_option = [&](const std::string& name, bool is_short) -> const OptionSpec* {
    for (const auto& option : spec.options) {
      if ((is_short ? option.short_name : option.name) == name) return &option;
    }
    return nullptr;
  };
  std::vector<std::string> option_names;
  for (const auto& option : spec.options) option_names.push_back("--" + option.name);

  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-' || arg == "-") {
      parsed.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    bool is_short = arg[1] != '-';
    std::string body = arg.substr(is_short ? 1 : 2);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != std::string::npos && !is_short) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const OptionSpec* option = find_option(body, is_short);
    if (option == nullptr) {
      // Hydra's command-line habits, answered with what orch does instead
      static const std::map<std::string, std::string> kHydraFlags = {
          {"cfg",
           "orch compose CONFIG [OVERRIDE...] prints the composed config (Hydra's --cfg "
           "job); --json for JSON"},
          {"info",
           "orch compose CONFIG --explain says where each value came from (Hydra's "
           "--info)"},
          {"hydra-help", "orch COMMAND --help, and orch schema [NAMESPACE] for the config keys"},
          {"resolve", "orch compose always resolves interpolations"},
          {"package", "orch compose CONFIG prints the whole tree; pick a key with yq or jq"},
          {"config-name", "name the config file itself: orch run configs/tam/pendulum.yaml"},
          {"config-path", "--config-dir DIR (or the nearest folder named configs)"},
      };
      if (auto hint = kHydraFlags.find(body); hint != kHydraFlags.end()) {
        throw UsageError(
            fmt::format("orch {} has no '{}' (a Hydra option): {}", spec.name, arg, hint->second));
      }
      std::string suggestion = DidYouMeanSentence("--" + body, option_names);
      throw UsageError(fmt::format("unknown option '{}' for 'orch {}'.{}{} See 'orch {} --help'",
                                   arg, spec.name, suggestion.empty() ? "" : " ", suggestion,
                                   spec.name));
    }
    if (option->value_name.empty()) {
      if (inline_value) {
        throw UsageError(fmt::format("option '--{}' takes no value", option->name));
      }
      parsed.flags[option->name] = true;
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        throw UsageError(
            fmt::format("option '--{}' needs a value ({})", option->name, option->value_name));
      }
      inline_value = args[++i];
    }
    parsed.values[option->name] = *inline_value;
    parsed.all_values[option->name].push_back(*inline_value);
  }
  return parsed;
}

std::optional<ParsedArgs> ParseCommand(const CommandSpec& spec,
                                       const std::vector<std::string>& args,
                                       size_t min_positional) {
  ParsedArgs parsed = ParseArgs(spec, args);
  if (parsed.help) {
    std::fputs(CommandHelp(spec).c_str(), stdout);
    return std::nullopt;
  }
  if (parsed.positional.size() < min_positional) {
    // the usage line names what is missing: its first word (CONFIG, RUN, SWEEP_FILE|CONFIG)
    std::string first = spec.usage.substr(0, spec.usage.find(' '));
    throw UsageError(
        fmt::format("orch {} needs {}. See 'orch {} --help'", spec.name,
                    min_positional == 1 && !first.empty() && first[0] != '[' && first[0] != '-'
                        ? first
                        : std::string("more arguments"),
                    spec.name));
  }
  return parsed;
}

std::string UsageLine(const CommandSpec& spec) {
  // the arguments, then every option of the table: the parser's table is the only source
  std::vector<std::string> words = {"usage: orch " + spec.name};
  if (!spec.usage.empty()) words.push_back(spec.usage);
  for (const auto& option : spec.options) {
    std::string word = "--" + option.name;
    if (!option.short_name.empty()) word = "-" + option.short_name + "|" + word;
    if (!option.value_name.empty()) word += " " + option.value_name;
    words.push_back("[" + word + "]");
  }
  // wrapped at 100 columns, continuation lines under the arguments
  const std::string indent(std::string("usage: orch " + spec.name).size() + 1, ' ');
  std::string out;
  size_t line = 0;
  for (const auto& word : words) {
    if (!out.empty() && line + 1 + word.size() > 100) {
      out += "\n" + indent;
      line = indent.size();
    } else if (!out.empty()) {
      out += " ";
      ++line;
    }
    out += word;
    line += word.size();
  }
  return out;
}

std::string CommandHelp(const CommandSpec& spec) {
  std::string out = fmt::format("{}\n\n{}\n", UsageLine(spec), spec.summary);
  if (!spec.description.empty()) out += "\n" + spec.description + "\n";
  out += "\noptions:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& option : spec.options) {
    std::string left = "--" + option.name;
    if (!option.short_name.empty()) left = "-" + option.short_name + ", " + left;
    if (!option.value_name.empty()) left += " " + option.value_name;
    rows.emplace_back(left, option.help);
  }
  rows.emplace_back("-h, --help", "show this help");
  size_t width = 0;
  for (const auto& [left, help] : rows) width = std::max(width, left.size());
  for (const auto& [left, help] : rows) {
    out += fmt::format("  {:<{}}  {}\n", left, width, help);
  }
  if (!spec.examples.empty()) out += "\nexamples:\n" + spec.examples;
  return out;
}

int ReportDiagnostics(const Diagnostics& diagnostics, const std::string& what) {
  if (diagnostics.Empty()) return kExitOk;
  Diagnostics sorted = diagnostics;
  sorted.SortByOrigin();
  std::fprintf(stderr, "%s\n", sorted.Format().c_str());
  size_t errors = sorted.ErrorCount();
  size_t warnings = sorted.WarningCount();
  if (errors > 0) {
    std::fprintf(stderr, "orch: %zu error%s%s in the %s; nothing was run or written\n", errors,
                 errors == 1 ? "" : "s",
                 warnings > 0
                     ? fmt::format(" and {} warning{}", warnings, warnings == 1 ? "" : "s").c_str()
                     : "",
                 what.c_str());
    return kExitUsage;
  }
  return kExitOk;
}

std::string DiagnosticsJson(const Diagnostics& diagnostics) {
  std::string out = "[";
  bool first = true;
  for (const auto& diagnostic : diagnostics.Items()) {
    if (!first) out += ",";
    first = false;
    out += diagnostic.ToJson();
  }
  return out + "]";
}

}  // namespace orch::app
