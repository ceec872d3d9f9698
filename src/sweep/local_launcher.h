// src/sweep/local_launcher.h: runs a sweep's recorded runs in worker processes on this machine,
// at most N at once.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sweep/run_launch.h"

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

struct LocalLaunchOptions {
  std::filesystem::path store_path;
  int jobs = 1;
  FailurePolicy on_failure;
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

/// Runs every item in its own worker process, at most `jobs` at once (a TBB arena of that size
/// whose slots take the items in order, each claiming its run first). `*stop_requests` (shared with
/// the signal handler): at 1 no new run starts and running workers get SIGINT (they checkpoint and
/// end interrupted), at 2 they get SIGKILL. Under FailurePolicy::kStop the first failure raises it
/// to 1; under kRetry a failed run is resumed from its newest checkpoint, up to N times.
std::vector<LaunchResult> RunLocally(const std::vector<LaunchItem>& items,
                                     const LocalLaunchOptions& options, LaunchObserver& observer,
                                     std::atomic<int>* stop_requests);

}  // namespace orch::sweep
