// src/app/run_options.cpp
#include "app/run_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/string_util.h"
#include "config/key_path.h"

namespace orch::app {
namespace {

std::unique_ptr<config::Schema> BuildSchema() {
  config::SchemaBuilder<RunOptions> b("run", "settings of a run that no algorithm owns");
  using O = RunOptions;
  b.Field("name", &O::name, "run name; null derives one from algo, env and run id");
  b.Field("threads", &O::threads, "intra-op threads per run; 0 = max(1, cores / parallel runs)")
      .Range(0, 256);
  b.Field("keep_checkpoints", &O::keep_checkpoints, "newest checkpoints kept; 0 keeps all").Min(0);
  b.Field("device", &O::device,
          "cpu, cuda, cuda:N, or auto (CUDA when the worker's LibTorch has it); CUDA runs "
          "TD-MPC2 only, TAM and PPO compute on the CPU");
  b.Rule([](config::Node& section, const std::string& path, Diagnostics& diagnostics) {
    const config::Node* device = section.Find("device");
    if (device == nullptr || !device->IsString() || IsDeviceName(device->AsString())) return;
    diagnostics.Error(
        device->origin(), config::JoinKey(path, "device"),
        fmt::format("expected cpu, cuda, cuda:N or auto, got '{}'", device->AsString()),
        "Write run.device=cuda:0 for the first GPU, or auto", "rule");
  });
  b.Rule([](config::Node& section, const std::string& path, Diagnostics& diagnostics) {
    const config::Node* name = section.Find("name");
    if (name == nullptr || !name->IsString()) return;
    if (auto problem = NameProblem(name->AsString())) {
      diagnostics.Error(name->origin(), config::JoinKey(path, "name"), *problem,
                        "Choose a name of printable characters that is not just a number", "rule");
    }
  });
  return b.Build();
}

}  // namespace

bool IsDeviceName(const std::string& text) {
  if (text == "cpu" || text == "cuda" || text == "auto") return true;
  if (text.rfind("cuda:", 0) != 0 || text.size() == 5 || text.size() > 8) return false;
  return std::all_of(text.begin() + 5, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const config::Schema& RunSchema() {
  static const std::unique_ptr<config::Schema> schema = BuildSchema();
  return *schema;
}

}  // namespace orch::app
