// src/app/command_completion.cpp: bash completion. `orch completion bash` prints the script; the
// script asks `orch __complete` for the candidates, which come from the same tables as
// parsing and help (commands, their options) and from the config tree itself (groups and
// their options, the composed config's keys).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "app/commands.h"
#include "app/config_pipeline.h"
#include "common/error.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

constexpr const char* kBashScript =
    R"bash(# bash completion for orch: source it, or put it in ~/.local/share/bash-completion/completions/orch
#   source <(orch completion bash)
_orch() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\n'
  local candidates
  candidates=$("${COMP_WORDS[0]}" __complete "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null)
  if [[ "$candidates" == "@files" ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
    return
  fi
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
  # a key completed up to its `=` waits for its value
  [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *= ]] && compopt -o nospace 2>/dev/null
}
complete -F _orch orch
)bash";

/// `a.b.c=` for every leaf of `node` below `prefix`.
void FlattenKeys(const config::Node& node, const std::string& prefix,
                 std::vector<std::string>& out) {
  if (node.IsMap() && node.Size() > 0) {
    for (const auto& entry : node.Entries()) {
      FlattenKeys(entry.value, prefix.empty() ? entry.key : prefix + "." + entry.key, out);
    }
    return;
  }
  if (!prefix.empty()) out.push_back(prefix + "=");
}

/// Override candidates for the config `config_file`: groups (`env=`), a group's options after
/// its `=`, and the composed tree's keys.
std::vector<std::string> OverrideCandidates(const std::string& config_file,
                                            const std::string& current) {
  std::vector<std::string> out;
  ConfigPipeline pipeline(ConfigSource{config_file, std::nullopt, true});
  if (size_t equals = current.find('='); equals != std::string::npos) {
    const std::string key = current.substr(0, equals);
    for (const auto& option : pipeline.repository().GroupOptions(key)) {
      out.push_back(key + "=" + option);
    }
    return out;
  }
  for (const auto& group : pipeline.repository().AllGroups()) out.push_back(group + "=");
  config::ComposedConfig composed = pipeline.Compose({});
  FlattenKeys(composed.tree, "", out);
  return out;
}

}  // namespace

const CommandSpec& CompletionSpec() {
  static const CommandSpec spec = {
      "completion",
      "bash",
      "print the bash completion script",
      "Completes commands, their options, config files, config groups with their options, and\n"
      "the keys of the composed config (after `orch run CONFIG`, say). Load it in the shell\n"
      "with `source <(orch completion bash)`, or save it as\n"
      "~/.local/share/bash-completion/completions/orch.",
      {},
      "  source <(orch completion bash)\n"};
  return spec;
}

int RunCompletion(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(CompletionSpec(), args, 1);
  if (!parsed) return kExitOk;
  if (parsed->positional[0] != "bash") {
    throw UsageError("orch completion knows bash; got '" + parsed->positional[0] + "'");
  }
  std::fputs(kBashScript, stdout);
  return kExitOk;
}

int RunCompleteWords(const std::vector<std::string>& args) {
  // __complete CWORD WORDS...: WORDS[0] is the program, WORDS[CWORD] the word being completed
  if (args.size() < 2) return kExitOk;
  const size_t cword = static_cast<size_t>(std::max(0, std::atoi(args[0].c_str())));
  std::vector<std::string> words(args.begin() + 1, args.end());
  const std::string current = cword < words.size() ? words[cword] : "";
  std::vector<std::string> out;
  if (cword <= 1) {
    for (const auto& command : Commands()) out.push_back(command.spec().name);
    out.push_back("help");
  } else {
    const std::string& name = words[1] == "help" && words.size() > 2 ? words[2] : words[1];
    const CommandSpec* spec = nullptr;
    for (const auto& command : Commands()) {
      if (command.spec().name == name) spec = &command.spec();
    }
    if (spec == nullptr) return kExitOk;
    const std::string& previous = words[cword - 1];
    const OptionSpec* value_of = nullptr;
    for (const auto& option : spec->options) {
      if (previous == "--" + option.name && !option.value_name.empty()) value_of = &option;
    }
    if (value_of != nullptr) {
      // a path (--store, --out, --config-dir, --sweep-dir, --plot): the shell's files
      if (value_of->value_name == "PATH" || value_of->value_name == "FILE" ||
          value_of->value_name == "DIR") {
        std::puts("@files");
      }
      return kExitOk;
    }
    if (StartsWith(current, "-")) {
      for (const auto& option : spec->options) out.push_back("--" + option.name);
      out.push_back("--help");
    } else {
      // the first positional of a config command is a file; later ones are overrides of it
      const bool takes_config =
          name == "run" || name == "sweep" || name == "compose" || name == "plan";
      size_t positional = 0;
      std::string config_file;
      for (size_t i = 2; i < cword; ++i) {
        if (StartsWith(words[i], "-")) continue;
        if (positional++ == 0) config_file = words[i];
      }
      if (!takes_config || config_file.empty()) {
        std::puts("@files");
        return kExitOk;
      }
      try {
        out = OverrideCandidates(config_file, current);
      } catch (const std::exception&) {
        return kExitOk;  // no config yet: nothing to offer
      }
    }
  }
  for (const auto& candidate : out) std::printf("%s\n", candidate.c_str());
  return kExitOk;
}

}  // namespace orch::app
