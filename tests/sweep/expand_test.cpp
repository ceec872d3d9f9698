// Tests src/sweep/expand.cpp (the grid expansion of command-line sweeps).
#include "sweep/expand.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "config/compose.h"
#include "sweep/sweep_spec.h"

namespace orch::sweep {
namespace {

std::vector<std::vector<std::string>> Expand(const std::vector<std::string>& texts,
                                             ExpandOptions options = {}) {
  std::vector<std::vector<std::string>> jobs;
  for (const Job& job : ExpandJobs(BuildAxes(config::ParseOverrides(texts), options))) {
    jobs.push_back(job.OverrideTexts());
  }
  return jobs;
}

using Jobs = std::vector<std::vector<std::string>>;

TEST(ExpandTest, CartesianProductWithTheLastAxisFastest) {
  EXPECT_EQ(Expand({"a=1,2", "b=x,y"}),
            (Jobs{{"a=1", "b=x"}, {"a=1", "b=y"}, {"a=2", "b=x"}, {"a=2", "b=y"}}));
}

TEST(ExpandTest, PlainOverridesAreOneValueAxes) {
  EXPECT_EQ(Expand({"c=3", "a=1,2"}), (Jobs{{"c=3", "a=1"}, {"c=3", "a=2"}}));
  EXPECT_EQ(Expand({"c=3"}), (Jobs{{"c=3"}}));
  EXPECT_EQ(Expand({}), (Jobs{{}}));
}

TEST(ExpandTest, LaterOverrideOfTheSameKeyReplacesValuesKeepsPosition) {
  EXPECT_EQ(Expand({"a=1,2", "b=3", "a=5,6"}), (Jobs{{"a=5", "b=3"}, {"a=6", "b=3"}}));
}

TEST(ExpandTest, KeyElementsWithDifferentPrefixesAreDifferentAxes) {
  EXPECT_EQ(Expand({"+a=1", "a=2,3"}), (Jobs{{"+a=1", "a=2"}, {"+a=1", "a=3"}}));
}

TEST(ExpandTest, JobsAreNumberedFromZero) {
  auto jobs = ExpandJobs(BuildAxes(config::ParseOverrides({"a=range(3)", "b=x,y"}), {}));
  ASSERT_EQ(jobs.size(), 6u);
  for (size_t i = 0; i < jobs.size(); ++i) EXPECT_EQ(jobs[i].index, i);
  EXPECT_EQ(CountJobs(BuildAxes(config::ParseOverrides({"a=range(10)", "b=range(100)"}), {})),
            1000u);
}

TEST(ExpandTest, RangesIntAndDecimalFloat) {
  EXPECT_EQ(Expand({"seed=range(3)"}), (Jobs{{"seed=0"}, {"seed=1"}, {"seed=2"}}));
  EXPECT_EQ(Expand({"lr=range(0,1,0.25)"}),
            (Jobs{{"lr=0.0"}, {"lr=0.25"}, {"lr=0.5"}, {"lr=0.75"}}));
  EXPECT_EQ(Expand({"x=range(0.1,0.4,0.1)"}), (Jobs{{"x=0.1"}, {"x=0.2"}, {"x=0.3"}}));
  EXPECT_EQ(Expand({"x=range(3,0,-1)"}), (Jobs{{"x=3"}, {"x=2"}, {"x=1"}}));
}

TEST(ExpandTest, SweepElementsKeepTheirTypes) {
  auto axes = BuildAxes(config::ParseOverrides({"k=choice('1','2')", "n=1,2"}), {});
  ASSERT_EQ(axes.size(), 2u);
  EXPECT_TRUE(axes[0].values[0].value->IsString());
  EXPECT_EQ(axes[0].values[0].text, "k='1'");
  EXPECT_TRUE(axes[1].values[0].value->IsInt());
}

TEST(ExpandTest, ListValuedSweep) {
  EXPECT_EQ(Expand({"k=[1,2],[3,4]"}), (Jobs{{"k=[1, 2]"}, {"k=[3, 4]"}}));
}

TEST(ExpandTest, ShuffleIsReproducibleAndSeeded) {
  ExpandOptions seed0;
  ExpandOptions seed1;
  seed1.shuffle_seed = 1;
  Jobs first = Expand({"a=shuffle(range(20))"}, seed0);
  EXPECT_EQ(first, Expand({"a=shuffle(range(20))"}, seed0));
  EXPECT_NE(first, Expand({"a=shuffle(range(20))"}, seed1));
  EXPECT_NE(first, Expand({"a=range(20)"}));
  EXPECT_EQ(first.size(), 20u);
}

TEST(ExpandTest, SortedSweeps) {
  EXPECT_EQ(Expand({"a=sort(3,1,2)"}), (Jobs{{"a=1"}, {"a=2"}, {"a=3"}}));
  EXPECT_EQ(Expand({"a=sort(3,1,2,reverse=true)"}), (Jobs{{"a=3"}, {"a=2"}, {"a=1"}}));
}

TEST(ExpandTest, GlobMatchesGroupOptions) {
  ExpandOptions options;
  options.group_options = [](const std::string& group) {
    EXPECT_EQ(group, "env");
    return std::vector<std::string>{"cartpole", "cheetah-run", "pendulum", "walker-walk"};
  };
  EXPECT_EQ(Expand({"env=glob(*-*)"}, options), (Jobs{{"env=cheetah-run"}, {"env=walker-walk"}}));
  EXPECT_EQ(Expand({"env=glob(*,exclude=[c*])"}, options),
            (Jobs{{"env=pendulum"}, {"env=walker-walk"}}));
}

TEST(ExpandTest, IntervalCannotBeAGrid) {
  try {
    Expand({"lr=interval(0,1)"});
    FAIL() << "expected an error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.diagnostics().Format(),
              "override #1 'lr=interval(0,1)': lr: interval() is a continuous range; a grid "
              "sweep cannot list its values. Use range(start, stop, step) or choice(...) for a "
              "grid");
  }
}

TEST(ExpandTest, JobOverridesAreNotSweepsAndKeepTheirIndex) {
  auto jobs = ExpandJobs(BuildAxes(config::ParseOverrides({"x=1", "seed=0,1"}), {}));
  for (const Job& job : jobs) {
    for (const auto& ov : job.overrides) EXPECT_FALSE(ov.IsSweep());
    EXPECT_EQ(job.overrides[1].index, 2);
    EXPECT_EQ(job.overrides[1].value->origin().ToString(),
              "override #2 '" + job.overrides[1].text + "'");
  }
}

}  // namespace
}  // namespace orch::sweep

namespace orch::sweep {
namespace {

std::vector<std::string> VariantsOf(const SweepSpec& spec) {
  std::vector<std::string> variants;
  for (const auto& job : ExpandSweepJobs(spec, ExpandOptions{})) variants.push_back(job.variant);
  return variants;
}

TEST(SweepVariantsTest, ACommandLineSweepsOtherAxesNameItsVariants) {
  // the seed replicates and the task is grouped apart: neither names a variant
  SweepSpec spec =
      SweepFromCommandLine("configs/tam/pendulum.yaml",
                           {"seed=0,1", "tam.memory.w_mem=0,0.02", "tam.episodes=50"}, "wmem");
  EXPECT_EQ(VariantsOf(spec),
            (std::vector<std::string>{"tam.memory.w_mem=0", "tam.memory.w_mem=0.02",
                                      "tam.memory.w_mem=0", "tam.memory.w_mem=0.02"}));
  spec = SweepFromCommandLine("configs/tdmpc2/cheetah.yaml", {"env=a,b", "seed=0,1"}, "tasks");
  EXPECT_EQ(VariantsOf(spec), (std::vector<std::string>(4, "")));
}

TEST(SweepVariantsTest, ANamedVariantWithAnotherAxisKeepsBoth) {
  SweepSpec spec = SweepFromCommandLine("configs/tam/pendulum.yaml", {"tam.lr=0.1,0.2"}, "grid");
  spec.variants = {{"off", {}}, {"on", {}}};
  std::vector<SweepJob> jobs = ExpandSweepJobs(spec, ExpandOptions{});
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[0].variant, "off,tam.lr=0.1");
  EXPECT_EQ(jobs[3].variant, "on,tam.lr=0.2");
  EXPECT_EQ(jobs[3].variant_name, "on");
  EXPECT_EQ(jobs[3].Label(), "#3 on tam.lr=0.2");
}

}  // namespace
}  // namespace orch::sweep
