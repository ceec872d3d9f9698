// src/app/command_plot.cpp: `orch plot`, a run's figures as PNG, drawn by tools/plot_run.py.
#include <fmt/format.h>

#include <filesystem>

#include "app/commands.h"
#include "app/provenance.h"
#include "app/python_tool.h"
#include "app/store_options.h"
#include "common/error.h"

namespace orch::app {

const CommandSpec& PlotSpec() {
  static const CommandSpec spec = {
      "plot",
      "RUN...",
      "draw runs' figures as PNG files (several runs share each figure)",
      "Reads the runs' metrics from the store and artifacts from the run directory, and writes\n"
      "PNGs (default: the first run's <run dir>/plots/). TD-MPC2: evaluation return with its\n"
      "+-sd band, the losses and value targets, and the multi-gamma heads' losses and errors.\n"
      "TAM: the 9-panel training figure of the notes, and with z-memory the 2x2 PCA z-map and\n"
      "the revisit trail. Others: evaluation and training curves first. --key draws just\n"
      "those metrics, one panel each. Axes name the unit (episodes for TAM, environment steps\n"
      "otherwise). Uses Debian's /usr/bin/python3 with matplotlib (tools/plot_run.py); never\n"
      "part of a run.",
      {StoreOption(),
       {"key", "KEY", "draw only these metrics, one panel each (repeatable)"},
       {"out", "DIR", "where to write the PNGs"}},
      "  orch plot 3f2a9c1b\n"
      "  orch plot 12 13 14 --key eval/episode_return --key train/value_loss --out plots/\n"};
  return spec;
}

int RunPlot(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(PlotSpec(), args, 1);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  auto store = OpenStoreForReading(parsed);
  std::vector<std::string> tool_args = {"--store",
                                        std::filesystem::absolute(StorePath(parsed)).string()};
  std::optional<std::filesystem::path> first_dir;
  for (const auto& reference : parsed.positional) {
    store::RunDetails run = store->GetRun(store->ResolveRun(reference));
    if (!first_dir) first_dir = store->directory() / run.run_dir / "plots";
    tool_args.insert(tool_args.end(), {"--run", run.summary.uuid});
  }
  for (const auto& key : parsed.Values("key")) tool_args.insert(tool_args.end(), {"--key", key});
  tool_args.insert(tool_args.end(), {"--out", parsed.Value("out").value_or(first_dir->string())});
  return RunPythonTool("plot_run.py", tool_args);
}

}  // namespace orch::app
