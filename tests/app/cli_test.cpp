// Tests src/app/ (the orch command line) end to end: runs the built `orch` binary and checks
// exit codes, stdout and stderr.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "orch_process.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `orch ARGS...` in `cwd` (the source root by default).
Result Orch(const std::vector<std::string>& args, const fs::path& cwd = ORCH_SOURCE_DIR) {
  orch::testing::ProcessResult run = orch::testing::RunOrch(args, cwd);
  return {run.exit_code, run.out, run.err};
}

/// A throw-away config tree under the system temp dir.
class TempTree {
 public:
  explicit TempTree(const std::string& name) : dir_(name) {
    fs::create_directories(dir_.path() / "configs");
  }
  void Write(const std::string& path, const std::string& content) { dir_.Write(path, content); }
  const fs::path& root() const { return dir_.path(); }

 private:
  orch::testing::TempDir dir_;
};

// --- usage and help

TEST(CliTest, NoArgumentsPrintsUsageAndExits2) {
  Result result = Orch({});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.out, "usage: orch COMMAND"));
}

TEST(CliTest, HelpOnEveryCommand) {
  EXPECT_EQ(Orch({"--help"}).exit_code, 0);
  for (const char* command : {"compose", "plan", "schema"}) {
    Result result = Orch({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_TRUE(Contains(result.out, std::string("usage: orch ") + command)) << result.out;
    EXPECT_TRUE(Contains(result.out, "-h, --help")) << result.out;
  }
}

TEST(CliTest, UnknownCommandAndOptionExit2WithSuggestion) {
  Result command = Orch({"compse"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_EQ(command.err,
            "orch: unknown command 'compse'. Did you mean one of 'compose', "
            "'compare'? Commands: run, sweep, compose, plan, schema, ls, show, diff, "
            "export, plot, compare, status, collect, cancel, tag, note, rm, completion\n");
  Result option = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "--jsn"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_EQ(option.err,
            "orch: unknown option '--jsn' for 'orch compose'. Did you mean '--json'? "
            "See 'orch compose --help'\n");
  EXPECT_EQ(Orch({"compose"}).exit_code, 2);
  EXPECT_EQ(Orch({"plan", "configs/tdmpc2/cheetah.yaml", "--shuffle-seed"}).exit_code, 2);
}

TEST(CliTest, MissingPrimaryConfigExits2) {
  Result result = Orch({"compose", "configs/tdmpc2/nope.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "configs/tdmpc2/nope.yaml: cannot find the primary config file"))
      << result.err;
}

// --- the acceptance points of the config layer

TEST(CliTest, ComposeCheetahWithMultiGammaEnabled) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "multi_gamma.enabled=true"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(
      Contains(result.out, "multi_gamma:\n  enabled: true\n  gammas: [0.99, 0.97, 0.995]\n"))
      << result.out;
  EXPECT_TRUE(Contains(result.out,
                       "#   primary discount: 0.99  (env.episode_length 1000 / "
                       "env.action_repeat 2 = 500 agent steps"))
      << result.out;
}

TEST(CliTest, WrongFirstGammaExits2NamingKeyExpectedValueAndRule) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "multi_gamma.enabled=true",
                        "multi_gamma.gammas=[0.9,0.97]"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(Contains(result.err,
                       "override #2 'multi_gamma.gammas=[0.9,0.97]': "
                       "multi_gamma.gammas[0]: expected the primary discount 0.99, got "
                       "0.9 (rule: gammas[0] must equal the primary discount within "
                       "1e-6)"))
      << result.err;
  EXPECT_TRUE(Contains(result.err,
                       "orch: 1 error in the configuration; nothing was run or "
                       "written\n"));
}

TEST(CliTest, MisspelledYamlKeyExits2WithPositionAndSuggestion) {
  TempTree tree("typo");
  tree.Write("configs/env/cheetah-run.yaml",
             "name: cheetah-run\naction_repeat: 2\n"
             "episode_length: 1000\n");
  tree.Write("configs/exp/run.yaml",
             "defaults:\n  - /env: cheetah-run\n  - _self_\n"
             "algo: tdmpc2\ntdmpc2:\n  horizn: 5\n");
  Result result = Orch({"compose", "configs/exp/run.yaml"}, tree.root());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "configs/exp/run.yaml:6:3: tdmpc2.horizn: unknown key. Did you mean 'horizon'?\n"
            "orch: 1 error in the configuration; nothing was run or written\n");
}

TEST(CliTest, MalformedYamlExits2WithLineAndColumn) {
  TempTree tree("malformed");
  tree.Write("configs/run.yaml", "algo: tdmpc2\ntdmpc2:\n  lr: [1, 2\n  horizon: 3\n");
  Result result = Orch({"compose", "configs/run.yaml"}, tree.root());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err,
                       "configs/run.yaml:4:10: malformed YAML: end of sequence flow "
                       "not found"))
      << result.err;
}

TEST(CliTest, SeveralMistakesAreAllReportedInOneRun) {
  TempTree tree("several");
  tree.Write("configs/env/controlled-pendulum.yaml", "name: controlled-pendulum\n");
  tree.Write("configs/tam/run.yaml",
             "defaults:\n  - /env: controlled-pendulum\n  - _self_\nalgo: tam\ntam:\n"
             "  episods: 10\n  lr: fast\n  memory:\n    k: 0\n");
  Result result =
      Orch({"compose", "configs/tam/run.yaml", "tam.knots=1", "+tam.z_dm=3"}, tree.root());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "configs/tam/run.yaml:6:3: tam.episods: unknown key. Did you mean 'episodes'?\n"
            "configs/tam/run.yaml:7:7: tam.lr: expected float, got string 'fast'\n"
            "configs/tam/run.yaml:9:8: tam.memory.k: expected int in [1, 10000], got 0\n"
            "override #1 'tam.knots=1': tam.knots: expected int in [2, 4096], got 1\n"
            "override #2 '+tam.z_dm=3': tam.z_dm: unknown key. Did you mean 'z_dim'?\n"
            "orch: 5 errors in the configuration; nothing was run or written\n");
}

TEST(CliTest, OverrideParseErrorShowsACaret) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "tdmpc2.lr=[1,2"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "override #1 'tdmpc2.lr=[1,2': "));
  EXPECT_TRUE(Contains(result.err, "\n    tdmpc2.lr=[1,2\n                  ^\n")) << result.err;
}

TEST(CliTest, FrontEndDoesNotLinkLibTorch) {
  std::string command = "ldd " + std::string(ORCH_BUILD_DIR) + "/src/app/orch";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  // only the library names: the load addresses are hex and random ("0x7fb9c101e000" has a "c10")
  std::string output;
  std::string names;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    output += buffer;
    std::string line = buffer;
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    names += line.substr(start, line.find_first_of(" \t(", start) - start) + "\n";
  }
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_TRUE(Contains(names, "libc.so.6\n")) << output;  // ldd really listed the libraries
  EXPECT_FALSE(Contains(names, "torch")) << output;
  EXPECT_FALSE(Contains(names, "c10")) << output;
  EXPECT_FALSE(Contains(names, "mujoco")) << output;
}

// --- compose output forms

TEST(CliTest, ComposeJsonAndNonFiniteFloats) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "--json"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.front(), '{');
  EXPECT_TRUE(Contains(result.out, "\"gammas\": [\n      0.99,\n      0.97,\n      0.995\n    ]"))
      << result.out;
  Result infinite = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "--json", "--no-schema",
                          "+a=inf", "+b=-inf", "+c=nan"});
  EXPECT_EQ(infinite.exit_code, 0) << infinite.err;
  EXPECT_TRUE(Contains(infinite.out, "\"a\": Infinity"));
  EXPECT_TRUE(Contains(infinite.out, "\"b\": -Infinity"));
  EXPECT_TRUE(Contains(infinite.out, "\"c\": NaN"));
}

TEST(CliTest, ComposeErrorsAsJson) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "--json", "tdmpc2.lr=fast"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.out, "{\"errors\":[{\"severity\":\"error\""));
  EXPECT_TRUE(Contains(result.out, "\"key\":\"tdmpc2.lr\",\"kind\":\"type\""));
}

TEST(CliTest, ExplainShowsMergeOrderAndOrigins) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "--explain", "seed=7"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(Contains(result.out, "#   env/cheetah-run          at env\n"));
  EXPECT_TRUE(Contains(result.out, "#   tdmpc2/cheetah (_self_)  at <root>\n"));
  EXPECT_TRUE(Contains(result.out, "seed: 7  # override #1 'seed=7'\n"));
  EXPECT_TRUE(Contains(result.out, "#   budget/paper             at tdmpc2\n"));
  EXPECT_TRUE(Contains(result.out, "  model_size: 5  # configs/budget/paper.yaml:5:13\n"));
  EXPECT_TRUE(Contains(result.out, "  dropout: 0.01  # default of the 'tdmpc2' schema\n"));
  EXPECT_TRUE(Contains(result.out,
                       "  - 0.99  # derived (primary discount written as 'primary' at "
                       "configs/multi_gamma/default.yaml:5:10"))
      << result.out;
  Result json = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "--explain", "--json"});
  EXPECT_TRUE(Contains(json.out, "\"tdmpc2.lr\": \"default of the 'tdmpc2' schema\""));
}

TEST(CliTest, ModelGroupReplacesTheBudgetsModel) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "--explain", "model=size19"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "  model_size: 19  # configs/model/size19.yaml:4:13\n"))
      << result.out;
  Result cpu = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "budget=cpu", "model=size5"});
  EXPECT_EQ(cpu.exit_code, 0) << cpu.err;
  EXPECT_TRUE(Contains(cpu.out, "  model_size: 5\n  enc_dim: null\n  mlp_dim: null\n")) << cpu.out;
  Result narrow = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "budget=cpu"});
  EXPECT_TRUE(Contains(narrow.out, "  model_size: 1\n  enc_dim: 64\n  mlp_dim: 128\n"))
      << narrow.out;
}

TEST(CliTest, NoSchemaComposesAForeignTree) {
  TempTree tree("foreign");
  tree.Write("configs/config.yaml", "defaults:\n  - db: mysql\n  - _self_\nanything: 1\n");
  tree.Write("configs/db/mysql.yaml", "driver: mysql\n");
  Result plain = Orch({"compose", "configs/config.yaml", "--no-schema"}, tree.root());
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "db:\n  driver: mysql\nanything: 1\n");
  Result schema = Orch({"compose", "configs/config.yaml"}, tree.root());
  EXPECT_EQ(schema.exit_code, 2);
  EXPECT_TRUE(Contains(schema.err, "algo: missing mandatory value (?\?\?)")) << schema.err;
}

TEST(CliTest, ConfigDirOption) {
  TempTree tree("configdir");
  tree.Write("elsewhere/config.yaml", "defaults:\n  - db: x\n  - _self_\n");
  tree.Write("elsewhere/db/x.yaml", "a: 1\n");
  Result result =
      Orch({"compose", "elsewhere/config.yaml", "--no-schema", "--config-dir", "elsewhere"},
           tree.root());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "db:\n  a: 1\n");
}

TEST(CliTest, WarningsDoNotFailTheCommand) {
  Result result = Orch({"compose", "configs/tdmpc2/cheetah.yaml", "multi_gamma.enabled=true",
                        "multi_gamma.gammas=[primary]"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(Contains(result.err,
                       "warning: multi_gamma.gammas: a single gamma adds no "
                       "auxiliary head"));
}

// --- plan

TEST(CliTest, PlanNumbersJobsLastAxisFastest) {
  Result result =
      Orch({"plan", "configs/tdmpc2/cheetah.yaml", "seed=0,1", "multi_gamma.enabled=false,true"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "4 jobs from configs/tdmpc2/cheetah.yaml (axes: seed[2] x "
            "multi_gamma.enabled[2])");
  std::vector<std::string> expected = {
      "seed=0 multi_gamma.enabled=false", "seed=0 multi_gamma.enabled=true",
      "seed=1 multi_gamma.enabled=false", "seed=1 multi_gamma.enabled=true"};
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_TRUE(Contains(line, "#" + std::to_string(i))) << line;
    EXPECT_TRUE(Contains(line, expected[i])) << line;
  }
}

TEST(CliTest, PlanJson) {
  Result result = Orch({"plan", "configs/tam/pendulum.yaml", "seed=range(2)", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(
      Contains(result.out, "[{\"index\":0,\"overrides\":[\"seed=0\"],\"config_sha256\":\""));
  EXPECT_TRUE(Contains(result.out, "{\"index\":1,\"overrides\":[\"seed=1\"]"));
  EXPECT_TRUE(Contains(result.out, "\"config\":{\"algo\":\"tam\",\"seed\":1,"));
}

TEST(CliTest, PlanFailsOnABadJobNamingTheJobs) {
  Result result =
      Orch({"plan", "configs/tdmpc2/cheetah.yaml", "multi_gamma.head=joint,both", "seed=0,1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(Contains(result.err,
                       "override #1 'multi_gamma.head=both': multi_gamma.head: "
                       "expected one of 'joint', 'separate', got 'both'\n"
                       "  in 2 of 4 jobs: #2 multi_gamma.head=both seed=0, "
                       "#3 multi_gamma.head=both seed=1\n"))
      << result.err;
}

TEST(CliTest, PlanSameConfigSameHash) {
  Result a = Orch({"plan", "configs/tdmpc2/cheetah.yaml", "seed=3", "--json"});
  Result b = Orch({"plan", "configs/tdmpc2/cheetah.yaml", "seed=3", "tdmpc2.lr=0.0003", "--json"});
  auto hash = [](const std::string& out) {
    size_t at = out.find("\"config_sha256\":\"");
    return out.substr(at + 17, 64);
  };
  EXPECT_EQ(hash(a.out), hash(b.out));  // 3e-4 written twice is one config
  Result c = Orch({"plan", "configs/tdmpc2/cheetah.yaml", "seed=4", "--json"});
  EXPECT_NE(hash(a.out), hash(c.out));
}

// --- schema

TEST(CliTest, SchemaCommand) {
  Result overview = Orch({"schema"});
  EXPECT_EQ(overview.exit_code, 0);
  EXPECT_TRUE(Contains(overview.out, "multi_gamma"));
  Result namespace_table = Orch({"schema", "multi_gamma"});
  EXPECT_EQ(namespace_table.exit_code, 0);
  EXPECT_TRUE(Contains(namespace_table.out, "multi_gamma.gammas"));
  Result env = Orch({"schema", "env.cheetah-run"});
  EXPECT_EQ(env.exit_code, 0);
  EXPECT_TRUE(Contains(env.out, "env.name = cheetah-run | walker-walk | pendulum-swingup"));
  Result json = Orch({"schema", "tam.memory", "--json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_TRUE(Contains(json.out, "\"name\": \"tam.memory\""));
  Result unknown = Orch({"schema", "multigamma"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(Contains(unknown.err, "Did you mean 'multi_gamma'?"));
}

}  // namespace
}  // namespace orch::app

namespace orch::app {
namespace {

/// The `--word` options in `text`.
std::set<std::string> OptionsIn(const std::string& text) {
  std::set<std::string> options;
  for (size_t at = text.find("--"); at != std::string::npos; at = text.find("--", at + 2)) {
    if (at > 0 && text[at - 1] != ' ' && text[at - 1] != '[' && text[at - 1] != '|') continue;
    size_t end = at + 2;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '-')) {
      ++end;
    }
    if (end > at + 2) options.insert(text.substr(at, end - at));
  }
  return options;
}

TEST(CliTest, EveryCommandsHelpComesFromTheParsersTable) {
  // the commands, from the top-level help
  const std::string top = Orch({"--help"}).out;
  std::vector<std::string> commands;
  std::istringstream lines(top.substr(top.find("commands:")));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    commands.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  ASSERT_GE(commands.size(), 15u) << top;
  orch::testing::TempDir dir("cli-table");
  for (const auto& command : commands) {
    Result help = Orch({command, "--help"});
    ASSERT_EQ(help.exit_code, 0) << command;
    EXPECT_EQ(Orch({"help", command}).out, help.out) << command;
    const size_t usage_end = help.out.find("\n\n");
    const std::string usage = help.out.substr(0, usage_end);
    const size_t options_at = help.out.find("\noptions:\n");
    ASSERT_NE(options_at, std::string::npos) << command;
    std::string table = help.out.substr(options_at, help.out.find("\nexamples:") - options_at);
    // the usage line and the options list name the same options
    std::set<std::string> listed = OptionsIn(table);
    listed.erase("--help");
    EXPECT_EQ(OptionsIn(usage), listed) << command << "\n" << help.out;
    // and the parser takes each of them (whatever else the command then says)
    for (const auto& option : listed) {
      // in a scratch directory, so that a default store (results/orch.db) lands there
      Result parsed = Orch({command, option, "x"}, dir.path());
      EXPECT_FALSE(Contains(parsed.err, "unknown option"))
          << command << " " << option << ": " << parsed.err;
    }
  }
}

TEST(CliTest, PlanChecksACommandLineValueThatEveryVariantOverrides) {
  // tam_memory's variants both set tam.memory.enabled: no job ever sees 'maybe'
  Result plan = Orch({"plan", "sweeps/tam_memory.yaml", "tam.memory.enabled=maybe"});
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_TRUE(Contains(plan.err,
                       "override #1 'tam.memory.enabled=maybe': tam.memory.enabled: "
                       "expected bool"))
      << plan.err;
  EXPECT_EQ(Orch({"plan", "sweeps/tam_memory.yaml", "tam.memory.enabled=true"}).exit_code, 0);
}

TEST(CliTest, HydraHabitsAreAnswered) {
  Result cfg = Orch({"run", "configs/tam/pendulum.yaml", "--cfg", "job"});
  EXPECT_EQ(cfg.exit_code, 2);
  EXPECT_TRUE(Contains(cfg.err, "orch compose CONFIG")) << cfg.err;
  Result info = Orch({"compose", "configs/tam/pendulum.yaml", "--info"});
  EXPECT_TRUE(Contains(info.err, "--explain")) << info.err;
  Result dir = Orch({"compose", "configs/tam/pendulum.yaml", "hydra.run.dir=out"});
  EXPECT_EQ(dir.exit_code, 2);
  EXPECT_TRUE(Contains(dir.err,
                       "hydra.run.dir: orch does not read Hydra's runtime settings. "
                       "Instead: a run's files go to <store dir>/runs/<uuid>/"))
      << dir.err;
  Result launcher = Orch({"compose", "configs/tam/pendulum.yaml", "hydra.launcher.timeout_min=5"});
  EXPECT_TRUE(Contains(launcher.err, "launcher=slurm")) << launcher.err;
  Result show = Orch({"show"});
  EXPECT_TRUE(Contains(show.err, "orch show needs RUN")) << show.err;
}

}  // namespace
}  // namespace orch::app

namespace orch::app {
namespace {

TEST(CliTest, BashCompletionOffersCommandsOptionsGroupsAndKeys) {
  EXPECT_TRUE(Contains(Orch({"completion", "bash"}).out, "complete -F _orch orch"));
  auto words = [](const std::vector<std::string>& args) { return Orch(args).out; };
  EXPECT_TRUE(Contains(words({"__complete", "1", "orch", "sw"}), "sweep\n"));
  EXPECT_TRUE(Contains(words({"__complete", "2", "orch", "sweep", "--j"}), "--jobs\n"));
  EXPECT_EQ(words({"__complete", "2", "orch", "run", "conf"}), "@files\n");
  const std::string keys =
      words({"__complete", "3", "orch", "run", "configs/tam/pendulum.yaml", "tam.mem"});
  EXPECT_TRUE(Contains(keys, "tam.memory.w_mem=\n")) << keys;
  EXPECT_TRUE(Contains(keys, "env=\n")) << keys;
  const std::string options =
      words({"__complete", "3", "orch", "run", "configs/tdmpc2/cheetah.yaml", "env="});
  EXPECT_TRUE(Contains(options, "env=walker-walk\n")) << options;
  EXPECT_EQ(words({"__complete", "3", "orch", "ls", "--store", ""}), "@files\n");
}

}  // namespace
}  // namespace orch::app
