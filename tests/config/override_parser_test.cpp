// Tests src/config/override_parser.cpp (the override grammar).
// Also covers the helpers in src/config/override.cpp: KeyElement, FormatOverrideValue,
// FormatOverride, ExpandRange, GlobMatch and ExpandGlob.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "config/node.h"
#include "config/override.h"

namespace orch::config {
namespace {

//----- helpers: a typed rendering that tells an int 1 from a float 1.0 and a string "1"

std::string Typed(const Node& node);

std::string TypedFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return FormatDouble(value);
}

std::string Typed(const Node& node) {
  switch (node.type()) {
    case NodeType::kNull:
      return "null";
    case NodeType::kMissing:
      return "missing";
    case NodeType::kBool:
      return node.AsBool() ? "bool true" : "bool false";
    case NodeType::kInt:
      return "int " + std::to_string(node.AsInt());
    case NodeType::kFloat:
      return "float " + TypedFloat(node.AsDouble());
    case NodeType::kString:
      return "str \"" + node.AsString() + "\"";
    case NodeType::kList: {
      std::string out = "[";
      for (size_t i = 0; i < node.AsList().size(); ++i) {
        out += (i > 0 ? ", " : "") + Typed(node.AsList()[i]);
      }
      return out + "]";
    }
    case NodeType::kMap: {
      std::string out = "{";
      for (size_t i = 0; i < node.Entries().size(); ++i) {
        out += (i > 0 ? ", " : "") + node.Entries()[i].key + ": " + Typed(node.Entries()[i].value);
      }
      return out + "}";
    }
  }
  return "?";
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? "," : "") + parts[i];
  return out;
}

std::string TypedSweep(const Sweep& sweep) {
  std::string out;
  switch (sweep.kind) {
    case Sweep::Kind::kChoice: {
      out = sweep.simple_form ? "simple(" : "choice(";
      for (size_t i = 0; i < sweep.items.size(); ++i) {
        out += (i > 0 ? ", " : "") + Typed(sweep.items[i]);
      }
      out += ")";
      break;
    }
    case Sweep::Kind::kRange:
      out =
          "range(" + Typed(sweep.start) + ", " + Typed(sweep.stop) + ", " + Typed(sweep.step) + ")";
      break;
    case Sweep::Kind::kInterval:
      out = "interval(" + TypedFloat(sweep.interval_start) + ", " + TypedFloat(sweep.interval_end) +
            ")";
      break;
    case Sweep::Kind::kGlob:
      out = "glob([" + Joined(sweep.include) + "], [" + Joined(sweep.exclude) + "])";
      break;
  }
  if (sweep.shuffle) out += " shuffle";
  if (sweep.sort) out += " sort";
  if (sweep.sort_reverse) out += " reverse";
  if (!sweep.tags.empty()) out += " tags=" + Joined(sweep.tags);
  return out;
}

/// The value or sweep of an override, typed.
std::string Describe(const Override& parsed) {
  if (parsed.sweep) return TypedSweep(*parsed.sweep);
  if (parsed.value) return Typed(*parsed.value);
  return "<no value>";
}

/// The diagnostic of a failed parse; fails the test when the override parses.
std::optional<Diagnostic> ParseError(const std::string& text, int index = 1) {
  try {
    Override parsed = ParseOverride(text, index);
    ADD_FAILURE() << "expected an error for '" << text << "', got " << Describe(parsed);
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.diagnostics().Items().size(), 1u);
    return error.diagnostics().Items().front();
  }
  return std::nullopt;
}

template <typename Row>
std::string RowName(const testing::TestParamInfo<Row>& info) {
  return info.param.name;
}

//----- accepted values (§1.3, §1.4, §1.5, §1.6, §2)

struct AcceptRow {
  const char* name;
  const char* text;
  const char* expected;
};
std::ostream& operator<<(std::ostream& out, const AcceptRow& row) { return out << row.text; }

class AcceptTest : public testing::TestWithParam<AcceptRow> {};

TEST_P(AcceptTest, ParsesToTypedValue) {
  const AcceptRow& row = GetParam();
  try {
    Override parsed = ParseOverride(row.text, 3);
    EXPECT_EQ(Describe(parsed), row.expected) << row.text;
  } catch (const ConfigError& error) {
    ADD_FAILURE() << row.text << ": " << error.what();
  }
}

// primitive type inference: the command-line rules, never YAML's (§1.4, §2)
INSTANTIATE_TEST_SUITE_P(
    Primitives, AcceptTest,
    testing::Values(
        AcceptRow{"IntZero", "a=0", "int 0"}, AcceptRow{"IntPositive", "a=10", "int 10"},
        AcceptRow{"IntNegative", "a=-20", "int -20"}, AcceptRow{"IntPlusSign", "a=+5", "int 5"},
        AcceptRow{"IntUnderscore", "a=1_000", "int 1000"},
        AcceptRow{"IntUnderscores", "a=1_000_000", "int 1000000"},
        AcceptRow{"IntMax", "a=9223372036854775807", "int 9223372036854775807"},
        AcceptRow{"IntMin", "a=-9223372036854775808", "int -9223372036854775808"},
        AcceptRow{"DoubleUnderscoreIsString", "a=1__0", "str \"1__0\""},
        AcceptRow{"LeadingZeroIsString", "a=01", "str \"01\""},
        AcceptRow{"OctalLikeIsString", "a=010", "str \"010\""},
        AcceptRow{"HexIsString", "a=0x10", "str \"0x10\""},
        AcceptRow{"TrailingUnderscoreIsString", "a=1_", "str \"1_\""},
        AcceptRow{"DigitsThenLettersIsString", "a=123abc", "str \"123abc\""},
        AcceptRow{"FloatSimple", "a=3.14", "float 3.14"},
        AcceptRow{"FloatNegative", "a=-3.14", "float -3.14"},
        AcceptRow{"FloatZero", "a=0.0", "float 0.0"},
        AcceptRow{"FloatLeadingDot", "a=.5", "float 0.5"},
        AcceptRow{"FloatTrailingDot", "a=5.", "float 5.0"},
        AcceptRow{"FloatExponent", "a=1e-05", "float 1e-05"},
        AcceptRow{"FloatExponentNoDot", "a=1e-3", "float 0.001"},
        AcceptRow{"FloatUpperExponent", "a=1E5", "float 100000.0"},
        AcceptRow{"FloatExponentPlus", "a=2.5e+3", "float 2500.0"},
        AcceptRow{"FloatTenExpZero", "a=10e0", "float 10.0"},
        AcceptRow{"FloatNegativeExponentForm", "a=-10e1", "float -100.0"},
        AcceptRow{"FloatUnderscoreFraction", "a=3.1_4", "float 3.14"},
        AcceptRow{"FloatUnderscoreInteger", "a=1_000.5", "float 1000.5"},
        AcceptRow{"FloatInf", "a=inf", "float inf"},
        AcceptRow{"FloatInfUpper", "a=INF", "float inf"},
        AcceptRow{"FloatNegativeInf", "a=-inf", "float -inf"},
        AcceptRow{"FloatPlusInf", "a=+Inf", "float inf"},
        AcceptRow{"FloatNan", "a=nan", "float nan"},
        AcceptRow{"FloatNanMixedCase", "a=NaN", "float nan"},
        AcceptRow{"InfinityIsString", "a=Infinity", "str \"Infinity\""},
        AcceptRow{"TwoDotsIsString", "a=1.5.3", "str \"1.5.3\""},
        AcceptRow{"IncompleteExponentIsString", "a=1e", "str \"1e\""},
        AcceptRow{"BoolTrue", "a=true", "bool true"},
        AcceptRow{"BoolTrueMixedCase", "a=TrUe", "bool true"},
        AcceptRow{"BoolFalseUpper", "a=FALSE", "bool false"},
        AcceptRow{"BoolFalseTitle", "a=False", "bool false"},
        AcceptRow{"YesIsString", "a=yes", "str \"yes\""},
        AcceptRow{"OnIsString", "a=on", "str \"on\""},
        AcceptRow{"OffIsString", "a=off", "str \"off\""},
        AcceptRow{"NoIsString", "a=no", "str \"no\""},
        AcceptRow{"TrueSuffixIsString", "a=true_", "str \"true_\""},
        AcceptRow{"NullLower", "a=null", "null"}, AcceptRow{"NullUpper", "a=NULL", "null"},
        AcceptRow{"NoneIsString", "a=None", "str \"None\""},
        AcceptRow{"Identifier", "a=foo-bar_10", "str \"foo-bar_10\""},
        AcceptRow{"IdWithDashNumber", "a=value-123", "str \"value-123\""},
        AcceptRow{"IdWithDashFloat", "a=value-1.0", "str \"value-1.0\""},
        AcceptRow{"IdWithDashBool", "a=value-true", "str \"value-true\""},
        AcceptRow{"Dot", "a=.", "str \".\""},
        AcceptRow{"SpecialChars", "a=/:-\\+.$*", "str \"/:-\\+.$*\""},
        AcceptRow{"MoreSpecialChars", "a=%@?|", "str \"%@?|\""},
        AcceptRow{"WindowsPath", "a=c:\\foo\\a-b.txt", "str \"c:\\foo\\a-b.txt\""},
        AcceptRow{"Url", "a=http://x.org/a?b", "str \"http://x.org/a?b\""},
        AcceptRow{"Colon", "a=b:c", "str \"b:c\""}, AcceptRow{"Empty", "a=", "str \"\""},
        AcceptRow{"EmptyAfterBlanks", "a=   ", "str \"\""},
        AcceptRow{"MissingMarker", "a=???", "str \"???\""},
        AcceptRow{"InnerSpaceKept", "a=b c", "str \"b c\""},
        AcceptRow{"InnerSpacesAndTabsKept", "a=a b c\t-\t1 2 3", "str \"a b c\t-\t1 2 3\""},
        AcceptRow{"OuterSpacesTrimmed", "a= abc-123 ", "str \"abc-123\""},
        AcceptRow{"NumberWithSpaceIsString", "a=1 2", "str \"1 2\""},
        AcceptRow{"TrailingBlankKeepsType", "a=1 ", "int 1"},
        AcceptRow{"Interpolation", "a=${a.b.c}", "str \"${a.b.c}\""},
        AcceptRow{"InterpolationWithCommas", "a=${foo:1,2,3}", "str \"${foo:1,2,3}\""},
        AcceptRow{"InterpolationWithList", "a=${foo:[1,2,3]}", "str \"${foo:[1,2,3]}\""},
        AcceptRow{"InterpolationEnv", "a=${oc.env:USER,root}", "str \"${oc.env:USER,root}\""},
        AcceptRow{"NestedInterpolation", "a=${a.${b}}", "str \"${a.${b}}\""},
        AcceptRow{"InterpolationInString", "a=xyz_${a.b}", "str \"xyz_${a.b}\""},
        AcceptRow{"DollarAlone", "a=$x", "str \"$x\""}),
    RowName<AcceptRow>);

// quoting and escapes (§1.5)
INSTANTIATE_TEST_SUITE_P(
    Quoting, AcceptTest,
    testing::Values(AcceptRow{"QuotedInt", "a='100'", "str \"100\""},
                    AcceptRow{"QuotedFloat", "a='3.14'", "str \"3.14\""},
                    AcceptRow{"QuotedBool", "a='true'", "str \"true\""},
                    AcceptRow{"QuotedNull", "a='null'", "str \"null\""},
                    AcceptRow{"QuotedNan", "a='nan'", "str \"nan\""},
                    AcceptRow{"DoubleQuoted", "a=\"hello world\"", "str \"hello world\""},
                    AcceptRow{"QuotedEmpty", "a=''", "str \"\""},
                    AcceptRow{"QuotedCommaIsNoSweep", "a='1,2,3'", "str \"1,2,3\""},
                    AcceptRow{"QuotedSpacesAroundComma", "a='foo , bar'", "str \"foo , bar\""},
                    AcceptRow{"QuotedList", "a='[1,2,3]'", "str \"[1,2,3]\""},
                    AcceptRow{"QuotedSpecials", "a='\t []{},=+~'", "str \"\t []{},=+~\""},
                    AcceptRow{"QuotedNonAscii", "a='שלום'", "str \"שלום\""},
                    AcceptRow{"QuotedHash", "a='#x;y!'", "str \"#x;y!\""},
                    AcceptRow{"OtherQuoteInside", "a=\"it's\"", "str \"it's\""},
                    AcceptRow{"EscapedSingleQuote", "a='foo \\'bar'", "str \"foo 'bar\""},
                    AcceptRow{"EscapedDoubleQuote", "a=\"foo \\\"bar\"", "str \"foo \"bar\""},
                    AcceptRow{"BackslashKeptInQuotes", "a=\"a\\b\"", "str \"a\\b\""},
                    AcceptRow{"TrailingEscapedBackslash", "a='abc\\\\'", "str \"abc\\\""},
                    AcceptRow{"OnlyEscapedBackslashes", "a='\\\\\\\\'", "str \"\\\\\""},
                    AcceptRow{"BackslashRunBeforeQuote", "a='a\\\\\\'b'", "str \"a\\'b\""},
                    AcceptRow{"OtherQuoteEscapeKept", "a='a\\\"b'", "str \"a\\\"b\""},
                    AcceptRow{"QuotedInterpolation", "a='${x}'", "str \"${x}\""},
                    AcceptRow{"EscapedComma", "a=a\\,b", "str \"a,b\""},
                    AcceptRow{"EscapedSpaceKeptAtEnd", "a=a\\ ", "str \"a \""},
                    AcceptRow{"EscapeOnly", "a=\\,", "str \",\""},
                    AcceptRow{"EscapedBrackets", "a=\\[1\\]", "str \"[1]\""},
                    AcceptRow{"EscapedParensAndBraces", "a=f\\(x\\)\\{\\}", "str \"f(x){}\""},
                    AcceptRow{"EscapedColonEquals", "a=a\\:b\\=c", "str \"a:b=c\""},
                    AcceptRow{"EscapedBackslash", "a=a\\\\b", "str \"a\\b\""},
                    AcceptRow{"EscapedTab", "a=a\\\tb", "str \"a\tb\""},
                    AcceptRow{"LoneBackslashKept", "a=a\\nb", "str \"a\\nb\""}),
    RowName<AcceptRow>);

// lists, dicts and whitespace rules (§1.3)
INSTANTIATE_TEST_SUITE_P(
    Containers, AcceptTest,
    testing::Values(
        AcceptRow{"EmptyList", "a=[]", "[]"}, AcceptRow{"EmptyListWithSpace", "a=[ ]", "[]"},
        AcceptRow{"List", "a=[1,2,3]", "[int 1, int 2, int 3]"},
        AcceptRow{"ListWithSpaces", "a=[ 1 , 2 , 3 ]", "[int 1, int 2, int 3]"},
        AcceptRow{"ListMixedTypes", "a=[1, a, 2.5, true, null, 'x']",
                  "[int 1, str \"a\", float 2.5, bool true, null, str \"x\"]"},
        AcceptRow{"NestedList", "a=[[a]]", "[[str \"a\"]]"},
        AcceptRow{"DoubleNestedList", "a=[[[a]]]", "[[[str \"a\"]]]"},
        AcceptRow{"ListQuotedItem", "a=['a b']", "[str \"a b\"]"},
        AcceptRow{"ListQuotedListItem", "a=['[a,b]']", "[str \"[a,b]\"]"},
        AcceptRow{"ListOfMultiToken", "a=[a b, c]", "[str \"a b\", str \"c\"]"},
        AcceptRow{"EmptyDict", "a={}", "{}"},
        AcceptRow{"Dict", "a={a:10,b:20}", "{a: int 10, b: int 20}"},
        AcceptRow{"DictWithSpaces", "a={ a : 10 , b : x }", "{a: int 10, b: str \"x\"}"},
        AcceptRow{"DictNested", "a={a:10,b:{c:[1,2]}}", "{a: int 10, b: {c: [int 1, int 2]}}"},
        AcceptRow{"DictIntKeyKeptAsText", "a={1:a, 1_0:b}", "{1: str \"a\", 1_0: str \"b\"}"},
        AcceptRow{"DictBoolKeyKeptAsText", "a={true:1}", "{true: int 1}"},
        AcceptRow{"DictEscapedKey", "a={a\\ b:1}", "{a b: int 1}"},
        AcceptRow{"DictValueWithColon", "a={a:b:c}", "{a: str \"b:c\"}"},
        AcceptRow{"DictDuplicateKeyLastWins", "a={a:1,b:2,a:3}", "{a: int 3, b: int 2}"},
        AcceptRow{"DictValueQuoted", "a={a:'1'}", "{a: str \"1\"}"},
        AcceptRow{"ListOfDicts", "a=[{a:1},{b:2}]", "[{a: int 1}, {b: int 2}]"},
        AcceptRow{"FunctionNameAsValue", "a=choice", "str \"choice\""},
        AcceptRow{"FunctionNameInList", "a=[range, glob]", "[str \"range\", str \"glob\"]"}),
    RowName<AcceptRow>);

// simple sweeps and grammar functions (§1.6; quirk Q2 keeps the element types)
INSTANTIATE_TEST_SUITE_P(
    Sweeps, AcceptTest,
    testing::Values(
        AcceptRow{"SimpleInts", "a=1,2,3", "simple(int 1, int 2, int 3)"},
        AcceptRow{"SimpleWithSpaces", "a=1 , 2 , 3", "simple(int 1, int 2, int 3)"},
        AcceptRow{"SimpleMixed", "a=a,10,3.14", "simple(str \"a\", int 10, float 3.14)"},
        AcceptRow{"SimpleQuotedStaysString", "a='1','2'", "simple(str \"1\", str \"2\")"},
        AcceptRow{"SimpleInterpolations", "a=${a}, ${b}", "simple(str \"${a}\", str \"${b}\")"},
        AcceptRow{"SimpleLists", "a=[1,2],[3,4]", "simple([int 1, int 2], [int 3, int 4])"},
        AcceptRow{"SimpleDicts", "a={x:1},{x:2}", "simple({x: int 1}, {x: int 2})"},
        AcceptRow{"SimpleWithEmptyQuoted", "a='',x", "simple(str \"\", str \"x\")"},
        AcceptRow{"SimpleWithNull", "a=null,1", "simple(null, int 1)"},
        AcceptRow{"SimpleWithCastElement", "a=int(1.5),2", "simple(int 1, int 2)"},
        AcceptRow{"ChoiceOne", "a=choice(1)", "choice(int 1)"},
        AcceptRow{"Choice", "a=choice(a,b)", "choice(str \"a\", str \"b\")"},
        AcceptRow{"ChoiceSpaceBeforeParen", "a=choice (a,b)", "choice(str \"a\", str \"b\")"},
        AcceptRow{"ChoiceSpacesInside", "a=choice( 10 , 20 )", "choice(int 10, int 20)"},
        AcceptRow{"ChoiceQuotedStaysString", "a=choice('1','2')", "choice(str \"1\", str \"2\")"},
        AcceptRow{"ChoiceBoolAndString", "a=choice(True,'True')",
                  "choice(bool true, str \"True\")"},
        AcceptRow{"ChoiceOfLists", "a=choice([1,2],[3,4])",
                  "choice([int 1, int 2], [int 3, int 4])"},
        AcceptRow{"ChoiceOfCast", "a=choice(str(10))", "choice(str \"10\")"},
        AcceptRow{"ChoiceOfSimpleSweep", "a=choice(shuffle(1,2))", "choice(int 1, int 2) shuffle"},
        AcceptRow{"RangeStop", "a=range(10)", "range(int 0, int 10, int 1)"},
        AcceptRow{"RangeStartStop", "a=range(10,11)", "range(int 10, int 11, int 1)"},
        AcceptRow{"RangeSpaceBeforeParen", "a=range (10,11)", "range(int 10, int 11, int 1)"},
        AcceptRow{"RangeStep", "a=range(1,10,2)", "range(int 1, int 10, int 2)"},
        AcceptRow{"RangeNamed", "a=range(start=1,stop=10,step=2)", "range(int 1, int 10, int 2)"},
        AcceptRow{"RangeNamedSpaces", "a=range(start = 1, stop = 3)", "range(int 1, int 3, int 1)"},
        AcceptRow{"RangeMixedNamed", "a=range(1, step=2, stop=9)", "range(int 1, int 9, int 2)"},
        AcceptRow{"RangeFloats", "a=range(1.0, 3.14)", "range(float 1.0, float 3.14, float 1.0)"},
        AcceptRow{"RangeFloatStep", "a=range(1.0, 3.14, 0.1)",
                  "range(float 1.0, float 3.14, float 0.1)"},
        AcceptRow{"RangeIntsAndFloatStep", "a=range(0, 2, 0.5)",
                  "range(float 0.0, float 2.0, float 0.5)"},
        AcceptRow{"RangeNegativeStep", "a=range(5, 0, -1)", "range(int 5, int 0, int -1)"},
        AcceptRow{"Interval", "a=interval(10,11)", "interval(10.0, 11.0)"},
        AcceptRow{"IntervalFloats", "a=interval(2.72,3.14)", "interval(2.72, 3.14)"},
        AcceptRow{"IntervalNamed", "a=interval(start=2.72,end=3.14)", "interval(2.72, 3.14)"},
        AcceptRow{"GlobOne", "a=glob(*)", "glob([*], [])"},
        AcceptRow{"GlobPrefix", "a=glob(foo*)", "glob([foo*], [])"},
        AcceptRow{"GlobLists", "a=glob([a*,b?], exclude=[ab])", "glob([a*,b?], [ab])"},
        AcceptRow{"GlobExcludeString", "a=glob(*, exclude=tdmpc2)", "glob([*], [tdmpc2])"},
        AcceptRow{"GlobQuoted", "a=glob('*')", "glob([*], [])"},
        AcceptRow{"TagChoice", "a=tag(a,b,choice([1,2],[3,4]))",
                  "choice([int 1, int 2], [int 3, int 4]) tags=a,b"},
        AcceptRow{"TagInterval", "a=tag(log, interval(0,1))", "interval(0.0, 1.0) tags=log"},
        AcceptRow{"TagNamedSweep", "a=tag(log, sweep=range(3))",
                  "range(int 0, int 3, int 1) tags=log"},
        AcceptRow{"TagDuplicatesDropped", "a=tag(x, x, choice(1))", "choice(int 1) tags=x"},
        AcceptRow{"SortList", "a=sort([2,3,1])", "[int 1, int 2, int 3]"},
        AcceptRow{"SortListReverse", "a=sort([2,3,1],reverse=true)", "[int 3, int 2, int 1]"},
        AcceptRow{"SortListNamed", "a=sort(list=[b,a])", "[str \"a\", str \"b\"]"},
        AcceptRow{"SortListMixedNumbers", "a=sort([2.5, 1, true])",
                  "[int 1, bool true, float 2.5]"},
        AcceptRow{"SortListOfLists", "a=sort([[2,1],[1,5],[1]])",
                  "[[int 1], [int 1, int 5], [int 2, int 1]]"},
        AcceptRow{"SortSimple", "a=sort(3,2,1)", "simple(int 1, int 2, int 3)"},
        AcceptRow{"SortSimpleReverse", "a=sort(a,c,b,reverse=true)",
                  "simple(str \"c\", str \"b\", str \"a\")"},
        AcceptRow{"SortChoice", "a=sort(choice(b,a))", "choice(str \"a\", str \"b\")"},
        AcceptRow{"SortChoiceNamedSweep", "a=sort(sweep=choice(2,1))", "choice(int 1, int 2)"},
        AcceptRow{"SortSinglePrimitive", "a=sort(5)", "int 5"},
        AcceptRow{"SortRangeFlags", "a=sort(range(3,0,-1))", "range(int 3, int 0, int -1) sort"},
        AcceptRow{"SortRangeReverse", "a=sort(range(3), reverse=true)",
                  "range(int 0, int 3, int 1) sort reverse"},
        AcceptRow{"SortGlob", "a=sort(glob(*))", "glob([*], []) sort"},
        AcceptRow{"FloatOfSort", "a=float(sort(3,2,1))", "simple(float 1.0, float 2.0, float 3.0)"},
        AcceptRow{"SortOfFloat", "a=sort(float(3,2,1))", "simple(float 1.0, float 2.0, float 3.0)"},
        AcceptRow{"ShuffleSimple", "a=shuffle(1,2,3)", "simple(int 1, int 2, int 3) shuffle"},
        AcceptRow{"ShuffleChoice", "a=shuffle(choice(1,2,3))",
                  "choice(int 1, int 2, int 3) shuffle"},
        AcceptRow{"ShuffleRange", "a=shuffle(range(1,10))", "range(int 1, int 10, int 1) shuffle"},
        AcceptRow{"ShuffleNamedSweep", "a=shuffle(sweep=choice(1,2))",
                  "choice(int 1, int 2) shuffle"},
        AcceptRow{"ShuffleGlob", "a=shuffle(glob(*))", "glob([*], []) shuffle"},
        AcceptRow{"ShuffleSinglePrimitive", "a=shuffle(x)", "[str \"x\"]"}),
    RowName<AcceptRow>);

// casts, with Python's conversions (§1.6)
INSTANTIATE_TEST_SUITE_P(
    Casts, AcceptTest,
    testing::Values(
        AcceptRow{"IntOfFloat", "a=int(10.0)", "int 10"},
        AcceptRow{"IntTruncates", "a=int(3.7)", "int 3"},
        AcceptRow{"IntTruncatesNegative", "a=int(-3.7)", "int -3"},
        AcceptRow{"IntOfQuoted", "a=int('10')", "int 10"},
        AcceptRow{"IntOfQuotedUnderscoreAndSpace", "a=int(' 1_0 ')", "int 10"},
        AcceptRow{"IntOfQuotedLeadingZero", "a=int('010')", "int 10"},
        AcceptRow{"IntOfBool", "a=int(true)", "int 1"}, AcceptRow{"IntOfInt", "a=int(7)", "int 7"},
        AcceptRow{"FloatOfInt", "a=float(1)", "float 1.0"},
        AcceptRow{"FloatOfFloat", "a=float(float(10))", "float 10.0"},
        AcceptRow{"FloatOfQuoted", "a=float('1.5')", "float 1.5"},
        AcceptRow{"FloatOfQuotedExponent", "a=float('1e3')", "float 1000.0"},
        AcceptRow{"FloatOfQuotedInfinity", "a=float('-Infinity')", "float -inf"},
        AcceptRow{"FloatOfBool", "a=float(false)", "float 0.0"},
        AcceptRow{"StrOfFloat", "a=str(1.0)", "str \"1.0\""},
        AcceptRow{"StrOfTenFloat", "a=str(10.0)", "str \"10.0\""},
        AcceptRow{"StrOfInt", "a=str(1)", "str \"1\""},
        AcceptRow{"StrOfBool", "a=str(true)", "str \"true\""},
        AcceptRow{"StrOfSmallFloat", "a=str(1e-05)", "str \"1e-05\""},
        AcceptRow{"StrOfLargeFloat", "a=str(1e16)", "str \"1e+16\""},
        AcceptRow{"StrOfFixedFloat", "a=str(0.0001)", "str \"0.0001\""},
        AcceptRow{"StrOfBigFixedFloat", "a=str(123456789.0)", "str \"123456789.0\""},
        AcceptRow{"StrOfInf", "a=str(inf)", "str \"inf\""},
        AcceptRow{"StrOfString", "a=str(abc)", "str \"abc\""},
        AcceptRow{"BoolOfQuotedTrue", "a=bool('true')", "bool true"},
        AcceptRow{"BoolOfFalseMixedCase", "a=bool('FaLsE')", "bool false"},
        AcceptRow{"BoolOfZero", "a=bool(0)", "bool false"},
        AcceptRow{"BoolOfFloat", "a=bool(10.0)", "bool true"},
        AcceptRow{"BoolOfNull", "a=bool(null)", "bool false"},
        AcceptRow{"CastList", "a=str([1,2])", "[str \"1\", str \"2\"]"},
        AcceptRow{"CastNestedList", "a=int([1.5,[2.5]])", "[int 1, [int 2]]"},
        AcceptRow{"CastDictValues", "a=str({a:10,b:[true]})", "{a: str \"10\", b: [str \"true\"]}"},
        AcceptRow{"CastSeveralIsSimpleSweep", "a=int(1.5,2.5)", "simple(int 1, int 2)"},
        AcceptRow{"CastNamedValue", "a=float(value=2)", "float 2.0"},
        AcceptRow{"CastSimpleSweepElementwise", "a=str(1,2)", "simple(str \"1\", str \"2\")"},
        AcceptRow{"CastChoice", "a=float(choice(1,2))", "choice(float 1.0, float 2.0)"},
        AcceptRow{"CastRangeToFloat", "a=float(range(3))",
                  "range(float 0.0, float 3.0, float 1.0)"},
        AcceptRow{"CastRangeToInt", "a=int(range(0.0, 3.5, 1.5))", "range(int 0, int 3, int 1)"},
        AcceptRow{"CastIntervalToInt", "a=int(interval(1.5, 3.7))", "interval(1.0, 3.0)"},
        AcceptRow{"CastKeepsTags", "a=int(tag(t, choice(1.5)))", "choice(int 1) tags=t"}),
    RowName<AcceptRow>);

//----- rejected overrides, with the caret position (§1, §7 Q1)

struct RejectRow {
  const char* name;
  const char* text;
  const char* message;  ///< a part of the message
  int caret;            ///< column of the caret (in characters)
};
std::ostream& operator<<(std::ostream& out, const RejectRow& row) { return out << row.text; }

class RejectTest : public testing::TestWithParam<RejectRow> {};

TEST_P(RejectTest, FailsWithCaret) {
  const RejectRow& row = GetParam();
  std::optional<Diagnostic> diagnostic = ParseError(row.text, 4);
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->kind, "parse");
  EXPECT_EQ(diagnostic->origin.kind, Origin::Kind::kOverride);
  EXPECT_EQ(diagnostic->origin.override_index, 4);
  EXPECT_EQ(diagnostic->origin.text, row.text);
  EXPECT_TRUE(diagnostic->message.rfind("cannot parse override: ", 0) == 0 ||
              diagnostic->message.rfind("cannot evaluate '", 0) == 0)
      << diagnostic->message;
  EXPECT_NE(diagnostic->message.find(row.message), std::string::npos)
      << "message: " << diagnostic->message;
  ASSERT_EQ(diagnostic->details.size(), 2u);
  EXPECT_EQ(diagnostic->details[0], row.text);
  EXPECT_EQ(diagnostic->details[1], std::string(static_cast<size_t>(row.caret), ' ') + "^");
}

// keys and forms (§1.1, §1.2, quirk Q1)
INSTANTIATE_TEST_SUITE_P(
    Keys, RejectTest,
    testing::Values(RejectRow{"EmptyKey", "=1", "empty key", 0},
                    RejectRow{"EmptyDeleteKey", "~", "empty key", 1},
                    RejectRow{"EmptyKeyWithPackage", "@pkg=1", "empty key", 0},
                    RejectRow{"EmptyAddKey", "+=1", "empty key", 1},
                    RejectRow{"MissingEquals", "abc", "missing '=' after the key", 3},
                    RejectRow{"MissingEqualsAfterPackage", "foo@", "missing '=' after the key", 4},
                    RejectRow{"SpaceInKey", "a b=1", "unexpected whitespace in key", 1},
                    RejectRow{"SpaceBeforeEquals", "a =1", "unexpected whitespace in key", 1},
                    RejectRow{"LeadingSpace", " a=1", "unexpected whitespace in key", 0},
                    RejectRow{"LeadingDot", ".a=1", "key cannot start with '.'", 0},
                    RejectRow{"TrailingDot", "a.=1", "key cannot end with '.'", 1},
                    RejectRow{"DoubledDot", "a..b=1", "empty segment in key", 2},
                    RejectRow{"GroupPathWithDot", "a/b.c=opt", "'.' in a config group path", 3},
                    RejectRow{"GroupPathWithIndex", "a/1=opt", "invalid group path segment '1'", 2},
                    RejectRow{"GroupPathWithDollar", "a/$b=opt", "'$' in a config group path", 2},
                    RejectRow{"GroupPathTrailingSlash", "a/=opt", "key cannot end with '/'", 1},
                    RejectRow{"GroupPathLeadingSlash", "/a=opt", "key cannot start with '/'", 0},
                    RejectRow{"BareIndexKey", "0=1", "bare list index", 0},
                    RejectRow{"LeadingZeroIndex", "a.01=1", "invalid key segment '01'", 2},
                    RejectRow{"DigitsThenLetters", "a.1b=1", "invalid key segment '1b'", 2},
                    RejectRow{"DashStart", "-a=1", "invalid key segment '-a'", 0},
                    RejectRow{"TriplePlus", "+++a=1", "unexpected '+' in key", 2},
                    RejectRow{"DeleteThenAdd", "~+a=1", "unexpected '+' in key", 1},
                    RejectRow{"DoubleDelete", "~~a", "unexpected '~' in key", 1},
                    RejectRow{"HashInKey", "a#=1", "unexpected '#' in key", 1},
                    RejectRow{"QuoteInKey", "'a'=1", "unexpected quote in key", 0},
                    RejectRow{"NonAsciiInKey", "é=1", "non-ASCII character 'é' in key", 0},
                    RejectRow{"SlashInPackage", "db@a/b=x", "'/' in a package", 4},
                    RejectRow{"ColonInPackage", "db@a:b=x", "unexpected ':' in package", 4},
                    RejectRow{"SecondAt", "db@a@b=x", "unexpected '@' in package", 4},
                    RejectRow{"PackageTrailingDot", "db@a.=x", "package cannot end with '.'", 4}),
    RowName<RejectRow>);

// values (§1.3, §1.4, §1.5)
INSTANTIATE_TEST_SUITE_P(
    Values, RejectTest,
    testing::Values(
        RejectRow{"UnexpectedBracket", "a=1]", "unexpected ']' in value", 3},
        RejectRow{"UnexpectedParen", "a=)", "unexpected ')' in value", 2},
        RejectRow{"LeftOversAfterList", "key=[]aa", "unexpected 'a' in value", 6},
        RejectRow{"QuoteAfterList", "key=[1,2,3]'", "unbalanced quote", 11},
        RejectRow{"PartialList", "a=[", "unexpected end of override, missing ']'", 3},
        RejectRow{"UnclosedList", "a=[1,2", "missing ']'", 6},
        RejectRow{"UnclosedListAfterComma", "a=[1,", "missing ']'", 5},
        RejectRow{"UnclosedDict", "a={a:1", "missing '}'", 6},
        RejectRow{"UnclosedCall", "a=choice(1,2", "missing ')'", 12},
        RejectRow{"TrailingCommaList", "a=[1,]", "trailing ',' in list", 4},
        RejectRow{"TrailingCommaListSpace", "a=[1, ]", "trailing ',' in list", 4},
        RejectRow{"TrailingCommaValue", "a=1,", "trailing ',' in value", 3},
        RejectRow{"TrailingCommaDict", "a={a:1,}", "trailing ',' in dict", 6},
        RejectRow{"TrailingCommaCall", "a=choice(1,)", "trailing ',' in function call", 10},
        RejectRow{"DoubledCommaValue", "a=a,,b", "doubled ',' in value", 4},
        RejectRow{"DoubledCommaList", "a=[1,,2]", "doubled ',' in list", 5},
        RejectRow{"LeadingComma", "a=,b", "unexpected ',' in value", 2},
        RejectRow{"LeadingCommaList", "a=[,1]", "unexpected ',' in list", 3},
        RejectRow{"EqualsInValue", "a=b=c", "unexpected '=' in value", 3},
        RejectRow{"ParenInValue", "a=(1)", "unexpected '(' in value", 2},
        RejectRow{"CallAfterText", "a=x foo(1)", "unexpected '(' in value", 7},
        RejectRow{"QuotedThenText", "a='a'b", "unexpected text after a quoted string", 5},
        RejectRow{"QuotedThenBlank", "a='a' ", "unexpected text after a quoted string", 5},
        RejectRow{"TwoQuoted", "a='a''b'", "unexpected text after a quoted string", 5},
        RejectRow{"TextThenQuoted", "a=x'y'", "unexpected quote in value", 3},
        RejectRow{"UnbalancedQuote", "a='abc", "unbalanced quote", 2},
        RejectRow{"UnbalancedDoubleQuote", "a=\"abc", "unbalanced quote", 2},
        RejectRow{"EscapedClosingQuote", "a='abc\\'", "unbalanced quote", 2},
        RejectRow{"Apostrophe", "a=it's", "unbalanced quote", 4},
        RejectRow{"HashMustBeQuoted", "a=#", "'#' must be quoted", 2},
        RejectRow{"HashAfterText", "a=x #y", "'#' must be quoted", 4},
        RejectRow{"SemicolonMustBeQuoted", "a=a;b", "';' must be quoted", 3},
        RejectRow{"TildeMustBeQuoted", "a=~", "'~' must be quoted", 2},
        RejectRow{"LessMustBeQuoted", "a=<x>", "'<' must be quoted", 2},
        RejectRow{"BangMustBeQuoted", "a=x!", "'!' must be quoted", 3},
        RejectRow{"AmpersandMustBeQuoted", "a=a&b", "'&' must be quoted", 3},
        RejectRow{"NonAsciiMustBeQuoted", "a=é", "non-ASCII character 'é' must be quoted", 2},
        RejectRow{"CaretCountsCharacters", "k='é',#", "'#' must be quoted", 6},
        RejectRow{"ControlCharMustBeQuoted", "a=x\x01y", "control character U+0001 must be quoted",
                  3},
        RejectRow{"UnterminatedInterpolation", "a=${foo", "unterminated interpolation", 2},
        RejectRow{"UnterminatedNestedInterpolation", "a=${a.${b}", "unterminated interpolation", 2},
        RejectRow{"EmptyInterpolation", "a=${}", "empty interpolation", 2},
        RejectRow{"QuotedDictKey", "a={'a':1}", "dict keys cannot be quoted", 3},
        RejectRow{"InterpolationDictKey", "a={${x}:1}", "dict keys cannot be interpolations", 3},
        RejectRow{"EmptyDictKey", "a={:1}", "empty dict key", 3},
        RejectRow{"DictWithoutColon", "a={a}", "expected ':' after dict key 'a'", 4},
        RejectRow{"DictListKey", "a={[1]:2}", "unexpected '[' in dict", 3},
        RejectRow{"IntOutOfRange", "a=99999999999999999999", "out of the 64-bit range", 2},
        RejectRow{"SweepInList", "a=[choice(1,2)]", "a sweep cannot be nested in a list or dict",
                  3},
        RejectRow{"SweepInDict", "a={x:range(3)}", "a sweep cannot be nested", 5},
        RejectRow{"SweepInSimpleSweep", "a=1,range(1,2)", "a sweep cannot be an element", 4}),
    RowName<RejectRow>);

// grammar functions and casts (§1.6)
INSTANTIATE_TEST_SUITE_P(
    Functions, RejectTest,
    testing::Values(
        RejectRow{"EmptyChoice", "a=choice()",
                  "cannot evaluate 'choice()': empty choice is not legal", 2},
        RejectRow{"UnknownFunction", "a=foo(1)", "cannot evaluate 'foo(1)': unknown function 'foo'",
                  2},
        RejectRow{"NestedChoice", "a=choice(choice(1,2))", "nesting choices is not supported", 9},
        RejectRow{"NestedChoiceAmongOthers", "a=choice(1, choice(2))", "nesting choices", 12},
        RejectRow{"RangeInChoice", "a=choice(range(3))", "nesting sweeps is not supported", 9},
        RejectRow{"RangeStepZero", "a=range(1,5,0)", "range step cannot be zero", 12},
        RejectRow{"RangeFloatStepZero", "a=range(1.0,5,0.0)", "range step cannot be zero", 14},
        RejectRow{"RangeOfString", "a=range('1', 5)",
                  "argument 'start' must be an int or a float, got string", 8},
        RejectRow{"RangeOfBool", "a=range(true)",
                  "argument 'start' must be an int or a float, got bool", 8},
        RejectRow{"RangeInfinite", "a=range(0, inf)", "argument 'stop' must be finite", 11},
        RejectRow{"RangeTooManyArgs", "a=range(1,2,3,4)", "too many positional arguments", 14},
        RejectRow{"RangeUnknownKeyword", "a=range(1, foo=2)", "unexpected keyword argument 'foo'",
                  11},
        RejectRow{"RangeDuplicateArgument", "a=range(1, start=2)",
                  "multiple values for argument 'start'", 11},
        RejectRow{"RangeStopOnly", "a=range(stop=3)", "missing a required argument: 'start'", 2},
        RejectRow{"RangeNoArgs", "a=range()", "missing a required argument: 'start'", 2},
        RejectRow{"PositionalAfterKeyword", "a=range(start=1, 5)",
                  "positional argument follows keyword argument", 17},
        RejectRow{"IntervalOfString", "a=interval(a, 1)",
                  "argument 'start' must be an int or a float", 11},
        RejectRow{"IntervalMissingEnd", "a=interval(1)", "missing a required argument: 'end'", 2},
        RejectRow{"GlobOfInt", "a=glob(10)",
                  "argument 'include' must be a string or a list of strings", 7},
        RejectRow{"GlobListOfInts", "a=glob([a, 1])", "a list holding int", 7},
        RejectRow{"SortMixedTypes", "a=sort(3,2,str(1))", "cannot sort a mix of", 2},
        RejectRow{"SortMixedList", "a=sort([1, a])", "cannot sort a mix of", 2},
        RejectRow{"SortNulls", "a=sort([null, null])", "cannot sort null values", 2},
        RejectRow{"SortDicts", "a=sort([{a:1},{b:2}])", "cannot sort dict values", 2},
        RejectRow{"SortEmpty", "a=sort()", "empty sort input", 2},
        RejectRow{"SortInterval", "a=sort(interval(0,1))", "an interval sweep cannot be sorted", 7},
        RejectRow{"SortReverseNotBool", "a=sort([1], reverse=1)",
                  "argument 'reverse' must be a bool", 20},
        RejectRow{"SortSeveralLists", "a=sort([1], [2])", "takes primitives, got list", 7},
        RejectRow{"ShuffleList", "a=shuffle([1,2,3])", "shuffling a list value is not supported",
                  10},
        RejectRow{"ShuffleNamedList", "a=shuffle(list=[1,2])", "shuffling a list value", 15},
        RejectRow{"ShuffleInterval", "a=shuffle(interval(0,1))",
                  "an interval sweep cannot be shuffled", 10},
        RejectRow{"ShuffleEmpty", "a=shuffle()", "empty shuffle input", 2},
        RejectRow{"TagWithoutSweep", "a=tag(a, b)",
                  "last argument to tag() must be a choice(), range() or interval(), got string",
                  9},
        RejectRow{"TagEmpty", "a=tag()", "not enough arguments to tag", 2},
        RejectRow{"TagNonStringTag", "a=tag(1, choice(1))",
                  "tag arguments must be strings, got int", 6},
        RejectRow{"IntOfInf", "a=int(inf)",
                  "cannot evaluate 'int(inf)': cannot convert float infinity to integer", 2},
        RejectRow{"IntOfNan", "a=int(nan)", "cannot convert float NaN to integer", 2},
        RejectRow{"IntOfBadString", "a=int('1.5')", "invalid literal for int() with base 10: '1.5'",
                  2},
        RejectRow{"IntOfNull", "a=int(null)", "cannot cast null to int", 2},
        RejectRow{"FloatOfBadString", "a=float(abc)", "could not convert string to float: 'abc'",
                  2},
        RejectRow{"BoolOfTenString", "a=bool('10')",
                  "cannot evaluate 'bool('10')': cannot cast '10' to bool", 2},
        RejectRow{"StrOfRange", "a=str(range(3))", "range can only be cast to int or float", 2},
        RejectRow{"StrOfInterval", "a=str(interval(0,1))", "intervals cannot be cast to str", 2},
        RejectRow{"IntOfGlob", "a=int(glob(*))", "a glob sweep cannot be cast", 2},
        RejectRow{"CastBothForms", "a=int(1, value=2)",
                  "cannot use both position and named arguments", 2},
        RejectRow{"CastNoArgs", "a=int()", "no positional args or value specified", 2},
        RejectRow{"CastToZeroStep", "a=int(range(0, 1, 0.5))", "range step cannot be zero", 2},
        RejectRow{"NestedCallErrorNamesInner", "a=choice(1, int(x))", "cannot evaluate 'int(x)'",
                  12}),
    RowName<RejectRow>);

TEST(OverrideParserErrors, UnknownFunctionListsTheFunctions) {
  std::optional<Diagnostic> diagnostic = ParseError("a=chioce(1,2)");
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_NE(diagnostic->suggestion.find("Did you mean 'choice'?"), std::string::npos);
  EXPECT_NE(diagnostic->suggestion.find(
                "bool, choice, float, glob, int, interval, range, shuffle, sort, str, tag"),
            std::string::npos);
  EXPECT_EQ(diagnostic->candidates, std::vector<std::string>{"choice"});
}

TEST(OverrideParserErrors, KeyIsReportedOnceParsed) {
  std::optional<Diagnostic> diagnostic = ParseError("+trainer.lr=[1,");
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->key, "trainer.lr");
  diagnostic = ParseError("a b=1");
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->key, "");
}

TEST(OverrideParserErrors, SuggestionsWhereObvious) {
  std::optional<Diagnostic> quote = ParseError("a='abc");
  ASSERT_TRUE(quote.has_value());
  EXPECT_NE(quote->suggestion.find("matching '"), std::string::npos);
  std::optional<Diagnostic> group = ParseError("a/b.c=x");
  ASSERT_TRUE(group.has_value());
  EXPECT_NE(group->suggestion.find("Group paths use '/' only"), std::string::npos);
  std::optional<Diagnostic> equals = ParseError("a=b=c");
  ASSERT_TRUE(equals.has_value());
  EXPECT_NE(equals->suggestion.find("\\="), std::string::npos);
}

TEST(OverrideParserErrors, CaretUsesTabsWhereTheTextHasTabs) {
  std::optional<Diagnostic> diagnostic = ParseError("a=x\t#");
  ASSERT_TRUE(diagnostic.has_value());
  ASSERT_EQ(diagnostic->details.size(), 2u);
  EXPECT_EQ(diagnostic->details[1], "   \t^");
}

TEST(OverrideParserErrors, FormattedErrorQuotesTheOverride) {
  try {
    ParseOverride("a=choice()", 2);
    FAIL() << "expected an error";
  } catch (const ConfigError& error) {
    std::string text = error.what();
    EXPECT_NE(text.find("override #2 'a=choice()'"), std::string::npos) << text;
    EXPECT_NE(text.find("cannot evaluate 'choice()': empty choice is not legal"), std::string::npos)
        << text;
    EXPECT_NE(text.find("\n    a=choice()\n      ^"), std::string::npos) << text;
  }
}

//----- override forms and key elements (§1.1, §1.2)

struct FormRow {
  const char* name;
  const char* text;
  OverrideType type;
  const char* key;
  const char* package;  ///< nullptr when absent
  const char* key_element;
  const char* value;  ///< Describe() of the value
};
std::ostream& operator<<(std::ostream& out, const FormRow& row) { return out << row.text; }

class FormTest : public testing::TestWithParam<FormRow> {};

TEST_P(FormTest, ParsesKeyPrefixAndPackage) {
  const FormRow& row = GetParam();
  Override parsed = ParseOverride(row.text, 1);
  EXPECT_EQ(parsed.type, row.type);
  EXPECT_EQ(parsed.key, row.key);
  if (row.package == nullptr) {
    EXPECT_FALSE(parsed.package.has_value());
  } else {
    ASSERT_TRUE(parsed.package.has_value());
    EXPECT_EQ(*parsed.package, row.package);
  }
  EXPECT_EQ(parsed.KeyElement(), row.key_element);
  EXPECT_EQ(Describe(parsed), row.value);
  EXPECT_EQ(parsed.text, row.text);
  EXPECT_EQ(parsed.index, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, FormTest,
    testing::Values(
        FormRow{"Change", "key=value", OverrideType::kChange, "key", nullptr, "key",
                "str \"value\""},
        FormRow{"ChangeEmpty", "key=", OverrideType::kChange, "key", nullptr, "key", "str \"\""},
        FormRow{"Add", "+key=1", OverrideType::kAdd, "key", nullptr, "+key", "int 1"},
        FormRow{"ForceAdd", "++a.b=1", OverrideType::kForceAdd, "a.b", nullptr, "++a.b", "int 1"},
        FormRow{"Delete", "~x", OverrideType::kDelete, "x", nullptr, "~x", "<no value>"},
        FormRow{"DeleteWithValue", "~x=10", OverrideType::kDelete, "x", nullptr, "~x", "int 10"},
        FormRow{"DeleteEmptyValue", "~x=", OverrideType::kDelete, "x", nullptr, "~x", "str \"\""},
        FormRow{"DottedKey", "a.b.c=1", OverrideType::kChange, "a.b.c", nullptr, "a.b.c", "int 1"},
        FormRow{"ListIndexKey", "list.0=1", OverrideType::kChange, "list.0", nullptr, "list.0",
                "int 1"},
        FormRow{"IndexThenName", "list.0.bar=1", OverrideType::kChange, "list.0.bar", nullptr,
                "list.0.bar", "int 1"},
        FormRow{"IndexFirstSegment", "0.foo=1", OverrideType::kChange, "0.foo", nullptr, "0.foo",
                "int 1"},
        FormRow{"DollarKey", "$db=1", OverrideType::kChange, "$db", nullptr, "$db", "int 1"},
        FormRow{"DashKey", "a-b.c_d=1", OverrideType::kChange, "a-b.c_d", nullptr, "a-b.c_d",
                "int 1"},
        FormRow{"FunctionNameKey", "choice=reverse", OverrideType::kChange, "choice", nullptr,
                "choice", "str \"reverse\""},
        FormRow{"GroupPath", "a/b/c=opt", OverrideType::kChange, "a/b/c", nullptr, "a/b/c",
                "str \"opt\""},
        FormRow{"GroupPackage", "db@backup=mysql", OverrideType::kChange, "db", "backup",
                "db@backup", "str \"mysql\""},
        FormRow{"GroupDottedPackage", "db@a.b=mysql", OverrideType::kChange, "db", "a.b", "db@a.b",
                "str \"mysql\""},
        FormRow{"GlobalPackage", "db@=mysql", OverrideType::kChange, "db", "", "db@",
                "str \"mysql\""},
        FormRow{"AddGroupPackage", "+db@backup=mysql", OverrideType::kAdd, "db", "backup",
                "+db@backup", "str \"mysql\""},
        FormRow{"DeleteGroupPackage", "~db@backup", OverrideType::kDelete, "db", "backup",
                "~db@backup", "<no value>"},
        FormRow{"GroupPathPackage", "hydra/launcher@pkg=basic", OverrideType::kChange,
                "hydra/launcher", "pkg", "hydra/launcher@pkg", "str \"basic\""},
        FormRow{"BlanksAfterEquals", "a=  5", OverrideType::kChange, "a", nullptr, "a", "int 5"},
        FormRow{"SweepValue", "+k=1,2", OverrideType::kAdd, "k", nullptr, "+k",
                "simple(int 1, int 2)"}),
    RowName<FormRow>);

TEST(OverrideForms, SweepGoesToSweepAndElementToValue) {
  Override sweep = ParseOverride("a=choice(1,2)", 1);
  EXPECT_TRUE(sweep.IsSweep());
  EXPECT_FALSE(sweep.value.has_value());
  Override element = ParseOverride("a=int(1.5)", 1);
  EXPECT_FALSE(element.IsSweep());
  ASSERT_TRUE(element.value.has_value());
  EXPECT_TRUE(element.value->IsInt());
  Override deleted = ParseOverride("~a", 1);
  EXPECT_TRUE(deleted.IsDelete());
  EXPECT_FALSE(deleted.value.has_value());
  EXPECT_FALSE(deleted.IsSweep());
  EXPECT_TRUE(ParseOverride("a/b=c", 1).HasGroupPath());
  EXPECT_FALSE(ParseOverride("a.b=c", 1).HasGroupPath());
}

TEST(OverrideForms, EveryNodeCarriesTheOverrideOrigin) {
  auto expect_origin = [](const Node& node, const std::string& text) {
    EXPECT_EQ(node.origin().kind, Origin::Kind::kOverride) << Typed(node);
    EXPECT_EQ(node.origin().override_index, 5);
    EXPECT_EQ(node.origin().text, text);
  };
  const std::string text = "+a={x:[1,{y:2}]}";
  Override parsed = ParseOverride(text, 5);
  const Node& value = *parsed.value;
  expect_origin(value, text);
  const Node& list = *value.Find("x");
  expect_origin(list, text);
  expect_origin(list.AsList()[0], text);
  expect_origin(list.AsList()[1], text);
  expect_origin(*list.AsList()[1].Find("y"), text);
  EXPECT_EQ(value.FindEntry("x")->key_origin.kind, Origin::Kind::kOverride);

  const std::string sweep_text = "a=[1],[2]";
  Override sweep = ParseOverride(sweep_text, 5);
  for (const Node& item : sweep.sweep->items) {
    expect_origin(item, sweep_text);
    expect_origin(item.AsList()[0], sweep_text);
  }
  const std::string range_text = "a=range(1,3)";
  Override range = ParseOverride(range_text, 5);
  expect_origin(range.sweep->start, range_text);
  expect_origin(range.sweep->stop, range_text);
  expect_origin(range.sweep->step, range_text);
  for (const Node& item : ExpandRange(*range.sweep)) expect_origin(item, range_text);
}

//----- range expansion (decimal arithmetic for floats)

struct RangeRow {
  const char* name;
  const char* text;
  const char* expected;  ///< the values, typed, joined by ", "
};
std::ostream& operator<<(std::ostream& out, const RangeRow& row) { return out << row.text; }

class RangeTest : public testing::TestWithParam<RangeRow> {};

TEST_P(RangeTest, ExpandsExactly) {
  const RangeRow& row = GetParam();
  Override parsed = ParseOverride(row.text, 1);
  ASSERT_TRUE(parsed.sweep.has_value());
  std::string out;
  for (const Node& value : ExpandRange(*parsed.sweep)) {
    out += (out.empty() ? "" : ", ") + Typed(value);
  }
  EXPECT_EQ(out, row.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, RangeTest,
    testing::Values(
        RangeRow{"Stop", "a=range(5)", "int 0, int 1, int 2, int 3, int 4"},
        RangeRow{"StartStop", "a=range(10,13)", "int 10, int 11, int 12"},
        RangeRow{"Step", "a=range(1,10,3)", "int 1, int 4, int 7"},
        RangeRow{"NegativeStep", "a=range(5,0,-2)", "int 5, int 3, int 1"},
        RangeRow{"Empty", "a=range(0,0)", ""}, RangeRow{"EmptyWrongDirection", "a=range(0,-3)", ""},
        RangeRow{"HalfSteps", "a=range(0,2,0.5)", "float 0.0, float 0.5, float 1.0, float 1.5"},
        RangeRow{"Tenths", "a=range(0,1,0.1)",
                 "float 0.0, float 0.1, float 0.2, float 0.3, float 0.4, float 0.5, float 0.6, "
                 "float 0.7, float 0.8, float 0.9"},
        RangeRow{"TenthsFromTenth", "a=range(0.1,0.4,0.1)", "float 0.1, float 0.2, float 0.3"},
        RangeRow{"FloatCountDown", "a=range(1.0,0,-0.25)",
                 "float 1.0, float 0.75, float 0.5, float 0.25"},
        RangeRow{"NegativeToPositive", "a=range(-1,1,0.5)",
                 "float -1.0, float -0.5, float 0.0, float 0.5"},
        RangeRow{"Thousandths", "a=range(1e-3, 4e-3, 1e-3)",
                 "float 0.001, float 0.002, float 0.003"},
        RangeRow{"FloatStopNotOnGrid", "a=range(0, 1, 0.3)",
                 "float 0.0, float 0.3, float 0.6, float 0.9"},
        RangeRow{"CastToFloat", "a=float(range(3))", "float 0.0, float 1.0, float 2.0"},
        RangeRow{"SortedAscending", "a=sort(range(3,0,-1))", "int 1, int 2, int 3"},
        RangeRow{"SortedDescending", "a=sort(range(0,3), reverse=true)", "int 2, int 1, int 0"},
        RangeRow{"SortedFloatDescending", "a=sort(range(0,1,0.25), reverse=true)",
                 "float 0.75, float 0.5, float 0.25, float 0.0"},
        RangeRow{"ShuffledStaysInOrderHere", "a=shuffle(range(3))", "int 0, int 1, int 2"},
        RangeRow{"NearInt64Max", "a=range(9223372036854775805, 9223372036854775807)",
                 "int 9223372036854775805, int 9223372036854775806"}),
    RowName<RangeRow>);

TEST(ExpandRangeTest, RefusesHugeRanges) {
  Override parsed = ParseOverride("a=range(0, 100000000000)", 1);
  EXPECT_THROW(ExpandRange(*parsed.sweep), ConfigError);
}

TEST(ExpandRangeTest, FarApartMagnitudesFallBackToMultiplication) {
  Override parsed = ParseOverride("a=range(1e-10, 1e15, 1e14)", 1);
  std::vector<Node> values = ExpandRange(*parsed.sweep);
  ASSERT_EQ(values.size(), 10u);
  EXPECT_EQ(values[0].AsDouble(), 1e-10);
  EXPECT_EQ(values[9].AsDouble(), 1e-10 + 9 * 1e14);
}

TEST(ExpandRangeTest, FloatValuesAreTheShortestDecimals) {
  Override parsed = ParseOverride("a=range(0,1,0.1)", 1);
  std::vector<Node> values = ExpandRange(*parsed.sweep);
  ASSERT_EQ(values.size(), 10u);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_TRUE(values[i].IsFloat());
    EXPECT_EQ(values[i].AsDouble(), static_cast<double>(i) / 10.0) << i;
  }
}

//----- globs

struct GlobRow {
  const char* name;
  const char* pattern;
  const char* text;
  bool matches;
};
std::ostream& operator<<(std::ostream& out, const GlobRow& row) {
  return out << row.pattern << " ~ " << row.text;
}

class GlobMatchTest : public testing::TestWithParam<GlobRow> {};

TEST_P(GlobMatchTest, Matches) {
  const GlobRow& row = GetParam();
  EXPECT_EQ(GlobMatch(row.pattern, row.text), row.matches);
}

INSTANTIATE_TEST_SUITE_P(
    Globs, GlobMatchTest,
    testing::Values(
        GlobRow{"StarMatchesEmpty", "*", "", true}, GlobRow{"StarMatchesAll", "*", "abc", true},
        GlobRow{"Prefix", "a*", "abc", true}, GlobRow{"PrefixMismatch", "a*", "bac", false},
        GlobRow{"Suffix", "*c", "abc", true}, GlobRow{"Question", "a?c", "abc", true},
        GlobRow{"QuestionNeedsOneChar", "a?c", "ac", false},
        GlobRow{"TwoStars", "a*b*c", "aXbYc", true},
        GlobRow{"TwoStarsMissingEnd", "a*b*c", "aXbY", false},
        GlobRow{"Literal", "abc", "abc", true}, GlobRow{"LiteralLonger", "abc", "abcd", false},
        GlobRow{"EmptyPattern", "", "", true}, GlobRow{"EmptyPatternText", "", "a", false},
        GlobRow{"DoubleStar", "**", "x", true}, GlobRow{"Extension", "*.yaml", "a.yaml", true},
        GlobRow{"Backtracking", "*ab", "aab", true}, GlobRow{"CaseSensitive", "A*", "abc", false}),
    RowName<GlobRow>);

struct ExpandGlobRow {
  const char* name;
  const char* text;
  std::vector<std::string> options;
  std::vector<std::string> expected;
};
std::ostream& operator<<(std::ostream& out, const ExpandGlobRow& row) { return out << row.text; }

class ExpandGlobTest : public testing::TestWithParam<ExpandGlobRow> {};

TEST_P(ExpandGlobTest, SelectsOptions) {
  const ExpandGlobRow& row = GetParam();
  Override parsed = ParseOverride(row.text, 1);
  ASSERT_TRUE(parsed.sweep.has_value());
  EXPECT_EQ(ExpandGlob(*parsed.sweep, row.options), row.expected);
}

const std::vector<std::string> kAlgos = {"ppo", "tam", "tdmpc2"};

INSTANTIATE_TEST_SUITE_P(
    Globs, ExpandGlobTest,
    testing::Values(
        ExpandGlobRow{"All", "algo=glob(*)", kAlgos, kAlgos},
        ExpandGlobRow{"Prefix", "algo=glob(t*)", kAlgos, {"tam", "tdmpc2"}},
        ExpandGlobRow{
            "IncludeExclude", "algo=glob([t*,p*], exclude=tam)", kAlgos, {"ppo", "tdmpc2"}},
        ExpandGlobRow{"ExcludeList", "algo=glob(*, exclude=[t*])", kAlgos, {"ppo"}},
        ExpandGlobRow{"NoMatch", "algo=glob(x*)", kAlgos, {}},
        ExpandGlobRow{"OptionOrderKept", "algo=glob(*)", {"tam", "ppo", "b"}, {"tam", "ppo", "b"}},
        ExpandGlobRow{"Sorted", "algo=sort(glob(*))", {"tam", "ppo", "b"}, {"b", "ppo", "tam"}},
        ExpandGlobRow{
            "SortedReverse", "algo=sort(glob(*), reverse=true)", kAlgos, {"tdmpc2", "tam", "ppo"}}),
    RowName<ExpandGlobRow>);

//----- formatting back to override text

struct FormatRow {
  const char* name;
  const char* text;       ///< the value as parsed
  const char* formatted;  ///< FormatOverrideValue of it
};
std::ostream& operator<<(std::ostream& out, const FormatRow& row) { return out << row.text; }

class FormatTest : public testing::TestWithParam<FormatRow> {};

TEST_P(FormatTest, FormatsAndReparsesToTheSameTypedValue) {
  const FormatRow& row = GetParam();
  Override parsed = ParseOverride(std::string("k=") + row.text, 1);
  ASSERT_TRUE(parsed.value.has_value());
  std::string formatted = FormatOverrideValue(*parsed.value);
  EXPECT_EQ(formatted, row.formatted);
  Override again = ParseOverride("k=" + formatted, 1);
  ASSERT_TRUE(again.value.has_value()) << formatted;
  EXPECT_TRUE(again.value->Equals(*parsed.value))
      << Typed(*again.value) << " vs " << Typed(*parsed.value);
  EXPECT_EQ(again.value->type(), parsed.value->type());
}

INSTANTIATE_TEST_SUITE_P(
    Values, FormatTest,
    testing::Values(
        FormatRow{"Int", "1", "1"}, FormatRow{"NegativeInt", "-20", "-20"},
        FormatRow{"IntUnderscore", "1_000", "1000"}, FormatRow{"Float", "3.14", "3.14"},
        FormatRow{"WholeFloat", "1.0", "1.0"}, FormatRow{"TrailingDotFloat", "5.", "5.0"},
        FormatRow{"SmallFloat", "1e-05", "1e-05"}, FormatRow{"LargeFloat", "1e16", "1e+16"},
        FormatRow{"Inf", "inf", "inf"}, FormatRow{"NegativeInf", "-inf", "-inf"},
        FormatRow{"Nan", "NaN", "nan"}, FormatRow{"True", "True", "true"},
        FormatRow{"False", "false", "false"}, FormatRow{"Null", "NULL", "null"},
        FormatRow{"String", "abc", "abc"}, FormatRow{"StringWithSpecials", "a/b-c.d", "a/b-c.d"},
        FormatRow{"QuotedInt", "'1'", "'1'"}, FormatRow{"QuotedFloat", "'1.5'", "'1.5'"},
        FormatRow{"QuotedBool", "'true'", "'true'"}, FormatRow{"QuotedNull", "'null'", "'null'"},
        FormatRow{"QuotedInf", "'inf'", "'inf'"}, FormatRow{"EmptyString", "", "''"},
        FormatRow{"StringWithSpace", "a b", "'a b'"},
        FormatRow{"StringWithComma", "a\\,b", "'a,b'"},
        FormatRow{"StringWithQuote", "\"it's\"", "'it\\'s'"},
        FormatRow{"StringWithTrailingBackslash", "'a\\\\'", "'a\\\\'"},
        FormatRow{"StringWithBackslash", "c:\\x", "'c:\\x'"},
        FormatRow{"StringNonAscii", "'é'", "'é'"}, FormatRow{"StringHash", "'#1'", "'#1'"},
        FormatRow{"Interpolation", "${a.b}", "${a.b}"}, FormatRow{"MissingMarker", "???", "???"},
        FormatRow{"FunctionNameString", "choice", "choice"},
        FormatRow{"LooksLikeCall", "'f(x)'", "'f(x)'"},
        FormatRow{"List", "[1,a, 2.5]", "[1, a, 2.5]"},
        FormatRow{"ListWithQuotedInt", "['1', 2]", "['1', 2]"}, FormatRow{"EmptyList", "[]", "[]"},
        FormatRow{"Dict", "{a:1,b:[x]}", "{a: 1, b: [x]}"}, FormatRow{"EmptyDict", "{}", "{}"},
        FormatRow{"DictEscapedKey", "{a\\ b:1, c\\:d:2}", "{a\\ b: 1, c\\:d: 2}"},
        FormatRow{"NestedContainers", "[{a:[1,{b:'2'}]}]", "[{a: [1, {b: '2'}]}]"}),
    RowName<FormatRow>);

TEST(FormatOverrideValueTest, RoundTripsManyValues) {
  std::vector<Node> values = {
      Node::Int(0),
      Node::Int(-1),
      Node::Int(std::numeric_limits<int64_t>::max()),
      Node::Int(std::numeric_limits<int64_t>::min()),
      Node::Float(0.0),
      Node::Float(-0.0),
      Node::Float(0.1),
      Node::Float(1.0 / 3.0),
      Node::Float(1e300),
      Node::Float(5e-324),
      Node::Float(123456789012345680.0),
      Node::Float(-2.5e-7),
      Node::Float(std::numeric_limits<double>::infinity()),
      Node::Bool(true),
      Node::Null(),
      Node::String("1"),
      Node::String("1.0"),
      Node::String("1e5"),
      Node::String("True"),
      Node::String("NULL"),
      Node::String("nan"),
      Node::String("-inf"),
      Node::String(""),
      Node::String(" lead"),
      Node::String("trail "),
      Node::String("a,b"),
      Node::String("[x]"),
      Node::String("{a: 1}"),
      Node::String("a=b"),
      Node::String("it's"),
      Node::String("\\"),
      Node::String("a\\'b"),
      Node::String("q\\"),
      Node::String("\\\\'"),
      Node::String("\"x\""),
      Node::String("${a}"),
      Node::String("${a"),
      Node::String("x${a}y"),
      Node::String("é"),
      Node::String("tab\there"),
      Node::String("~"),
      Node::String("#"),
      Node::String("-"),
      Node::String("+"),
      Node::String("x:y"),
      Node::String("choice(1)"),
      Node::String("01"),
      Node::String("1_000"),
      Node::String("0x10"),
      Node::String("???"),
      Node::MakeList({Node::String("1"), Node::Int(1), Node::Float(1.0), Node::String("a b")}),
      Node::MakeList({Node::MakeList({}), Node::MakeMap()}),
  };
  Node map = Node::MakeMap();
  map.Set("k", Node::String("v,w"));
  map.Set("sp ace", Node::Int(1));
  map.Set("1", Node::Float(2.0));
  map.Set("a:b", Node::String("'"));
  values.push_back(map);
  for (const Node& value : values) {
    std::string formatted = FormatOverrideValue(value);
    try {
      Override parsed = ParseOverride("k=" + formatted, 1);
      ASSERT_TRUE(parsed.value.has_value()) << formatted;
      EXPECT_TRUE(parsed.value->Equals(value))
          << Typed(value) << " -> " << formatted << " -> " << Typed(*parsed.value);
    } catch (const ConfigError& error) {
      ADD_FAILURE() << Typed(value) << " -> " << formatted << ": " << error.what();
    }
  }
}

TEST(FormatOverrideValueTest, NanRoundTrips) {
  std::string formatted = FormatOverrideValue(Node::Float(std::nan("")));
  EXPECT_EQ(formatted, "nan");
  Override parsed = ParseOverride("k=" + formatted, 1);
  EXPECT_TRUE(parsed.value->IsFloat());
  EXPECT_TRUE(std::isnan(parsed.value->AsDouble()));
}

TEST(FormatOverrideValueTest, FloatsAlwaysKeepAPointOrExponent) {
  EXPECT_EQ(FormatOverrideValue(Node::Float(100.0)), "100.0");
  EXPECT_EQ(FormatOverrideValue(Node::Float(-0.0)), "-0.0");
  EXPECT_EQ(FormatOverrideValue(Node::Float(2e20)), "2e+20");
  EXPECT_EQ(FormatOverrideValue(Node::Missing()), "???");
}

struct FormatOverrideRow {
  const char* name;
  const char* text;
  const char* formatted;
};
std::ostream& operator<<(std::ostream& out, const FormatOverrideRow& row) {
  return out << row.text;
}

class FormatOverrideTest : public testing::TestWithParam<FormatOverrideRow> {};

TEST_P(FormatOverrideTest, KeepsPrefixAndPackage) {
  const FormatOverrideRow& row = GetParam();
  Override parsed = ParseOverride(row.text, 1);
  ASSERT_TRUE(parsed.value.has_value());
  EXPECT_EQ(FormatOverride(parsed, *parsed.value), row.formatted);
}

INSTANTIATE_TEST_SUITE_P(
    Overrides, FormatOverrideTest,
    testing::Values(FormatOverrideRow{"Change", "a.b= 1", "a.b=1"},
                    FormatOverrideRow{"Add", "+a.b='x y'", "+a.b='x y'"},
                    FormatOverrideRow{"ForceAdd", "++k=[1,2]", "++k=[1, 2]"},
                    FormatOverrideRow{"DeleteWithValue", "~k=3.0", "~k=3.0"},
                    FormatOverrideRow{"Package", "db@backup=mysql", "db@backup=mysql"},
                    FormatOverrideRow{"GlobalPackage", "db@=mysql", "db@=mysql"},
                    FormatOverrideRow{"GroupPath", "a/b=c", "a/b=c"},
                    FormatOverrideRow{"QuotedNumber", "k='10'", "k='10'"}),
    RowName<FormatOverrideRow>);

}  // namespace
}  // namespace orch::config
