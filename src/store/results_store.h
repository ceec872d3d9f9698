// src/store/results_store.h: the SQLite results store: every run, its config, provenance,
// metrics, checkpoints and events, in one file any sqlite3 client can read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace SQLite {
class Database;
}

namespace orch::store {

/// The store cannot be opened or used: not a database, another application's database, a
/// newer schema than this orch, or an I/O error. The message says which, and names the file.
class StoreError : public OrchError {
 public:
  /// What went wrong, where a caller acts on it (waits for disk space, say).
  enum class Cause { kOther, kDiskFull, kIo };
  explicit StoreError(const std::string& message, Cause cause = Cause::kOther)
      : OrchError(message), cause_(cause) {}
  bool disk_full() const { return cause_ == Cause::kDiskFull; }
  /// A full disk or another I/O error (SQLite could not set up or write its files).
  bool io() const { return cause_ == Cause::kDiskFull || cause_ == Cause::kIo; }

 private:
  Cause cause_;
};

/// MarkRunning refused: the run is not queued or prepared for this worker (another launcher's
/// worker has it, or it ended). The run is not this worker's to record anything about.
class ClaimRefusedError : public StoreError {
 public:
  explicit ClaimRefusedError(const std::string& message) : StoreError(message) {}
};

/// RecordSweep refused: a sweep of this name is recorded with another definition.
class SweepConflictError : public StoreError {
 public:
  explicit SweepConflictError(const std::string& message) : StoreError(message) {}
};

/// CreateRun refused a run whose resolved config and code version are those of a run that is
/// queued, running or completed (results-store.md §1.2). Carries that run's id.
class DuplicateRunError : public StoreError {
 public:
  DuplicateRunError(const std::string& message, int64_t existing_run_id)
      : StoreError(message), existing_run_id_(existing_run_id) {}
  int64_t existing_run_id() const { return existing_run_id_; }

 private:
  int64_t existing_run_id_;
};

/// Lifecycle of a run: queued → running → completed | failed | interrupted; a failed or
/// interrupted run can be resumed (back to running).
enum class RunStatus { kQueued, kRunning, kCompleted, kFailed, kInterrupted };

const char* StatusName(RunStatus status);
std::optional<RunStatus> ParseStatus(std::string_view name);

/// The code that produced a run: the repository holding the config.
struct CodeVersion {
  std::optional<std::string> git_sha;  ///< nullopt outside a git repository
  bool dirty = false;                  ///< uncommitted changes (tracked or untracked)
  std::string diff_sha256;             ///< SHA-256 of `git diff HEAD` + untracked list; "" if clean
  std::optional<std::string> diff_text;  ///< the diff itself, when under 1 MiB
  std::optional<std::string> branch;
  std::optional<std::string> remote_url;
  std::string orch_version;     ///< "0.1.0"
  std::string build_info_json;  ///< compiler, build type, ... as a JSON object
};

struct HostInfo {
  std::string hostname;
  std::string cpu_model;
  int64_t cpus = 0;
  int64_t memory_bytes = 0;
  std::string os;
};

/// One flattened config leaf (`tam.memory.k` = `64`), for filters and diffs.
struct FlatParam {
  std::string key;
  std::string value_text;
  std::optional<double> value_number;  ///< set for numbers and bools
};

/// What the front end knows when it records a new run.
struct NewRun {
  std::string uuid;  ///< also the run directory's name
  std::string name;
  std::string experiment = "default";
  std::string algo;
  std::string task;     ///< env.name, denormalised for grouping
  std::string variant;  ///< the sweep variant; "" outside sweeps
  int64_t seed = 0;
  std::string config_path;  ///< the primary config file as given
  std::string config_yaml;  ///< the resolved config, exactly as the worker gets it
  std::string config_json;  ///< its canonical JSON (what was hashed)
  std::string config_sha256;
  std::vector<std::string> overrides;  ///< the command-line overrides, in order
  std::vector<FlatParam> params;
  CodeVersion code;
  HostInfo host;
  int64_t thread_budget = 1;
  int64_t budget_steps = 0;  ///< the x-axis budget (environment steps; episodes for TAM)
  std::string run_dir;       ///< relative to the store's directory: runs/<uuid>
  /// Run it even if an identical run exists: the run gets the next replica number, which is
  /// part of its identity (`orch run --rerun`).
  bool rerun = false;
  /// The sweep the run is first launched by (its membership is recorded with AddSweepMember).
  std::optional<int64_t> sweep_id;
};

struct CheckpointRecord {
  int64_t step = 0;
  std::string path;  ///< relative to the store's directory
  std::string sha256;
  int64_t bytes = 0;
  bool is_final = false;
  int64_t created_at_ms = 0;
};

/// A file a workload left in its run directory (an analysis, plot data, a snapshot).
struct ArtifactRecord {
  std::string kind;  ///< its folder under the run directory, or its file extension
  std::string path;  ///< relative to the store's directory
  std::string sha256;
  int64_t bytes = 0;
  int64_t created_at_ms = 0;
};

/// One row of `orch ls`.
struct RunSummary {
  int64_t run_id = 0;
  std::string uuid;
  std::string name;
  std::string status;
  std::string algo;
  std::string task;
  std::string variant;
  int64_t seed = 0;
  std::optional<std::string> git_sha;
  bool dirty = false;
  std::string config_sha256;
  int64_t created_at_ms = 0;
  std::optional<int64_t> started_at_ms;
  std::optional<int64_t> ended_at_ms;
  std::optional<int64_t> heartbeat_at_ms;
  int64_t last_step = 0;
  int64_t budget_steps = 0;
  int64_t attempt = 1;
  std::optional<int64_t> exit_code;
  std::string error_text;
  /// Each of the run's headline metrics, smoothed: the mean over the last 10% of its steps
  /// (see ResultsStore::ListRuns).
  std::vector<std::pair<std::string, double>> headline;
  std::vector<std::string> tags;  ///< `orch tag`, sorted
  std::string note;               ///< `orch note`; "" without
  std::string device;             ///< where it computed (`cpu`, `cuda:0`); "" before it started
};

struct MetricKeySummary {
  std::string name;
  std::string kind;  ///< train, eval, aux, system
  int64_t points = 0;
  int64_t first_step = 0;
  int64_t last_step = 0;
  std::optional<double> last_value;
};

struct RunEvent {
  int64_t ts_ms = 0;
  std::string kind;
  std::string detail;
};

/// Everything recorded about one run (`orch show`).
struct RunDetails {
  RunSummary summary;
  std::string experiment;
  std::string config_path;
  std::string config_yaml;
  std::string config_json;
  std::vector<std::string> overrides;
  std::vector<FlatParam> params;
  CodeVersion code;
  HostInfo host;
  int64_t thread_budget = 1;
  std::optional<int64_t> pid;
  std::string run_dir;
  std::optional<int64_t> param_count;
  std::optional<int64_t> peak_rss_bytes;
  std::optional<double> ms_per_iter;
  std::vector<MetricKeySummary> metrics;
  std::vector<CheckpointRecord> checkpoints;
  std::vector<ArtifactRecord> artifacts;
  std::vector<RunEvent> events;
};

struct MetricPoint {
  int64_t step = 0;
  std::optional<double> value;  ///< nullopt for a NaN (stored as NULL)
  int64_t wall_ms = 0;
};

/// A sweep as recorded: its name and definition.
struct SweepRecord {
  int64_t sweep_id = 0;
  std::string name;
  std::string experiment;
  std::string spec_yaml;  ///< the sweep file as written, or the command line it came from
  std::string spec_sha256;
  int64_t created_at_ms = 0;
};

/// One run's place in a sweep.
struct SweepMember {
  int64_t run_id = 0;
  int64_t job_index = 0;
  std::string variant;
  std::string task;
  std::string axes_json = "{}";  ///< the axis values of the job, a JSON object
};

struct RunFilter {
  std::optional<std::string> status;
  std::optional<std::string> algo;
  std::optional<std::string> name_contains;
  std::optional<int64_t> sweep_id;  ///< only runs that are members of this sweep
  int64_t limit = 0;                ///< 0 = all; newest first
  /// Only runs with every one of these tags (`orch tag`).
  std::vector<std::string> tags;
  /// Only runs whose stored parameter KEY has VALUE (`tam.memory.w_mem`, `0.02`): equal as
  /// text, or as numbers when both are.
  std::vector<std::pair<std::string, std::string>> where;
};

class MetricWriter;

/// One connection to a results store file. WAL mode, BEGIN IMMEDIATE transactions with busy
/// retries, schema versions in PRAGMA user_version with forward-only migrations, and an
/// application_id that marks the file as orch's. A connection is used by one thread at a time.
class ResultsStore {
 public:
  /// kSnapshot reads the database file alone, without the write-ahead log and its shared
  /// memory (SQLite's immutable mode): for a store whose disk is too full for SQLite to set up
  /// that shared memory. Writes not yet checkpointed into the file are not seen.
  enum class Mode { kReadWrite, kReadOnly, kSnapshot };

  /// Opens, creating the file (and its directory) in read-write mode, and migrates. Throws
  /// StoreError for a file that is not a SQLite database (or is corrupt), a SQLite database of
  /// another application, or a schema newer than this orch understands.
  static std::unique_ptr<ResultsStore> Open(const std::filesystem::path& path,
                                            Mode mode = Mode::kReadWrite);
  ~ResultsStore();

  const std::filesystem::path& path() const { return path_; }
  /// The directory relative paths (run dirs, checkpoints) are rooted at.
  std::filesystem::path directory() const { return path_.parent_path(); }
  /// The schema version of the file (PRAGMA user_version).
  int SchemaVersion();

  // --- write path (results-store.md §4)
  /// Records a new run (code version, host and config get-or-created), status queued, its
  /// flattened params and a 'queued' event. Returns the run id. Throws DuplicateRunError when
  /// an identical run (same config and code version) is queued, running or completed, unless
  /// `run.rerun` is set.
  int64_t CreateRun(const NewRun& run);
  /// Takes a queued run for one launcher: queued → running without a worker yet (MarkRunning
  /// gives it one). False, changing nothing, when the run is no longer queued (another
  /// launcher took it first, or it ended): two launchers never both start a run.
  bool ClaimQueuedRun(int64_t run_id);
  /// A queued run its launcher will not start after all (the sweep was stopped first) ends as
  /// interrupted with `reason`, so that it blocks nothing and a sweep resume starts it. False,
  /// changing nothing, when the run is no longer queued.
  bool AbandonQueuedRun(int64_t run_id, const std::string& reason);
  /// Claimed (ClaimQueuedRun), prepared for resume (PrepareResume) or queued → running, with
  /// the worker's pid and start time. Throws ClaimRefusedError for a run in any other state.
  void MarkRunning(int64_t run_id, int64_t pid);
  void Heartbeat(int64_t run_id, int64_t last_step);
  /// Ends a run: completed (exit code 0), failed (exit code or signal, error text = the tail of
  /// stderr) or interrupted. Adds the matching event. Throws StoreError for a run that already
  /// ended, except one MarkStaleRuns failed (its worker was alive after all).
  void FinishRun(int64_t run_id, RunStatus status, std::optional<int64_t> exit_code,
                 const std::string& error_text);
  /// Overhead facts of a finished run (parameters, peak memory, median ms per iteration).
  void SetRunStats(int64_t run_id, std::optional<int64_t> param_count,
                   std::optional<int64_t> peak_rss_bytes, std::optional<double> ms_per_iter);
  void AddEvent(int64_t run_id, std::string_view kind, std::string_view detail);
  /// A checkpoint file written and synced under the store's directory (upsert on step).
  void RegisterCheckpoint(int64_t run_id, const CheckpointRecord& checkpoint);
  /// Replaces the run's artifacts with `artifacts` (a resumed run registers them again).
  void SetArtifacts(int64_t run_id, const std::vector<ArtifactRecord>& artifacts);
  std::optional<CheckpointRecord> LatestCheckpoint(int64_t run_id);
  /// Resumes a failed or interrupted run in place from `checkpoint_step` (-1: from scratch):
  /// deletes its metric points (and checkpoint records) after that step, rebuilds its latest
  /// values, status running without a pid (MarkRunning sets it), attempt + 1, a 'resumed'
  /// event. Throws ClaimRefusedError when the run is in another state (another launcher
  /// resumed it first), and DuplicateRunError when an identical run has been queued, started
  /// or completed since.
  void PrepareResume(int64_t run_id, int64_t checkpoint_step);
  /// Running runs whose heartbeat is older than `stale_after_ms` end. A run whose worker left
  /// its ending in `<run dir>/ending.json` (it could not write the store: a full disk) ends as
  /// that file says; the others become failed with the reason ("worker stopped sending
  /// heartbeats at ..."). Returns how many (0 on a read-only store).
  int MarkStaleRuns(int64_t now_ms, int64_t stale_after_ms);
  /// Deletes the record of a checkpoint whose file was pruned (`run.keep_checkpoints`).
  void ForgetCheckpoint(int64_t run_id, int64_t step);
  /// The run's checkpoints, oldest first.
  std::vector<CheckpointRecord> Checkpoints(int64_t run_id);

  // --- sweeps
  /// Records the sweep `name` with its definition and returns its id. A known name with the
  /// same definition is the same sweep; another definition under a known name throws
  /// SweepConflictError (a sweep's history is never rewritten: record it under a new name).
  int64_t RecordSweep(const std::string& name, const std::string& experiment,
                      const std::string& spec_yaml, const std::string& spec_sha256);
  /// The sweep named `name`, if any.
  std::optional<SweepRecord> FindSweep(std::string_view name);
  /// The sweep named `name`; UsageError naming the store, the closest name and the known ones.
  SweepRecord RequireSweep(std::string_view name);
  std::vector<SweepRecord> ListSweeps();
  /// Makes `member.run_id` job `member.job_index` of the sweep (replacing an earlier entry).
  void AddSweepMember(int64_t sweep_id, const SweepMember& member);
  /// The sweep's members in job order.
  std::vector<SweepMember> SweepMembers(int64_t sweep_id);
  /// The names of the sweeps `run_id` is a member of.
  std::vector<std::string> SweepsOfRun(int64_t run_id);

  // --- deleting (`orch rm`)
  /// The number of metric points stored for `run_id`.
  int64_t MetricPointCount(int64_t run_id);
  /// W11: deletes the runs `run_ids` with everything recorded about them (metrics, events,
  /// parameters, tags, checkpoint and artifact rows, sweep memberships), and the sweeps
  /// `sweep_ids` (their memberships; their runs only where named in `run_ids`), in one
  /// transaction. A run resumed from a deleted one stays and loses that reference. Throws
  /// StoreError, deleting nothing, when a run is unknown or still queued or running. The run
  /// directories are the caller's to remove.
  void Delete(const std::vector<int64_t>& run_ids, const std::vector<int64_t>& sweep_ids);

  /// Every run with this resolved config and code version, newest first, whatever its status
  /// or replica: what a re-launched sweep skips, resumes or reruns.
  std::vector<RunSummary> FindRunsByIdentity(const std::string& config_sha256,
                                             const CodeVersion& code);

  /// A batching writer of one run's metrics (see MetricWriter).
  std::unique_ptr<MetricWriter> OpenMetricWriter(int64_t run_id, int64_t flush_rows = 1000,
                                                 int64_t flush_interval_ms = 500);

  // --- read path (results-store.md §5)
  /// Runs, newest first, with the latest value of `headline_keys` that each run has.
  std::vector<RunSummary> ListRuns(const RunFilter& filter = {},
                                   const std::vector<std::string>& headline_keys = {});
  /// A run by id, uuid, unique uuid prefix (4+ characters), or name (only when one run has
  /// it). Throws StoreError when none or several match, listing candidates.
  int64_t ResolveRun(std::string_view reference);

  /// Tags and a note are labels a person puts on a run afterwards: they live in run_tag
  /// (`tag:NAME`, `note`), outside the config, so they never change a run's identity.
  /// Adds `add` and removes `remove` (a missing one is no error).
  void TagRun(int64_t run_id, const std::vector<std::string>& add,
              const std::vector<std::string>& remove);
  /// Sets the note ("" removes it).
  void NoteRun(int64_t run_id, const std::string& note);
  /// Records where the run computes (run_tag `device`), as its worker resolved run.device.
  void RecordDevice(int64_t run_id, const std::string& device);
  RunDetails GetRun(int64_t run_id);
  std::vector<MetricPoint> Series(int64_t run_id, std::string_view key);
  std::vector<MetricKeySummary> MetricKeys(int64_t run_id);
  /// Every metric point of a run, ordered by key then step.
  void ForEachMetric(int64_t run_id,
                     const std::function<void(const std::string& key, const MetricPoint&)>& visit);
  /// PRAGMA integrity_check; true when it says "ok" (else `message` holds what it said).
  bool IntegrityCheck(std::string* message = nullptr);
  /// PRAGMA quick_check, given about `budget_ms` of work: what it found wrong, or nullopt when
  /// the store checks out or the check ran out of time (a store of many gigabytes).
  std::optional<std::string> QuickCheck(int64_t budget_ms);

  SQLite::Database& database() { return *db_; }

 private:
  friend class MetricWriter;
  ResultsStore(std::filesystem::path path, std::unique_ptr<SQLite::Database> db, Mode mode);
  /// Runs `body` in a write transaction with busy retries (refused on a read-only store).
  void Write(const std::string& action, const std::function<void()>& body);

  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> db_;
  Mode mode_;
};

/// Batches one run's metric points: flushes every `flush_rows` rows or `flush_interval_ms` since
/// the last flush (whichever comes first) in one BEGIN IMMEDIATE transaction that upserts the
/// points and the run's latest values and beats the run's heartbeat. Retries on SQLITE_BUSY.
/// The destructor flushes (and never throws).
class MetricWriter {
 public:
  MetricWriter(ResultsStore& store, int64_t run_id, int64_t flush_rows, int64_t flush_interval_ms);
  ~MetricWriter();
  MetricWriter(const MetricWriter&) = delete;
  MetricWriter& operator=(const MetricWriter&) = delete;

  /// One point; a NaN is stored as NULL. The kind of a new key comes from its name: `eval/...`
  /// → eval, `aux...` → aux, `system/...` → system, else train.
  void Add(std::string_view key, int64_t step, double value);
  void Flush();
  int64_t rows_written() const { return rows_written_; }
  int64_t rows_pending() const;

 private:
  // the prepared statements and the name → key cache, defined in metric_writer.cpp
  struct State;
  struct Pending {
    size_t key;  // index into State's keys
    int64_t step;
    double value;
    int64_t wall_ms;
  };
  void FlushPending();

  ResultsStore& store_;
  int64_t run_id_;
  int64_t flush_rows_;
  int64_t flush_interval_ms_;
  int64_t last_flush_ms_;  // steady clock
  std::vector<Pending> pending_;
  std::unique_ptr<State> state_;
  int64_t rows_written_ = 0;
};

/// Milliseconds since the Unix epoch.
int64_t NowMs();

}  // namespace orch::store
