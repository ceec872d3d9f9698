// src/sweep/slurm/sweep_dir.h: the files of a sweep submitted to SLURM, in its sweep directory
// (default <store dir>/sweeps/<name>/):
//
//   manifest.json       job index -> run uuid, label, run directory, threads; the main store
//   records.shard.db    the runs' records, from which each task makes its run's shard
//   submissions.tsv     one line per sbatch job: kind (array|collect), job id, first index, indices
//   slurm/              the sbatch scripts and the tasks' output (%A_%a.out)
//
// Each run's shard is <run dir>/run.shard.db (store/shard.h).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orch::sweep::slurm {

/// One job of the sweep, as an array task finds it.
struct TaskEntry {
  int64_t index = 0;  ///< the job's index in the sweep
  std::string uuid;
  std::string label;              ///< `#3 memory_on seed=1`
  std::filesystem::path run_dir;  ///< absolute
  int threads = 1;
};

struct Manifest {
  std::string sweep;
  std::filesystem::path store_path;  ///< absolute
  int64_t max_num_timeout = 0;
  std::vector<TaskEntry> tasks;  ///< by index

  const TaskEntry* Find(int64_t index) const;
};

struct Submission {
  std::string kind;  ///< array, collect
  std::string job_id;
  int64_t offset = 0;   ///< array task id + offset = job index
  std::string indices;  ///< the --array list (task ids)
};

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kRecordsName = "records.shard.db";
inline constexpr const char* kSubmissionsName = "submissions.tsv";

/// <store dir>/sweeps/<name>.
std::filesystem::path DefaultSweepDir(const std::filesystem::path& store_path,
                                      const std::string& sweep_name);

/// Written atomically.
void WriteManifest(const std::filesystem::path& sweep_dir, const Manifest& manifest);
/// Throws OrchError naming the file when it is missing or unreadable.
Manifest ReadManifest(const std::filesystem::path& sweep_dir);

void AppendSubmission(const std::filesystem::path& sweep_dir, const Submission& submission);
/// Empty when nothing was submitted.
std::vector<Submission> ReadSubmissions(const std::filesystem::path& sweep_dir);

/// The job ids of every submission (arrays and collect jobs).
std::vector<std::string> SubmittedJobIds(const std::vector<Submission>& submissions);

/// The SLURM id (`<array job>_<task>`) under which job `index` was last submitted, if any.
std::optional<std::string> TaskJobId(const std::vector<Submission>& submissions, int64_t index);

}  // namespace orch::sweep::slurm
