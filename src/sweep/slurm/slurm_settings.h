// src/sweep/slurm/slurm_settings.h: the options of `launcher=slurm`, named as in Hydra's submitit
// launcher where it has them (distributed.md §2).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "config/node.h"

namespace orch::sweep::slurm {

struct SlurmSettings {
  int64_t timeout_min = 60;  ///< each array task's time limit
  int64_t cpus_per_task = 1;
  int64_t gpus_per_node = 0;
  int64_t tasks_per_node = 1;
  int64_t nodes = 1;
  double mem_gb = 4;
  std::string name;  ///< the job name; default the sweep's
  std::string partition, qos, account, constraint, exclude, gres, comment;
  int64_t array_parallelism = 256;  ///< tasks running at once (`--array=...%N`)
  std::vector<std::string> setup;   ///< shell lines run before orch (module load, ...)
  /// Any other sbatch option, `key: value` → `--key=value` (`true` → `--key`).
  std::vector<std::pair<std::string, std::string>> additional_parameters;
  int64_t signal_delay_s = 120;  ///< USR1 this long before the time limit
  int64_t max_num_timeout = 0;   ///< requeues allowed after a time-out
  /// Submit a job that runs `orch collect` when every task has ended (afterany).
  bool collect_job = true;
  /// Where the sweep's files go (manifest, scripts, logs); default <store dir>/sweeps/<name>.
  std::optional<std::filesystem::path> sweep_dir;
};

/// The option names, for messages and the unknown-key check.
const std::vector<std::string>& SlurmOptionNames();

/// Reads `options` (a mapping, `kind` removed); every problem goes to `diagnostics` with the
/// key `launcher.<option>`, its origin and what was expected.
SlurmSettings ReadSlurmSettings(const config::Node& options, Diagnostics& diagnostics);

}  // namespace orch::sweep::slurm
