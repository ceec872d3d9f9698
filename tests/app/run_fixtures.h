// tests/app/run_fixtures.h: what the run and sweep tests share: `orch` in the background,
// waiting for a worker to make progress, and reading a store back.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/results_store.h"

namespace orch::testing {

/// `orch ARGS...` started in the background from the source root; stdout goes to /dev/null,
/// stderr to `err_path` (or /dev/null); `environment` (`KEY=VALUE`) is added to ours.
class BackgroundOrch {
 public:
  explicit BackgroundOrch(const std::vector<std::string>& args,
                          const std::filesystem::path& err_path = "/dev/null",
                          const std::vector<std::string>& environment = {});
  pid_t pid() const { return pid_; }
  /// The exit code, or -1 when it died of a signal.
  int Wait();

 private:
  pid_t pid_ = 0;
};

/// Waits (up to 60 s) until some run of the store is running with a worker pid and has
/// reported `min_step`; returns it. `skip` lists run ids that do not count.
store::RunDetails WaitForProgress(const std::filesystem::path& store_path, int64_t min_step,
                                  const std::vector<int64_t>& skip = {});

/// `key,step,value` of every point of a run (wall times differ between runs).
std::string Series(const std::filesystem::path& store, const std::string& run);

int64_t CountRuns(const std::filesystem::path& store_path);

}  // namespace orch::testing
