// src/store/run_ending.h: how a run ended, as its worker saw it, in a form that survives a store
// the worker could not write (a full disk): `<run dir>/ending.json`, and the `@ending {...}` line
// a worker prints for its launcher. Whoever can write the store next records it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace orch::store {

struct RecordedEnding {
  std::string status;  ///< completed, failed or interrupted
  std::optional<int64_t> exit_code;
  std::string error;  ///< the cause of a failure; "" otherwise
};

/// The file a worker leaves in its run directory when it cannot record its ending.
inline constexpr const char* kEndingFileName = "ending.json";

/// One line of JSON: {"status": ..., "exit_code": ..., "error": ...}.
std::string EndingJson(const RecordedEnding& ending);

/// The ending in `text` (EndingJson's form); nullopt when it is not one.
std::optional<RecordedEnding> ParseEndingJson(std::string_view text);

/// `<run_dir>/ending.json`, when present and readable.
std::optional<RecordedEnding> ReadEndingFile(const std::filesystem::path& run_dir);

}  // namespace orch::store
