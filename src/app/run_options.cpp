// src/app/run_options.cpp
#include "app/run_options.h"

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

const config::Schema& RunSchema() {
  static const std::unique_ptr<config::Schema> schema = BuildSchema();
  return *schema;
}

}  // namespace orch::app
