// src/rl/failure_text.h: a failed run's error as the one readable message the store keeps.
#pragma once

#include <exception>
#include <string>

#include "config/node.h"

namespace orch::rl {

/// `error` as one message a person reads in `orch ls` and `orch show`: a LibTorch error without
/// its C++ backtrace (c10::Error::what_without_backtrace), an allocation failure with the
/// config's largest sizes (`tam.memory.size=...`, the likely cause; `config` may be null), and
/// at most 2,000 characters (the whole text stays in the run's stderr.log).
std::string DescribeFailure(const std::exception& error, const config::Node* config);

/// The config's three largest numbers of 1,000 or more, as `key=value, ...` ("" when none).
std::string LargestSizes(const config::Node& config);

}  // namespace orch::rl
