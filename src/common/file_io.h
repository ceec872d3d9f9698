// src/common/file_io.h: crash-safe file writes (checkpoints, run records) and whole-file reads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace orch {

/// Writes `bytes` to `path` so that a crash leaves the old file or the new one, never a torn
/// one: a temporary file in the same directory, fsync, rename over `path`, fsync of the
/// directory. Creates the directory. Throws std::runtime_error on an I/O error (errno's text,
/// e.g. "No space left on device"), after removing the temporary.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes);

/// Removes the temporaries (`*.tmp.*`) that writers killed mid-write left in `directory`;
/// returns how many. Call it only when no writer can be active there (a run about to resume).
size_t RemoveTemporaryFiles(const std::filesystem::path& directory);

/// The whole file; throws std::runtime_error when it cannot be read.
std::string ReadWholeFile(const std::filesystem::path& path);

}  // namespace orch
