// src/common/error.cpp
#include "common/error.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "common/string_util.h"

namespace orch {

ConfigError::ConfigError(Diagnostics diagnostics)
    : OrchError(diagnostics.Format()), diagnostics_(std::move(diagnostics)) {}

static Diagnostics SingleDiagnostic(Origin origin, std::string key, std::string message,
                                    std::string suggestion, std::string kind) {
  Diagnostics diagnostics;
  diagnostics.Error(std::move(origin), std::move(key), std::move(message), std::move(suggestion),
                    std::move(kind));
  return diagnostics;
}

ConfigError::ConfigError(Origin origin, std::string key, std::string message,
                         std::string suggestion, std::string kind)
    : ConfigError(SingleDiagnostic(std::move(origin), std::move(key), std::move(message),
                                   std::move(suggestion), std::move(kind))) {}

RegistryError::RegistryError(const std::string& what_kind, const std::string& name,
                             const std::vector<std::string>& known)
    : OrchError(fmt::format("unknown {} '{}'. {}Known: {}", what_kind, name,
                            DidYouMeanSentence(name, known).empty()
                                ? std::string()
                                : DidYouMeanSentence(name, known) + " ",
                            Join(known, ", "))) {}

void AssertionFailed(const char* condition, const char* why, const char* file, int line) {
  std::fprintf(stderr, "orch: internal error at %s:%d: %s (%s). Please report a bug.\n", file, line,
               why, condition);
  std::abort();
}

}  // namespace orch
