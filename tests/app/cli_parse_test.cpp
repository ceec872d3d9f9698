// Tests src/app/cli.cpp's ParseArgs: a command's option table (CommandSpec) read with CLI11,
// and orch's own messages for what CLI11 rejects or does not know.
#include <gtest/gtest.h>

#include "app/cli.h"
#include "common/error.h"

namespace orch::app {
namespace {

const CommandSpec& Spec() {
  static const CommandSpec spec = {"demo",
                                   "CONFIG [OVERRIDE...]",
                                   "a command to parse",
                                   "",
                                   {{"store", "PATH", "results store"},
                                    {"store-dir", "DIR", "a longer name that starts like --store"},
                                    {"json", "", "print JSON"},
                                    {"key", "KEY", "repeatable", "k"}},
                                   ""};
  return spec;
}

/// The UsageError's message for `args`, or "" when they parse.
std::string ErrorOf(const std::vector<std::string>& args) {
  try {
    ParseArgs(Spec(), args);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

TEST(ParseArgsTest, OptionsFlagsAndArgumentsInAnyOrder) {
  ParsedArgs parsed = ParseArgs(Spec(), {"configs/tam/pendulum.yaml", "--json", "seed=1,2",
                                         "--store", "a.db", "tam.lr=-1e-3", "--store-dir=d"});
  EXPECT_EQ(parsed.positional,
            (std::vector<std::string>{"configs/tam/pendulum.yaml", "seed=1,2", "tam.lr=-1e-3"}));
  EXPECT_TRUE(parsed.Flag("json"));
  EXPECT_FALSE(parsed.Flag("other"));
  EXPECT_EQ(parsed.Value("store"), "a.db");
  EXPECT_EQ(parsed.Value("store-dir"), "d");
  EXPECT_FALSE(parsed.Value("key").has_value());
  EXPECT_FALSE(parsed.help);
}

TEST(ParseArgsTest, ARepeatedOptionKeepsEveryValueAndTheLastCounts) {
  ParsedArgs parsed =
      ParseArgs(Spec(), {"--key", "a", "-k", "b,c", "--key=d", "--store", "1", "--store", "2"});
  EXPECT_EQ(parsed.all_values.at("key"), (std::vector<std::string>{"a", "b,c", "d"}));
  EXPECT_EQ(parsed.Values("key"), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(parsed.Value("store"), "2");
  EXPECT_EQ(parsed.all_values.count("json"), 0u);
}

TEST(ParseArgsTest, AValueMayStartWithADashAndDoubleDashEndsTheOptions) {
  ParsedArgs parsed = ParseArgs(Spec(), {"--store", "-weird.db", "--", "--json", "-x", "-"});
  EXPECT_EQ(parsed.Value("store"), "-weird.db");
  EXPECT_FALSE(parsed.Flag("json"));
  EXPECT_EQ(parsed.positional, (std::vector<std::string>{"--json", "-x", "-"}));
}

TEST(ParseArgsTest, HelpIsAFlagOfEveryCommand) {
  EXPECT_TRUE(ParseArgs(Spec(), {"--help"}).help);
  EXPECT_TRUE(ParseArgs(Spec(), {"cfg.yaml", "-h"}).help);
}

TEST(ParseArgsTest, AnUnknownOptionIsNamedWithTheClosestOnes) {
  EXPECT_EQ(ErrorOf({"cfg.yaml", "--jsn"}),
            "unknown option '--jsn' for 'orch demo'. Did you mean '--json'? See 'orch demo "
            "--help'");
  EXPECT_EQ(ErrorOf({"--stor=x"}).substr(0, 45), "unknown option '--stor=x' for 'orch demo'. Di");
  EXPECT_EQ(ErrorOf({"--zzzzzz"}),
            "unknown option '--zzzzzz' for 'orch demo'. See 'orch demo --help'");
  EXPECT_EQ(ErrorOf({"-q"}), "unknown option '-q' for 'orch demo'. See 'orch demo --help'");
}

TEST(ParseArgsTest, HydrasOptionsAreAnsweredWithOrchsWay) {
  EXPECT_EQ(ErrorOf({"--cfg", "job"}),
            "orch demo has no '--cfg' (a Hydra option): orch compose CONFIG [OVERRIDE...] prints "
            "the composed config (Hydra's --cfg job); --json for JSON");
  EXPECT_NE(ErrorOf({"--config-name=x"}).find("(a Hydra option)"), std::string::npos);
}

TEST(ParseArgsTest, AMissingValueAndAValueForAFlagNameTheOption) {
  EXPECT_EQ(ErrorOf({"cfg.yaml", "--store"}), "option '--store' needs a value (PATH)");
  EXPECT_EQ(ErrorOf({"--store-dir"}), "option '--store-dir' needs a value (DIR)");
  EXPECT_EQ(ErrorOf({"-k"}), "option '--key' needs a value (KEY)");
  EXPECT_EQ(ErrorOf({"--json=no"}), "option '--json' takes no value");
}

TEST(ParseCommandTest, TooFewArgumentsNameTheFirstOneMissing) {
  try {
    ParseCommand(Spec(), {"--json"}, 1);
    FAIL() << "parsed without CONFIG";
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(), "orch demo needs CONFIG. See 'orch demo --help'");
  }
  EXPECT_TRUE(ParseCommand(Spec(), {"cfg.yaml"}, 1).has_value());
}

}  // namespace
}  // namespace orch::app
