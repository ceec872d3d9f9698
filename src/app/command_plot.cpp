// src/app/command_plot.cpp: `orch plot`, a run's figures as PNG, drawn by tools/plot_run.py.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "app/commands.h"
#include "app/provenance.h"
#include "app/store_options.h"
#include "common/error.h"

namespace orch::app {
namespace {

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// tools/ of the source tree (or $ORCH_TOOLS_DIR).
std::filesystem::path ToolsDirectory() {
  if (const char* env = std::getenv("ORCH_TOOLS_DIR"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(ORCH_SOURCE_DIR) / "tools";
}

}  // namespace

const CommandSpec& PlotSpec() {
  static const CommandSpec spec = {
      "plot",
      "RUN [--out DIR] [--store PATH]",
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
  std::filesystem::path out = parsed.Value("out").value_or(
      (store->directory() / run.run_dir / "plots").string());
  std::filesystem::path script = ToolsDirectory() / "plot_run.py";
  if (!std::filesystem::exists(script)) {
    throw OrchError("cannot find " + script.string() + " (set ORCH_TOOLS_DIR to orch's tools/)");
  }
  std::string command = fmt::format(
      "/usr/bin/python3 {} --store {} --run {} --out {}", ShellQuote(script.string()),
      ShellQuote(std::filesystem::absolute(StorePath(parsed)).string()),
      ShellQuote(run.summary.uuid), ShellQuote(out.string()));
  int status = std::system(command.c_str());
  if (status != 0) {
    std::fprintf(stderr, "orch: plotting failed (%s)\n", command.c_str());
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace orch::app
