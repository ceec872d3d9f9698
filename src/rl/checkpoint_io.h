// src/rl/checkpoint_io.h: crash-safe checkpoint files for workloads (the implementation lives in
// common/, which the light front end shares).
#pragma once

#include "common/file_io.h"

namespace orch::rl {

using orch::ReadWholeFile;
using orch::WriteFileAtomically;

}  // namespace orch::rl
