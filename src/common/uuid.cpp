// src/common/uuid.cpp
#include "common/uuid.h"

#include <fmt/format.h>

#include <array>
#include <random>

namespace orch {

std::string NewUuid() {
  std::random_device entropy;
  std::array<uint8_t, 16> bytes;
  for (auto& byte : bytes) byte = static_cast<uint8_t>(entropy());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex;
  for (uint8_t byte : bytes) hex += fmt::format("{:02x}", byte);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace orch
