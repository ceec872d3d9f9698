// Tests src/common/json.cpp.
#include "common/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace orch {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// --- FormatDouble

struct FormatCase {
  double value;
  const char* expected;
};

class FormatDoubleTest : public testing::TestWithParam<FormatCase> {};

TEST_P(FormatDoubleTest, ShortestRoundTripText) {
  EXPECT_EQ(FormatDouble(GetParam().value), GetParam().expected);
  // finite values are spelled the same way in JSON
  EXPECT_EQ(FormatDouble(GetParam().value, /*json_non_finite=*/true), GetParam().expected);
}

// the same spellings as Python's repr()
INSTANTIATE_TEST_SUITE_P(
    Table, FormatDoubleTest,
    testing::Values(
        FormatCase{0.1, "0.1"}, FormatCase{0.99, "0.99"}, FormatCase{3e-4, "0.0003"},
        FormatCase{1e-4, "0.0001"}, FormatCase{1e-05, "1e-05"}, FormatCase{2.5e-7, "2.5e-07"},
        FormatCase{1e16, "1e+16"}, FormatCase{1e15, "1000000000000000.0"}, FormatCase{1.0, "1.0"},
        FormatCase{0.0, "0.0"}, FormatCase{-0.0, "-0.0"}, FormatCase{-2.0, "-2.0"},
        FormatCase{100000000.0, "100000000.0"}, FormatCase{1.0 / 3.0, "0.3333333333333333"},
        FormatCase{123456789012345678.0, "1.2345678901234568e+17"}, FormatCase{5e-324, "5e-324"},
        FormatCase{1.7976931348623157e308, "1.7976931348623157e+308"},
        FormatCase{-1.5e-10, "-1.5e-10"}));

TEST(FormatDoubleTest, NonFiniteInYamlSpelling) {
  EXPECT_EQ(FormatDouble(kInf), ".inf");
  EXPECT_EQ(FormatDouble(-kInf), "-.inf");
  EXPECT_EQ(FormatDouble(kNan), ".nan");
  EXPECT_EQ(FormatDouble(-kNan), ".nan");
}

TEST(FormatDoubleTest, NonFiniteInJsonSpelling) {
  EXPECT_EQ(FormatDouble(kInf, /*json_non_finite=*/true), "Infinity");
  EXPECT_EQ(FormatDouble(-kInf, /*json_non_finite=*/true), "-Infinity");
  EXPECT_EQ(FormatDouble(kNan, /*json_non_finite=*/true), "NaN");
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

void ExpectRoundTrip(double value) {
  const std::string text = FormatDouble(value);
  ASSERT_NE(text.find_first_of(".e"), std::string::npos) << text << " would read as an int";
  char* end = nullptr;
  const double back = std::strtod(text.c_str(), &end);
  ASSERT_EQ(end, text.c_str() + text.size()) << text;
  ASSERT_TRUE(SameBits(back, value)) << text << " reads back as " << back;
}

TEST(FormatDoubleTest, RandomBitPatternsReadBackExactly) {
  std::mt19937_64 rng(20240611);
  int checked = 0;
  while (checked < 20000) {
    uint64_t bits = rng();
    double value;
    std::memcpy(&value, &bits, sizeof(double));
    if (!std::isfinite(value)) continue;
    ExpectRoundTrip(value);
    ++checked;
  }
}

TEST(FormatDoubleTest, RandomUserScaleValuesReadBackExactly) {
  // values as they appear in configs: learning rates, discounts, integers stored as floats
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-12.0, 20.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int sample_idx = 0; sample_idx < 20000; ++sample_idx) {
    ExpectRoundTrip(std::pow(10.0, exponent(rng)));
    ExpectRoundTrip(unit(rng));
    ExpectRoundTrip(-std::round(unit(rng) * 1e9));
  }
}

TEST(FormatDoubleTest, IntegralValuesKeepAFloatMarker) {
  for (double value : {1.0, 2.0, 10.0, 1e6, 12345678.0, 1e15, 9007199254740992.0, -7.0}) {
    ExpectRoundTrip(value);
  }
}

// --- JsonQuote

struct QuoteCase {
  std::string input;
  std::string expected;
};

class JsonQuoteTest : public testing::TestWithParam<QuoteCase> {};

TEST_P(JsonQuoteTest, Escapes) { EXPECT_EQ(JsonQuote(GetParam().input), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Table, JsonQuoteTest,
    testing::Values(QuoteCase{"", R"("")"}, QuoteCase{"plain", R"("plain")"},
                    QuoteCase{"say \"hi\"", R"("say \"hi\"")"}, QuoteCase{"a\\b", R"("a\\b")"},
                    QuoteCase{"line\nbreak", R"("line\nbreak")"}, QuoteCase{"cr\r", R"("cr\r")"},
                    QuoteCase{"tab\t", R"("tab\t")"}, QuoteCase{"\b\f", R"("\b\f")"},
                    QuoteCase{std::string(1, '\0'), R"("\u0000")"},
                    QuoteCase{"\x01", R"("\u0001")"}, QuoteCase{"\x1f", R"("\u001f")"},
                    QuoteCase{"\x1b[0m", R"("\u001b[0m")"}, QuoteCase{"/", R"("/")"},
                    QuoteCase{"\x7f", "\"\x7f\""}, QuoteCase{"caf\xc3\xa9", "\"caf\xc3\xa9\""},
                    QuoteCase{"'single'", R"("'single'")"}));

// --- JsonWriter

TEST(JsonWriterTest, CompactObject) {
  JsonWriter json;
  json.BeginObject();
  json.Key("name").String("cheetah");
  json.Key("steps").Int(-1000000);
  json.Key("lr").Double(3e-4);
  json.Key("on").Bool(true);
  json.Key("off").Bool(false);
  json.Key("none").Null();
  json.EndObject();
  EXPECT_EQ(json.str(),
            R"({"name":"cheetah","steps":-1000000,"lr":0.0003,"on":true,"off":false,"none":null})");
}

TEST(JsonWriterTest, CompactNesting) {
  JsonWriter json;
  json.BeginObject();
  json.Key("a").BeginArray().Int(1).BeginArray().Int(2).Int(3).EndArray().EndArray();
  json.Key("b").BeginObject().Key("c").BeginObject().Key("d").Null().EndObject().EndObject();
  json.Key("e").BeginArray().BeginObject().Key("f").Int(1).EndObject().BeginObject().EndObject();
  json.EndArray();
  json.EndObject();
  EXPECT_EQ(json.str(), R"({"a":[1,[2,3]],"b":{"c":{"d":null}},"e":[{"f":1},{}]})");
}

TEST(JsonWriterTest, EmptyContainers) {
  EXPECT_EQ(JsonWriter().BeginObject().EndObject().str(), "{}");
  EXPECT_EQ(JsonWriter().BeginArray().EndArray().str(), "[]");
  EXPECT_EQ(JsonWriter(2).BeginObject().EndObject().str(), "{}");
  EXPECT_EQ(JsonWriter(2).BeginArray().EndArray().str(), "[]");
  JsonWriter json(2);
  json.BeginObject().Key("a").BeginObject().EndObject().Key("b").BeginArray().EndArray();
  json.EndObject();
  EXPECT_EQ(json.str(), "{\n  \"a\": {},\n  \"b\": []\n}");
}

TEST(JsonWriterTest, IndentedOutput) {
  JsonWriter json(2);
  json.BeginObject();
  json.Key("a").Int(1);
  json.Key("list").BeginArray().Int(1).String("x").EndArray();
  json.Key("map").BeginObject().Key("k").Double(1.0).EndObject();
  json.EndObject();
  EXPECT_EQ(json.str(),
            "{\n"
            "  \"a\": 1,\n"
            "  \"list\": [\n"
            "    1,\n"
            "    \"x\"\n"
            "  ],\n"
            "  \"map\": {\n"
            "    \"k\": 1.0\n"
            "  }\n"
            "}");
}

TEST(JsonWriterTest, IndentWidthIsHonoured) {
  JsonWriter json(4);
  json.BeginArray().BeginArray().Int(1).EndArray().EndArray();
  EXPECT_EQ(json.str(), "[\n    [\n        1\n    ]\n]");
}

TEST(JsonWriterTest, DoubleUsesJsonNonFiniteSpelling) {
  JsonWriter json;
  json.BeginArray().Double(kInf).Double(-kInf).Double(kNan).Double(1.0).Double(0.5);
  json.Double(1e16).EndArray();
  EXPECT_EQ(json.str(), "[Infinity,-Infinity,NaN,1.0,0.5,1e+16]");
}

TEST(JsonWriterTest, IntExtremes) {
  JsonWriter json;
  json.BeginArray().Int(std::numeric_limits<int64_t>::min()).Int(0);
  json.Int(std::numeric_limits<int64_t>::max()).EndArray();
  EXPECT_EQ(json.str(), "[-9223372036854775808,0,9223372036854775807]");
}

TEST(JsonWriterTest, KeysAndStringsAreEscaped) {
  JsonWriter json;
  json.BeginObject().Key("a\"b").String("c\\d\n").EndObject();
  EXPECT_EQ(json.str(), R"({"a\"b":"c\\d\n"})");
}

TEST(JsonWriterTest, RawIsInsertedAsAValue) {
  JsonWriter json;
  json.BeginObject();
  json.Key("embedded").Raw(R"({"x":[1,2]})");
  json.Key("n").Int(1);
  json.EndObject();
  EXPECT_EQ(json.str(), R"({"embedded":{"x":[1,2]},"n":1})");

  JsonWriter list;
  list.BeginArray().Raw("1").Raw("\"two\"").Raw("null").EndArray();
  EXPECT_EQ(list.str(), R"([1,"two",null])");

  JsonWriter indented(2);
  indented.BeginObject().Key("r").Raw("[1,2]").Key("s").Raw("true").EndObject();
  EXPECT_EQ(indented.str(), "{\n  \"r\": [1,2],\n  \"s\": true\n}");
}

TEST(JsonWriterTest, TopLevelScalar) {
  EXPECT_EQ(JsonWriter().String("x").str(), "\"x\"");
  EXPECT_EQ(JsonWriter(2).Int(5).str(), "5");
  EXPECT_EQ(JsonWriter().Null().str(), "null");
}

TEST(JsonWriterTest, TakeMovesTheText) {
  JsonWriter json;
  json.BeginArray().Int(1).EndArray();
  EXPECT_EQ(json.Take(), "[1]");
}

}  // namespace
}  // namespace orch
