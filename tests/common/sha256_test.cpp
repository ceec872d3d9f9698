// Tests src/common/sha256.cpp.
#include "common/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace orch {
namespace {

struct Sha256Case {
  const char* name;
  std::string message;
  const char* digest;
};

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf" and "SHA2_Additional.pdf")
const Sha256Case kVectors[] = {
    {"Empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"Abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"TwoBlocks448Bit", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"TwoBlocks896Bit",
     "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
     "nopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    {"OneZeroByte", std::string(1, '\0'),
     "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
    {"Exactly55Bytes", std::string(55, 'a'),
     "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
    {"Exactly56Bytes", std::string(56, 'a'),
     "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
    {"Exactly64Bytes", std::string(64, 'a'),
     "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
};

class Sha256VectorTest : public testing::TestWithParam<Sha256Case> {};

TEST_P(Sha256VectorTest, OneShotHexMatchesTheStandard) {
  EXPECT_EQ(Sha256Hex(GetParam().message), GetParam().digest);
}

TEST_P(Sha256VectorTest, ByteAtATimeMatchesTheStandard) {
  Sha256 hasher;
  for (char c : GetParam().message) hasher.Update(&c, 1);
  EXPECT_EQ(hasher.FinishHex(), GetParam().digest);
}

INSTANTIATE_TEST_SUITE_P(Fips180, Sha256VectorTest, testing::ValuesIn(kVectors),
                         [](const testing::TestParamInfo<Sha256Case>& info) {
                           return std::string(info.param.name);
                         });

TEST(Sha256Test, OneMillionLettersAInUnevenChunks) {
  // chunk sizes that are prime or straddle the 64-byte block: every buffering path is taken
  const size_t kTotal = 1000000;
  const std::string block(1000, 'a');
  const size_t kChunks[] = {1, 63, 64, 65, 7, 127, 128, 129, 997, 3, 0, 640};
  Sha256 hasher;
  size_t fed = 0;
  size_t chunk_idx = 0;
  while (fed < kTotal) {
    size_t size = std::min({kChunks[chunk_idx % std::size(kChunks)], kTotal - fed, block.size()});
    hasher.Update(block.data(), size);
    fed += size;
    ++chunk_idx;
  }
  EXPECT_EQ(hasher.FinishHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, OneMillionLettersAInOneUpdate) {
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, SplitAtEveryOffsetEqualsOneShot) {
  std::string message;
  for (int byte_idx = 0; byte_idx < 200; ++byte_idx) {
    message += static_cast<char>((byte_idx * 37 + 11) & 0xff);
  }
  const std::string expected = Sha256Hex(message);
  for (size_t split = 0; split <= message.size(); ++split) {
    Sha256 hasher;
    hasher.Update(std::string_view(message).substr(0, split));
    hasher.Update(std::string_view(message).substr(split));
    EXPECT_EQ(hasher.FinishHex(), expected) << "split at " << split;
  }
}

TEST(Sha256Test, SplitInThreeAtManyOffsetsEqualsOneShot) {
  std::string message(200, '\0');
  for (size_t byte_idx = 0; byte_idx < message.size(); ++byte_idx) {
    message[byte_idx] = static_cast<char>(255 - byte_idx);
  }
  const std::string expected = Sha256Hex(message);
  for (size_t first = 0; first <= message.size(); first += 7) {
    for (size_t second = first; second <= message.size(); second += 13) {
      Sha256 hasher;
      const std::string_view view(message);
      hasher.Update(view.substr(0, first));
      hasher.Update(view.substr(first, second - first));
      hasher.Update(view.substr(second));
      ASSERT_EQ(hasher.FinishHex(), expected) << "splits at " << first << ", " << second;
    }
  }
}

TEST(Sha256Test, FinishReturnsTheRawBytesOfTheHexDigest) {
  Sha256 hasher;
  hasher.Update("abc");
  const std::array<uint8_t, 32> digest = hasher.Finish();
  EXPECT_EQ(digest[0], 0xba);
  EXPECT_EQ(digest[1], 0x78);
  EXPECT_EQ(digest[2], 0x16);
  EXPECT_EQ(digest[31], 0xad);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  EXPECT_EQ(hex, Sha256Hex("abc"));
}

TEST(Sha256Test, HexIsSixtyFourLowercaseDigits) {
  for (const char* text : {"", "x", "orch", "The quick brown fox jumps over the lazy dog"}) {
    const std::string hex = Sha256Hex(text);
    ASSERT_EQ(hex.size(), 64u) << text;
    for (char c : hex) {
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << text << ": " << hex;
    }
  }
  EXPECT_EQ(Sha256Hex("The quick brown fox jumps over the lazy dog"),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST(Sha256Test, BinaryInputWithEmbeddedZerosIsHashedByLength) {
  const std::string with_zero("a\0b", 3);
  EXPECT_NE(Sha256Hex(with_zero), Sha256Hex("a"));
  Sha256 hasher;
  hasher.Update(with_zero.data(), with_zero.size());
  EXPECT_EQ(hasher.FinishHex(), Sha256Hex(with_zero));
}

TEST(Sha256Test, EmptyUpdatesChangeNothing) {
  Sha256 hasher;
  hasher.Update("", 0);
  hasher.Update("ab");
  hasher.Update("", 0);
  hasher.Update(std::string_view("xyz", 0));
  hasher.Update("c");
  EXPECT_EQ(hasher.FinishHex(), Sha256Hex("abc"));
}

TEST(Sha256Test, EmptyUpdateWithNullDataIsAllowed) {
  Sha256 hasher;
  hasher.Update("ab");
  hasher.Update(std::string_view());
  hasher.Update(nullptr, 0);
  hasher.Update("c");
  EXPECT_EQ(hasher.FinishHex(), Sha256Hex("abc"));
}

}  // namespace
}  // namespace orch

namespace orch {
namespace {

// Digests of the hand-written implementation that OpenSSL's EVP replaced (computed with it
// before the switch): run identities and checkpoint digests in existing stores stay valid.
TEST(Sha256Test, DigestsEqualThoseOfTheFormerImplementation) {
  std::string bytes(1000003, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * i + 7 * i) % 251);
  EXPECT_EQ(Sha256Hex(bytes), "76aa62e4ab3d2ef9b46f582b441fe2c295175aa8ac45439f282f88f0e68e6f0f");
  EXPECT_EQ(Sha256Hex(R"({"algo":"tam","seed":3,"tam":{"lr":0.0007}})"),
            "300cb8cf2892da260c0df316ff1e3a37877393265a8cf8e37bb41093d30326cf");
  EXPECT_EQ(Sha256Hex(std::string(55, 'x')),
            "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
  EXPECT_EQ(Sha256Hex(std::string(64, 'y')),
            "ffbf30ab94107b2c14d75cfb455ec94f200400ddc5ce304e0c21894090db055f");
}

}  // namespace
}  // namespace orch
