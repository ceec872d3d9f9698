// src/common/sha256.cpp
#include "common/sha256.h"

#include <openssl/evp.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace orch {

/// The EVP digest context; one per hasher.
struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr || EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not start a SHA-256 digest");
  }
}

Sha256::~Sha256() = default;

void Sha256::Update(const void* data, size_t size) {
  if (size == 0) return;  // null data with no bytes is fine
  if (EVP_DigestUpdate(context_->ctx, data, size) != 1) {
    throw std::runtime_error("OpenSSL could not update a SHA-256 digest");
  }
}

std::array<uint8_t, 32> Sha256::Finish() {
  std::array<uint8_t, 32> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->ctx, digest.data(), &length) != 1 || length != digest.size()) {
    throw std::runtime_error("OpenSSL could not finish a SHA-256 digest");
  }
  return digest;
}

std::string Sha256::FinishHex() {
  static const char* kHex = "0123456789abcdef";
  auto digest = Finish();
  std::string out;
  out.reserve(64);
  for (uint8_t byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view text) {
  Sha256 hasher;
  hasher.Update(text);
  return hasher.FinishHex();
}

std::string Sha256FileHex(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  Sha256 hasher;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hasher.Update(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  return hasher.FinishHex();
}

}  // namespace orch
