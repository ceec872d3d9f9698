// src/app/command_cancel.cpp: `orch cancel`, scancel of every SLURM job of a sweep.
#include <fmt/format.h>

#include "app/commands.h"
#include "app/store_options.h"
#include "app/sweep_dir_option.h"
#include "common/error.h"
#include "common/string_util.h"
#include "sweep/slurm/slurm_cli.h"
#include "sweep/slurm/sweep_dir.h"

namespace orch::app {

const CommandSpec& CancelSpec() {
  static const CommandSpec spec = {
      "cancel",
      "[NAME]",
      "cancel a SLURM sweep's jobs (running runs checkpoint and end)",
      "scancel of every array and collect job the sweep submitted. Running tasks get SIGTERM:\n"
      "their runs write a checkpoint and end interrupted. The next orch collect (or status)\n"
      "records them; orch sweep --resume NAME submits what is left.",
      {StoreOption(), SweepDirOption()},
      "  orch cancel multi_gamma_ablations\n"};
  return spec;
}

int RunCancel(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(CancelSpec(), args);
  if (!parsed) return kExitOk;
  std::optional<std::filesystem::path> dir = FindSweepDir(*parsed);
  if (!dir) {
    throw UsageError(
        fmt::format("sweep {} was not submitted to SLURM; a local sweep stops with "
                    "Ctrl-C in its terminal",
                    ShellQuote(parsed->positional[0])));
  }
  std::vector<std::string> ids = sweep::slurm::SubmittedJobIds(sweep::slurm::ReadSubmissions(*dir));
  if (ids.empty()) {
    std::fprintf(stderr, "orch: nothing was submitted from %s\n", dir->string().c_str());
    return kExitOk;
  }
  sweep::slurm::CommandResult cancelled = sweep::slurm::Cancel(ids);
  if (cancelled.exit_code != 0) {
    std::fprintf(stderr, "orch: scancel %s failed: %s\n", Join(ids, " ").c_str(),
                 std::string(Trim(cancelled.err)).c_str());
    return kExitFailed;
  }
  std::fprintf(stderr,
               "orch: cancelled SLURM job(s) %s; `orch collect` records the runs, `orch sweep "
               "--resume` submits what is left\n",
               Join(ids, " ").c_str());
  return kExitOk;
}

}  // namespace orch::app
