// src/app/command_collect.cpp: `orch collect`, merging a SLURM sweep's run shards into the main
// store. Idempotent: a run whose shard has not changed is not rewritten.
#include <fmt/format.h>

#include "app/commands.h"
#include "app/store_options.h"
#include "app/sweep_dir_option.h"
#include "common/error.h"
#include "common/string_util.h"
#include "sweep/slurm/collect.h"
#include "sweep/slurm/slurm_cli.h"
#include "sweep/slurm/sweep_dir.h"

namespace orch::app {

const CommandSpec& CollectSpec() {
  static const CommandSpec spec = {
      "collect",
      "[NAME]",
      "merge a SLURM sweep's per-run shards into the results store",
      "Each run of a sweep submitted with launcher=slurm records into its own shard\n"
      "(<run dir>/run.shard.db). collect merges every shard into the sweep's main store, one\n"
      "transaction per run, keyed by run uuid: status, metrics, checkpoints and events. A\n"
      "damaged shard is reported and skipped. A run whose task left the SLURM queue without\n"
      "recording an end is recorded as interrupted (orch sweep --resume continues it).\n"
      "Running collect again changes nothing. The sweep's collect job runs it when every\n"
      "task has ended; run it yourself any time.",
      {StoreOption(), SweepDirOption()},
      "  orch collect multi_gamma_ablations\n"
      "  orch collect --sweep-dir results/sweeps/multi_gamma_ablations\n"};
  return spec;
}

int RunCollect(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(CollectSpec(), args);
  if (!parsed) return kExitOk;
  std::optional<std::filesystem::path> dir = FindSweepDir(*parsed);
  if (!dir) {
    throw UsageError(
        fmt::format("sweep {} was not submitted to SLURM (no {}); its runs are in "
                    "the store already",
                    ShellQuote(parsed->positional[0]),
                    (sweep::slurm::DefaultSweepDir(StorePath(*parsed), parsed->positional[0]) /
                     sweep::slurm::kManifestName)
                        .string()));
  }
  std::optional<std::map<std::string, std::string>> queue;
  if (sweep::slurm::SlurmCommandsPresent()) {
    queue = sweep::slurm::QueueStates(
        sweep::slurm::SubmittedJobIds(sweep::slurm::ReadSubmissions(*dir)));
  }
  sweep::slurm::CollectReport report =
      sweep::slurm::CollectSweep(*dir, queue, sweep::slurm::EndedState);
  for (const auto& run : report.runs) {
    if (!run.problem.empty()) {
      std::fprintf(stderr, "orch: %s (%s): %s\n", run.task.label.c_str(),
                   run.task.uuid.substr(0, 8).c_str(), run.problem.c_str());
    }
  }
  std::fprintf(
      stderr,
      "orch: collected %s: %zu run(s) merged, %zu unchanged, %zu not started, %zu "
      "could not be merged%s\n",
      dir->string().c_str(), report.changed, report.unchanged, report.not_started, report.problems,
      report.ended_unrecorded > 0
          ? fmt::format(", {} ended unrecorded (now interrupted)", report.ended_unrecorded).c_str()
          : "");
  return report.problems > 0 ? kExitFailed : kExitOk;
}

}  // namespace orch::app
