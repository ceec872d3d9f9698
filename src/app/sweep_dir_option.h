// src/app/sweep_dir_option.h: how `orch status`, `orch collect` and `orch cancel` find a sweep
// submitted to SLURM: by name (its directory under the store's sweeps/) or by --sweep-dir.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "app/cli.h"

namespace orch::app {

OptionSpec SweepDirOption();

/// The sweep directory named by --sweep-dir, else <store dir>/sweeps/NAME for the first
/// positional argument; nullopt when that directory holds no SLURM manifest (a local sweep).
/// UsageError when neither is given, or --sweep-dir holds no manifest.
std::optional<std::filesystem::path> FindSweepDir(const ParsedArgs& parsed);

}  // namespace orch::app
