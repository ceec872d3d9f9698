// src/sweep/local_launcher.h: runs a sweep's recorded runs in worker processes on this machine,
// at most N at once.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sweep/launcher.h"
#include "sweep/run_launch.h"

namespace orch::sweep {

struct LocalLaunchOptions {
  std::filesystem::path store_path;
  int jobs = 1;
  FailurePolicy on_failure;
};

/// Runs every item in its own worker process, at most `jobs` at once (a TBB arena of that size
/// whose slots take the items in order, each claiming its run first). `*stop_requests` (shared with
/// the signal handler): at 1 no new run starts and running workers get SIGINT (they checkpoint and
/// end interrupted), at 2 they get SIGKILL. Under FailurePolicy::kStop the first failure raises it
/// to 1; under kRetry a failed run is resumed from its newest checkpoint, up to N times.
std::vector<LaunchResult> RunLocally(const std::vector<LaunchItem>& items,
                                     const LocalLaunchOptions& options, LaunchObserver& observer,
                                     std::atomic<int>* stop_requests);

/// `launcher=local` (the default): RunLocally, `--jobs` at once, waiting for every run. It takes
/// no options.
LauncherKind LocalLauncherKind();

}  // namespace orch::sweep
