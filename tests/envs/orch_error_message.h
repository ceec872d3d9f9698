// tests/envs/orch_error_message.h: what the env tests check of a refused option or action.
#pragma once

#include <string>

#include "common/error.h"

namespace orch::envs {

/// The message of the OrchError `make` throws ("" when it throws none).
template <typename Make>
std::string OrchErrorMessage(Make make) {
  try {
    make();
  } catch (const OrchError& error) {
    return error.what();
  }
  return "";
}

}  // namespace orch::envs
