// Tests src/config/validate.cpp and the schemas of every namespace (src/algos/*/..._options.cpp,
// src/envs/env_options.cpp, src/app/config_schema.cpp) on the real config tree in configs/.
#include "config/validate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>

#include "algos/ppo/ppo_options.h"
#include "algos/tam/tam_options.h"
#include "algos/tdmpc2/multi_gamma_options.h"
#include "algos/tdmpc2/tdmpc2_options.h"
#include "app/config_pipeline.h"
#include "app/config_schema.h"
#include "common/error.h"
#include "config/key_path.h"
#include "envs/env_options.h"

namespace orch::config {
namespace {

/// Composes a config of the repository (paths relative to the source root, like a user at the
/// repository root would type them) with overrides, through the full schema pipeline.
class ValidateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char buffer[4096];
    ASSERT_NE(getcwd(buffer, sizeof(buffer)), nullptr);
    saved_cwd_ = buffer;
    ASSERT_EQ(chdir(ORCH_SOURCE_DIR), 0);
  }
  void TearDown() override { ASSERT_EQ(chdir(saved_cwd_.c_str()), 0); }

  ComposedConfig Run(const std::string& primary, const std::vector<std::string>& overrides) {
    app::ConfigPipeline pipeline(app::ConfigSource{primary, std::nullopt, true});
    return pipeline.Compose(ParseOverrides(overrides));
  }

  /// Every diagnostic, formatted, sorted by origin.
  std::string Messages(const std::string& primary, const std::vector<std::string>& overrides) {
    Diagnostics diagnostics = Run(primary, overrides).diagnostics;
    diagnostics.SortByOrigin();
    return diagnostics.Format();
  }

  std::string Cheetah(const std::vector<std::string>& overrides) {
    return Messages("configs/tdmpc2/cheetah.yaml", overrides);
  }

 private:
  std::string saved_cwd_;
};

TEST_F(ValidateTest, ShippedConfigsComposeWithoutAnyDiagnostic) {
  for (const char* primary :
       {"configs/tdmpc2/cheetah.yaml", "configs/tam/pendulum.yaml", "configs/ppo/cartpole.yaml",
        "configs/ppo/pendulum.yaml", "configs/ppo/seed_garden.yaml"}) {
    EXPECT_EQ(Messages(primary, {}), "") << primary;
  }
}

TEST_F(ValidateTest, EveryEnvOptionComposesWithItsAlgorithm) {
  for (const char* env : {"cheetah-run", "walker-walk", "pendulum-swingup"}) {
    EXPECT_EQ(Cheetah({std::string("env=") + env}), "") << env;
  }
  for (const char* env : {"cartpole", "cartpole-novel", "pendulum", "invalid-action"}) {
    EXPECT_EQ(Messages("configs/ppo/cartpole.yaml", {std::string("env=") + env}), "") << env;
  }
}

// --- multi_gamma rules (tdmpc2.md §17.2), word for word

TEST_F(ValidateTest, EnablingMultiGammaAloneGivesTheDefaultStudy) {
  ComposedConfig composed = Run("configs/tdmpc2/cheetah.yaml", {"multi_gamma.enabled=true"});
  EXPECT_FALSE(composed.diagnostics.HasErrors());
  EXPECT_EQ(composed.diagnostics.WarningCount(), 0u);
  const Node* gammas = FindPath(composed.tree, "multi_gamma.gammas");
  ASSERT_NE(gammas, nullptr);
  ASSERT_EQ(gammas->Size(), 3u);
  EXPECT_TRUE(gammas->AsList()[0].IsFloat());
  EXPECT_DOUBLE_EQ(gammas->AsList()[0].AsDouble(), 0.99);
  EXPECT_DOUBLE_EQ(gammas->AsList()[1].AsDouble(), 0.97);
  EXPECT_DOUBLE_EQ(gammas->AsList()[2].AsDouble(), 0.995);
  EXPECT_EQ(gammas->AsList()[0].origin().kind, Origin::Kind::kDerived);
}

TEST_F(ValidateTest, FirstGammaMustBeThePrimaryDiscount) {
  EXPECT_EQ(Cheetah({"multi_gamma.enabled=true", "multi_gamma.gammas=[0.9,0.97]"}),
            "override #2 'multi_gamma.gammas=[0.9,0.97]': multi_gamma.gammas[0]: expected the "
            "primary discount 0.99, got 0.9 (rule: gammas[0] must equal the primary discount "
            "within 1e-6). Write 'primary' as gammas[0] to follow the task\n"
            "    primary discount (TD-MPC2 heuristic): env.episode_length 1000 / "
            "env.action_repeat 2 = 500 agent steps; frac = 500 / discount_denom 5 = 100; "
            "clip((frac - 1) / frac, 0.95, 0.995) = 0.99");
}

TEST_F(ValidateTest, FirstGammaWithinToleranceIsAccepted) {
  EXPECT_EQ(Cheetah({"multi_gamma.enabled=true", "multi_gamma.gammas=[0.9900005,0.97]"}), "");
  EXPECT_NE(Cheetah({"multi_gamma.enabled=true", "multi_gamma.gammas=[0.990002,0.97]"}), "");
}

TEST_F(ValidateTest, EnabledWithNoGammasIsAnError) {
  EXPECT_EQ(Cheetah({"multi_gamma.enabled=true", "multi_gamma.gammas=[]"}),
            "override #2 'multi_gamma.gammas=[]': multi_gamma.gammas: multi_gamma is enabled but "
            "gammas is empty. Give the discounts, e.g. multi_gamma.gammas=[primary,0.97,0.995], "
            "or set multi_gamma.enabled=false");
}

TEST_F(ValidateTest, SingleGammaWarnsAndIsTheBaseline) {
  ComposedConfig composed = Run("configs/tdmpc2/cheetah.yaml",
                                {"multi_gamma.enabled=true", "multi_gamma.gammas=[primary]"});
  EXPECT_FALSE(composed.diagnostics.HasErrors());
  ASSERT_EQ(composed.diagnostics.WarningCount(), 1u);
  EXPECT_EQ(composed.diagnostics.Format(),
            "override #2 'multi_gamma.gammas=[primary]': warning: multi_gamma.gammas: a single "
            "gamma adds no auxiliary head: the run is the baseline. Add auxiliary discounts after "
            "the primary one, e.g. [primary,0.97,0.995]");
  tdmpc2::MultiGammaOptions options = Bind<tdmpc2::MultiGammaOptions>(
      tdmpc2::MultiGammaSchema(), *composed.tree.Find("multi_gamma"));
  EXPECT_FALSE(tdmpc2::AuxiliaryHeadsActive(options));
}

TEST_F(ValidateTest, AnEntropyDecayWithoutAFloorWarnsThatItDoesNothing) {
  ComposedConfig composed = Run("configs/ppo/seed_garden.yaml", {"ppo.ent_anneal_fraction=0.5"});
  EXPECT_FALSE(composed.diagnostics.HasErrors());
  EXPECT_EQ(composed.diagnostics.Format(),
            "override #1 'ppo.ent_anneal_fraction=0.5': warning: ppo.ent_anneal_fraction: has no "
            "effect while ent_coef_final is null (the coefficient is constant). Set "
            "ppo.ent_coef_final to the floor to decay to");
  EXPECT_EQ(Messages("configs/ppo/seed_garden.yaml",
                     {"ppo.ent_coef_final=0.01", "ppo.ent_anneal_fraction=0.5"}),
            "");
  EXPECT_EQ(Messages("configs/ppo/seed_garden.yaml", {"ppo.ent_anneal_fraction=0"}),
            "override #1 'ppo.ent_anneal_fraction=0': ppo.ent_anneal_fraction: expected float in "
            "(0, 1], got 0.0");
}

TEST_F(ValidateTest, AtMostSixGammas) {
  EXPECT_EQ(Cheetah({"multi_gamma.enabled=true",
                     "multi_gamma.gammas=[primary,0.9,0.95,0.97,0.995,0.999,0.9999]"}),
            "override #2 'multi_gamma.gammas=[primary,0.9,0.95,0.97,0.995,0.999,0.9999]': "
            "multi_gamma.gammas: expected at most 6 items, got 7");
  EXPECT_EQ(Cheetah({"multi_gamma.enabled=true",
                     "multi_gamma.gammas=[primary,0.9,0.95,0.97,0.995,0.999]"}),
            "");
}

TEST_F(ValidateTest, EveryGammaInTheOpenUnitInterval) {
  EXPECT_EQ(Cheetah({"multi_gamma.enabled=true", "multi_gamma.gammas=[primary,1.0,0]"}),
            "override #2 'multi_gamma.gammas=[primary,1.0,0]': multi_gamma.gammas[1]: expected "
            "float in (0, 1), got 1.0\n"
            "override #2 'multi_gamma.gammas=[primary,1.0,0]': multi_gamma.gammas[2]: expected "
            "float in (0, 1), got 0.0");
}

TEST_F(ValidateTest, HeadIsJointOrSeparate) {
  EXPECT_EQ(Cheetah({"multi_gamma.head=jiont"}),
            "override #1 'multi_gamma.head=jiont': multi_gamma.head: expected one of 'joint', "
            "'separate', got 'jiont'. Did you mean 'joint'?");
}

TEST_F(ValidateTest, LossWeightAndExampleCountBounds) {
  EXPECT_EQ(Cheetah({"multi_gamma.loss_weight=-0.5", "multi_gamma.log_num_examples=0"}),
            "override #1 'multi_gamma.loss_weight=-0.5': multi_gamma.loss_weight: expected float "
            ">= 0, got -0.5\n"
            "override #2 'multi_gamma.log_num_examples=0': multi_gamma.log_num_examples: expected "
            "int in [1, 100000], got 0");
}

TEST_F(ValidateTest, DuplicateGammaWarns) {
  ComposedConfig composed =
      Run("configs/tdmpc2/cheetah.yaml",
          {"multi_gamma.enabled=true", "multi_gamma.gammas=[primary,0.97,0.97]"});
  EXPECT_FALSE(composed.diagnostics.HasErrors());
  EXPECT_EQ(composed.diagnostics.Format(),
            "override #2 'multi_gamma.gammas=[primary,0.97,0.97]': warning: "
            "multi_gamma.gammas[2]: duplicate gamma 0.97. Each auxiliary discount should appear "
            "once");
}

TEST_F(ValidateTest, DisabledMultiGammaIgnoresGammas) {
  EXPECT_EQ(Cheetah({"multi_gamma.gammas=[0.5,0.97]"}), "");
  EXPECT_EQ(Cheetah({"multi_gamma.gammas=[]"}), "");
}

TEST_F(ValidateTest, PrimaryKeywordFollowsTheEpisodeLength) {
  // 1000 control steps at repeat 4 = 250 decisions: frac 50 → 0.98
  ComposedConfig composed =
      Run("configs/tdmpc2/cheetah.yaml", {"multi_gamma.enabled=true", "env.action_repeat=4"});
  EXPECT_EQ(composed.diagnostics.Format(), "");
  EXPECT_DOUBLE_EQ(FindPath(composed.tree, "multi_gamma.gammas.0")->AsDouble(), 0.98);
  // 4000 control steps at repeat 2 = 2000 decisions: frac 400 → 0.9975, clipped to 0.995
  composed =
      Run("configs/tdmpc2/cheetah.yaml", {"multi_gamma.enabled=true", "env.episode_length=4000"});
  EXPECT_DOUBLE_EQ(FindPath(composed.tree, "multi_gamma.gammas.0")->AsDouble(), 0.995);
  // a literal that matched cheetah's 0.99 no longer matches at repeat 4
  EXPECT_NE(
      Cheetah({"multi_gamma.enabled=true", "env.action_repeat=4", "multi_gamma.gammas=[0.99,0.97]"})
          .find("expected the primary discount 0.98, got 0.99"),
      std::string::npos);
}

TEST(PrimaryDiscountTest, HeuristicMatchesTdMpc2) {
  EXPECT_DOUBLE_EQ(tdmpc2::PrimaryDiscount(500, 5, 0.95, 0.995), 0.99);
  EXPECT_DOUBLE_EQ(tdmpc2::PrimaryDiscount(1000, 5, 0.95, 0.995), 0.995);
  EXPECT_DOUBLE_EQ(tdmpc2::PrimaryDiscount(50, 5, 0.95, 0.995), 0.95);  // 0.9 clipped up
  EXPECT_DOUBLE_EQ(tdmpc2::PrimaryDiscount(250, 5, 0.95, 0.995), 0.98);
}

// --- types, ranges, choices, keys

TEST_F(ValidateTest, TypeErrorsNameExpectedAndFound) {
  EXPECT_EQ(Cheetah({"tdmpc2.lr=fast", "tdmpc2.steps=1.5", "tdmpc2.mpc=yes", "tdmpc2.horizon=null",
                     "tdmpc2.obs=[state]"}),
            "override #1 'tdmpc2.lr=fast': tdmpc2.lr: expected float, got string 'fast'\n"
            "override #2 'tdmpc2.steps=1.5': tdmpc2.steps: expected int, got float 1.5\n"
            "override #3 'tdmpc2.mpc=yes': tdmpc2.mpc: expected bool, got string 'yes'. Write "
            "true or false\n"
            "override #4 'tdmpc2.horizon=null': tdmpc2.horizon: expected int, got null\n"
            "override #5 'tdmpc2.obs=[state]': tdmpc2.obs: expected string, got list [state]");
}

TEST_F(ValidateTest, NullableFieldsAcceptNull) {
  EXPECT_EQ(Cheetah({"tdmpc2.enc_dim=null", "tdmpc2.seed_steps=null"}), "");
  EXPECT_EQ(Cheetah({"tdmpc2.enc_dim=0"}),
            "override #1 'tdmpc2.enc_dim=0': tdmpc2.enc_dim: expected int in [1, 16384], got 0");
}

TEST_F(ValidateTest, IntChoices) {
  EXPECT_EQ(Cheetah({"tdmpc2.model_size=7"}),
            "override #1 'tdmpc2.model_size=7': tdmpc2.model_size: expected one of 1, 5, 19, 48, "
            "317, got 7");
}

TEST_F(ValidateTest, NonFiniteFloatsAreRejected) {
  EXPECT_EQ(Cheetah({"tdmpc2.lr=nan", "tdmpc2.tau=-inf"}),
            "override #1 'tdmpc2.lr=nan': tdmpc2.lr: expected a finite float, got .nan. "
            "Non-finite values cannot be hashed or stored stably\n"
            "override #2 'tdmpc2.tau=-inf': tdmpc2.tau: expected a finite float, got -.inf. "
            "Non-finite values cannot be hashed or stored stably");
}

TEST_F(ValidateTest, IntsInFloatFieldsBecomeFloats) {
  ComposedConfig composed = Run("configs/tdmpc2/cheetah.yaml", {"tdmpc2.lr=1"});
  EXPECT_EQ(composed.diagnostics.Format(), "");
  const Node* lr = FindPath(composed.tree, "tdmpc2.lr");
  EXPECT_TRUE(lr->IsFloat());
  EXPECT_EQ(lr->origin().ToString(), "override #1 'tdmpc2.lr=1'");
}

TEST_F(ValidateTest, UnknownKeyFromOverrideWithSuggestion) {
  EXPECT_EQ(Cheetah({"+tdmpc2.horizn=5"}),
            "override #1 '+tdmpc2.horizn=5': tdmpc2.horizn: unknown key. Did you mean 'horizon'?");
  EXPECT_EQ(Cheetah({"+run.zzz=1"}),
            "override #1 '+run.zzz=1': run.zzz: unknown key. Valid keys: name, threads, "
            "keep_checkpoints, device");
}

TEST_F(ValidateTest, UnknownRootKeyAndNamespaceOfAnotherAlgorithm) {
  EXPECT_EQ(Cheetah({"+multigamma.enabled=true", "+tam.lr=0.1"}),
            "override #1 '+multigamma.enabled=true': multigamma: unknown key. Did you mean "
            "'multi_gamma'?\n"
            "override #2 '+tam.lr=0.1': tam: 'tam' applies only when algo is 'tam'. Remove it, or "
            "change what it depends on");
}

TEST_F(ValidateTest, EnvMustFitTheAlgorithm) {
  std::string messages = Cheetah({"env=cartpole"});
  EXPECT_NE(
      messages.find("configs/env/cartpole.yaml:2:7: env.name: algo 'tdmpc2' runs on "
                    "cheetah-run, walker-walk, pendulum-swingup, not on 'cartpole'. Choose an "
                    "env with env=<name>, or see configs/tdmpc2/cheetah.yaml"),
      std::string::npos)
      << messages;
}

TEST_F(ValidateTest, UnknownEnvName) {
  EXPECT_EQ(Cheetah({"env.name=cheetah-runn"}),
            "override #1 'env.name=cheetah-runn': env.name: unknown env 'cheetah-runn'. Did you "
            "mean 'cheetah-run'? Known: cheetah-run, walker-walk, pendulum-swingup, "
            "controlled-pendulum, cartpole, pendulum, invalid-action, seed-garden");
}

TEST_F(ValidateTest, MissingMandatoryValue) {
  EXPECT_EQ(
      Cheetah({"algo=???"}),
      "override #1 'algo=?\?\?': algo: missing mandatory value (?\?\?). Set it in a config file "
      "or on the command line: algo=<value>");
}

TEST_F(ValidateTest, CrossFieldRulesBlameTheKeyTheUserSet) {
  EXPECT_EQ(Cheetah({"tdmpc2.num_elites=1000"}),
            "override #1 'tdmpc2.num_elites=1000': tdmpc2.num_elites: must be at most num_samples "
            "(512), got 1000");
  EXPECT_EQ(Cheetah({"tdmpc2.vmax=-20"}),
            "override #1 'tdmpc2.vmax=-20': tdmpc2.vmax: must be above vmin (-10), got -20");
  EXPECT_EQ(Cheetah({"tdmpc2.compile=true"}),
            "override #1 'tdmpc2.compile=true': tdmpc2.compile: torch.compile has no LibTorch "
            "equivalent. Set it to false");
  EXPECT_EQ(Cheetah({"tdmpc2.latent_dim=100"}),
            "override #1 'tdmpc2.latent_dim=100': tdmpc2.latent_dim: must be a multiple of "
            "simnorm_dim (8), got 100");
}

TEST_F(ValidateTest, TamAndPpoRules) {
  EXPECT_EQ(Messages("configs/tam/pendulum.yaml", {"tam.min_horizon=100"}),
            "override #1 'tam.min_horizon=100': tam.min_horizon: must be at most max_horizon "
            "(64), got 100");
  EXPECT_EQ(Messages("configs/tam/pendulum.yaml", {"tam.memory.k=0"}),
            "override #1 'tam.memory.k=0': tam.memory.k: expected int in [1, 10000], got 0");
  EXPECT_EQ(Messages("configs/ppo/cartpole.yaml", {"ppo.num_minibatches=3"}),
            "override #1 'ppo.num_minibatches=3': ppo.num_minibatches: must divide the batch "
            "num_envs * num_steps = 512, got 3");
  EXPECT_EQ(Messages("configs/ppo/cartpole.yaml", {"ppo.policy.compile_mode=max-autotune"}),
            "override #1 'ppo.policy.compile_mode=max-autotune': ppo.policy.compile_mode: "
            "expected one of 'off', got 'max-autotune'");
}

TEST_F(ValidateTest, SchemaKeysCanBeSetWithoutAnyFileNamingThem) {
  ComposedConfig composed = Run("configs/tam/pendulum.yaml", {"tam.memory.k=32", "tam.knots=8"});
  EXPECT_EQ(composed.diagnostics.Format(), "");
  EXPECT_EQ(FindPath(composed.tree, "tam.memory.k")->AsInt(), 32);
  EXPECT_EQ(FindPath(composed.tree, "tam.memory.sigma")->origin().kind,
            Origin::Kind::kSchemaDefault);
}

TEST_F(ValidateTest, DeletedKeyFallsBackToItsDefault) {
  ComposedConfig composed = Run("configs/tdmpc2/cheetah.yaml", {"~tdmpc2.eval_freq"});
  EXPECT_EQ(composed.diagnostics.Format(), "");
  EXPECT_EQ(FindPath(composed.tree, "tdmpc2.eval_freq")->AsInt(), 50'000);
}

TEST_F(ValidateTest, AllErrorsReportedAtOnceSortedByOrigin) {
  ComposedConfig composed = Run(
      "configs/tdmpc2/cheetah.yaml",
      {"tdmpc2.lr=x", "+tdmpc2.horizn=5", "multi_gamma.head=both", "seed=-1", "run.threads=-2"});
  EXPECT_EQ(composed.diagnostics.ErrorCount(), 5u);
}

TEST_F(ValidateTest, KeysFollowSchemaOrder) {
  ComposedConfig composed = Run("configs/tdmpc2/cheetah.yaml", {});
  EXPECT_EQ(composed.tree.Keys(),
            (std::vector<std::string>{"algo", "seed", "run", "env", "tdmpc2", "multi_gamma"}));
  EXPECT_EQ(composed.tree.Find("tdmpc2")->Keys().front(), "model_size");
}

// --- schema coverage: every key the reference docs name has a schema entry

void ExpectKeys(const Schema& schema, const std::vector<std::string>& keys) {
  for (const auto& key : keys) EXPECT_NE(schema.Find(key), nullptr) << schema.name() << "." << key;
}

TEST(SchemaCoverageTest, TdMpc2KeysOfTheReference) {
  // tdmpc2.md §1 (TD-MPC2's config.yaml) and §16 D1
  ExpectKeys(tdmpc2::TdMpc2Schema(), {"obs",
                                      "episodic",
                                      "eval_episodes",
                                      "eval_freq",
                                      "steps",
                                      "batch_size",
                                      "buffer_size",
                                      "consistency_coef",
                                      "reward_coef",
                                      "value_coef",
                                      "termination_coef",
                                      "rho",
                                      "lr",
                                      "enc_lr_scale",
                                      "grad_clip_norm",
                                      "tau",
                                      "discount_denom",
                                      "discount_min",
                                      "discount_max",
                                      "mpc",
                                      "iterations",
                                      "num_samples",
                                      "num_elites",
                                      "num_pi_trajs",
                                      "horizon",
                                      "min_std",
                                      "max_std",
                                      "temperature",
                                      "log_std_min",
                                      "log_std_max",
                                      "entropy_coef",
                                      "num_bins",
                                      "vmin",
                                      "vmax",
                                      "num_enc_layers",
                                      "enc_dim",
                                      "mlp_dim",
                                      "latent_dim",
                                      "task_dim",
                                      "num_q",
                                      "dropout",
                                      "simnorm_dim",
                                      "num_channels",
                                      "compile",
                                      "model_size",
                                      "seed_steps",
                                      "entropy_variant"});
  // §17.2
  ExpectKeys(tdmpc2::MultiGammaSchema(),
             {"enabled", "gammas", "head", "loss_weight", "debug_logging", "log_num_examples"});
}

TEST(SchemaCoverageTest, TamKeysOfTheReference) {
  // tam.md §2 (maxH → max_horizon, minT → min_horizon, M → knots, target_ET → target_et,
  // lambda_T_lr → lambda_t_lr, exploration noise → explore_std, logstd clips) and §11
  ExpectKeys(tam::TamSchema(), {"z_dim",
                                "hidden_dim",
                                "knots",
                                "lr",
                                "grad_clip",
                                "max_horizon",
                                "min_horizon",
                                "k_sigma",
                                "margin_temp",
                                "tube_logstd_min",
                                "tube_logstd_max",
                                "z_logstd_min",
                                "z_logstd_max",
                                "halt_bias",
                                "cone_reg",
                                "goal_weight",
                                "action_l2",
                                "lambda_h",
                                "beta_kl",
                                "target_bind",
                                "lambda_lr",
                                "target_et",
                                "lambda_t_lr",
                                "w_cone",
                                "bind_success_frac",
                                "amax",
                                "explore_std",
                                "episodes",
                                "policy_objective"});
  // §12.1 (mem_size → size, mem_min → min_records, mem_k → k, mem_sigma → sigma, w_mem as is,
  // mem_detach_targets → detach_targets), §12.3 (a, b, c)
  ExpectKeys(tam::TamMemorySchema(), {"size", "min_records", "k", "sigma", "w_mem",
                                      "detach_targets", "risk_bind", "risk_cone", "risk_lambda"});
  // §9: the controlled pendulum
  ExpectKeys(envs::ControlledPendulumSchema(),
             {"dt", "gravity", "friction", "gravity_regime1", "friction_regime1", "gain_regime1",
              "dead_zone_regime1", "invert_regime1", "noise_std", "reset_theta", "max_action",
              "switch_mid_episode", "switch_prob", "regime_block"});
}

TEST(SchemaCoverageTest, PpoKeysOfTheReference) {
  // ppo-policy.md §5 (Esper) and §6 (CleanRL, SB3), §9 decisions
  ExpectKeys(ppo::PpoSchema(), {"lr",
                                "adam_eps",
                                "gamma",
                                "gae_lambda",
                                "clip_coef",
                                "vf_coef",
                                "clip_vloss",
                                "value_clip",
                                "max_grad_norm",
                                "ent_coef",
                                "normalize_entropy",
                                "target_kl",
                                "kl_stop_factor",
                                "update_epochs",
                                "recurrent_epochs",
                                "num_envs",
                                "num_steps",
                                "num_minibatches",
                                "anneal_lr",
                                "ent_coef_final",
                                "ent_anneal_fraction",
                                "norm_adv",
                                "adv_norm_scope",
                                "weight_decay",
                                "factored_objective",
                                "bootstrap",
                                "total_steps",
                                "policy"});
  // §2 factory arguments and §3
  ExpectKeys(ppo::PolicySchema(), {"type", "lstm_hidden_dim", "feature_dim", "compile_mode",
                                   "device", "mask_fill", "hidden_sizes", "activation"});
}

TEST(SchemaCoverageTest, EveryFieldHasADocAndItsDefaultIsValid) {
  std::vector<std::pair<std::string, const Schema*>> all = app::Namespaces();
  for (const auto& [name, schema] : envs::EnvSchemas()) all.emplace_back(name, schema);
  for (const auto& [name, schema] : all) {
    for (const FieldSpec& field : schema->fields()) {
      EXPECT_FALSE(field.doc.empty()) << name << "." << field.name;
      if (field.type == FieldType::kSection || field.type == FieldType::kVariant) continue;
      if (field.default_value.IsMissing()) continue;
      Node value = field.default_value;
      Diagnostics diagnostics;
      if (!field.keywords.empty()) continue;  // keywords are resolved by a rule
      CheckField(field, value, name + "." + field.name, diagnostics);
      EXPECT_FALSE(diagnostics.HasErrors()) << diagnostics.Format();
    }
  }
}

TEST(SchemaCoverageTest, BindReadsEveryFieldIntoTheOptionsStruct) {
  Node section = tam::TamSchema().Defaults();
  section.Set("episodes", Node::Int(12));
  section.FindMutable("memory")->Set("k", Node::Int(7));
  tam::TamOptions options = Bind<tam::TamOptions>(tam::TamSchema(), section);
  EXPECT_EQ(options.episodes, 12);
  EXPECT_EQ(options.memory.k, 7);
  EXPECT_DOUBLE_EQ(options.memory.sigma, 1.0);
  EXPECT_EQ(options.policy_objective, "frozen");
}

TEST(SchemaCoverageTest, ModelSizePresets) {
  tdmpc2::TdMpc2Options options;
  options.model_size = 1;
  auto sizes = tdmpc2::ResolveModelSizes(options);
  ASSERT_TRUE(sizes.has_value());
  EXPECT_EQ(sizes->latent_dim, 128);
  EXPECT_EQ(sizes->num_q, 2);
  options.model_size = 317;
  options.mlp_dim = 100;
  sizes = tdmpc2::ResolveModelSizes(options);
  EXPECT_EQ(sizes->enc_dim, 4096);
  EXPECT_EQ(sizes->mlp_dim, 100);
  EXPECT_EQ(sizes->num_q, 8);
  options.model_size = 2;
  EXPECT_FALSE(tdmpc2::ResolveModelSizes(options).has_value());
}

TEST(SchemaCoverageTest, FormatSchemaListsEveryKey) {
  std::string text = FormatSchema(tdmpc2::MultiGammaSchema(), "multi_gamma");
  for (const char* key :
       {"multi_gamma.enabled", "multi_gamma.gammas", "[primary, 0.97, 0.995]",
        "list[float | primary]", "in (0, 1); at most 6 items", "one of: joint, separate"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
  }
}

}  // namespace
}  // namespace orch::config
