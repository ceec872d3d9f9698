// src/config/config_repository.h: the config tree on disk: groups, options, cached file loads.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_loader.h"

namespace orch::config {

/// A config root directory: every `<group>/<option>.yaml` below it. Config paths are relative
/// to the root, without the extension (`env/cheetah-run`). Loads are parsed once and cached, so
/// composing many jobs reads each file once. Not thread-safe.
class ConfigRepository {
 public:
  /// `root` is the config directory; paths in messages are shown relative to the working
  /// directory when the root lies below it.
  explicit ConfigRepository(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  /// The root as shown in messages: relative to the working directory when below it.
  const std::string& display_root() const { return display_root_; }

  /// The parsed file for `config_path`, or nullptr when there is no such file.
  /// Throws ConfigError when the file exists but is malformed.
  const LoadedConfig* Load(const std::string& config_path);

  bool ConfigExists(const std::string& config_path) const;
  /// True when `group_path` is a directory below the root.
  bool GroupExists(const std::string& group_path) const;
  /// The options of a group (file names without `.yaml`), sorted.
  std::vector<std::string> GroupOptions(const std::string& group_path) const;
  /// Every group path below the root (`env`, `policy`, `tdmpc2/model`), sorted.
  std::vector<std::string> AllGroups() const;
  /// The path of `config_path` as shown in messages (`configs/env/cheetah-run.yaml`).
  std::string DisplayPath(const std::string& config_path) const;

 private:
  std::filesystem::path FilePath(const std::string& config_path) const;

  std::filesystem::path root_;
  std::string display_root_;
  std::map<std::string, std::unique_ptr<LoadedConfig>> cache_;
};

/// Where the config tree of a primary config file lives: `config_dir` when given, else the
/// nearest ancestor directory named `configs`, else the primary config's own directory.
std::filesystem::path FindConfigRoot(const std::filesystem::path& primary_file,
                                     const std::optional<std::filesystem::path>& config_dir);

}  // namespace orch::config
