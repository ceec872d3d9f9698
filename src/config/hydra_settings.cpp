// src/config/hydra_settings.cpp
#include "config/hydra_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "common/string_util.h"
#include "config/key_path.h"
#include "config/yaml_writer.h"

namespace orch::config {
namespace {

/// What orch does instead of a Hydra runtime setting, by key prefix (first match wins).
constexpr std::pair<std::string_view, std::string_view> kInstead[] = {
    {"hydra.sweeper",
     "orch's sweeper is the grid of `orch sweep` (and sweep files under sweeps/); only "
     "hydra.sweeper.params is read"},
    {"hydra.launcher",
     "orch sweep launches the jobs itself: --jobs N worker processes on this machine, or "
     "launcher=slurm (launcher.timeout_min=..., launcher.partition=...) on a SLURM cluster"},
    {"hydra.run",
     "a run's files go to <store dir>/runs/<uuid>/; choose the store with --store or "
     "ORCH_RESULTS_DB"},
    {"hydra.sweep",
     "every run of a sweep has its own <store dir>/runs/<uuid>/; the sweep is recorded in the "
     "store (orch ls --sweep NAME)"},
    {"hydra.job.chdir",
     "orch never changes the working directory; a run finds its directory in its context"},
    {"hydra.job.name", "name a run with --name or run.name"},
    {"hydra.job.env_set", "set environment variables in the shell that starts orch"},
    {"hydra.job", "orch records each job's config, overrides and identity in the store"},
    {"hydra.output_subdir",
     "each run's resolved config and overrides are <run dir>/config.yaml and overrides.yaml"},
    {"hydra.job_logging", "each run logs to <run dir>/run.log, stdout.log and stderr.log"},
    {"hydra.hydra_logging", "each run logs to <run dir>/run.log, stdout.log and stderr.log"},
    {"hydra.verbose", "each run logs to <run dir>/run.log, stdout.log and stderr.log"},
    {"hydra.searchpath", "orch reads one config root: --config-dir, else the nearest 'configs'"},
    {"hydra.callbacks", "orch has no callbacks; read results from the store (orch export)"},
    {"hydra.mode", "orch run runs one job; orch sweep (or orch run -m) runs a sweep"},
};

}  // namespace

std::string_view InsteadOf(std::string_view key) {
  for (const auto& [prefix, instead] : kInstead) {
    if (key == prefix || StartsWith(key, std::string(prefix) + ".")) return instead;
  }
  return "orch composes and runs jobs without Hydra's runtime config";
}

namespace {

/// The leaves under `node` (the node itself when it is a scalar, a list or an empty map).
void RejectLeaves(const Node& node, const std::string& key, Diagnostics& diagnostics) {
  if (node.IsMap() && node.Size() > 0) {
    for (const auto& entry : node.Entries()) {
      RejectLeaves(entry.value, JoinKey(key, entry.key), diagnostics);
    }
    return;
  }
  diagnostics.Error(node.origin(), key, "orch does not read Hydra's runtime settings",
                    fmt::format("Instead: {}", InsteadOf(key)), "hydra");
}

/// `hydra.sweeper.params.<key>: <sweep>` as the override `<key>=<sweep>`.
void ReadSweeperParams(const Node& params, const std::string& key, HydraSettings& settings,
                       Diagnostics& diagnostics) {
  if (!params.IsMap()) {
    diagnostics.Error(params.origin(), key,
                      fmt::format("expected a mapping of key: sweep, got {}", params.Describe()),
                      "Write e.g. `params: {seed: range(3), tam.lr: 0.001,0.003}`", "hydra");
    return;
  }
  for (const auto& entry : params.Entries()) {
    const Node& value = entry.value;
    const std::string param_key = JoinKey(key, entry.key);
    if (value.IsContainer() || value.IsNull() || value.IsMissing()) {
      diagnostics.Error(value.origin(), param_key,
                        fmt::format("expected a sweep written as an override value (`0,1,2`, "
                                    "`range(3)`, `choice(a,b)`), got {}",
                                    value.Describe()),
                        {}, "hydra");
      continue;
    }
    std::string text = entry.key + "=" + (value.IsString() ? value.AsString() : ToFlowYaml(value));
    try {
      Override parsed = ParseOverride(text, 0);
      parsed.SetSource(value.origin());
      settings.sweeper_params.push_back(std::move(parsed));
    } catch (const ConfigError& error) {
      for (const Diagnostic& problem : error.diagnostics().Items()) {
        diagnostics.Error(
            value.origin(), param_key,
            fmt::format("'{}' does not parse as an override: {}", text, problem.message),
            problem.suggestion, "hydra");
      }
    }
  }
}

void CollectMissing(const Node& node, const std::string& key, const Diagnostics& reported,
                    Diagnostics& diagnostics) {
  if (node.IsMap()) {
    for (const auto& entry : node.Entries()) {
      CollectMissing(entry.value, JoinKey(key, entry.key), reported, diagnostics);
    }
    return;
  }
  if (node.IsList()) {
    for (size_t index = 0; index < node.AsList().size(); ++index) {
      CollectMissing(node.AsList()[index], IndexKey(key, index), reported, diagnostics);
    }
    return;
  }
  if (!node.IsMissing()) return;
  const auto& items = reported.Items();
  if (std::any_of(items.begin(), items.end(),
                  [&](const Diagnostic& diagnostic) { return diagnostic.key == key; })) {
    return;
  }
  diagnostics.Error(node.origin(), key, "missing mandatory value (?\?\?)",
                    fmt::format("Set it in a config file or on the command line: {}=<value>", key),
                    "missing");
}

}  // namespace

HydraSettings TakeHydraSettings(Node& tree, Diagnostics& diagnostics) {
  HydraSettings settings;
  const Node* hydra = tree.IsMap() ? tree.Find("hydra") : nullptr;
  if (hydra == nullptr) return settings;
  if (!hydra->IsMap()) {
    RejectLeaves(*hydra, "hydra", diagnostics);
  } else {
    for (const auto& entry : hydra->Entries()) {
      const std::string key = JoinKey("hydra", entry.key);
      if (entry.key != "sweeper" || !entry.value.IsMap()) {
        RejectLeaves(entry.value, key, diagnostics);
        continue;
      }
      for (const auto& sweeper_entry : entry.value.Entries()) {
        const std::string sweeper_key = JoinKey(key, sweeper_entry.key);
        if (sweeper_entry.key == "params") {
          ReadSweeperParams(sweeper_entry.value, sweeper_key, settings, diagnostics);
        } else {
          RejectLeaves(sweeper_entry.value, sweeper_key, diagnostics);
        }
      }
    }
  }
  tree.Erase("hydra");
  return settings;
}

void ReportMissingValues(const Node& tree, Diagnostics& diagnostics) {
  Diagnostics found;
  CollectMissing(tree, "", diagnostics, found);
  diagnostics.Append(found);
}

}  // namespace orch::config
