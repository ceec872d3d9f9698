// src/app/command_tag.cpp: `orch tag` and `orch note`, labels a person puts on runs afterwards.
// They live outside the config (run_tag), so they never change a run's identity or its hash.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "app/commands.h"
#include "app/store_options.h"
#include "common/error.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

/// A tag is a word: letters, digits and `_-.:/`, so that `--tag` filters and shells take it.
void CheckTag(const std::string& tag) {
  const bool ok =
      !tag.empty() && tag.size() <= 64 && std::all_of(tag.begin(), tag.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("_-.:/").find(c) != std::string_view::npos;
      });
  if (!ok) {
    throw UsageError(fmt::format("tag {}: a tag is 1 to 64 letters, digits or _-.:/",
                                 ShellQuote(PrintableText(tag))));
  }
}

}  // namespace

const CommandSpec& TagSpec() {
  static const CommandSpec spec = {
      "tag",
      "RUN... +TAG|-TAG...",
      "add or remove tags of runs (outside the config: the run's identity stays)",
      "Each RUN (id, uuid prefix or name) gets the tags written as +TAG or TAG and loses those\n"
      "written as -TAG. Tags show in orch ls and orch show; orch ls --tag T lists the runs\n"
      "with T. They are stored beside the run, not in its config, so they change neither its\n"
      "config hash nor its identity.",
      {StoreOption()},
      "  orch tag 3f2a9c1b +baseline +paper\n"
      "  orch tag 12 13 14 -paper\n"};
  return spec;
}

int RunTag(const std::vector<std::string>& args) {
  // `-TAG` is a word here, not an option: options first, then every other word after `--`
  std::vector<std::string> options, words;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h" || StartsWith(args[i], "--store=")) {
      options.push_back(args[i]);
    } else if (args[i] == "--store" && i + 1 < args.size()) {
      options.insert(options.end(), {args[i], args[i + 1]});
      ++i;
    } else {
      words.push_back(args[i]);
    }
  }
  options.push_back("--");
  options.insert(options.end(), words.begin(), words.end());
  std::optional<ParsedArgs> parsed = ParseCommand(TagSpec(), options, 2);
  if (!parsed) return kExitOk;
  std::vector<std::string> runs, add, remove;
  for (const auto& word : parsed->positional) {
    if (StartsWith(word, "+")) {
      add.push_back(word.substr(1));
    } else if (StartsWith(word, "-")) {
      remove.push_back(word.substr(1));
    } else if (runs.empty() || (add.empty() && remove.empty() &&
                                word.find_first_not_of("0123456789abcdef-") == std::string::npos)) {
      runs.push_back(word);
    } else {
      add.push_back(word);
    }
  }
  if (add.empty() && remove.empty()) {
    throw UsageError("orch tag needs tags to add (+TAG) or remove (-TAG) after the runs");
  }
  for (const auto& tag : add) CheckTag(tag);
  for (const auto& tag : remove) CheckTag(tag);
  const std::filesystem::path store_path = StorePath(*parsed);
  auto store = OpenStoreForWriting(store_path);
  for (const auto& reference : runs) {
    int64_t run_id = store->ResolveRun(reference);
    store->TagRun(run_id, add, remove);
    store::RunDetails run = store->GetRun(run_id);
    std::fprintf(stderr, "orch: run %s tags: %s\n", run.summary.uuid.substr(0, 8).c_str(),
                 run.summary.tags.empty() ? "(none)" : Join(run.summary.tags, " ").c_str());
  }
  return kExitOk;
}

const CommandSpec& NoteSpec() {
  static const CommandSpec spec = {
      "note",
      "RUN TEXT",
      "set a run's note (outside the config: the run's identity stays)",
      "The note replaces the run's earlier one; an empty TEXT removes it. orch show prints it,\n"
      "orch ls --json carries it.",
      {StoreOption()},
      "  orch note 3f2a9c1b \"diverged at 40k steps: lr too high?\"\n"};
  return spec;
}

int RunNote(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(NoteSpec(), args, 2);
  if (!parsed) return kExitOk;
  if (parsed->positional.size() != 2) {
    throw UsageError("orch note takes one RUN and one TEXT (quote it)");
  }
  auto store = OpenStoreForWriting(StorePath(*parsed));
  int64_t run_id = store->ResolveRun(parsed->positional[0]);
  store->NoteRun(run_id, parsed->positional[1]);
  std::fprintf(stderr, "orch: run #%lld %s\n", static_cast<long long>(run_id),
               parsed->positional[1].empty() ? "has no note now" : "noted");
  return kExitOk;
}

}  // namespace orch::app
