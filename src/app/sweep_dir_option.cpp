// src/app/sweep_dir_option.cpp
#include "app/sweep_dir_option.h"

#include <fmt/format.h>

#include "app/store_options.h"
#include "common/error.h"
#include "sweep/slurm/sweep_dir.h"

namespace orch::app {

OptionSpec SweepDirOption() {
  return {"sweep-dir", "DIR", "the SLURM sweep's directory (default <store dir>/sweeps/NAME)"};
}

std::optional<std::filesystem::path> FindSweepDir(const ParsedArgs& parsed) {
  namespace fs = std::filesystem;
  if (auto dir = parsed.Value("sweep-dir")) {
    if (!fs::exists(fs::path(*dir) / sweep::slurm::kManifestName)) {
      throw UsageError(fmt::format("--sweep-dir {}: no {} there (not a SLURM sweep directory)",
                                   *dir, sweep::slurm::kManifestName));
    }
    return fs::absolute(*dir);
  }
  if (parsed.positional.empty()) throw UsageError("name the sweep (or give --sweep-dir DIR)");
  fs::path dir = sweep::slurm::DefaultSweepDir(StorePath(parsed), parsed.positional[0]);
  if (!fs::exists(dir / sweep::slurm::kManifestName)) return std::nullopt;
  return dir;
}

}  // namespace orch::app
