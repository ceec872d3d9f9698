// src/app/config_schema.cpp
#include "app/config_schema.h"

#include <fmt/format.h>

#include <algorithm>

#include "algos/algorithm.h"
#include "app/run_options.h"
#include "common/string_util.h"
#include "config/key_path.h"
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

/// Whether the config's `algo` is `name`; nullopt when `algo` is not a known algorithm.
std::function<std::optional<bool>(const Node&)> AlgoIs(std::string name) {
  return [name](const Node& root) -> std::optional<bool> {
    const Node* algo = root.Find("algo");
    if (algo == nullptr || !algo->IsString() || algos::FindAlgorithm(algo->AsString()) == nullptr) {
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
  const algos::AlgorithmDescriptor* info = algos::FindAlgorithm(algo->AsString());
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
  for (const auto* algorithm : algos::Algorithms()) algo_names.push_back(algorithm->name);
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

  // each algorithm's namespaces, present when `algo` chooses it, and its cross-namespace rules
  for (const auto* algorithm : algos::Algorithms()) {
    for (const auto& [name, namespace_schema] : algorithm->namespaces) {
      schema->AddField(Namespace(name, *namespace_schema, algorithm->name));
    }
  }
  schema->AddRule(CheckEnvFitsAlgo);
  schema->AddRule([](Node& root, const std::string&, Diagnostics& diagnostics) {
    const Node* algo = root.Find("algo");
    if (algo == nullptr || !algo->IsString()) return;
    const algos::AlgorithmDescriptor* algorithm = algos::FindAlgorithm(algo->AsString());
    if (algorithm == nullptr) return;
    for (const auto& rule : algorithm->rules) rule(root, diagnostics);
    // a CUDA device for an algorithm that computes on the CPU only
    const Node* device = config::FindPath(root, "run.device");
    if (!algorithm->computes_on_cuda && device != nullptr && device->IsString() &&
        device->AsString().rfind("cuda", 0) == 0) {
      diagnostics.Error(
          device->origin(), "run.device",
          fmt::format("{} computes on the CPU only in this version of orch, got '{}'",
                      algorithm->name, device->AsString()),
          "Write run.device=cpu (or auto, which means the CPU for it); TD-MPC2 runs on CUDA",
          "rule");
    }
  });
  return schema;
}

}  // namespace

const config::Schema& RootSchema() {
  static const std::unique_ptr<config::Schema> schema = BuildRootSchema();
  return *schema;
}

std::vector<std::string> DerivedValueLines(const Node& root) {
  const Node* algo = root.Find("algo");
  if (algo == nullptr || !algo->IsString()) return {};
  const algos::AlgorithmDescriptor* algorithm = algos::FindAlgorithm(algo->AsString());
  if (algorithm == nullptr || !algorithm->derived_values) return {};
  return algorithm->derived_values(root);
}

std::vector<std::pair<std::string, const config::Schema*>> Namespaces() {
  std::vector<std::pair<std::string, const config::Schema*>> pages = {{"run", &RunSchema()}};
  for (const auto* algorithm : algos::Algorithms()) {
    pages.insert(pages.end(), algorithm->schema_pages.begin(), algorithm->schema_pages.end());
  }
  return pages;
}

}  // namespace orch::app
