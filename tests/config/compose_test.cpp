// Tests src/config/compose.cpp: config root discovery, override parsing and the order of the
// composition steps. Composition semantics themselves are the data-driven cases
// (compose_cases_test.cpp).
#include "config/compose.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "config/key_path.h"

namespace orch::config {
namespace {

namespace fs = std::filesystem;

class ComposeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("orch-compose-" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& path, const std::string& content) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path) << content;
  }
  fs::path root_;
};

TEST_F(ComposeTest, RootIsTheNearestAncestorNamedConfigs) {
  Write("project/configs/tdmpc2/sub/run.yaml", "a: 1\n");
  PrimaryConfig primary =
      LocatePrimaryConfig(root_ / "project/configs/tdmpc2/sub/run.yaml", std::nullopt);
  EXPECT_EQ(fs::canonical(primary.root), fs::canonical(root_ / "project/configs"));
  EXPECT_EQ(primary.config_path, "tdmpc2/sub/run");
}

TEST_F(ComposeTest, RootFallsBackToThePrimaryConfigsDirectory) {
  Write("plain/run.yaml", "a: 1\n");
  PrimaryConfig primary = LocatePrimaryConfig(root_ / "plain/run.yaml", std::nullopt);
  EXPECT_EQ(fs::canonical(primary.root), fs::canonical(root_ / "plain"));
  EXPECT_EQ(primary.config_path, "run");
}

TEST_F(ComposeTest, ConfigDirOptionWins) {
  Write("configs/a/b/run.yaml", "a: 1\n");
  PrimaryConfig primary = LocatePrimaryConfig(root_ / "configs/a/b/run.yaml", root_ / "configs/a");
  EXPECT_EQ(primary.config_path, "b/run");
}

TEST_F(ComposeTest, ExtensionMayBeLeftOut) {
  Write("configs/run.yaml", "a: 1\n");
  EXPECT_EQ(LocatePrimaryConfig(root_ / "configs/run", std::nullopt).config_path, "run");
}

TEST_F(ComposeTest, PrimaryOutsideTheConfigDirIsAnError) {
  Write("configs/run.yaml", "a: 1\n");
  Write("other/x.yaml", "a: 1\n");
  EXPECT_THROW(LocatePrimaryConfig(root_ / "configs/run.yaml", root_ / "other"), ConfigError);
  EXPECT_THROW(LocatePrimaryConfig(root_ / "configs/missing.yaml", std::nullopt), ConfigError);
}

TEST(ParseOverridesTest, CollectsEveryParseErrorAndNumbersOverrides) {
  try {
    ParseOverrides({"a=1", "b=[1", "c=2", "=3"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().ErrorCount(), 2u);
    EXPECT_EQ(error.diagnostics().Items()[0].origin.override_index, 2);
    EXPECT_EQ(error.diagnostics().Items()[1].origin.override_index, 4);
  }
  auto overrides = ParseOverrides({"a=1", "b=2"});
  EXPECT_EQ(overrides[1].index, 2);
  EXPECT_EQ(overrides[1].text, "b=2");
}

TEST_F(ComposeTest, StepsRunInOrder) {
  // prepare sees the merged files, before the overrides; interpolation sees the overrides
  Write("configs/config.yaml", "defaults:\n  - db: a\n  - _self_\nx: 1\ny: ${x}\n");
  Write("configs/db/a.yaml", "name: a\n");
  PrimaryConfig primary = LocatePrimaryConfig(root_ / "configs/config.yaml", std::nullopt);
  ConfigRepository repository(primary.root);
  ComposeOptions options;
  bool prepared = false;
  options.prepare = [&](Node& tree) {
    prepared = true;
    EXPECT_EQ(FindPath(tree, "x")->AsInt(), 1);
    EXPECT_EQ(FindPath(tree, "db.name")->AsString(), "a");
    tree.Set("from_prepare", Node::Int(5));
  };
  ComposedConfig composed =
      Compose(repository, primary.config_path, ParseOverrides({"x=2", "from_prepare=6"}), options);
  EXPECT_TRUE(prepared);
  EXPECT_EQ(composed.diagnostics.Format(), "");
  EXPECT_EQ(FindPath(composed.tree, "y")->AsInt(), 2);
  EXPECT_EQ(FindPath(composed.tree, "from_prepare")->AsInt(), 6);
  EXPECT_EQ(composed.choices.at("db"), "a");
  ASSERT_EQ(composed.defaults.size(), 2u);
  EXPECT_EQ(composed.defaults[0].config_path, "db/a");
  EXPECT_EQ(composed.defaults[0].package, "db");
  EXPECT_TRUE(composed.defaults[1].is_self);
  EXPECT_TRUE(composed.defaults[1].primary);
}

TEST_F(ComposeTest, ValueOverridesApplyInCommandLineOrder) {
  Write("configs/config.yaml", "x: 1\n");
  PrimaryConfig primary = LocatePrimaryConfig(root_ / "configs/config.yaml", std::nullopt);
  ConfigRepository repository(primary.root);
  ComposedConfig composed =
      Compose(repository, primary.config_path, ParseOverrides({"x=2", "x=3", "~x", "+x=4"}));
  EXPECT_EQ(composed.diagnostics.Format(), "");
  EXPECT_EQ(composed.tree.Find("x")->AsInt(), 4);
  EXPECT_EQ(composed.tree.Find("x")->origin().override_index, 4);
}

TEST_F(ComposeTest, OverrideAndInterpolationErrorsAreCollectedTogether) {
  Write("configs/config.yaml", "x: 1\ny: ${nope}\n");
  PrimaryConfig primary = LocatePrimaryConfig(root_ / "configs/config.yaml", std::nullopt);
  ConfigRepository repository(primary.root);
  ComposedConfig composed =
      Compose(repository, primary.config_path, ParseOverrides({"z=1", "+x=2"}));
  EXPECT_EQ(composed.diagnostics.ErrorCount(), 3u) << composed.diagnostics.Format();
}

TEST_F(ComposeTest, RepositoryReadsEachFileOnce) {
  Write("configs/config.yaml", "defaults:\n  - db: a\n  - _self_\n");
  Write("configs/db/a.yaml", "name: a\n");
  Write("configs/db/b.yaml", "name: b\n");
  PrimaryConfig primary = LocatePrimaryConfig(root_ / "configs/config.yaml", std::nullopt);
  ConfigRepository repository(primary.root);
  Compose(repository, primary.config_path, {});
  // a file changed after the first load is not read again: one sweep sees one tree
  Write("configs/db/a.yaml", "name: changed\n");
  ComposedConfig again = Compose(repository, primary.config_path, {});
  EXPECT_EQ(FindPath(again.tree, "db.name")->AsString(), "a");
  EXPECT_EQ(repository.GroupOptions("db"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(repository.GroupExists("db"));
  EXPECT_FALSE(repository.GroupExists("nope"));
}

}  // namespace
}  // namespace orch::config
