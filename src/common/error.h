// src/common/error.h: the exception types for user errors, and ORCH_ASSERT for our own bugs.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "common/diagnostic.h"

namespace orch {

/// Base of every error caused by the user's input or environment (never by a bug in orch).
class OrchError : public std::runtime_error {
 public:
  explicit OrchError(const std::string& message) : std::runtime_error(message) {}
};

/// Bad command-line usage: unknown flag, missing argument. Exit code 2.
class UsageError : public OrchError {
 public:
  explicit UsageError(const std::string& message) : OrchError(message) {}
};

/// One or more problems in a config (YAML, override, composition, validation). Exit code 2.
/// Carries every diagnostic so that they can be printed together or as JSON.
class ConfigError : public OrchError {
 public:
  explicit ConfigError(Diagnostics diagnostics);
  /// A single error with its origin and key.
  ConfigError(Origin origin, std::string key, std::string message, std::string suggestion = {},
              std::string kind = "error");

  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  Diagnostics diagnostics_;
};

/// An unknown name in a registry (algorithm, environment, policy); lists the known ones.
class RegistryError : public OrchError {
 public:
  RegistryError(const std::string& what_kind, const std::string& name,
                const std::vector<std::string>& known);
};

/// Reports a broken internal invariant (a bug in orch, not a user error) and aborts.
[[noreturn]] void AssertionFailed(const char* condition, const char* why, const char* file,
                                  int line);

}  // namespace orch

/// Checks an internal invariant; on failure prints the reason and aborts ("please report a bug").
#define ORCH_ASSERT(condition, why)                                                 \
  do {                                                                              \
    if (!(condition)) ::orch::AssertionFailed(#condition, why, __FILE__, __LINE__); \
  } while (false)
