// src/app/config_schema.cpp
#include "app/config_schema.h"

#include <fmt/format.h>

#include <algorithm>

#include "algos/ppo/ppo_options.h"
#include "algos/tam/tam_options.h"
#include "algos/tdmpc2/multi_gamma_options.h"
#include "algos/tdmpc2/tdmpc2_options.h"
#include "app/run_options.h"
#include "common/string_util.h"
#include "envs/env_options.h"

namespace orch::app {
namespace {

using config::FieldSpec;
using config::FieldType;
using config::Node;

/// The root-level settings every config has.
struct RootOptions {
  std::string algo;
  int64_t seed = 1;
};

const AlgorithmInfo* FindAlgorithm(const std::string& name) {
  for (const auto& algorithm : Algorithms()) {
    if (algorithm.name == name) return &algorithm;
  }
  return nullptr;
}

/// Whether the config's `algo` is `name`; nullopt when `algo` is not a known algorithm.
std::function<std::optional<bool>(const Node&)> AlgoIs(std::string name) {
  return [name](const Node& root) -> std::optional<bool> {
    const Node* algo = root.Find("algo");
    if (algo == nullptr || !algo->IsString() || FindAlgorithm(algo->AsString()) == nullptr) {
      return std::nullopt;
    }
    return algo->AsString() == name;
  };
}

FieldSpec Namespace(const std::string& name, const config::Schema& schema,
                    const std::string& algo) {
  FieldSpec field;
  field.name = name;
  field.type = FieldType::kSection;
  field.doc = schema.doc();
  field.section = &schema;
  field.default_value = schema.Defaults();
  field.applies_when = AlgoIs(algo);
  field.applies_doc = fmt::format("when algo is '{}'", algo);
  return field;
}

/// The env must be one the algorithm runs on.
void CheckEnvFitsAlgo(Node& root, const std::string&, Diagnostics& diagnostics) {
  const Node* algo = root.Find("algo");
  const Node* env = root.Find("env");
  if (algo == nullptr || !algo->IsString() || env == nullptr || !env->IsMap()) return;
  const AlgorithmInfo* info = FindAlgorithm(algo->AsString());
  const Node* name = env->Find("name");
  if (info == nullptr || name == nullptr || !name->IsString()) return;
  // an env nobody knows is reported by the env schema already
  if (RootSchema().Find("env")->Variant(name->AsString()) == nullptr) return;
  if (std::find(info->envs.begin(), info->envs.end(), name->AsString()) != info->envs.end()) {
    return;
  }
  diagnostics.Error(name->origin(), "env.name",
                    fmt::format("algo '{}' runs on {}, not on '{}'", info->name,
                                Join(info->envs, ", "), name->AsString()),
                    fmt::format("Choose an env with env=<name>, or see {}", info->example_config),
                    "rule");
}

std::unique_ptr<config::Schema> BuildRootSchema() {
  config::SchemaBuilder<RootOptions> b("orch", "an orch run config");
  std::vector<std::string> algo_names;
  for (const auto& algorithm : Algorithms()) algo_names.push_back(algorithm.name);
  b.Field("algo", &RootOptions::algo, "the algorithm to run").Choices(algo_names).Mandatory();
  b.Field("seed", &RootOptions::seed, "seed of every random stream of the run")
      .Range(0, 4294967295.0);
  std::unique_ptr<config::Schema> schema = b.Build();

  FieldSpec run;
  run.name = "run";
  run.type = FieldType::kSection;
  run.doc = RunSchema().doc();
  run.section = &RunSchema();
  run.default_value = RunSchema().Defaults();
  schema->AddField(run);

  FieldSpec env;
  env.name = "env";
  env.type = FieldType::kVariant;
  env.doc = "the environment; `env.name` chooses its schema";
  env.discriminator = "name";
  env.variants = envs::EnvSchemas();
  schema->AddField(env);

  schema->AddField(Namespace("tdmpc2", tdmpc2::TdMpc2Schema(), "tdmpc2"));
  schema->AddField(Namespace("multi_gamma", tdmpc2::MultiGammaSchema(), "tdmpc2"));
  schema->AddField(Namespace("tam", tam::TamSchema(), "tam"));
  schema->AddField(Namespace("ppo", ppo::PpoSchema(), "ppo"));

  schema->AddRule(CheckEnvFitsAlgo);
  schema->AddRule([](Node& root, const std::string&, Diagnostics& diagnostics) {
    tdmpc2::CheckMultiGamma(root, diagnostics);
  });
  return schema;
}

}  // namespace

const std::vector<AlgorithmInfo>& Algorithms() {
  static const std::vector<AlgorithmInfo> algorithms = {
      {"tdmpc2",
       "TD-MPC2 with multi-discount auxiliary value heads on DMControl-style MuJoCo tasks",
       "configs/tdmpc2/cheetah.yaml",
       {"tdmpc2", "multi_gamma"},
       envs::DmcTaskNames()},
      {"tam",
       "TAM action-binding agent with z-memory on the controlled pendulum",
       "configs/tam/pendulum.yaml",
       {"tam"},
       {"controlled-pendulum"}},
      {"ppo",
       "PPO with a registry-built PolicyBundle (MLP or factored masked LSTM)",
       "configs/ppo/cartpole.yaml",
       {"ppo"},
       {"cartpole", "pendulum", "invalid-action", "seed-garden"},
       /*trainable=*/false},
  };
  return algorithms;
}

const config::Schema& RootSchema() {
  static const std::unique_ptr<config::Schema> schema = BuildRootSchema();
  return *schema;
}

void CheckTrainable(const Node& root, Diagnostics& diagnostics) {
  const Node* algo = root.Find("algo");
  if (algo == nullptr || !algo->IsString()) return;
  const AlgorithmInfo* info = FindAlgorithm(algo->AsString());
  if (info == nullptr || info->trainable) return;
  std::vector<std::string> trainable;
  std::vector<std::string> examples;
  for (const auto& algorithm : Algorithms()) {
    if (!algorithm.trainable) continue;
    trainable.push_back(algorithm.name);
    examples.push_back(algorithm.example_config);
  }
  diagnostics.Error(algo->origin(), "algo",
                    fmt::format("algo '{}' has a config schema but no training loop in this "
                                "build; trainable: {}",
                                info->name, Join(trainable, ", ")),
                    fmt::format("orch compose checks a {} config; runnable examples: {}",
                                info->name, Join(examples, ", ")),
                    "rule");
}

std::vector<std::string> DerivedValueLines(const Node& root) {
  return tdmpc2::DescribeDerivedValues(root);
}

std::vector<std::pair<std::string, const config::Schema*>> Namespaces() {
  return {
      {"run", &RunSchema()},
      {"tdmpc2", &tdmpc2::TdMpc2Schema()},
      {"multi_gamma", &tdmpc2::MultiGammaSchema()},
      {"tam", &tam::TamSchema()},
      {"tam.memory", &tam::TamMemorySchema()},
      {"ppo", &ppo::PpoSchema()},
      {"ppo.policy", &ppo::PolicySchema()},
  };
}

}  // namespace orch::app
