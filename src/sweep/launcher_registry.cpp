// src/sweep/launcher_registry.cpp: the launcher kinds, and reading a sweep's choice of one.
#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "common/string_util.h"
#include "config/compose.h"
#include "config/override.h"
#include "sweep/launcher.h"
#include "sweep/local_launcher.h"
#include "sweep/slurm/slurm_launcher.h"

namespace orch::sweep {

const std::vector<LauncherKind>& LauncherKinds() {
  static const std::vector<LauncherKind> kinds = {LocalLauncherKind(), SlurmLauncherKind()};
  return kinds;
}

void CheckLauncherKeys(const config::Node& options, const std::vector<std::string>& known,
                       Diagnostics& diagnostics) {
  if (!options.IsMap()) return;
  for (const auto& entry : options.Entries()) {
    if (std::find(known.begin(), known.end(), entry.key) != known.end()) continue;
    std::string suggestion = DidYouMeanSentence(entry.key, known);
    diagnostics.Error(entry.key_origin.IsKnown() ? entry.key_origin : entry.value.origin(),
                      "launcher." + entry.key, "unknown launcher option",
                      !suggestion.empty() ? suggestion
                      : known.empty()     ? "This launcher takes no options."
                                          : "Options: " + Join(known, ", "),
                      "unknown_key");
  }
}

std::unique_ptr<Launcher> MakeLauncher(const SweepSpec& spec, std::string* kind_out) {
  Diagnostics diagnostics;
  std::string kind = "local";
  Origin kind_origin;
  config::Node options = config::Node::MakeMap();

  // the sweep file's block: `launcher: slurm` or `launcher: {kind: slurm, ...}`
  if (spec.launcher) {
    const config::Node& block = *spec.launcher;
    if (block.IsString()) {
      kind = block.AsString();
      kind_origin = block.origin();
    } else if (block.IsMap()) {
      options = block;
      options.MutableEntries().clear();
      for (const auto& entry : block.Entries()) {
        if (entry.key == "kind") {
          if (!entry.value.IsString()) {
            diagnostics.Error(
                entry.value.origin(), "launcher.kind",
                fmt::format("expected a launcher name, got {}", entry.value.Describe()), {},
                "type");
          } else {
            kind = entry.value.AsString();
            kind_origin = entry.value.origin();
          }
          continue;
        }
        options.Set(entry.key, entry.value, entry.key_origin);
      }
    } else {
      diagnostics.Error(
          block.origin(), "launcher",
          fmt::format("expected a launcher name or a mapping, got {}", block.Describe()),
          "Write launcher: slurm, or launcher: {kind: slurm, timeout_min: 60}", "type");
    }
  }

  // the command line's launcher=KIND and launcher.KEY=VALUE, in order
  const std::vector<config::Override> parsed = config::ParseOverrides(spec.command_line);
  for (const auto& ov : parsed) {
    if (!IsLauncherOverride(ov.text)) continue;
    const Origin origin = Origin::Override(ov.index, ov.text);
    if (ov.IsSweep() || !ov.value) {
      diagnostics.Error(origin, ov.key, "a launcher option takes one value, not a sweep", {},
                        "type");
      continue;
    }
    if (ov.key == "launcher" || ov.key == "launcher.kind") {
      if (!ov.value->IsString()) {
        diagnostics.Error(origin, "launcher", "expected a launcher name", {}, "type");
        continue;
      }
      kind = ov.value->AsString();
      kind_origin = origin;
      continue;
    }
    config::Node value = *ov.value;
    value.SetOriginRecursive(origin);
    options.Set(ov.key.substr(std::string_view("launcher.").size()), value, origin);
  }

  const LauncherKind* chosen = nullptr;
  std::vector<std::string> names;
  for (const auto& candidate : LauncherKinds()) {
    names.push_back(candidate.name);
    if (candidate.name == kind) chosen = &candidate;
  }
  std::unique_ptr<Launcher> launcher;
  if (chosen == nullptr) {
    std::string suggestion = DidYouMeanSentence(kind, names);
    diagnostics.Error(kind_origin, "launcher", fmt::format("no launcher named '{}'", kind),
                      suggestion.empty() ? "Launchers: " + Join(names, ", ") : suggestion,
                      "unknown_key");
  } else {
    launcher = chosen->make(options, diagnostics);
  }
  if (diagnostics.HasErrors()) throw ConfigError(diagnostics);
  if (kind_out != nullptr) *kind_out = kind;
  return launcher;
}

}  // namespace orch::sweep
