// src/app/run_record.cpp
#include "app/run_record.h"

#include <algorithm>

#include "algos/algorithm.h"
#include "config/key_path.h"
#include "config/yaml_writer.h"

namespace orch::app {
namespace {

void Flatten(const config::Node& node, const std::string& key, std::vector<store::FlatParam>& out) {
  if (node.IsMap() && node.Size() > 0) {
    for (const auto& entry : node.Entries())
      Flatten(entry.value, config::JoinKey(key, entry.key), out);
    return;
  }
  store::FlatParam param;
  param.key = key;
  param.value_text = node.IsString() ? node.AsString() : config::ToFlowYaml(node);
  if (node.IsNumber()) param.value_number = node.AsDouble();
  if (node.IsBool()) param.value_number = node.AsBool() ? 1.0 : 0.0;
  out.push_back(std::move(param));
}

std::string StringAt(const config::Node& tree, std::string_view key) {
  const config::Node* value = config::FindPath(tree, key);
  return value != nullptr && value->IsString() ? value->AsString() : std::string();
}

}  // namespace

std::vector<store::FlatParam> FlattenParams(const config::Node& tree) {
  std::vector<store::FlatParam> params;
  Flatten(tree, "", params);
  return params;
}

int64_t BudgetSteps(const config::Node& tree) {
  const algos::AlgorithmDescriptor* algorithm = algos::FindAlgorithm(StringAt(tree, "algo"));
  return algorithm != nullptr && algorithm->budget ? algorithm->budget(tree) : 0;
}

std::string ProgressUnit(const config::Node& tree) {
  const algos::AlgorithmDescriptor* algorithm = algos::FindAlgorithm(StringAt(tree, "algo"));
  return algorithm != nullptr ? algorithm->progress_unit : "env steps";
}

std::string DefaultRunName(const config::Node& tree, const std::string& uuid) {
  std::string name = StringAt(tree, "run.name");
  if (!name.empty()) return name;
  return StringAt(tree, "algo") + "-" + StringAt(tree, "env.name") + "-" + uuid.substr(0, 8);
}

std::vector<std::string> HeadlineMetricKeys() {
  std::vector<std::string> keys;
  for (const auto* algorithm : algos::Algorithms()) {
    for (const auto& key : algorithm->headline_metrics) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  return keys;
}

}  // namespace orch::app
