// src/app/run_recording.h: records a new run of a composed config: its directory, its files and
// its row in the store.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/node.h"
#include "store/results_store.h"

namespace orch::app {

/// A composed, validated config about to become a run.
struct RunRequest {
  const config::Node* tree = nullptr;
  std::string config_path;             ///< the primary config file as given
  std::vector<std::string> overrides;  ///< the override texts that made the tree
  std::optional<std::string> name;     ///< default: DefaultRunName
  store::CodeVersion code;
  store::HostInfo host;
  int threads = 1;
  bool rerun = false;
  std::optional<int64_t> sweep_id;
  std::string variant;
};

/// A recorded run.
struct RecordedRun {
  int64_t run_id = 0;
  std::string uuid;
  std::string name;
  std::filesystem::path run_dir;  ///< absolute
};

/// The identity of a composed config: its canonical JSON and that JSON's SHA-256.
std::pair<std::string, std::string> ConfigIdentity(const config::Node& tree);

/// Creates `<store dir>/runs/<uuid>/` with config.yaml (exactly what the worker receives),
/// overrides.yaml and checkpoints/, and records the run (queued). Throws
/// store::DuplicateRunError when an identical run exists and `rerun` is false, and any other
/// StoreError of a store that refuses the run; either way the directory is removed first.
RecordedRun RecordNewRun(store::ResultsStore& store, const RunRequest& request);

/// `run.threads` when positive, else max(1, cores / parallel_runs).
int ThreadsForRun(const config::Node& tree, int parallel_runs);

}  // namespace orch::app
