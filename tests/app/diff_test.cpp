// Tests src/app/command_diff.cpp end to end: the config keys two runs differ in (one only one
// of them has, too), the provenance that differs, JSON, and a run against itself.
#include <gtest/gtest.h>

#include <filesystem>

#include "orch_process.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;
using orch::testing::RunOrch;
using orch::testing::TempDir;

TEST(DiffTest, TheKeysAndProvenanceTwoRunsDifferIn) {
  TempDir dir("diff");
  const std::string store = (dir.path() / "orch.db").string();
  const std::string tam = "configs/tam/pendulum.yaml";
  ASSERT_EQ(RunOrch({"run", tam, "tam.episodes=20", "--name", "base", "--store", store}).exit_code,
            0);
  ASSERT_EQ(RunOrch({"run", tam, "tam.episodes=20", "seed=7", "tam.memory.k=16", "--name", "k16",
                     "--store", store})
                .exit_code,
            0);
  // a run of another algorithm: most keys exist in one run only
  ASSERT_EQ(RunOrch({"run", "configs/ppo/cartpole.yaml", "ppo.total_steps=256", "ppo.num_envs=2",
                     "ppo.num_steps=64", "ppo.num_minibatches=2", "ppo.eval_every=256",
                     "ppo.eval_episodes=1", "--name", "ppo", "--store", store})
                .exit_code,
            0);

  auto diff = RunOrch({"diff", "base", "k16", "--store", store});
  EXPECT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_TRUE(Contains(diff.out, "config: 2 of ")) << diff.out;
  EXPECT_TRUE(
      Contains(diff.out,
               " keys differ\n"
               "  seed          0  |  7\n"
               "  tam.memory.k  64  |  16\n"
               "\n"
               "provenance:\n"
               "  overrides     tam.episodes=20  |  tam.episodes=20 seed=7 tam.memory.k=16\n"))
      << diff.out;
  EXPECT_FALSE(Contains(diff.out, "host")) << diff.out;

  auto across = RunOrch({"diff", "base", "ppo", "--store", store, "--json"});
  EXPECT_EQ(across.exit_code, 0) << across.err;
  EXPECT_TRUE(Contains(across.out, R"({"key":"algo","a":"tam","b":"ppo"})")) << across.out;
  EXPECT_TRUE(Contains(across.out, R"({"key":"tam.memory.k","a":"64","b":null})")) << across.out;
  EXPECT_TRUE(Contains(across.out, R"("what":"config file","a":"configs/tam/pendulum.yaml")"))
      << across.out;

  auto same = RunOrch({"diff", "base", "1", "--store", store});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_TRUE(Contains(same.out, "config: the same\n")) << same.out;
  EXPECT_TRUE(Contains(same.out, "provenance: the same\n")) << same.out;

  EXPECT_EQ(RunOrch({"diff", "base", "--store", store}).exit_code, 2);
  EXPECT_EQ(RunOrch({"diff", "base", "nope", "--store", store}).exit_code, 2);
}

}  // namespace
}  // namespace orch::app
