// src/sweep/slurm/slurm_cli.h: the SLURM command line (sbatch, squeue, scontrol, scancel), which
// every site supports; libslurm has no stable ABI across versions (distributed.md §1).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
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

/// How a job or array task that has left the queue ended, as "TIMEOUT (exit code 0:15, reason
/// TimeLimit)": from `scontrol show job` while the controller still holds it (MinJobAge, 300 s
/// by default), else from `sacct` where accounting runs; nullopt when neither knows.
std::optional<std::string> EndedState(const std::string& job_id);

/// EndedState's readings of `scontrol show job -o ID` and `sacct -n -P -X -j ID -o
/// State,ExitCode`; nullopt when the text names no state, or one that is not final.
std::optional<std::string> ParseScontrolEnd(std::string_view shown);
std::optional<std::string> ParseSacctEnd(std::string_view listed);

/// `scontrol requeue ID`; false when it failed (its message goes to stderr).
bool Requeue(const std::string& job_id);

/// `scancel IDS...`.
CommandResult Cancel(const std::vector<std::string>& job_ids);

}  // namespace orch::sweep::slurm
