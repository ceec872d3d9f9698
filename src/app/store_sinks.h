// src/app/store_sinks.h: the worker's RunContext sinks, backed by the results store.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "rl/workload.h"
#include "store/results_store.h"

namespace orch::app {

/// Metrics into the store through a batching MetricWriter on the sink's own connection. The
/// writer flushes on Log every 1,000 rows or 0.5 s; a workload that logs nothing for minutes
/// (an evaluation or a pretraining burst at a large model) is flushed from another thread by
/// Flush, so a killed worker loses at most the last few seconds of points.
class StoreMetricSink : public rl::MetricSink {
 public:
  StoreMetricSink(const std::filesystem::path& store_path, int64_t run_id);
  ~StoreMetricSink() override;
  void Log(std::string_view key, int64_t step, double value) override;
  /// Thread-safe: the workload's thread and the heartbeat thread both call it.
  void Flush() override;
  /// The last `system/param_count` the workload logged, for the run's overhead record.
  std::optional<int64_t> param_count() const;

 private:
  mutable std::mutex mutex_;
  std::unique_ptr<store::ResultsStore> store_;
  std::unique_ptr<store::MetricWriter> writer_;
  std::optional<int64_t> param_count_;
};

/// Checkpoints under `<run dir>/checkpoints/`, registered with their SHA-256 and size, paths
/// relative to the store's directory. A checkpoint is one file. Keeps the newest `keep` files
/// checkpoints (0 keeps all): an older one loses its file and its record, so `orch show`
/// lists only checkpoints that can be resumed from.
class StoreCheckpointSink : public rl::CheckpointSink {
 public:
  StoreCheckpointSink(store::ResultsStore& store, int64_t run_id, std::filesystem::path run_dir,
                      int64_t keep);
  std::filesystem::path Directory() const override;
  void Register(int64_t step, const std::filesystem::path& file, bool is_final) override;

 private:
  void Prune();

  store::ResultsStore& store_;
  int64_t run_id_;
  std::filesystem::path run_dir_;
  int64_t keep_;
};

/// The files a workload left in its run directory, as artifacts (paths relative to
/// `store_dir`; kind: the folder under the run directory, else the extension). Left out: what
/// orch itself writes there (config, overrides, logs, ending, checkpoints, plots, shards).
std::vector<store::ArtifactRecord> CollectArtifacts(const std::filesystem::path& run_dir,
                                                    const std::filesystem::path& store_dir);

/// Progress as `@progress {...}` lines on stdout for the front end to render; at most a few
/// lines a second, plus the last one.
class ProgressLineSink : public rl::ProgressSink {
 public:
  explicit ProgressLineSink(std::FILE* out) : out_(out) {}
  void Report(int64_t done, int64_t total,
              const std::vector<std::pair<std::string, double>>& headline) override;

 private:
  std::FILE* out_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace orch::app
