// src/store/shard.h: per-run shard stores, for runs launched on other machines (SLURM). A shard
// is a results store holding one run, written only by that run's launch; `orch collect` merges
// it into the main store by the run's uuid (distributed.md §3). One SQLite file is never shared
// across machines: its locks are not safe on network filesystems.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "store/results_store.h"

namespace orch::store {

/// A store file whose name ends in this is a shard or a launcher's record file: it uses the
/// rollback journal, never WAL, whose shared-memory index needs every process on one host.
inline constexpr std::string_view kShardSuffix = ".shard.db";
/// The shard of a run, in its run directory.
inline constexpr std::string_view kRunShardName = "run.shard.db";

bool IsShardPath(const std::filesystem::path& path);

/// Copies the records of the runs `uuids` from the store file `source` into `target` (a store of
/// the same schema version): the run rows, with what they reference (experiment, sweep, config,
/// code version, host) and their params, tags and events, keeping their ids, in one transaction.
/// `run_dir` replaces the runs' run directory when not empty (a shard's run directory is its
/// own: "."). A shard `source` is read as an immutable file. Throws StoreError; an uuid that
/// `source` lacks is an error.
void CopyRunRecords(ResultsStore& target, const std::filesystem::path& source,
                    const std::vector<std::string>& uuids, const std::string& run_dir = "");

/// What merging one shard did.
struct ShardMerge {
  std::string status;  ///< the run's status in the shard (now also in the main store)
  int64_t last_step = 0;
  int64_t metric_rows = 0;  ///< the run's metric rows now in the main store
  bool changed = false;     ///< false: the main store already held exactly this
};

/// Merges the run `uuid` of `shard_path` into `main`, whose record of it (the same uuid) was
/// made when the run was launched: the shard is authoritative for the run's lifecycle (status,
/// attempt, times, exit code, error, progress, statistics), its metrics, checkpoints and
/// events, which replace the main store's in one transaction. Metric keys are matched by name
/// and checkpoint paths rebased onto the run's directory in `main`. The shard is checked first
/// (PRAGMA quick_check); a damaged one is reported, and nothing of it merged. Running it again
/// changes nothing.
ShardMerge MergeShard(ResultsStore& main, const std::filesystem::path& shard_path,
                      const std::string& uuid);

}  // namespace orch::store
