// src/app/main.cpp: the orch front end. It composes, validates and plans; it never links
// LibTorch (architecture.md, decision 8).
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "app/commands.h"
#include "common/error.h"
#include "common/string_util.h"

namespace orch::app {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {RunSpec, RunRun},         {SweepCommandSpec, RunSweep},
      {ComposeSpec, RunCompose}, {PlanSpec, RunPlan},
      {SchemaSpec, RunSchema},   {LsSpec, RunLs},
      {ShowSpec, RunShow},       {DiffSpec, RunDiff},
      {ExportSpec, RunExport},   {PlotSpec, RunPlot},
      {CompareSpec, RunCompare}, {StatusSpec, RunStatus},
      {CollectSpec, RunCollect}, {CancelSpec, RunCancel},
      {TagSpec, RunTag},         {NoteSpec, RunNote},
      {RmSpec, RunRm},           {CompletionSpec, RunCompletion},
  };
  return commands;
}

namespace {

std::string MainHelp() {
  std::string out =
      "usage: orch COMMAND [ARGS...]\n\n"
      "orch composes Hydra-style YAML config trees, validates them before anything runs,\n"
      "runs reinforcement-learning workloads in worker processes, and records every run\n"
      "in a SQLite results store.\n\ncommands:\n";
  for (const auto& command : Commands()) {
    out += fmt::format("  {:<9} {}\n", command.spec().name, command.spec().summary);
  }
  out +=
      "\n'orch COMMAND --help' describes a command. Exit codes: 0 success, 1 a run failed,\n"
      "2 bad usage or an invalid config (nothing run or written), 130 interrupted.\n";
  return out;
}

int Main(const std::vector<std::string>& argv) {
  // the completion script's helper, not a command of its own
  if (!argv.empty() && argv[0] == "__complete") {
    return RunCompleteWords(std::vector<std::string>(argv.begin() + 1, argv.end()));
  }
  // `orch help COMMAND` is `orch COMMAND --help`
  if (argv.size() >= 2 && argv[0] == "help") {
    return Main({argv[1], "--help"});
  }
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    std::fputs(MainHelp().c_str(), stdout);
    return argv.empty() ? kExitUsage : kExitOk;
  }
  if (argv[0] == "--version") {
    std::printf("orch %s\n", ORCH_VERSION);
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& command : Commands()) {
    names.push_back(command.spec().name);
    if (command.spec().name == argv[0]) {
      return command.run(std::vector<std::string>(argv.begin() + 1, argv.end()));
    }
  }
  std::string suggestion = DidYouMeanSentence(argv[0], names);
  throw UsageError(fmt::format("unknown command '{}'.{}{} Commands: {}", argv[0],
                               suggestion.empty() ? "" : " ", suggestion, Join(names, ", ")));
}

}  // namespace
}  // namespace orch::app

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return orch::app::Main(args);
  } catch (const orch::ConfigError& error) {
    return orch::app::ReportDiagnostics(error.diagnostics(), "configuration");
  } catch (const orch::UsageError& error) {
    std::fprintf(stderr, "orch: %s\n", error.what());
    return orch::app::kExitUsage;
  } catch (const orch::OrchError& error) {
    std::fprintf(stderr, "orch: %s\n", error.what());
    return orch::app::kExitUsage;
  } catch (const std::exception& error) {
    // an I/O failure outside the store, say: reported, never an abort
    std::fprintf(stderr, "orch: %s\n", error.what());
    return orch::app::kExitFailed;
  }
}
