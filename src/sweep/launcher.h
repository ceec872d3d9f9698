// src/sweep/launcher.h: where a sweep's runs execute. `orch sweep` plans, validates, records
// and deduplicates the runs the same way for every launcher (app/command_sweep.cpp); a
// launcher gets the runs to start, and either runs them and waits (local) or hands them to a
// scheduler and returns (slurm). The kinds are listed once, in launcher_registry.cpp.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "config/node.h"
#include "sweep/run_launch.h"
#include "sweep/sweep_spec.h"

namespace orch::sweep {

/// What happens when a run fails: carry on, stop the sweep, or resume the run up to N times.
struct FailurePolicy {
  enum class Kind { kContinue, kStop, kRetry };
  Kind kind = Kind::kContinue;
  int retries = 0;

  /// `continue`, `stop` or `retry:N`; nullopt otherwise.
  static std::optional<FailurePolicy> Parse(std::string_view text);
  std::string ToString() const;
};

/// One recorded run to launch. The launcher takes it (run_claim.h) when its turn comes, not
/// before: a run waiting in the queue stays queued (or failed, interrupted) for everyone else.
struct LaunchItem {
  size_t job_index = 0;
  int64_t run_id = 0;
  std::string uuid;
  std::string label;  ///< `#3 memory_on seed=1`
  std::filesystem::path run_dir;
  int threads = 1;
  /// Continue a failed or interrupted run (ClaimForResume) rather than start a queued one.
  bool resume = false;
};

/// Called from the launcher's threads as runs start, progress and end; implementations must be
/// thread-safe.
class LaunchObserver {
 public:
  virtual ~LaunchObserver() = default;
  virtual void OnStarted(const LaunchItem& item, int attempt) = 0;
  virtual void OnProgress(const LaunchItem& item, const ProgressUpdate& update) = 0;
  virtual void OnFinished(const LaunchItem& item, const RunOutcome& outcome, bool will_retry) = 0;
  /// The run could not be taken when its turn came (another launcher has it, or it ended).
  virtual void OnSkipped(const LaunchItem& item, const std::string& why) = 0;
};

/// How one item ended.
struct LaunchResult {
  LaunchItem item;
  bool started = false;  ///< false: the sweep stopped before its turn, or it was skipped
  /// Set when the run could not be taken (another launcher had it, or it had ended).
  std::string skipped;
  int attempts = 0;
  RunOutcome outcome;  ///< of the last attempt
  /// What taking the run passed over (a damaged checkpoint, leftover temporaries).
  std::vector<std::string> notes;
};

/// What every launcher knows about the sweep it launches.
struct SweepLaunch {
  std::string name;
  std::filesystem::path store_path;  ///< absolute
  int jobs = 1;                      ///< `--jobs`: runs at once, for a launcher that runs them
  FailurePolicy on_failure;
};

/// What a launch did.
struct LaunchReport {
  /// A launcher that waits: how each item ended, in order.
  std::vector<LaunchResult> results;
  /// The runs were handed to a scheduler and end after the launcher returned; `lines` say
  /// what was submitted and how to follow it.
  bool detached = false;
  std::vector<std::string> lines;
};

class Launcher {
 public:
  virtual ~Launcher() = default;

  /// True when Launch runs the runs and returns after they end; false when it hands them to a
  /// scheduler and returns at once (no progress to show then).
  virtual bool Waits() const { return true; }

  /// Cores each run gets when its config leaves `run.threads` at 0; nullopt: the machine's
  /// cores shared among `--jobs` runs.
  virtual std::optional<int> CoresPerRun() const { return std::nullopt; }

  /// Brings into the store what earlier launches of the sweep did elsewhere (it merges the
  /// SLURM shards), before `orch sweep` decides which runs to launch. Returns the uuids of runs
  /// still in flight there (queued or running in the scheduler), which must not be launched
  /// again. Throws UsageError when the launcher cannot work here (nothing is recorded then).
  virtual std::set<std::string> Refresh(const SweepLaunch& /*sweep*/) { return {}; }

  /// Starts `items`. `observer` hears of runs that start, progress and end here; `*stop_requests`
  /// is shared with the signal handler (see RunLocally).
  virtual LaunchReport Launch(const SweepLaunch& sweep, const std::vector<LaunchItem>& items,
                              LaunchObserver& observer, std::atomic<int>* stop_requests) = 0;
};

/// One kind of launcher.
struct LauncherKind {
  std::string name;     ///< what `launcher=NAME` selects
  std::string summary;  ///< one line for help texts
  /// Checks `options` (the launcher block, `kind` removed; a mapping) and reports every problem
  /// to `diagnostics` with its origin, full key and a suggestion; returns the launcher when
  /// there was none.
  std::function<std::unique_ptr<Launcher>(const config::Node& options, Diagnostics& diagnostics)>
      make;
};

/// Every launcher kind, `local` first (the default).
const std::vector<LauncherKind>& LauncherKinds();

/// The launcher a sweep asks for: its sweep file's `launcher:` block (a kind name, or a mapping
/// with `kind` and options), then the command line's `launcher=KIND` and `launcher.KEY=VALUE`.
/// Every problem is thrown at once as a ConfigError, before anything is written. `kind`
/// receives the chosen kind's name.
std::unique_ptr<Launcher> MakeLauncher(const SweepSpec& spec, std::string* kind = nullptr);

/// Reports the keys of `options` that are not in `known` (with a "did you mean"), under
/// `launcher.`; for the launcher kinds' option checks.
void CheckLauncherKeys(const config::Node& options, const std::vector<std::string>& known,
                       Diagnostics& diagnostics);

}  // namespace orch::sweep
