// src/app/provenance.h: where a run came from: the code version and the host.
#pragma once

#include <filesystem>

#include "store/results_store.h"

namespace orch::app {

/// The git state of the repository holding `directory` (the config root): HEAD, whether
/// anything is uncommitted (tracked changes or untracked files), SHA-256 of `git diff HEAD` plus
/// the untracked file list (empty when clean), branch and remote. Git fields stay empty outside
/// a repository or without git. Also orch's version and build.
store::CodeVersion CollectCodeVersion(const std::filesystem::path& directory);

/// Hostname, CPU model and count, memory, OS.
store::HostInfo CollectHostInfo();

/// Runs a command and returns its stdout; nullopt when it fails to run or exits non-zero.
std::optional<std::string> CommandOutput(const std::string& command);

}  // namespace orch::app
