// tests/slurm/launcher_harness.h: one sweep's life through either launcher, for the tests that
// must hold for both (launcher_conformance_test.cpp) and the SLURM-only ones.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "../app/orch_process.h"
#include "store/results_store.h"

namespace orch::testing {

const std::string kTamConfig = std::string(ORCH_SOURCE_DIR) + "/configs/tam/pendulum.yaml";

class LauncherHarness {
 public:
  /// `launcher`: local or slurm. The store lives in `dir`.
  LauncherHarness(std::string launcher, const std::filesystem::path& dir);

  const std::filesystem::path& store() const { return store_; }

  /// `orch sweep ARGS...` with this launcher's options (local: --jobs 2; slurm: launcher=slurm),
  /// `environment` added to the inherited one (and passed on to the SLURM tasks).
  ProcessResult Sweep(std::vector<std::string> args,
                      const std::vector<std::string>& environment = {}) const;
  /// `orch sweep --resume NAME` (the launcher comes from the recorded sweep).
  ProcessResult Resume(const std::string& name) const;
  /// Returns when every run of sweep `name` has ended and the store has them (slurm: waits for
  /// the queue, then collects; local: the sweep command already waited).
  void Settle(const std::string& name) const;

 private:
  std::string launcher_;
  std::filesystem::path store_;
};

/// Every metric point of the store but the `system/` timings, as `variant seed key step value`
/// lines in a fixed order: two stores with equal dumps recorded the same numbers, bit for bit.
std::string MetricDump(const std::filesystem::path& store);

/// "" when two metric dumps are equal, else their sizes and first differing line (gtest's
/// diff of two large texts takes minutes).
std::string DumpDifference(const std::string& a, const std::string& b);

/// The last step the run `uuid` reached, read from its shard while it runs (slurm) or from the
/// store (local); -1 when there is none yet.
int64_t LastStep(const std::filesystem::path& store, const std::string& uuid);

/// Waits (up to `seconds`) until some run of the store has reached `min_step`, in its shard or
/// in the store; returns its uuid ("" on time-out).
std::string WaitForStep(const std::filesystem::path& store, int64_t min_step, int seconds = 90);

/// Writes an `orch-worker` stand-in that fails the run with id `run_id` (exit 7, "injected
/// failure" on stderr) and runs the real worker for every other; returns its path.
std::filesystem::path FailingWorker(const std::filesystem::path& dir, int64_t run_id);

}  // namespace orch::testing
