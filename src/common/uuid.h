// src/common/uuid.h: random run identifiers.
#pragma once

#include <string>

namespace orch {

/// A random (version 4) UUID in its canonical 36-character form, from the OS entropy source.
std::string NewUuid();

}  // namespace orch
