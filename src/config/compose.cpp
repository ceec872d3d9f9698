// src/config/compose.cpp
#include "config/compose.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/string_util.h"
#include "config/override_apply.h"

namespace orch::config {
namespace fs = std::filesystem;

namespace {

/// The mapping at a dotted package inside `root`, created (as empty mappings) where needed.
Node& PackageNode(Node& root, const std::string& package, const Origin& origin) {
  Node* node = &root;
  if (package.empty()) return *node;
  for (const auto& segment : Split(package, '.')) {
    Node* child = node->FindMutable(segment);
    if (child == nullptr || !child->IsMap()) child = &node->Set(segment, Node::MakeMap(origin));
    node = child;
  }
  return *node;
}

}  // namespace

PrimaryConfig LocatePrimaryConfig(const fs::path& primary_file,
                                  const std::optional<fs::path>& config_dir) {
  std::error_code error;
  fs::path file = primary_file;
  if (!fs::is_regular_file(file, error) && file.extension().empty()) file += ".yaml";
  if (!fs::is_regular_file(file, error)) {
    throw ConfigError(Origin::File(primary_file.generic_string(), 0, 0), "",
                      "cannot find the primary config file",
                      "Give the path of a YAML file, e.g. configs/tdmpc2/cheetah.yaml", "compose");
  }
  PrimaryConfig primary;
  primary.root = FindConfigRoot(file, config_dir);
  fs::path absolute_root = fs::absolute(primary.root, error).lexically_normal();
  fs::path absolute_file = fs::absolute(file, error).lexically_normal();
  fs::path relative = absolute_file.lexically_relative(absolute_root);
  if (relative.empty() || *relative.begin() == "..") {
    throw ConfigError(Origin::File(primary_file.generic_string(), 0, 0), "",
                      fmt::format("the primary config is not inside the config directory {}",
                                  primary.root.generic_string()),
                      "Pass --config-dir with a directory that contains it", "compose");
  }
  relative.replace_extension();
  primary.config_path = relative.generic_string();
  return primary;
}

std::vector<Override> ParseOverrides(const std::vector<std::string>& texts) {
  std::vector<Override> overrides;
  Diagnostics diagnostics;
  for (size_t i = 0; i < texts.size(); ++i) {
    try {
      overrides.push_back(ParseOverride(texts[i], static_cast<int>(i + 1)));
    } catch (const ConfigError& error) {
      diagnostics.Append(error.diagnostics());
    }
  }
  if (diagnostics.HasErrors()) throw ConfigError(diagnostics);
  return overrides;
}

ComposedConfig Compose(ConfigRepository& repository, const std::string& primary_config_path,
                       const std::vector<Override>& overrides, const ComposeOptions& options) {
  ComposedConfig composed;
  DefaultsListResult defaults = BuildDefaultsList(repository, primary_config_path, overrides);

  // merge every config at its package, in defaults-list order
  composed.tree = Node::MakeMap(Origin::File(repository.DisplayPath(primary_config_path), 1, 1));
  for (const ResultDefault& result : defaults.defaults) {
    const LoadedConfig* loaded = repository.Load(result.config_path);
    if (loaded == nullptr) continue;
    Node& target = PackageNode(composed.tree, result.package, loaded->content.origin());
    MergeInto(target, loaded->content);
  }

  if (options.prepare) options.prepare(composed.tree);

  for (const Override* value_override : defaults.value_overrides) {
    ApplyValueOverride(composed.tree, *value_override, composed.diagnostics);
  }
  // Hydra's runtime node is not the job's config (and its ${now:...} values are not ours)
  composed.hydra = TakeHydraSettings(composed.tree, composed.diagnostics);
  if (options.resolve_interpolations) {
    ResolveInterpolations(composed.tree, composed.diagnostics, options.interpolation);
  }
  composed.defaults = std::move(defaults.defaults);
  composed.choices = std::move(defaults.choices);
  return composed;
}

}  // namespace orch::config
