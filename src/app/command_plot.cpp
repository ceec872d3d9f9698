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
      "RUN",
      "draw a run's figures as PNG files",
      "Reads the run's metrics from the store and its artifacts from the run directory, and\n"
      "writes PNGs (default: <run dir>/plots/). For TAM: the 9-panel training figure of the\n"
      "notes, and with z-memory the 2x2 PCA z-map and the revisit trail. Uses Debian's\n"
      "/usr/bin/python3 with matplotlib (tools/plot_run.py); never part of a run.",
      {StoreOption(), {"out", "DIR", "where to write the PNGs"}},
      "  orch plot 3f2a9c1b\n"};
  return spec;
}

int RunPlot(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(PlotSpec(), args, 1);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  auto store = OpenStoreForReading(parsed);
  store::RunDetails run = store->GetRun(store->ResolveRun(parsed.positional[0]));
  std::filesystem::path out =
      parsed.Value("out").value_or((store->directory() / run.run_dir / "plots").string());
  return RunPythonTool("plot_run.py",
                       {"--store", std::filesystem::absolute(StorePath(parsed)).string(), "--run",
                        run.summary.uuid, "--out", out.string()});
}

}  // namespace orch::app
