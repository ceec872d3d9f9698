// src/sweep/slurm/slurm_cli.h: the SLURM command line (sbatch, squeue, scontrol, scancel), which
// every site supports; libslurm has no stable ABI across versions (distributed.md §1).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace orch::sweep::slurm {

struct CommandResult {
  int exit_code = -1;  ///< 127: the program is not there
  std::string out;
  std::string err;
};

/// Runs `argv` (found on PATH) and waits for it.
CommandResult RunCommand(const std::vector<std::string>& argv);

/// True when `sbatch` is on PATH.
bool SlurmCommandsPresent();

/// `scontrol show config`'s MaxArraySize (an array index must be below it); 1001 when it
/// cannot be read.
int64_t MaxArraySize();

/// `sbatch --parsable ARGS...`: the job id. Throws OrchError with sbatch's message.
std::string Submit(const std::vector<std::string>& args);

/// The state of every job and array task in the queue whose job id or array job id is in
/// `job_ids`, keyed `<array job id>_<task id>` for array tasks and `<job id>` for others
/// (`squeue -h -r`). Empty when squeue is not there or fails.
std::map<std::string, std::string> QueueStates(const std::vector<std::string>& job_ids);

/// `scontrol requeue ID`; false when it failed (its message goes to stderr).
bool Requeue(const std::string& job_id);

/// `scancel IDS...`.
CommandResult Cancel(const std::vector<std::string>& job_ids);

}  // namespace orch::sweep::slurm
