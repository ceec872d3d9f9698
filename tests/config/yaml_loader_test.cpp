// Tests src/config/yaml_loader.cpp.
#include "config/yaml_loader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "common/error.h"
#include "config/key_path.h"
#include "config/yaml_writer.h"

namespace orch::config {
namespace {

using Strings = std::vector<std::string>;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

/// The message of the ConfigError that `parse` throws; fails the test when nothing is thrown.
template <typename Fn>
std::string ErrorOf(Fn&& parse) {
  try {
    parse();
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return {};
}

std::string ParseError(const std::string& text, const std::string& path = "conf.yaml") {
  return ErrorOf([&] { ParseYaml(text, path); });
}

/// The value of `v` in `v: <scalar>`.
Node ParseScalar(const std::string& scalar) {
  LoadedConfig loaded = ParseYaml("v: " + scalar + "\n", "scalar.yaml");
  const Node* value = loaded.content.Find("v");
  EXPECT_NE(value, nullptr);
  return value != nullptr ? *value : Node();
}

//----- scalar policy -----

struct ScalarCase {
  std::string yaml;  ///< the text after `v: `
  Node expected;
};

void PrintTo(const ScalarCase& row, std::ostream* out) { *out << "v: " << row.yaml; }

class ScalarPolicyTest : public testing::TestWithParam<ScalarCase> {};

TEST_P(ScalarPolicyTest, TypeAndValue) {
  const Node value = ParseScalar(GetParam().yaml);
  EXPECT_EQ(TypeName(value.type()), std::string(TypeName(GetParam().expected.type())))
      << "v: " << GetParam().yaml;
  EXPECT_TRUE(value.Equals(GetParam().expected))
      << "v: " << GetParam().yaml << " read as " << TypeName(value.type()) << " "
      << ScalarToYaml(value) << ", expected " << ScalarToYaml(GetParam().expected);
}

ScalarCase Int(std::string yaml, int64_t value) { return {std::move(yaml), Node::Int(value)}; }
ScalarCase Float(std::string yaml, double value) { return {std::move(yaml), Node::Float(value)}; }
ScalarCase Bool(std::string yaml, bool value) { return {std::move(yaml), Node::Bool(value)}; }
ScalarCase Str(std::string yaml, std::string value) {
  return {std::move(yaml), Node::String(std::move(value))};
}
ScalarCase Str(const std::string& yaml) { return Str(yaml, yaml); }
ScalarCase Null(std::string yaml) { return {std::move(yaml), Node::Null()}; }

INSTANTIATE_TEST_SUITE_P(
    Ints, ScalarPolicyTest,
    testing::Values(Int("0", 0), Int("1", 1), Int("-17", -17), Int("+1", 1), Int("-0", 0),
                    Int("+0", 0), Int("1_000", 1000), Int("1_000_000", 1000000), Int("-1_2", -12),
                    Int("9223372036854775807", 9223372036854775807),
                    Int("-9223372036854775808", std::numeric_limits<int64_t>::min())));

INSTANTIATE_TEST_SUITE_P(IntLookalikes, ScalarPolicyTest,
                         testing::Values(Str("1__0"), Str("_1"), Str("1_"), Str("-_1"), Str("010"),
                                         Str("00"), Str("-01"), Str("0x10"), Str("0X1F"),
                                         Str("0o17"), Str("0b101"), Str("+-1"), Str("1-2"),
                                         Str("1,000"), Str("12abc"), Str("1 2"), Str("+"),
                                         Str("--1")));

// numbers outside int64 or double are errors, not silent strings or infinities
TEST(ScalarPolicyErrorTest, NumbersOutOfRange) {
  EXPECT_EQ(ParseError("v: 9223372036854775808\n", "o.yaml"),
            "o.yaml:1:4: v: integer 9223372036854775808 is outside the 64-bit range. Quote it to "
            "keep it as a string");
  EXPECT_EQ(ParseError("v: -9223372036854775809\n", "o.yaml"),
            "o.yaml:1:4: v: integer -9223372036854775809 is outside the 64-bit range. Quote it to "
            "keep it as a string");
  EXPECT_NE(ParseError("v: 1_000_000_000_000_000_000_000\n", "o.yaml"), "");
  EXPECT_EQ(ParseError("x:\n  v: 1e400\n", "o.yaml"),
            "o.yaml:2:6: x.v: float 1e400 is outside the double range. Write .inf for infinity, "
            "or quote it to keep it as a string");
  EXPECT_TRUE(ParseYaml("v: '9223372036854775808'\n", "o.yaml").content.Find("v")->IsString());
}

INSTANTIATE_TEST_SUITE_P(
    Floats, ScalarPolicyTest,
    testing::Values(Float("3e-4", 3e-4), Float("1e3", 1000.0), Float("1E3", 1000.0),
                    Float("1e+3", 1000.0), Float("-1e-3", -1e-3), Float(".5", 0.5),
                    Float("-.5", -0.5), Float("+.5", 0.5), Float("1.", 1.0), Float("1.0", 1.0),
                    Float("-1.5", -1.5), Float("0.0", 0.0), Float("-0.0", -0.0),
                    Float("1_000.5", 1000.5), Float("0.000_1", 1e-4), Float("1.5e1_0", 1.5e10),
                    Float("010.5", 10.5), Float("2.5E-3", 2.5e-3), Float(".inf", kInf),
                    Float("+.inf", kInf), Float(".Inf", kInf), Float(".INF", kInf),
                    Float("-.inf", -kInf), Float("-.Inf", -kInf), Float("-.INF", -kInf),
                    Float(".nan", kNan), Float(".NaN", kNan), Float(".NAN", kNan)));

INSTANTIATE_TEST_SUITE_P(FloatLookalikes, ScalarPolicyTest,
                         testing::Values(Str("inf"), Str("-inf"), Str("nan"), Str("NaN"),
                                         Str("infinity"), Str("-.nan"), Str("."), Str("-."),
                                         Str("1e"), Str("1e+"), Str("e3"), Str(".e3"), Str("1.5.3"),
                                         Str("1e3.5"), Str("1._5"), Str("1_.5"), Str("1.5_"),
                                         Str("1e_3"), Str("0x1p3")));

INSTANTIATE_TEST_SUITE_P(Bools, ScalarPolicyTest,
                         testing::Values(Bool("true", true), Bool("TRUE", true), Bool("True", true),
                                         Bool("tRuE", true), Bool("false", false),
                                         Bool("FALSE", false), Bool("False", false), Str("yes"),
                                         Str("no"), Str("Yes"), Str("NO"), Str("on"), Str("off"),
                                         Str("ON"), Str("y"), Str("n"), Str("Y"), Str("N"),
                                         Str("t"), Str("f")));

INSTANTIATE_TEST_SUITE_P(NullAndMissing, ScalarPolicyTest,
                         testing::Values(Null("~"), Null("null"), Null("NULL"), Null("Null"),
                                         Null("nUlL"), Null(""), ScalarCase{"???", Node::Missing()},
                                         Str("????"), Str("??"), Str("none"), Str("None")));

INSTANTIATE_TEST_SUITE_P(QuotedAreStrings, ScalarPolicyTest,
                         testing::Values(Str("'1'", "1"), Str("\"1\"", "1"), Str("'true'", "true"),
                                         Str("\"TRUE\"", "TRUE"), Str("'null'", "null"),
                                         Str("\"~\"", "~"), Str("''", ""), Str("\"\"", ""),
                                         Str("'?\?\?'", "???"), Str("\"1.5\"", "1.5"),
                                         Str("'.inf'", ".inf"), Str("'1_000'", "1_000"),
                                         Str("\"a\\tb\\n\"", "a\tb\n"), Str("'it''s'", "it's"),
                                         Str("\"\\x41\\u00e9\"", "A\xc3\xa9")));

INSTANTIATE_TEST_SUITE_P(BlockScalars, ScalarPolicyTest,
                         testing::Values(Str("|\n  12\n", "12\n"), Str("|-\n  12\n", "12"),
                                         Str(">-\n  true\n", "true"), Str(">\n  a\n  b\n", "a b\n"),
                                         Str("|\n  line 1\n  line 2\n", "line 1\nline 2\n")));

INSTANTIATE_TEST_SUITE_P(
    Tags, ScalarPolicyTest,
    testing::Values(Str("!!str 12", "12"), Str("!!str true", "true"), Str("!!str ~", "~"),
                    Str("!!str", ""), Str("! 12", "12"), Int("!!int \"7\"", 7),
                    Int("!!int 1_0", 10), Int("!!int -3", -3), Float("!!float 1", 1.0),
                    Float("!!float \"2.5\"", 2.5), Float("!!float 1_000", 1000.0),
                    Float("!!float .inf", kInf), Bool("!!bool TRUE", true),
                    Bool("!!bool 'false'", false), Null("!!null foo"), Null("!!null ''")));

struct TagErrorCase {
  std::string yaml;
  std::string message;
};

class TagErrorTest : public testing::TestWithParam<TagErrorCase> {};

TEST_P(TagErrorTest, BadTagValueIsAnError) {
  EXPECT_EQ(ParseError("a: 1\nv: " + GetParam().yaml + "\n", "tags.yaml"), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TagErrorTest,
    testing::Values(
        TagErrorCase{"!!int abc",
                     "tags.yaml:2:4: v: 'abc' does not match its tag tag:yaml.org,2002:int"},
        TagErrorCase{"!!int 1.5",
                     "tags.yaml:2:4: v: '1.5' does not match its tag tag:yaml.org,2002:int"},
        TagErrorCase{"!!int 010",
                     "tags.yaml:2:4: v: '010' does not match its tag tag:yaml.org,2002:int"},
        TagErrorCase{"!!int", "tags.yaml:2:4: v: '' does not match its tag tag:yaml.org,2002:int"},
        TagErrorCase{"!!float abc",
                     "tags.yaml:2:4: v: 'abc' does not match its tag tag:yaml.org,2002:float"},
        TagErrorCase{"!!bool yes",
                     "tags.yaml:2:4: v: 'yes' does not match its tag tag:yaml.org,2002:bool"},
        TagErrorCase{"!!bool 1",
                     "tags.yaml:2:4: v: '1' does not match its tag tag:yaml.org,2002:bool"},
        TagErrorCase{"!custom 1",
                     "tags.yaml:2:4: v: unsupported YAML tag '!custom'. Remove the tag; types come "
                     "from the schema"},
        TagErrorCase{
            "!!binary aGk=",
            "tags.yaml:2:4: v: unsupported YAML tag 'tag:yaml.org,2002:binary'. Remove the "
            "tag; types come from the schema"}));

TEST(ConvertPlainScalarTest, AppliesThePolicyAndKeepsTheOrigin) {
  const Origin origin = Origin::Override(3, "x=1_0");
  Node value = ConvertPlainScalar("1_0", origin);
  ASSERT_TRUE(value.IsInt());
  EXPECT_EQ(value.AsInt(), 10);
  EXPECT_EQ(value.origin().ToString(), "override #3 'x=1_0'");
  EXPECT_TRUE(ConvertPlainScalar("", origin).IsNull());
  EXPECT_TRUE(ConvertPlainScalar("???", origin).IsMissing());
  EXPECT_TRUE(ConvertPlainScalar("-.inf", origin).Equals(Node::Float(-kInf)));
  EXPECT_TRUE(std::signbit(ConvertPlainScalar("-0.0", origin).AsDouble()));
  EXPECT_TRUE(ConvertPlainScalar("-0", origin).Equals(Node::Int(0)));
  EXPECT_TRUE(ConvertPlainScalar("yes", origin).Equals(Node::String("yes")));
  // the text is taken as is: no trimming, no quote handling
  EXPECT_TRUE(ConvertPlainScalar(" 1", origin).Equals(Node::String(" 1")));
  EXPECT_TRUE(ConvertPlainScalar("'1'", origin).Equals(Node::String("'1'")));
}

//----- origins -----

std::string OriginAt(const Node& root, const std::string& path) {
  const Node* node = FindPath(root, path);
  if (node == nullptr) return "<no node at " + path + ">";
  return node->origin().ToString();
}

std::string KeyOriginAt(const Node& root, const std::string& parent, const std::string& key) {
  const Node* map = parent.empty() ? &root : FindPath(root, parent);
  if (map == nullptr || map->FindEntry(key) == nullptr) return "<no key " + key + ">";
  return map->FindEntry(key)->key_origin.ToString();
}

constexpr const char* kOriginsYaml =
    "a: 1\n"
    "b:\n"
    "  c: [x, y]\n"
    "  d:\n"
    "    - 1\n"
    "    -   2\n"
    "    - k: v\n"
    "      j: w\n"
    "e:\n"
    "f: ~\n"
    "g:   # comment\n"
    "h: [1, {p: q}, [r]]\n"
    "i: 'quoted'\n"
    "j: |\n"
    "  block\n"
    "k:";

TEST(YamlOriginTest, KeysAndValuesAreOneBasedFileLineColumn) {
  const Node root = ParseYaml(kOriginsYaml, "dir/c.yaml").content;
  EXPECT_EQ(root.origin().ToString(), "dir/c.yaml:1:1");
  EXPECT_EQ(KeyOriginAt(root, "", "a"), "dir/c.yaml:1:1");
  EXPECT_EQ(OriginAt(root, "a"), "dir/c.yaml:1:4");
  EXPECT_EQ(KeyOriginAt(root, "", "b"), "dir/c.yaml:2:1");
  EXPECT_EQ(OriginAt(root, "b"), "dir/c.yaml:3:3");
  EXPECT_EQ(KeyOriginAt(root, "", "i"), "dir/c.yaml:13:1");
  EXPECT_EQ(OriginAt(root, "i"), "dir/c.yaml:13:4");
  EXPECT_EQ(OriginAt(root, "j"), "dir/c.yaml:14:4");
  const Node* a = root.Find("a");
  EXPECT_EQ(a->origin().file, "dir/c.yaml");
  EXPECT_EQ(a->origin().line, 1);
  EXPECT_EQ(a->origin().column, 4);
  EXPECT_EQ(a->origin().kind, Origin::Kind::kFile);
}

TEST(YamlOriginTest, NestedBlockValues) {
  const Node root = ParseYaml(kOriginsYaml, "c.yaml").content;
  EXPECT_EQ(KeyOriginAt(root, "b", "c"), "c.yaml:3:3");
  EXPECT_EQ(KeyOriginAt(root, "b", "d"), "c.yaml:4:3");
  EXPECT_EQ(OriginAt(root, "b.d"), "c.yaml:5:5");
  EXPECT_EQ(OriginAt(root, "b.d.0"), "c.yaml:5:7");
  EXPECT_EQ(OriginAt(root, "b.d.1"), "c.yaml:6:9");
  EXPECT_EQ(OriginAt(root, "b.d.2"), "c.yaml:7:7");
  EXPECT_EQ(KeyOriginAt(root, "b.d.2", "k"), "c.yaml:7:7");
  EXPECT_EQ(OriginAt(root, "b.d.2.k"), "c.yaml:7:10");
  EXPECT_EQ(KeyOriginAt(root, "b.d.2", "j"), "c.yaml:8:7");
  EXPECT_EQ(OriginAt(root, "b.d.2.j"), "c.yaml:8:10");
}

TEST(YamlOriginTest, FlowLists) {
  const Node root = ParseYaml(kOriginsYaml, "c.yaml").content;
  EXPECT_EQ(OriginAt(root, "b.c"), "c.yaml:3:6");
  EXPECT_EQ(OriginAt(root, "b.c.0"), "c.yaml:3:7");
  EXPECT_EQ(OriginAt(root, "b.c.1"), "c.yaml:3:10");
  EXPECT_EQ(OriginAt(root, "h"), "c.yaml:12:4");
  EXPECT_EQ(OriginAt(root, "h.0"), "c.yaml:12:5");
  EXPECT_EQ(OriginAt(root, "h.1"), "c.yaml:12:8");
  EXPECT_EQ(KeyOriginAt(root, "h.1", "p"), "c.yaml:12:9");
  EXPECT_EQ(OriginAt(root, "h.1.p"), "c.yaml:12:12");
  EXPECT_EQ(OriginAt(root, "h.2"), "c.yaml:12:16");
  EXPECT_EQ(OriginAt(root, "h.2.0"), "c.yaml:12:17");
}

TEST(YamlOriginTest, EmptyValuePointsAtItsKey) {
  const Node root = ParseYaml(kOriginsYaml, "c.yaml").content;
  ASSERT_TRUE(root.Find("e")->IsNull());
  EXPECT_EQ(OriginAt(root, "e"), "c.yaml:9:1");
  // followed by a comment
  ASSERT_TRUE(root.Find("g")->IsNull());
  EXPECT_EQ(OriginAt(root, "g"), "c.yaml:11:1");
  // at the end of the file, without a final newline
  ASSERT_TRUE(root.Find("k")->IsNull());
  EXPECT_EQ(OriginAt(root, "k"), "c.yaml:16:1");
  // an explicit null has its own position
  EXPECT_EQ(OriginAt(root, "f"), "c.yaml:10:4");
}

TEST(YamlOriginTest, EmptyValueInNestedMapPointsAtItsKey) {
  const Node root = ParseYaml("outer:\n  inner:\n  next: 1\n", "n.yaml").content;
  EXPECT_TRUE(FindPath(root, "outer.inner")->IsNull());
  EXPECT_EQ(OriginAt(root, "outer.inner"), "n.yaml:2:3");
}

TEST(YamlOriginTest, EmptyListItemPointsAtItsDash) {
  const Node root = ParseYaml("l:\n  -\n  - 1\n  -\n", "l.yaml").content;
  EXPECT_EQ(OriginAt(root, "l.0"), "l.yaml:2:3");
  EXPECT_EQ(OriginAt(root, "l.2"), "l.yaml:4:3");
}

TEST(YamlOriginTest, ParseYamlValueOrigins) {
  const Node list = ParseYamlValue("- a\n- [b]\n", "sweep.yaml");
  ASSERT_TRUE(list.IsList());
  EXPECT_EQ(list.origin().ToString(), "sweep.yaml:1:1");
  EXPECT_EQ(OriginAt(list, "0"), "sweep.yaml:1:3");
  EXPECT_EQ(OriginAt(list, "1.0"), "sweep.yaml:2:4");
  // an empty document is a null at the start of the file
  const Node empty = ParseYamlValue("", "empty.yaml");
  EXPECT_TRUE(empty.IsNull());
  EXPECT_EQ(empty.origin().ToString(), "empty.yaml:1:1");
}

//----- structure errors -----

TEST(YamlErrorTest, DuplicateKeyNamesBothLines) {
  EXPECT_EQ(ParseError("a: 1\nb: 2\na: 3\n", "dup.yaml"),
            "dup.yaml:3:1: a: duplicate key (first defined on line 1). Remove one of the two "
            "entries");
  EXPECT_EQ(ParseError("x:\n  k: 1\n\n  k: 2\n", "dup.yaml"),
            "dup.yaml:4:3: x.k: duplicate key (first defined on line 2). Remove one of the two "
            "entries");
  EXPECT_EQ(ParseError("a: {b: 1, b: 2}\n", "dup.yaml"),
            "dup.yaml:1:11: a.b: duplicate key (first defined on line 1). Remove one of the two "
            "entries");
  // keys are strings however they are written
  EXPECT_EQ(ParseError("'1': a\n1: b\n", "dup.yaml"),
            "dup.yaml:2:1: 1: duplicate key (first defined on line 1). Remove one of the two "
            "entries");
}

TEST(YamlErrorTest, DuplicateKeyDiagnosticFields) {
  try {
    ParseYaml("a: 1\na: 2\n", "dup.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().Items().size(), 1u);
    const Diagnostic& diagnostic = error.diagnostics().Items()[0];
    EXPECT_EQ(diagnostic.severity, Severity::kError);
    EXPECT_EQ(diagnostic.kind, "yaml");
    EXPECT_EQ(diagnostic.key, "a");
    EXPECT_EQ(diagnostic.origin.line, 2);
    EXPECT_EQ(diagnostic.origin.column, 1);
    EXPECT_EQ(diagnostic.message, "duplicate key (first defined on line 1)");
    EXPECT_EQ(diagnostic.suggestion, "Remove one of the two entries");
  }
}

TEST(YamlErrorTest, NestedDuplicateKeyNamesTheFullKeyPath) {
  try {
    ParseYaml("x:\n  k: 1\n  k: 2\n", "dup.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.diagnostics().Items()[0].key, "x.k");
  }
}

TEST(YamlErrorTest, NonScalarKey) {
  EXPECT_EQ(ParseError("[a, b]: 1\n", "keys.yaml"),
            "keys.yaml:1:1: a mapping key must be a plain scalar. Use a string key");
  EXPECT_EQ(ParseError("ok: 1\n? {a: 1}\n: 2\n", "keys.yaml"),
            "keys.yaml:2:3: a mapping key must be a plain scalar. Use a string key");
  EXPECT_EQ(ParseError("outer:\n  {x: 1}: 2\n", "keys.yaml"),
            "keys.yaml:2:3: outer: a mapping key must be a plain scalar. Use a string key");
  // a null key is not a string either
  EXPECT_EQ(ParseError("~: 1\n", "keys.yaml"),
            "keys.yaml:1:1: a mapping key must be a plain scalar. Use a string key");
}

TEST(YamlErrorTest, MalformedYamlReportsPosition) {
  EXPECT_EQ(ParseError("a: b: c\n", "bad.yaml"), "bad.yaml:1:5: malformed YAML: illegal map value");
  EXPECT_EQ(ParseError("a: 1\n\tb: 2\n", "bad.yaml"),
            "bad.yaml:2:1: malformed YAML: illegal tab when looking for indentation");
  // yaml-cpp 0.8 (Debian 13) also names the anchor
  const std::string anchor = ParseError("a: *nope\n", "bad.yaml");
  EXPECT_TRUE(anchor == "bad.yaml:1:4: malformed YAML: the referenced anchor is not defined" ||
              anchor == "bad.yaml:1:4: malformed YAML: the referenced anchor is not defined: nope")
      << anchor;
  EXPECT_EQ(ParseError("a:\n  - x\n  y: 1\n", "bad.yaml"),
            "bad.yaml:3:3: malformed YAML: end of map not found");
  EXPECT_EQ(ParseError("a: [1, 2\n", "bad.yaml"),
            "bad.yaml:2:1: malformed YAML: end of sequence flow not found");
  EXPECT_EQ(ParseError("a: {b: 1\n", "bad.yaml"),
            "bad.yaml:2:1: malformed YAML: end of map flow not found");
  EXPECT_EQ(ParseError("a: \"unterminated", "bad.yaml"),
            "bad.yaml:1:17: malformed YAML: illegal EOF in scalar");
  EXPECT_EQ(ParseError("a: 'x", "bad.yaml"), "bad.yaml:1:6: malformed YAML: illegal EOF in scalar");
}

TEST(YamlErrorTest, UnterminatedQuoteBeforeFinalNewlineIsMalformed) {
  const std::string message = ParseError("a: \"cheetah\n", "bad.yaml");
  const std::regex expected(R"(bad\.yaml:[1-9][0-9]*:[1-9][0-9]*: (a: )?malformed YAML: .+)");
  EXPECT_TRUE(std::regex_match(message, expected)) << message;
  EXPECT_NE(ParseError("a: 'x\nb: 1\n", "bad.yaml"), "");
}

TEST(YamlErrorTest, MalformedYamlDiagnosticKind) {
  try {
    ParseYamlValue("a: b: c\n", "bad.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    const Diagnostic& diagnostic = error.diagnostics().Items().at(0);
    EXPECT_EQ(diagnostic.kind, "yaml");
    EXPECT_EQ(diagnostic.key, "");
    EXPECT_EQ(diagnostic.origin.ToString(), "bad.yaml:1:5");
  }
}

TEST(YamlErrorTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(ParseError("- a\n- b\n", "list.yaml"),
            "list.yaml:1:1: a config file must hold a mapping at the top level, found a list");
  EXPECT_EQ(ParseError("just text\n", "text.yaml"),
            "text.yaml:1:1: a config file must hold a mapping at the top level, found a string");
  EXPECT_EQ(ParseError("\n\n42\n", "int.yaml"),
            "int.yaml:3:1: a config file must hold a mapping at the top level, found an int");
  // ParseYamlValue takes any value
  EXPECT_TRUE(ParseYamlValue("- a\n- b\n", "list.yaml").IsList());
  EXPECT_TRUE(ParseYamlValue("42", "int.yaml").Equals(Node::Int(42)));
}

//----- files -----

TEST(ParseYamlTest, EmptyFileIsAnEmptyMapping) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "---\n", "~\n"}) {
    LoadedConfig loaded = ParseYaml(text, "empty.yaml");
    EXPECT_TRUE(loaded.content.IsMap()) << text;
    EXPECT_EQ(loaded.content.Size(), 0u) << text;
    EXPECT_EQ(loaded.content.origin().ToString(), "empty.yaml:1:1") << text;
    EXPECT_FALSE(loaded.defaults.has_value()) << text;
    EXPECT_FALSE(loaded.package_header.has_value()) << text;
    EXPECT_EQ(loaded.display_path, "empty.yaml");
  }
}

TEST(ParseYamlTest, DefaultsAreExtracted) {
  LoadedConfig loaded = ParseYaml(R"(# @package _global_
seed: 1
defaults:
  - algo: tdmpc2
  - _self_
train:
  steps: 10
)",
                                  "config.yaml");
  ASSERT_TRUE(loaded.defaults.has_value());
  ASSERT_TRUE(loaded.defaults->IsList());
  ASSERT_EQ(loaded.defaults->Size(), 2u);
  EXPECT_EQ(loaded.defaults->AsList()[0].Find("algo")->AsString(), "tdmpc2");
  EXPECT_EQ(loaded.defaults->AsList()[1].AsString(), "_self_");
  EXPECT_EQ(loaded.defaults->origin().ToString(), "config.yaml:4:3");
  EXPECT_EQ(loaded.content.Keys(), (Strings{"seed", "train"}));
  EXPECT_EQ(loaded.package_header, "_global_");
  EXPECT_EQ(loaded.display_path, "config.yaml");
}

TEST(ParseYamlTest, OnlyTopLevelDefaultsAreExtracted) {
  LoadedConfig loaded = ParseYaml("a:\n  defaults: [x]\n", "c.yaml");
  EXPECT_FALSE(loaded.defaults.has_value());
  EXPECT_TRUE(FindPath(loaded.content, "a.defaults")->IsList());
}

TEST(ParseYamlTest, EmptyDefaultsList) {
  LoadedConfig loaded = ParseYaml("defaults: []\n", "c.yaml");
  ASSERT_TRUE(loaded.defaults.has_value());
  EXPECT_TRUE(loaded.defaults->IsList());
  EXPECT_EQ(loaded.defaults->Size(), 0u);
  EXPECT_TRUE(loaded.content.IsMap());
  EXPECT_EQ(loaded.content.Size(), 0u);
}

TEST(ParseYamlTest, KeepsFileOrder) {
  LoadedConfig loaded = ParseYaml("z: 1\na: 2\nm: 3\n", "c.yaml");
  EXPECT_EQ(loaded.content.Keys(), (Strings{"z", "a", "m"}));
}

TEST(ParseYamlTest, AliasesCopyTheAnchoredValue) {
  LoadedConfig loaded = ParseYaml("base: &b {lr: 0.1}\nother: *b\n", "c.yaml");
  EXPECT_TRUE(loaded.content.Find("other")->Equals(*loaded.content.Find("base")));
}

struct PackageCase {
  std::string text;
  std::optional<std::string> expected;
};

class FindPackageHeaderTest : public testing::TestWithParam<PackageCase> {};

TEST_P(FindPackageHeaderTest, Finds) {
  EXPECT_EQ(FindPackageHeader(GetParam().text), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, FindPackageHeaderTest,
    testing::Values(PackageCase{"# @package foo\na: 1\n", "foo"},
                    PackageCase{"# @package _global_\n", "_global_"},
                    PackageCase{"# @package _group_.sub\n", "_group_.sub"},
                    PackageCase{"#@package   algo.opt   \n", "algo.opt"},
                    PackageCase{"# a comment\n# another\n# @package env\n", "env"},
                    PackageCase{"\n\n# @package x\n", "x"},
                    PackageCase{"# comment\n\n   \n# @package x\nkey: 1\n", "x"},
                    PackageCase{"   # @package indented\n", "indented"},
                    PackageCase{"# @package crlf\r\na: 1\r\n", "crlf"},
                    PackageCase{"# @package first\n# @package second\n", "first"},
                    PackageCase{"a: 1\n# @package x\n", std::nullopt},
                    PackageCase{"# comment\nkey: 1\n# @package x\n", std::nullopt},
                    PackageCase{"a: 1  # @package x\n", std::nullopt},
                    PackageCase{"# just a comment\na: 1\n", std::nullopt},
                    PackageCase{"", std::nullopt}, PackageCase{"\n\n", std::nullopt}));

TEST(ParseYamlTest, PackageHeaderIsRecorded) {
  EXPECT_EQ(ParseYaml("# @package algo\nlr: 1\n", "c.yaml").package_header, "algo");
  EXPECT_FALSE(ParseYaml("lr: 1\n# @package algo\n", "c.yaml").package_header.has_value());
}

class LoadYamlFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("yaml_loader_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(LoadYamlFileTest, ReadsAFile) {
  const std::string path = Write("c.yaml", "# @package algo\na: 1\nb:\n  - x\n");
  LoadedConfig loaded = LoadYamlFile(path, "configs/c.yaml");
  EXPECT_EQ(loaded.display_path, "configs/c.yaml");
  EXPECT_EQ(loaded.package_header, "algo");
  EXPECT_EQ(loaded.content.Keys(), (Strings{"a", "b"}));
  // origins use the display path, not the path on disk
  EXPECT_EQ(loaded.content.Find("b")->AsList()[0].origin().ToString(), "configs/c.yaml:4:5");
}

TEST_F(LoadYamlFileTest, MissingFileNamesThePath) {
  const std::string missing = (dir_ / "nope.yaml").string();
  EXPECT_EQ(ErrorOf([&] { LoadYamlFile(missing, "configs/nope.yaml"); }),
            "configs/nope.yaml: cannot read the file: it does not exist");
  try {
    LoadYamlFile(missing, "configs/nope.yaml");
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.diagnostics().Items().at(0).kind, "io");
    EXPECT_EQ(error.diagnostics().Items().at(0).origin.file, "configs/nope.yaml");
  }
}

TEST_F(LoadYamlFileTest, ErrorsUseTheDisplayPath) {
  const std::string path = Write("dup.yaml", "a: 1\na: 2\n");
  EXPECT_EQ(ErrorOf([&] { LoadYamlFile(path, "shown/dup.yaml"); }),
            "shown/dup.yaml:2:1: a: duplicate key (first defined on line 1). Remove one of the "
            "two entries");
}

TEST_F(LoadYamlFileTest, DirectoryIsAnError) {
  const std::string directory = (dir_ / "subdir").string();
  std::filesystem::create_directories(directory);
  EXPECT_EQ(ErrorOf([&] { LoadYamlFile(directory, "configs/subdir"); }),
            "configs/subdir: cannot read the file: it is a directory");
}

}  // namespace
}  // namespace orch::config

namespace orch::config {
namespace {

// An alias bomb ("billion laughs"): nine levels of nine aliases would copy 9^9 values. yaml-cpp
// shares the anchored node, so parsing is cheap; the conversion must refuse to copy it.
TEST(YamlAliasTest, AnAliasBombIsRefusedQuickly) {
  std::string bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const char previous = static_cast<char>(level - 1);
    bomb += fmt::format("{0}: &{0} [*{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}]\n", level,
                        previous);
  }
  auto started = std::chrono::steady_clock::now();
  std::string message = ErrorOf([&] { ParseYaml(bomb, "bomb.yaml"); });
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 2.0);  // a bound on the defect, not a timing measurement
  EXPECT_NE(message.find("bomb.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("alias bomb"), std::string::npos) << message;
  EXPECT_NE(message.find("100000"), std::string::npos) << message;
}

TEST(YamlAliasTest, OrdinaryAliasesStillExpand) {
  LoadedConfig loaded = ParseYaml(
      "base: &base {lr: 0.001, width: 64}\nactor: *base\ncritic: [*base, *base]\n", "aliases.yaml");
  EXPECT_EQ(FindPath(loaded.content, "actor.lr")->AsDouble(), 0.001);
  EXPECT_EQ(FindPath(loaded.content, "actor.width")->AsInt(), 64);
  // a list of 2,000 aliases of a small block is far below the bound
  std::string many = "item: &item {a: 1, b: 2}\nlist: [";
  for (int i = 0; i < 2000; ++i) many += i == 0 ? "*item" : ", *item";
  many += "]\n";
  LoadedConfig big = ParseYaml(many, "many.yaml");
  EXPECT_EQ(FindPath(big.content, "list")->AsList().size(), 2000u);
}

}  // namespace
}  // namespace orch::config
