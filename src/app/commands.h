// src/app/commands.h: the orch commands, one function and one CommandSpec each.
#pragma once

#include <string>
#include <vector>

#include "app/cli.h"

namespace orch::app {

/// A command: its spec (usage, options, help) and its entry point. `args` are the words after
/// the command name; the result is the process exit code.
struct Command {
  const CommandSpec& (*spec)();
  int (*run)(const std::vector<std::string>& args);
};

const CommandSpec& ComposeSpec();
int RunCompose(const std::vector<std::string>& args);

const CommandSpec& PlanSpec();
int RunPlan(const std::vector<std::string>& args);

const CommandSpec& SchemaSpec();
int RunSchema(const std::vector<std::string>& args);

const CommandSpec& RunSpec();
int RunRun(const std::vector<std::string>& args);

const CommandSpec& SweepCommandSpec();
int RunSweep(const std::vector<std::string>& args);

const CommandSpec& LsSpec();
int RunLs(const std::vector<std::string>& args);

const CommandSpec& ShowSpec();
int RunShow(const std::vector<std::string>& args);

const CommandSpec& ExportSpec();
int RunExport(const std::vector<std::string>& args);

const CommandSpec& PlotSpec();
int RunPlot(const std::vector<std::string>& args);

const CommandSpec& TagSpec();
int RunTag(const std::vector<std::string>& args);
const CommandSpec& NoteSpec();
int RunNote(const std::vector<std::string>& args);
const CommandSpec& CompletionSpec();
int RunCompletion(const std::vector<std::string>& args);
/// `orch __complete CWORD WORDS...`: the candidates for bash completion, one per line.
int RunCompleteWords(const std::vector<std::string>& args);
const CommandSpec& StatusSpec();
int RunStatus(const std::vector<std::string>& args);
const CommandSpec& CollectSpec();
int RunCollect(const std::vector<std::string>& args);
const CommandSpec& CancelSpec();
int RunCancel(const std::vector<std::string>& args);
const CommandSpec& CompareSpec();
int RunCompare(const std::vector<std::string>& args);
const CommandSpec& DiffSpec();
int RunDiff(const std::vector<std::string>& args);
const CommandSpec& RmSpec();
int RunRm(const std::vector<std::string>& args);

/// Every command, in the order `orch --help` lists them.
const std::vector<Command>& Commands();

}  // namespace orch::app
