// src/app/run_recording.cpp
#include "app/run_recording.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "app/run_record.h"
#include "common/file_io.h"
#include "common/sha256.h"
#include "common/uuid.h"
#include "config/json_writer.h"
#include "config/key_path.h"
#include "config/yaml_writer.h"

namespace orch::app {

std::pair<std::string, std::string> ConfigIdentity(const config::Node& tree) {
  std::string json = config::CanonicalJson(tree);
  std::string sha = Sha256Hex(json);
  return {std::move(json), std::move(sha)};
}

RecordedRun RecordNewRun(store::ResultsStore& store, const RunRequest& request) {
  const config::Node& tree = *request.tree;
  RecordedRun recorded;
  recorded.uuid = NewUuid();
  recorded.name = request.name.value_or(DefaultRunName(tree, recorded.uuid));

  // the run directory holds what the worker receives, beside the store
  std::string relative_run_dir = "runs/" + recorded.uuid;
  recorded.run_dir = std::filesystem::absolute(store.directory() / relative_run_dir);
  const std::string yaml = config::ToYaml(tree);
  config::Node overrides_node = config::Node::MakeList();
  for (const auto& text : request.overrides) {
    overrides_node.MutableList().push_back(config::Node::String(text));
  }

  store::NewRun run;
  run.uuid = recorded.uuid;
  run.name = recorded.name;
  run.algo = config::FindPath(tree, "algo")->AsString();
  const config::Node* env_name = config::FindPath(tree, "env.name");
  run.task = env_name != nullptr && env_name->IsString() ? env_name->AsString() : "";
  run.variant = request.variant;
  run.seed = config::FindPath(tree, "seed")->AsInt();
  run.config_path = request.config_path;
  run.config_yaml = yaml;
  std::tie(run.config_json, run.config_sha256) = ConfigIdentity(tree);
  run.overrides = request.overrides;
  run.params = FlattenParams(tree);
  run.code = request.code;
  run.host = request.host;
  run.thread_budget = request.threads;
  run.budget_steps = BudgetSteps(tree);
  run.run_dir = relative_run_dir;
  run.rerun = request.rerun;
  run.sweep_id = request.sweep_id;
  try {
    std::filesystem::create_directories(recorded.run_dir / "checkpoints");
    WriteFileAtomically(recorded.run_dir / "config.yaml", yaml);
    WriteFileAtomically(recorded.run_dir / "overrides.yaml", config::ToYaml(overrides_node));
    recorded.run_id = store.CreateRun(run);
  } catch (const store::StoreError&) {
    // a duplicate, a corrupt or full store: nothing of this attempt stays behind
    std::error_code ignored;
    std::filesystem::remove_all(recorded.run_dir, ignored);
    throw;
  } catch (const std::exception& error) {
    // the run directory could not be written (a full disk)
    std::error_code ignored;
    std::filesystem::remove_all(recorded.run_dir, ignored);
    throw store::StoreError(
        fmt::format("cannot record run {}: {}", recorded.uuid.substr(0, 8), error.what()));
  }
  return recorded;
}

int ThreadsForRun(const config::Node& tree, int parallel_runs) {
  const config::Node* threads = config::FindPath(tree, "run.threads");
  if (threads != nullptr && threads->IsInt() && threads->AsInt() > 0) {
    return static_cast<int>(threads->AsInt());
  }
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, parallel_runs));
}

}  // namespace orch::app
