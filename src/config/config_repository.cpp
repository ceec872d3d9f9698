// src/config/config_repository.cpp
#include "config/config_repository.h"

#include <algorithm>
#include <system_error>

#include "common/string_util.h"

namespace orch::config {
namespace fs = std::filesystem;

namespace {

std::string DisplayRoot(const fs::path& root) {
  std::error_code error;
  fs::path cwd = fs::current_path(error);
  fs::path absolute = fs::absolute(root, error).lexically_normal();
  if (!error) {
    fs::path relative = absolute.lexically_relative(cwd);
    if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  }
  return absolute.generic_string();
}

}  // namespace

ConfigRepository::ConfigRepository(fs::path root)
    : root_(std::move(root)), display_root_(DisplayRoot(root_)) {}

fs::path ConfigRepository::FilePath(const std::string& config_path) const {
  return root_ / (config_path + ".yaml");
}

std::string ConfigRepository::DisplayPath(const std::string& config_path) const {
  if (display_root_ == "." || display_root_.empty()) return config_path + ".yaml";
  return display_root_ + "/" + config_path + ".yaml";
}

const LoadedConfig* ConfigRepository::Load(const std::string& config_path) {
  auto it = cache_.find(config_path);
  if (it != cache_.end()) return it->second.get();
  if (!ConfigExists(config_path)) return nullptr;
  auto loaded = std::make_unique<LoadedConfig>(
      LoadYamlFile(FilePath(config_path).string(), DisplayPath(config_path)));
  const LoadedConfig* result = loaded.get();
  cache_.emplace(config_path, std::move(loaded));
  return result;
}

bool ConfigRepository::ConfigExists(const std::string& config_path) const {
  std::error_code error;
  return fs::is_regular_file(FilePath(config_path), error);
}

bool ConfigRepository::GroupExists(const std::string& group_path) const {
  if (group_path.empty()) return false;
  std::error_code error;
  return fs::is_directory(root_ / group_path, error);
}

std::vector<std::string> ConfigRepository::GroupOptions(const std::string& group_path) const {
  std::vector<std::string> options;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_ / group_path, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      options.push_back(entry.path().stem().string());
    }
  }
  std::sort(options.begin(), options.end());
  return options;
}

std::vector<std::string> ConfigRepository::AllGroups() const {
  std::vector<std::string> groups;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root_, error);
       it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    if (it->is_directory()) groups.push_back(it->path().lexically_relative(root_).generic_string());
  }
  std::sort(groups.begin(), groups.end());
  return groups;
}

fs::path FindConfigRoot(const fs::path& primary_file, const std::optional<fs::path>& config_dir) {
  if (config_dir) return *config_dir;
  std::error_code error;
  fs::path absolute = fs::absolute(primary_file, error).lexically_normal();
  for (fs::path dir = absolute.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (dir.filename() == "configs") return dir;
    if (dir == dir.root_path()) break;
  }
  return absolute.parent_path();
}

}  // namespace orch::config
