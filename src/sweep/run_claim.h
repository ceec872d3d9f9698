// src/sweep/run_claim.h: how a launcher takes a recorded run before it starts a worker for it. A
// queued run is claimed; a failed or interrupted one is prepared to continue from its newest
// intact checkpoint. One place and one behaviour for `orch run`, `orch sweep` and retries, so
// that two launchers never both start a run and a damaged checkpoint is treated alike by all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/results_store.h"

namespace orch::sweep {

/// The outcome of taking a run.
struct RunClaim {
  bool claimed = false;
  /// Why the run was not taken (another launcher took it first, or it ended meanwhile); the
  /// run is left as it is.
  std::string refusal;
  /// The checkpoint a resumed run continues from (absolute); none: from scratch.
  std::optional<std::filesystem::path> resume_from;
  int64_t from_step = -1;
  /// What was passed over on the way (a missing or damaged checkpoint, leftover temporaries).
  std::vector<std::string> notes;
};

/// Takes a queued run (ResultsStore::ClaimQueuedRun).
RunClaim ClaimQueued(store::ResultsStore& store, int64_t run_id);

/// Takes a failed or interrupted run to continue it: the newest checkpoint whose file exists
/// and matches its recorded SHA-256 (older ones when the newest is missing or damaged; from
/// scratch when none is), the temporaries of interrupted checkpoint writes removed, then
/// ResultsStore::PrepareResume. Store errors other than a refused claim pass through.
RunClaim ClaimForResume(store::ResultsStore& store, int64_t run_id);

}  // namespace orch::sweep
