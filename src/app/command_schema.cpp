// src/app/command_schema.cpp: `orch schema`, the keys, types, defaults and docs of a namespace.
#include <fmt/format.h>

#include <cstdio>

#include "algos/algorithm.h"
#include "app/commands.h"
#include "app/config_schema.h"
#include "common/error.h"
#include "common/string_util.h"
#include "config/schema.h"

namespace orch::app {
namespace {

std::string Overview() {
  std::string out = "orch config namespaces (orch schema NAMESPACE for the keys):\n\n";
  size_t width = 0;
  for (const auto& [name, schema] : Namespaces()) width = std::max(width, name.size());
  for (const auto& [name, schema] : Namespaces()) {
    out += fmt::format("  {:<{}}  {}\n", name, width, schema->doc());
  }
  out += fmt::format("  {:<{}}  {}\n", "env", width,
                     "the environment, chosen by env.name (orch schema env)");
  out += "\nalgorithms (the root key algo):\n\n";
  for (const auto* algorithm : algos::Algorithms()) {
    std::vector<std::string> namespaces;
    for (const auto& [name, schema] : algorithm->namespaces) namespaces.push_back(name);
    out += fmt::format("  {:<8}  {}\n            namespaces: {}; envs: {}; example: {}\n",
                       algorithm->name, algorithm->description, Join(namespaces, ", "),
                       Join(algorithm->envs, ", "), algorithm->example_config);
  }
  out += "\n" + config::FormatSchema(RootSchema());
  return out;
}

std::string EnvSchemas(const std::string& only) {
  const config::FieldSpec* env = RootSchema().Find("env");
  std::string out;
  const config::Schema* previous = nullptr;
  std::vector<std::string> names;
  for (const auto& [name, schema] : env->variants) {
    if (!only.empty() && name != only) continue;
    if (schema == previous) continue;  // tasks that share a schema are printed once
    previous = schema;
    std::vector<std::string> sharing;
    for (const auto& [other, other_schema] : env->variants) {
      if (other_schema == schema) sharing.push_back(other);
    }
    if (!out.empty()) out += "\n";
    out += fmt::format("env.name = {}\n", Join(sharing, " | "));
    out += config::FormatSchema(*schema, "env");
  }
  return out;
}

}  // namespace

const CommandSpec& SchemaSpec() {
  static const CommandSpec spec = {
      "schema",
      "[NAMESPACE]",
      "print the keys of a config namespace with types, defaults, constraints and docs",
      "Without NAMESPACE: the namespaces, the algorithms and the root keys. NAMESPACE is one of\n"
      "run, tdmpc2, multi_gamma, tam, tam.memory, ppo, ppo.policy, env or env.<name>.",
      {{"json", "", "print the schema as JSON"}},
      "  orch schema multi_gamma\n  orch schema env.cheetah-run\n"};
  return spec;
}

int RunSchema(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(SchemaSpec(), args, 0);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  if (parsed.positional.size() > 1) {
    throw UsageError("orch schema takes at most one NAMESPACE. See 'orch schema --help'");
  }
  const bool json = parsed.Flag("json");
  if (parsed.positional.empty()) {
    std::fputs(json ? (config::SchemaToJson(RootSchema()) + "\n").c_str() : Overview().c_str(),
               stdout);
    return kExitOk;
  }
  const std::string name = parsed.positional[0];
  for (const auto& [namespace_name, schema] : Namespaces()) {
    if (namespace_name != name) continue;
    std::fputs(json ? (config::SchemaToJson(*schema) + "\n").c_str()
                    : config::FormatSchema(*schema, name).c_str(),
               stdout);
    return kExitOk;
  }
  const config::FieldSpec* env = RootSchema().Find("env");
  if (name == "env" || StartsWith(name, "env.")) {
    std::string only = name == "env" ? "" : name.substr(4);
    if (!only.empty() && env->Variant(only) == nullptr) {
      throw UsageError(fmt::format("unknown env '{}'. {} Known: {}", only,
                                   DidYouMeanSentence(only, env->VariantNames()),
                                   Join(env->VariantNames(), ", ")));
    }
    if (json) {
      const config::Schema* schema =
          env->Variant(only.empty() ? env->variants.front().first : only);
      std::fputs((config::SchemaToJson(*schema) + "\n").c_str(), stdout);
    } else {
      std::fputs(EnvSchemas(only).c_str(), stdout);
    }
    return kExitOk;
  }
  std::vector<std::string> known = {"env"};
  for (const auto& [namespace_name, schema] : Namespaces()) known.push_back(namespace_name);
  std::string suggestion = DidYouMeanSentence(name, known);
  throw UsageError(fmt::format("unknown namespace '{}'.{}{} Known: {}", name,
                               suggestion.empty() ? "" : " ", suggestion, Join(known, ", ")));
}

}  // namespace orch::app
