// src/sweep/slurm/slurm_settings.cpp
#include "sweep/slurm/slurm_settings.h"

#include <fmt/format.h>

#include "common/string_util.h"
#include "sweep/launcher.h"

namespace orch::sweep::slurm {
namespace {

/// Reads one option, reporting a wrong type or range at the value (or, for a command-line
/// value without a position of its own, at its key).
class OptionReader {
 public:
  OptionReader(const config::Node& options, Diagnostics& diagnostics)
      : options_(options), diagnostics_(diagnostics) {}

  void Int(const char* key, int64_t& out, int64_t min) {
    const config::Node* value = Find(key);
    if (value == nullptr) return;
    if (!value->IsInt() || value->AsInt() < min) {
      Error(key, *value, fmt::format("expected an integer >= {}, got {}", min, value->Describe()));
      return;
    }
    out = value->AsInt();
  }
  void Number(const char* key, double& out) {
    const config::Node* value = Find(key);
    if (value == nullptr) return;
    if (!value->IsNumber() || value->AsDouble() <= 0) {
      Error(key, *value, fmt::format("expected a positive number, got {}", value->Describe()));
      return;
    }
    out = value->AsDouble();
  }
  void Bool(const char* key, bool& out) {
    const config::Node* value = Find(key);
    if (value == nullptr) return;
    if (!value->IsBool()) {
      Error(key, *value, fmt::format("expected true or false, got {}", value->Describe()));
      return;
    }
    out = value->AsBool();
  }
  void Text(const char* key, std::string& out) {
    const config::Node* value = Find(key);
    if (value == nullptr || value->IsNull()) return;
    if (!value->IsString() && !value->IsNumber()) {
      Error(key, *value, fmt::format("expected a string, got {}", value->Describe()));
      return;
    }
    out = value->IsString() ? value->AsString() : value->Describe(200);
    if (out.find_first_of("\n\r") != std::string::npos) {
      Error(key, *value, "a line break cannot go into an #SBATCH line");
    }
  }
  void Lines(const char* key, std::vector<std::string>& out) {
    const config::Node* value = Find(key);
    if (value == nullptr || value->IsNull()) return;
    if (!value->IsList()) {
      Error(key, *value, fmt::format("expected a list of shell lines, got {}", value->Describe()));
      return;
    }
    for (const auto& item : value->AsList()) {
      if (!item.IsString()) {
        Error(key, item, fmt::format("expected a shell line, got {}", item.Describe()));
        continue;
      }
      out.push_back(item.AsString());
    }
  }
  void Flags(const char* key, std::vector<std::pair<std::string, std::string>>& out) {
    const config::Node* value = Find(key);
    if (value == nullptr || value->IsNull()) return;
    if (!value->IsMap()) {
      Error(key, *value,
            fmt::format("expected a mapping of sbatch options, got {}", value->Describe()));
      return;
    }
    for (const auto& entry : value->Entries()) {
      if (!entry.value.IsScalar() || entry.value.IsNull() ||
          entry.key.find_first_of(" \n=") != std::string::npos) {
        Error(key, entry.value,
              fmt::format("expected `option: value` (an sbatch long option without --), got "
                          "{}: {}",
                          entry.key, entry.value.Describe()));
        continue;
      }
      out.emplace_back(entry.key, entry.value.IsBool()     ? (entry.value.AsBool() ? "" : "false")
                                  : entry.value.IsString() ? entry.value.AsString()
                                                           : entry.value.Describe(200));
    }
  }

 private:
  const config::Node* Find(const char* key) {
    const auto* entry = options_.FindEntry(key);
    if (entry == nullptr) return nullptr;
    current_key_origin_ = entry->key_origin;
    return &entry->value;
  }
  void Error(const char* key, const config::Node& value, std::string message) {
    diagnostics_.Error(value.origin().IsKnown() ? value.origin() : current_key_origin_,
                       std::string("launcher.") + key, std::move(message), {}, "type");
  }

  const config::Node& options_;
  Diagnostics& diagnostics_;
  Origin current_key_origin_;
};

}  // namespace

const std::vector<std::string>& SlurmOptionNames() {
  static const std::vector<std::string> names = {"timeout_min",
                                                 "cpus_per_task",
                                                 "gpus_per_node",
                                                 "tasks_per_node",
                                                 "nodes",
                                                 "mem_gb",
                                                 "name",
                                                 "partition",
                                                 "qos",
                                                 "account",
                                                 "constraint",
                                                 "exclude",
                                                 "gres",
                                                 "comment",
                                                 "array_parallelism",
                                                 "setup",
                                                 "additional_parameters",
                                                 "signal_delay_s",
                                                 "max_num_timeout",
                                                 "collect_job",
                                                 "sweep_dir"};
  return names;
}

SlurmSettings ReadSlurmSettings(const config::Node& options, Diagnostics& diagnostics) {
  SlurmSettings settings;
  if (!options.IsMap()) return settings;
  CheckLauncherKeys(options, SlurmOptionNames(), diagnostics);
  OptionReader read(options, diagnostics);
  read.Int("timeout_min", settings.timeout_min, 1);
  read.Int("cpus_per_task", settings.cpus_per_task, 1);
  read.Int("gpus_per_node", settings.gpus_per_node, 0);
  read.Int("tasks_per_node", settings.tasks_per_node, 1);
  read.Int("nodes", settings.nodes, 1);
  read.Number("mem_gb", settings.mem_gb);
  for (auto [key, out] : {std::pair<const char*, std::string*>{"name", &settings.name},
                          {"partition", &settings.partition},
                          {"qos", &settings.qos},
                          {"account", &settings.account},
                          {"constraint", &settings.constraint},
                          {"exclude", &settings.exclude},
                          {"gres", &settings.gres},
                          {"comment", &settings.comment}}) {
    read.Text(key, *out);
  }
  read.Int("array_parallelism", settings.array_parallelism, 1);
  read.Lines("setup", settings.setup);
  read.Flags("additional_parameters", settings.additional_parameters);
  read.Int("signal_delay_s", settings.signal_delay_s, 0);
  read.Int("max_num_timeout", settings.max_num_timeout, 0);
  read.Bool("collect_job", settings.collect_job);
  std::string dir;
  read.Text("sweep_dir", dir);
  if (!dir.empty()) settings.sweep_dir = dir;
  if (settings.signal_delay_s >= settings.timeout_min * 60) {
    const auto* entry = options.FindEntry("signal_delay_s");
    diagnostics.Error(
        entry ? entry->value.origin() : Origin(), "launcher.signal_delay_s",
        fmt::format("the checkpoint signal ({} s before the limit) would come before "
                    "the task starts (timeout_min {} = {} s)",
                    settings.signal_delay_s, settings.timeout_min, settings.timeout_min * 60),
        "Lower signal_delay_s or raise timeout_min", "rule");
  }
  return settings;
}

}  // namespace orch::sweep::slurm
