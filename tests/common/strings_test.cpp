// Tests src/common/string_util.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/string_util.h"

namespace orch {
namespace {

using Strings = std::vector<std::string>;

TEST(JoinTest, JoinsWithSeparator) {
  EXPECT_EQ(Join({}, ", "), "");
  EXPECT_EQ(Join({"a"}, ", "), "a");
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join({"a", "", "c"}, "."), "a..c");
  EXPECT_EQ(Join({"x", "y"}, ""), "xy");
}

TEST(SplitTest, KeepsEmptyParts) {
  EXPECT_EQ(Split("a.b.c", '.'), (Strings{"a", "b", "c"}));
  EXPECT_EQ(Split("", '.'), (Strings{""}));
  EXPECT_EQ(Split(".", '.'), (Strings{"", ""}));
  EXPECT_EQ(Split("a..b", '.'), (Strings{"a", "", "b"}));
  EXPECT_EQ(Split(".a.", '.'), (Strings{"", "a", ""}));
  EXPECT_EQ(Split("no separator", ','), (Strings{"no separator"}));
}

TEST(SplitTest, JoinUndoesSplit) {
  for (const char* text : {"", "a", "a,b", ",a,,b,", ",,"}) {
    EXPECT_EQ(Join(Split(text, ','), ","), text);
  }
}

TEST(StartsEndsWithTest, Prefixes) {
  EXPECT_TRUE(StartsWith("override", "over"));
  EXPECT_TRUE(StartsWith("override", ""));
  EXPECT_TRUE(StartsWith("over", "over"));
  EXPECT_FALSE(StartsWith("ov", "over"));
  EXPECT_FALSE(StartsWith("override", "ride"));
  EXPECT_TRUE(StartsWith("", ""));
  EXPECT_FALSE(StartsWith("", "a"));
}

TEST(StartsEndsWithTest, Suffixes) {
  EXPECT_TRUE(EndsWith("config.yaml", ".yaml"));
  EXPECT_TRUE(EndsWith("config.yaml", ""));
  EXPECT_TRUE(EndsWith(".yaml", ".yaml"));
  EXPECT_FALSE(EndsWith("yaml", ".yaml"));
  EXPECT_FALSE(EndsWith("config.yml", ".yaml"));
  EXPECT_TRUE(EndsWith("", ""));
  EXPECT_FALSE(EndsWith("", "a"));
}

TEST(TrimTest, RemovesSurroundingWhitespace) {
  EXPECT_EQ(Trim("  a b  "), "a b");
  EXPECT_EQ(Trim("\t\n a\r\n"), "a");
  EXPECT_EQ(Trim("a"), "a");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t\n "), "");
  EXPECT_EQ(Trim("\va\f"), "a");
}

TEST(ToLowerTest, LowersAsciiOnly) {
  EXPECT_EQ(ToLower("HoRiZoN_2"), "horizon_2");
  EXPECT_EQ(ToLower(""), "");
  EXPECT_EQ(ToLower("already"), "already");
  // bytes of multi-byte UTF-8 are left alone
  EXPECT_EQ(ToLower("\xc3\x89T\xc3\x89"), "\xc3\x89t\xc3\x89");
}

struct DistanceCase {
  const char* a;
  const char* b;
  int distance;
};

class EditDistanceTest : public testing::TestWithParam<DistanceCase> {};

TEST_P(EditDistanceTest, Counts) {
  EXPECT_EQ(EditDistance(GetParam().a, GetParam().b), GetParam().distance);
  EXPECT_EQ(EditDistance(GetParam().b, GetParam().a), GetParam().distance) << "symmetric";
}

INSTANTIATE_TEST_SUITE_P(
    Table, EditDistanceTest,
    testing::Values(DistanceCase{"", "", 0}, DistanceCase{"horizon", "horizon", 0},
                    DistanceCase{"", "abc", 3}, DistanceCase{"horizon", "horizons", 1},  // insert
                    DistanceCase{"horizon", "horzon", 1},                                // delete
                    DistanceCase{"horizon", "horixon", 1},  // substitute
                    DistanceCase{"horizon", "horzion", 1},  // transposition
                    DistanceCase{"ab", "ba", 1}, DistanceCase{"abcd", "badc", 2},
                    DistanceCase{"kitten", "sitting", 3}, DistanceCase{"lr", "gamma", 5},
                    DistanceCase{"Horizon", "horizon", 1},  // case-sensitive
                    DistanceCase{"ca", "abc", 3}));         // OSA, not full Damerau (which is 2)

TEST(ClosestMatchesTest, FindsTypos) {
  const Strings keys = {"horizon", "batch_size", "learning_rate", "seed", "discount"};
  EXPECT_EQ(ClosestMatches("horzion", keys), (Strings{"horizon"}));
  EXPECT_EQ(ClosestMatches("horizn", keys), (Strings{"horizon"}));
  EXPECT_EQ(ClosestMatches("learning_rat", keys), (Strings{"learning_rate"}));
  EXPECT_EQ(ClosestMatches("sed", keys), (Strings{"seed"}));
  EXPECT_EQ(ClosestMatches("discuont", keys), (Strings{"discount"}));
}

TEST(ClosestMatchesTest, IgnoresCase) {
  EXPECT_EQ(ClosestMatches("HORIZON", {"horizon", "seed"}), (Strings{"horizon"}));
  EXPECT_EQ(ClosestMatches("Batch_Size", {"batch_size"}), (Strings{"batch_size"}));
}

TEST(ClosestMatchesTest, FarNamesAreNotMatched) {
  const Strings keys = {"horizon", "batch_size", "learning_rate", "seed"};
  EXPECT_EQ(ClosestMatches("gamma", keys), Strings{});
  EXPECT_EQ(ClosestMatches("xyz", keys), Strings{});
  EXPECT_EQ(ClosestMatches("lr", keys), Strings{});
  EXPECT_EQ(ClosestMatches("anything", {}), Strings{});
}

TEST(ClosestMatchesTest, AnExactMatchIsNotASuggestion) {
  EXPECT_EQ(ClosestMatches("seed", {"seed"}), Strings{});
  EXPECT_EQ(ClosestMatches("seed", {"seed", "seeds"}), (Strings{"seeds"}));
}

TEST(ClosestMatchesTest, ContainmentCounts) {
  EXPECT_EQ(ClosestMatches("batch", {"batch_size", "seed"}), (Strings{"batch_size"}));
  EXPECT_EQ(ClosestMatches("env_cheetah_run", {"cheetah"}), (Strings{"cheetah"}));
  // containment needs at least three letters on both sides
  EXPECT_EQ(ClosestMatches("ab", {"xxxxabxxxx"}), Strings{});
}

TEST(ClosestMatchesTest, ClosestFirstThenCandidateOrder) {
  const Strings keys = {"horizons_max", "horizonx", "horizon_", "horizon"};
  // 0 for the case variant, 1 for horizonx and horizon_ (kept in candidate order), then the
  // containing name at distance 5
  EXPECT_EQ(ClosestMatches("Horizon", keys, 10),
            (Strings{"horizon", "horizonx", "horizon_", "horizons_max"}));
  EXPECT_EQ(ClosestMatches("seeds", {"sed", "seeds_", "seed"}), (Strings{"seeds_", "seed", "sed"}));
}

TEST(ClosestMatchesTest, Limit) {
  const Strings keys = {"aaaa1", "aaaa2", "aaaa3", "aaaa4", "aaaa5"};
  EXPECT_EQ(ClosestMatches("aaaa", keys).size(), 3u);  // default limit
  EXPECT_EQ(ClosestMatches("aaaa", keys, 2), (Strings{"aaaa1", "aaaa2"}));
  EXPECT_EQ(ClosestMatches("aaaa", keys, 0), Strings{});
  EXPECT_EQ(ClosestMatches("aaaa", keys, 99).size(), 5u);
}

TEST(ClosestMatchesTest, ThresholdGrowsWithTheName) {
  // two edits are always allowed; longer names allow a third of their length
  EXPECT_EQ(ClosestMatches("abc", {"xyc"}), (Strings{"xyc"}));
  EXPECT_EQ(ClosestMatches("abc", {"xyz"}), Strings{});
  EXPECT_EQ(ClosestMatches("abcdefghijkl", {"abcdefghXXXX"}), (Strings{"abcdefghXXXX"}));
  EXPECT_EQ(ClosestMatches("abcdefghijkl", {"abcdefgXXXXX"}), Strings{});
}

TEST(DidYouMeanSentenceTest, OneMatch) {
  EXPECT_EQ(DidYouMeanSentence("horzion", {"horizon", "seed"}), "Did you mean 'horizon'?");
}

TEST(DidYouMeanSentenceTest, SeveralMatches) {
  EXPECT_EQ(DidYouMeanSentence("seeds", {"sed", "seeds_", "seed", "gamma"}),
            "Did you mean one of 'seeds_', 'seed', 'sed'?");
  EXPECT_EQ(DidYouMeanSentence("lrr", {"lr", "lr2"}), "Did you mean one of 'lr', 'lr2'?");
}

TEST(DidYouMeanSentenceTest, AtMostThreeSuggestions) {
  EXPECT_EQ(DidYouMeanSentence("aaaa", {"aaaa1", "aaaa2", "aaaa3", "aaaa4"}),
            "Did you mean one of 'aaaa1', 'aaaa2', 'aaaa3'?");
}

TEST(DidYouMeanSentenceTest, NothingCloseGivesEmptyString) {
  EXPECT_EQ(DidYouMeanSentence("gamma", {"horizon", "seed"}), "");
  EXPECT_EQ(DidYouMeanSentence("gamma", {}), "");
}

TEST(QuotedTest, SingleQuotes) {
  EXPECT_EQ(Quoted("x"), "'x'");
  EXPECT_EQ(Quoted(""), "''");
}

TEST(ShellQuoteTest, QuotesOnlyWhatTheShellWouldSplitOrExpand) {
  EXPECT_EQ(ShellQuote("configs/tam/pendulum.yaml"), "configs/tam/pendulum.yaml");
  EXPECT_EQ(ShellQuote("tam.lr=1e-3,2e-3"), "tam.lr=1e-3,2e-3");
  EXPECT_EQ(ShellQuote("seed=range(3)"), "'seed=range(3)'");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST(SingleQuotedTest, QuotesEverythingAndEscapesQuotes) {
  EXPECT_EQ(SingleQuoted("/opt/orch/bin/orch"), "'/opt/orch/bin/orch'");
  EXPECT_EQ(SingleQuoted("it's"), "'it'\\''s'");
  EXPECT_EQ(SingleQuoted(""), "''");
}

}  // namespace
}  // namespace orch
