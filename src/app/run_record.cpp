// src/app/run_record.cpp
#include "app/run_record.h"

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

int64_t IntAt(const config::Node& tree, std::string_view key, int64_t fallback) {
  const config::Node* value = config::FindPath(tree, key);
  return value != nullptr && value->IsInt() ? value->AsInt() : fallback;
}

}  // namespace

std::vector<store::FlatParam> FlattenParams(const config::Node& tree) {
  std::vector<store::FlatParam> params;
  Flatten(tree, "", params);
  return params;
}

int64_t BudgetSteps(const config::Node& tree) {
  std::string algo = StringAt(tree, "algo");
  if (algo == "tam") return IntAt(tree, "tam.episodes", 0);
  if (algo == "tdmpc2") {
    return IntAt(tree, "tdmpc2.steps", 0) * IntAt(tree, "env.action_repeat", 1);
  }
  if (algo == "ppo") return IntAt(tree, "ppo.total_steps", 0);
  return 0;
}

std::string ProgressUnit(const config::Node& tree) {
  return StringAt(tree, "algo") == "tam" ? "episodes" : "env steps";
}

std::string DefaultRunName(const config::Node& tree, const std::string& uuid) {
  std::string name = StringAt(tree, "run.name");
  if (!name.empty()) return name;
  return StringAt(tree, "algo") + "-" + StringAt(tree, "env.name") + "-" + uuid.substr(0, 8);
}

std::vector<std::string> HeadlineMetricKeys() {
  return {"eval/episode_return", "soft_bind", "E_T_train", "exp_nll"};
}

}  // namespace orch::app
