// src/rl/workload.h: the interface every algorithm implements, and what a run gives it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/node.h"

namespace orch::rl {

/// Receives a run's metrics. The worker's implementation batches them into the results store.
class MetricSink {
 public:
  virtual ~MetricSink() = default;
  /// One value of `key` at `step` (the run's x-axis: environment steps, or episodes for TAM).
  /// A later value at the same (key, step) replaces the earlier one.
  virtual void Log(std::string_view key, int64_t step, double value) = 0;
  /// Persists everything logged so far; called before a checkpoint is registered.
  virtual void Flush() = 0;
};

/// Where a run's checkpoints go. The workload writes a file under Directory() (atomically, see
/// checkpoint_io.h), then registers it; the sink records its hash and size.
class CheckpointSink {
 public:
  virtual ~CheckpointSink() = default;
  virtual std::filesystem::path Directory() const = 0;
  /// Registers a checkpoint file for `step` (metrics up to `step` must be flushed first).
  virtual void Register(int64_t step, const std::filesystem::path& file, bool is_final) = 0;
};

/// Progress for the live line: how far, of how much, and a few headline metrics.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void Report(int64_t done, int64_t total,
                      const std::vector<std::pair<std::string, double>>& headline) = 0;
};

/// Set when the run should stop early (Ctrl-C, SIGTERM): the workload checkpoints and returns.
class StopToken {
 public:
  explicit StopToken(const std::atomic<bool>* flag = nullptr) : flag_(flag) {}
  bool StopRequested() const { return flag_ != nullptr && flag_->load(std::memory_order_relaxed); }

 private:
  const std::atomic<bool>* flag_;
};

/// Everything a workload receives from the run besides its options.
struct RunContext {
  uint64_t seed = 0;  ///< the run seed; derive streams with DeriveSeed
  int threads = 1;    ///< intra-op thread budget (already applied)
  MetricSink* metrics = nullptr;
  CheckpointSink* checkpoints = nullptr;
  ProgressSink* progress = nullptr;
  StopToken stop;
  std::string device = "cpu";     ///< `run.device` resolved (`cpu`, `cuda:N`), see device.h
  std::filesystem::path run_dir;  ///< results/runs/<uuid>/: artifacts go here
  /// Set when resuming: the checkpoint to continue from.
  std::optional<std::filesystem::path> resume_from;
  std::ostream* log = nullptr;  ///< human-readable log lines (the run's log file)
};

enum class WorkloadOutcome { kCompleted, kInterrupted };

/// One algorithm run. Run() returns when done or when the stop token is set (after writing a
/// checkpoint), and throws (any std::exception) when the run fails.
class Workload {
 public:
  virtual ~Workload() = default;
  virtual WorkloadOutcome Run(RunContext& context) = 0;
};

/// Builds a workload from the whole validated config (the factory binds its options structs).
using WorkloadFactory = std::function<std::unique_ptr<Workload>(const config::Node& config)>;

/// Algorithm name → factory, filled by an explicit registration function (no static
/// self-registration, which static libraries can silently drop).
class WorkloadRegistry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    WorkloadFactory factory;
  };
  /// Throws RegistryError on a duplicate name.
  void Register(std::string name, std::string description, WorkloadFactory factory);
  /// Throws RegistryError listing the known names.
  const Entry& Get(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace orch::rl
