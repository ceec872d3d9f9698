// src/envs/state_text.h: the text form of an env's saved state (Env::SaveState/LoadState).
// Internal to src/envs: one line of whitespace-separated tokens (a tag, then the values; doubles
// as their bit patterns so that they read back exactly), then one line per random stream.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "rl/seeding.h"

namespace orch::envs {

/// Builds a saved state: Add the scalars first, then the streams.
class StateWriter {
 public:
  /// Starts the text with `tag` (the env's state format, e.g. "cartpole-state-v1").
  explicit StateWriter(std::string_view tag);

  /// Appends a double exactly (its bit pattern).
  StateWriter& Double(double value);
  /// Appends an integer.
  StateWriter& Int(int64_t value);
  /// Ends the scalar line (once) and appends the stream's state as a line of its own.
  StateWriter& Stream(const rl::RandomStream& stream);

  /// The text.
  std::string str() const;

 private:
  std::ostringstream scalars_;
  std::ostringstream streams_;
};

/// Reads a saved state in the order it was written. Every failure throws std::runtime_error
/// naming `env_name`: a wrong tag, a missing or malformed value, a value outside its range, a
/// malformed stream line, or text left over.
class StateReader {
 public:
  /// Parses the scalar line and checks that it starts with `tag`.
  StateReader(const std::string& text, std::string_view tag, std::string env_name);

  double Double();
  /// An integer in [low, high].
  int64_t Int(int64_t low, int64_t high);
  /// The next stream line, checked to parse as an engine state; the caller loads it into its
  /// stream once everything has been read (so that a bad text changes nothing).
  std::string Stream();
  /// Throws when anything is left over.
  void Finish();

  /// Throws the "not a saved state" error with `why`.
  [[noreturn]] void Fail(const std::string& why) const;

 private:
  std::istringstream lines_;
  std::istringstream scalars_;
  std::string env_name_;
};

}  // namespace orch::envs
