// src/sweep/run_claim.cpp
#include "sweep/run_claim.h"

#include <fmt/format.h>

#include "common/file_io.h"
#include "common/sha256.h"

namespace orch::sweep {

RunClaim ClaimQueued(store::ResultsStore& store, int64_t run_id) {
  RunClaim claim;
  claim.claimed = store.ClaimQueuedRun(run_id);
  if (!claim.claimed) {
    store::RunSummary run = store.GetRun(run_id).summary;
    claim.refusal = fmt::format("run {} is {} (started by another launcher, or ended)",
                                run.uuid.substr(0, 8), run.status);
  }
  return claim;
}

RunClaim ClaimForResume(store::ResultsStore& store, int64_t run_id) {
  RunClaim claim;
  store::RunDetails details = store.GetRun(run_id);
  const std::string& status = details.summary.status;
  if (status != "failed" && status != "interrupted") {
    claim.refusal = fmt::format("run {} is {}; only a failed or interrupted run continues",
                                details.summary.uuid.substr(0, 8), status);
    return claim;
  }

  // the newest checkpoint whose file is intact
  std::vector<store::CheckpointRecord> checkpoints = store.Checkpoints(run_id);
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    std::filesystem::path file = store.directory() / it->path;
    std::error_code error;
    if (!std::filesystem::exists(file, error)) {
      claim.notes.push_back(fmt::format("the checkpoint of step {} is missing ({}); passed over",
                                        it->step, file.string()));
      continue;
    }
    if (Sha256FileHex(file) != it->sha256) {
      claim.notes.push_back(fmt::format(
          "the checkpoint of step {} does not match its recorded SHA-256 ({}); passed over",
          it->step, file.string()));
      continue;
    }
    claim.from_step = it->step;
    claim.resume_from = std::filesystem::absolute(file);
    break;
  }
  if (!claim.resume_from && !checkpoints.empty()) {
    claim.notes.push_back("no intact checkpoint is left: the run starts again from scratch");
  }

  try {
    store.PrepareResume(run_id, claim.from_step);
  } catch (const store::ClaimRefusedError& refused) {
    claim.refusal = refused.what();
    return claim;
  } catch (const store::DuplicateRunError& duplicate) {
    claim.refusal = duplicate.what();
    return claim;
  }
  claim.claimed = true;

  // ours now, so no writer is active there: what a writer killed mid-write left is removed
  const std::filesystem::path checkpoint_dir = store.directory() / details.run_dir / "checkpoints";
  if (size_t removed = RemoveTemporaryFiles(checkpoint_dir); removed > 0) {
    claim.notes.push_back(fmt::format("removed {} unfinished checkpoint file(s) from {}", removed,
                                      checkpoint_dir.string()));
  }
  return claim;
}

}  // namespace orch::sweep
