// src/app/cli.cpp
#include "app/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
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

namespace {

/// The error for an option the command does not have: Hydra's habits answered with what orch
/// does instead, else the closest option names.
UsageError UnknownOption(const CommandSpec& spec, const std::string& arg) {
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
  std::string body = arg.substr(arg.find_first_not_of('-'));
  body = body.substr(0, body.find('='));
  if (auto hint = kHydraFlags.find(body); hint != kHydraFlags.end()) {
    return UsageError(
        fmt::format("orch {} has no '{}' (a Hydra option): {}", spec.name, arg, hint->second));
  }
  std::vector<std::string> option_names;
  for (const auto& option : spec.options) option_names.push_back("--" + option.name);
  std::string suggestion = DidYouMeanSentence("--" + body, option_names);
  return UsageError(fmt::format("unknown option '{}' for 'orch {}'.{}{} See 'orch {} --help'", arg,
                                spec.name, suggestion.empty() ? "" : " ", suggestion, spec.name));
}

}  // namespace

ParsedArgs ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args) {
  // CLI11 parses; the command's table (CommandSpec) stays the one source of its options, its
  // help text and its completion, and the messages stay orch's (the option named, the closest
  // names suggested, exit 2)
  ParsedArgs parsed;
  CLI::App app(spec.summary, "orch " + spec.name);
  app.set_help_flag();  // the help text is CommandHelp's
  app.allow_extras();   // an unknown option is answered below, with a suggestion
  app.add_flag("-h,--help", parsed.help);
  std::map<std::string, bool> flags;
  for (const auto& option : spec.options) {
    const std::string names =
        (option.short_name.empty() ? "" : "-" + option.short_name + ",") + "--" + option.name;
    if (option.value_name.empty()) {
      app.add_flag(names, flags[option.name])->disable_flag_override();
    } else {
      // one value per occurrence, every occurrence kept (`--key a --key b`)
      app.add_option(names, parsed.all_values[option.name])
          ->type_name(option.value_name)
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
  }
  app.add_option("arguments", parsed.positional);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    // a missing value, or a value given to a flag: CLI11's message names the option (the
    // longest name it holds, so that --config is not taken for --config-dir)
    const std::string message = error.what();
    const OptionSpec* named = nullptr;
    for (const auto& option : spec.options) {
      if (message.find(option.name) != std::string::npos &&
          (named == nullptr || option.name.size() > named->name.size())) {
        named = &option;
      }
    }
    if (named != nullptr) {
      throw UsageError(
          named->value_name.empty()
              ? fmt::format("option '--{}' takes no value", named->name)
              : fmt::format("option '--{}' needs a value ({})", named->name, named->value_name));
    }
    throw UsageError(
        fmt::format("orch {}: {}. See 'orch {} --help'", spec.name, error.what(), spec.name));
  }
  for (const auto& extra : app.remaining()) {
    if (extra != "--") throw UnknownOption(spec, extra);
  }
  for (auto it = parsed.all_values.begin(); it != parsed.all_values.end();) {
    if (it->second.empty()) {
      it = parsed.all_values.erase(it);
    } else {
      parsed.values[it->first] = it->second.back();  // the last one given counts
      ++it;
    }
  }
  for (const auto& [name, given] : flags) {
    if (given) parsed.flags[name] = true;
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
