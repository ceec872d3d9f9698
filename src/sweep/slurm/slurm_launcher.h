// src/sweep/slurm/slurm_launcher.h: `launcher=slurm`. Submits a sweep's runs as SLURM job
// arrays and returns; each array task runs one job into its run's shard (array_task.h), and a
// collect job (afterany) merges the shards into the main store (collect.h).
#pragma once

#include "sweep/launcher.h"

namespace orch::sweep {

LauncherKind SlurmLauncherKind();

}  // namespace orch::sweep
