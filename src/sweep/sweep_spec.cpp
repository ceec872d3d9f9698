// src/sweep/sweep_spec.cpp
#include "sweep/sweep_spec.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/json.h"
#include "common/sha256.h"
#include "common/string_util.h"
#include "config/compose.h"
#include "config/yaml_loader.h"

namespace orch::sweep {
namespace {

namespace fs = std::filesystem;
using config::Node;
using config::Override;

const std::vector<std::string>& KnownKeys() {
  static const std::vector<std::string> keys = {"name",     "description", "experiment",
                                                "config",   "overrides",   "axes",
                                                "variants", "baseline",    "launcher"};
  return keys;
}

std::string DisplayPath(const fs::path& path) {
  std::error_code error;
  fs::path relative = fs::absolute(path, error).lexically_relative(fs::current_path(error));
  if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  return fs::absolute(path, error).lexically_normal().generic_string();
}

/// Reads the whole file; a ConfigError naming it when it cannot be read.
std::string ReadText(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw ConfigError(Origin::File(DisplayPath(path), 0, 0), "", "cannot read the sweep file", {},
                      "io");
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

/// Parses one override written in a sweep file at `origin`; parse errors move to that origin.
std::optional<Override> ParseAt(const std::string& text, const Origin& origin,
                                Diagnostics& diagnostics) {
  try {
    Override parsed = config::ParseOverride(text, 0);
    parsed.SetSource(origin);
    return parsed;
  } catch (const ConfigError& error) {
    for (Diagnostic diagnostic : error.diagnostics().Items()) {
      diagnostic.origin = origin;
      diagnostics.Add(std::move(diagnostic));
    }
    return std::nullopt;
  }
}

/// `key: value` of a variant or an axis as override text; a list of values is a choice sweep.
std::optional<std::string> OverrideText(const std::string& key, const Node& value,
                                        bool list_is_sweep, Diagnostics& diagnostics) {
  if (value.IsString()) return key + "=" + value.AsString();
  if (value.IsList() && list_is_sweep) {
    if (value.Size() == 0) {
      diagnostics.Error(value.origin(), key, "an axis needs at least one value", {}, "sweep");
      return std::nullopt;
    }
    std::vector<std::string> items;
    for (const Node& item : value.AsList()) items.push_back(config::FormatOverrideValue(item));
    return key + "=" + Join(items, ",");
  }
  if (value.IsMissing()) {
    diagnostics.Error(value.origin(), key, "a value is needed here, not ???", {}, "sweep");
    return std::nullopt;
  }
  return key + "=" + config::FormatOverrideValue(value);
}

/// A variant: a list of override strings, or a mapping key: value (an empty one is the
/// baseline's "change nothing").
std::optional<Variant> ReadVariant(const std::string& name, const Node& node,
                                   Diagnostics& diagnostics) {
  Variant variant;
  variant.name = name;
  auto add = [&](const std::string& text, const Origin& origin) {
    std::optional<Override> parsed = ParseAt(text, origin, diagnostics);
    if (!parsed) return;
    if (parsed->IsSweep()) {
      diagnostics.Error(
          origin, "variants." + name,
          fmt::format("'{}' is a sweep; a variant is one fixed set of overrides", text),
          "Put swept values under axes", "sweep");
      return;
    }
    variant.overrides.push_back(std::move(*parsed));
  };
  if (node.IsNull()) return variant;
  if (node.IsList()) {
    for (const Node& item : node.AsList()) {
      if (!item.IsString()) {
        diagnostics.Error(
            item.origin(), "variants." + name,
            fmt::format("expected an override string such as key=value, got {}", item.Describe()),
            {}, "sweep");
        continue;
      }
      add(item.AsString(), item.origin());
    }
    return variant;
  }
  if (node.IsMap()) {
    for (const auto& entry : node.Entries()) {
      if (auto text = OverrideText(entry.key, entry.value, /*list_is_sweep=*/false, diagnostics)) {
        add(*text, entry.value.origin());
      }
    }
    return variant;
  }
  diagnostics.Error(node.origin(), "variants." + name,
                    fmt::format("expected a list of overrides or a mapping of key: value, got {}",
                                node.Describe()),
                    {}, "sweep");
  return std::nullopt;
}

std::string FirstOrEmpty(const std::vector<Variant>& variants) {
  return variants.empty() ? std::string() : variants.front().name;
}

}  // namespace

bool IsSweepFile(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  try {
    Node root = config::ParseYamlValue(ReadText(path), path.string());
    return root.IsMap() && root.Find("config") != nullptr && root.Find("algo") == nullptr &&
           root.Find("defaults") == nullptr;
  } catch (const ConfigError&) {
    return false;  // a malformed file is reported by whoever reads it for real
  }
}

SweepSpec LoadSweepFile(const fs::path& path) {
  SweepSpec spec;
  spec.source = path;
  spec.text = ReadText(path);
  const std::string display = DisplayPath(path);
  Node root = config::ParseYamlValue(spec.text, display);
  Diagnostics diagnostics;
  if (!root.IsMap()) {
    throw ConfigError(root.origin(), "", "a sweep file must hold a mapping", {}, "sweep");
  }
  for (const auto& entry : root.Entries()) {
    if (std::find(KnownKeys().begin(), KnownKeys().end(), entry.key) != KnownKeys().end()) continue;
    std::string suggestion = DidYouMeanSentence(entry.key, KnownKeys());
    diagnostics.Error(entry.key_origin, entry.key, "unknown key of a sweep file",
                      suggestion.empty() ? "Keys: " + Join(KnownKeys(), ", ") : suggestion,
                      "unknown_key");
  }
  auto string_at = [&](const char* key, std::string& out) {
    const Node* value = root.Find(key);
    if (value == nullptr) return;
    if (!value->IsString()) {
      diagnostics.Error(value->origin(), key,
                        fmt::format("expected a string, got {}", value->Describe()), {}, "type");
      return;
    }
    out = value->AsString();
  };
  spec.name = path.stem().string();
  string_at("name", spec.name);
  string_at("description", spec.description);
  string_at("experiment", spec.experiment);

  // the base config, relative to the sweep file
  std::string config_text;
  string_at("config", config_text);
  const Node* config_node = root.Find("config");
  if (config_node == nullptr) {
    diagnostics.Error(root.origin(), "config", "a sweep file names its base config",
                      "Add config: <path of a config file, relative to this file>", "missing");
  } else if (!config_text.empty()) {
    spec.config = (path.parent_path() / config_text).lexically_normal();
    std::error_code error;
    if (!fs::is_regular_file(spec.config, error)) {
      diagnostics.Error(config_node->origin(), "config",
                        fmt::format("no config file {} (the path is relative to the sweep file)",
                                    DisplayPath(spec.config)),
                        {}, "missing");
    }
  }

  // common overrides, then the axes, in file order
  if (const Node* overrides = root.Find("overrides"); overrides && !overrides->IsNull()) {
    if (!overrides->IsList()) {
      diagnostics.Error(overrides->origin(), "overrides", "expected a list of override strings", {},
                        "type");
    } else {
      for (const Node& item : overrides->AsList()) {
        if (!item.IsString()) {
          diagnostics.Error(item.origin(), "overrides",
                            fmt::format("expected an override string, got {}", item.Describe()), {},
                            "type");
          continue;
        }
        if (auto parsed = ParseAt(item.AsString(), item.origin(), diagnostics)) {
          spec.overrides.push_back(std::move(*parsed));
        }
      }
    }
  }
  if (const Node* axes = root.Find("axes"); axes && !axes->IsNull()) {
    if (!axes->IsMap()) {
      diagnostics.Error(axes->origin(), "axes", "expected a mapping of key: values", {}, "type");
    } else {
      for (const auto& entry : axes->Entries()) {
        auto text = OverrideText(entry.key, entry.value, /*list_is_sweep=*/true, diagnostics);
        if (!text) continue;
        if (auto parsed = ParseAt(*text, entry.value.origin(), diagnostics)) {
          spec.overrides.push_back(std::move(*parsed));
        }
      }
    }
  }

  // the variants, in file order, and the baseline among them
  if (const Node* variants = root.Find("variants"); variants && !variants->IsNull()) {
    if (!variants->IsMap()) {
      diagnostics.Error(variants->origin(), "variants", "expected a mapping of name: overrides", {},
                        "type");
    } else {
      for (const auto& entry : variants->Entries()) {
        if (auto variant = ReadVariant(entry.key, entry.value, diagnostics)) {
          spec.variants.push_back(std::move(*variant));
        }
      }
    }
  }
  spec.baseline = FirstOrEmpty(spec.variants);
  if (const Node* baseline = root.Find("baseline")) {
    string_at("baseline", spec.baseline);
    std::vector<std::string> names;
    for (const auto& variant : spec.variants) names.push_back(variant.name);
    if (baseline->IsString() &&
        std::find(names.begin(), names.end(), spec.baseline) == names.end()) {
      std::string suggestion = DidYouMeanSentence(spec.baseline, names);
      diagnostics.Error(
          baseline->origin(), "baseline", fmt::format("no variant named '{}'", spec.baseline),
          suggestion.empty() ? "Variants: " + Join(names, ", ") : suggestion, "sweep");
    }
  }
  // where the runs execute: checked by the launcher it names (launcher.h)
  if (const Node* launcher = root.Find("launcher"); launcher && !launcher->IsNull()) {
    spec.launcher = *launcher;
  }
  if (diagnostics.HasErrors()) throw ConfigError(diagnostics);
  return spec;
}

bool IsLauncherOverride(std::string_view text) {
  return StartsWith(text, "launcher=") || StartsWith(text, "launcher.");
}

bool IsReplicateOrTaskAxis(std::string_view key_element) {
  // the seed replicates a run; the env group (or its name) is the task compare groups by
  return key_element == "seed" || key_element == "env" || key_element == "env.name";
}

std::vector<Override> CommandLineRunOverrides(const SweepSpec& spec) {
  // all parsed, so that each keeps its position (`override #3`) in messages
  std::vector<Override> parsed = config::ParseOverrides(spec.command_line);
  std::vector<Override> kept;
  for (auto& ov : parsed) {
    if (!IsLauncherOverride(ov.text)) kept.push_back(std::move(ov));
  }
  return kept;
}

SweepSpec SweepFromCommandLine(const fs::path& config,
                               const std::vector<std::string>& override_texts,
                               const std::string& name) {
  SweepSpec spec;
  spec.config = config;
  spec.command_line = override_texts;
  spec.name = name.empty()
                  ? config.stem().string() + "-" + Sha256Hex(RecordedText(spec)).substr(0, 8)
                  : name;
  return spec;
}

std::string RecordedText(const SweepSpec& spec) {
  std::error_code error;
  std::vector<std::string> quoted;
  for (const auto& text : spec.command_line) quoted.push_back(JsonQuote(text));
  std::string out;
  if (spec.source) {
    out += "# orch sweep: file " + fs::absolute(*spec.source, error).lexically_normal().string() +
           "\n";
  } else {
    out += "# orch sweep: config " + fs::absolute(spec.config, error).lexically_normal().string() +
           "\n";
  }
  out += "# orch sweep: overrides [" + Join(quoted, ", ") + "]\n";
  return out + spec.text;
}

SweepSpec LoadRecordedSweep(const std::string& text, const std::string& name) {
  std::optional<fs::path> file;
  std::optional<fs::path> config;
  std::vector<std::string> overrides;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line) && StartsWith(line, "# orch sweep: ")) {
    std::string_view rest = std::string_view(line).substr(14);
    if (StartsWith(rest, "file ")) file = std::string(rest.substr(5));
    if (StartsWith(rest, "config ")) config = std::string(rest.substr(7));
    if (StartsWith(rest, "overrides ")) {
      Node list = config::ParseYamlValue(rest.substr(10), "recorded sweep " + name);
      if (list.IsList()) {
        for (const Node& item : list.AsList()) {
          if (item.IsString()) overrides.push_back(item.AsString());
        }
      }
    }
  }
  SweepSpec spec;
  if (file) {
    spec = LoadSweepFile(*file);
  } else if (config) {
    spec = SweepFromCommandLine(*config, {}, name);
  } else {
    throw ConfigError(Origin(), name, "the recorded sweep names neither a sweep file nor a config",
                      {}, "sweep");
  }
  spec.name = name;
  spec.command_line = overrides;
  return spec;
}

std::vector<std::string> SweepJob::OverrideTexts() const {
  std::vector<std::string> texts;
  for (const auto& ov : overrides) texts.push_back(ov.text);
  return texts;
}

std::string SweepJob::Label() const {
  std::vector<std::string> parts = {fmt::format("#{}", index)};
  if (!variant_name.empty()) parts.push_back(variant_name);
  for (const auto& [key, value] : axis_values) parts.push_back(key + "=" + value);
  return Join(parts, " ");
}

std::vector<SweepJob> ExpandSweepJobs(const SweepSpec& spec, const ExpandOptions& options,
                                      std::vector<Axis>* axes_out) {
  std::vector<Override> all = spec.overrides;
  std::vector<Override> extra = CommandLineRunOverrides(spec);
  all.insert(all.end(), extra.begin(), extra.end());
  std::vector<Axis> axes = BuildAxes(all, options);
  std::vector<Variant> variants = spec.variants;
  if (variants.empty()) variants.push_back(Variant{});
  CheckJobCount(axes, variants.size());
  std::vector<Job> grid = ExpandJobs(axes);

  std::vector<SweepJob> jobs;
  jobs.reserve(grid.size() * variants.size());
  for (const Job& point : grid) {
    for (const Variant& variant : variants) {
      SweepJob job;
      job.index = jobs.size();
      job.variant_name = variant.name;
      job.overrides = point.overrides;
      job.overrides.insert(job.overrides.end(), variant.overrides.begin(), variant.overrides.end());
      // a swept axis other than the seed and the task is an arm of the study too: it names
      // the variant with its value, so that `orch compare` tells `w_mem=0` from `w_mem=0.02`
      std::vector<std::string> arm;
      if (!variant.name.empty()) arm.push_back(variant.name);
      for (size_t a = 0; a < axes.size(); ++a) {
        if (!axes[a].IsSwept()) continue;
        const std::string& text = point.overrides[a].text;
        const std::string value = text.substr(text.find('=') + 1);
        job.axis_values.emplace_back(axes[a].key_element, value);
        if (!IsReplicateOrTaskAxis(axes[a].key_element)) {
          arm.push_back(axes[a].key_element + "=" + value);
        }
      }
      job.variant = Join(arm, ",");
      jobs.push_back(std::move(job));
    }
  }
  if (axes_out != nullptr) *axes_out = std::move(axes);
  return jobs;
}

}  // namespace orch::sweep
