// src/common/sha256.h: SHA-256 (FIPS 180-4), for run identity and checkpoint digests.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace orch {

/// Incremental SHA-256. No Debian package in our dependency set provides one, so it is here.
class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view text) { Update(text.data(), text.size()); }
  /// Finishes the digest; the object must not be updated afterwards.
  std::array<uint8_t, 32> Finish();
  /// Finishes and returns 64 lowercase hex digits.
  std::string FinishHex();

 private:
  void Compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffer_size_ = 0;
  uint64_t total_bytes_ = 0;
};

/// SHA-256 of `text` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view text);

/// SHA-256 of a file's bytes, streamed; throws std::runtime_error when it cannot be read.
std::string Sha256FileHex(const std::filesystem::path& file);

}  // namespace orch
