// Tests src/config/hydra_settings.cpp: Hydra's `hydra` node taken out of a composed tree, its
// sweeper params read as overrides, every other setting answered, and `???` left unset.
#include "config/hydra_settings.h"

#include <gtest/gtest.h>

#include <string>

#include "config/yaml_loader.h"

namespace orch::config {
namespace {

Node Tree(const std::string& yaml) { return ParseYaml(yaml, "configs/x.yaml").content; }

TEST(HydraSettingsTest, SweeperParamsBecomeOverridesWithTheirLine) {
  Node tree = Tree(
      "algo: tam\n"
      "hydra:\n"
      "  sweeper:\n"
      "    params:\n"
      "      seed: range(3)\n"
      "      tam.lr: 0.001,0.003\n"
      "      env: glob(*)\n");
  Diagnostics diagnostics;
  HydraSettings settings = TakeHydraSettings(tree, diagnostics);
  EXPECT_FALSE(diagnostics.HasErrors()) << diagnostics.Format();
  EXPECT_EQ(tree.Find("hydra"), nullptr);  // not part of the job's config
  ASSERT_EQ(settings.sweeper_params.size(), 3u);
  EXPECT_EQ(settings.sweeper_params[0].key, "seed");
  ASSERT_TRUE(settings.sweeper_params[0].IsSweep());
  EXPECT_EQ(settings.sweeper_params[0].sweep->kind, Sweep::Kind::kRange);
  EXPECT_EQ(settings.sweeper_params[1].key, "tam.lr");
  EXPECT_EQ(settings.sweeper_params[1].sweep->items.size(), 2u);
  EXPECT_EQ(settings.sweeper_params[2].sweep->kind, Sweep::Kind::kGlob);
  // a message about a param points at its line in the config
  EXPECT_EQ(settings.sweeper_params[1].MakeOrigin().ToString(), "configs/x.yaml:6:15");
}

TEST(HydraSettingsTest, EveryOtherHydraSettingIsAnErrorThatSaysWhatOrchUses) {
  Node tree = Tree(
      "algo: tam\n"
      "hydra:\n"
      "  job:\n"
      "    chdir: true\n"
      "  run:\n"
      "    dir: outputs/${now:%Y-%m-%d}\n"
      "  launcher:\n"
      "    n_jobs: 4\n"
      "  sweeper:\n"
      "    max_batch_size: 10\n");
  Diagnostics diagnostics;
  HydraSettings settings = TakeHydraSettings(tree, diagnostics);
  EXPECT_TRUE(settings.sweeper_params.empty());
  EXPECT_EQ(tree.Find("hydra"), nullptr);
  ASSERT_EQ(diagnostics.ErrorCount(), 4u) << diagnostics.Format();
  const std::string text = diagnostics.Format();
  EXPECT_NE(text.find("configs/x.yaml:4:12: hydra.job.chdir: orch does not read Hydra's runtime "
                      "settings. Instead: orch never changes the working directory"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("hydra.run.dir"), std::string::npos) << text;
  EXPECT_NE(text.find("--store"), std::string::npos) << text;
  EXPECT_NE(text.find("hydra.launcher.n_jobs"), std::string::npos) << text;
  EXPECT_NE(text.find("--jobs N"), std::string::npos) << text;
  EXPECT_NE(text.find("hydra.sweeper.max_batch_size"), std::string::npos) << text;
}

TEST(HydraSettingsTest, ASweeperParamThatDoesNotParseIsAnErrorAtItsLine) {
  Node tree = Tree("hydra:\n  sweeper:\n    params:\n      seed: range(3\n      lr: [1, 2]\n");
  Diagnostics diagnostics;
  HydraSettings settings = TakeHydraSettings(tree, diagnostics);
  EXPECT_TRUE(settings.sweeper_params.empty());
  ASSERT_EQ(diagnostics.ErrorCount(), 2u) << diagnostics.Format();
  EXPECT_NE(diagnostics.Format().find("configs/x.yaml:4:13: hydra.sweeper.params.seed: 'seed="
                                      "range(3' does not parse as an override"),
            std::string::npos)
      << diagnostics.Format();
  EXPECT_NE(diagnostics.Format().find("hydra.sweeper.params.lr: expected a sweep"),
            std::string::npos)
      << diagnostics.Format();
}

TEST(MissingValuesTest, EveryUnsetMandatoryValueIsReportedWithItsFile) {
  Node tree = Tree("model:\n  width: ???\n  layers:\n    - 1\n    - ???\nname: ok\n");
  Diagnostics diagnostics;
  ReportMissingValues(tree, diagnostics);
  ASSERT_EQ(diagnostics.ErrorCount(), 2u) << diagnostics.Format();
  EXPECT_EQ(diagnostics.Items()[0].Format(),
            "configs/x.yaml:2:10: model.width: missing mandatory value (?\?\?). Set it in a config "
            "file or on the command line: model.width=<value>");
  EXPECT_EQ(diagnostics.Items()[1].key, "model.layers[1]");
}

TEST(MissingValuesTest, AKeyAlreadyReportedIsNotReportedTwice) {
  Node tree = Tree("width: ???\n");
  Diagnostics diagnostics;
  diagnostics.Error(Origin::File("configs/x.yaml", 1, 1), "width", "unknown key");
  ReportMissingValues(tree, diagnostics);
  EXPECT_EQ(diagnostics.ErrorCount(), 1u) << diagnostics.Format();
}

}  // namespace
}  // namespace orch::config
