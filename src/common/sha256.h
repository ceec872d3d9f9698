// src/common/sha256.h: SHA-256 (FIPS 180-4), for run identity and checkpoint digests, computed
// by OpenSSL's EVP interface (libssl-dev).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace orch {

/// Incremental SHA-256. Keeps OpenSSL out of this header: its context is opaque here.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t size);
  void Update(std::string_view text) { Update(text.data(), text.size()); }
  /// Finishes the digest; the object must not be updated afterwards.
  std::array<uint8_t, 32> Finish();
  /// Finishes and returns 64 lowercase hex digits.
  std::string FinishHex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// SHA-256 of `text` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view text);

/// SHA-256 of a file's bytes, streamed; throws std::runtime_error when it cannot be read.
std::string Sha256FileHex(const std::filesystem::path& file);

}  // namespace orch
