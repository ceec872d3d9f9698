// src/app/config_pipeline.h: compose + schema defaults + overrides + interpolation + validation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/compose.h"
#include "config/config_repository.h"
#include "config/override.h"

namespace orch::app {

/// Where a config comes from, as given on the command line.
struct ConfigSource {
  std::string primary_file;               ///< `configs/tdmpc2/cheetah.yaml`
  std::optional<std::string> config_dir;  ///< --config-dir
  bool use_schema = true;                 ///< false: --no-schema (plain Hydra composition)
};

/// The whole path from a primary config file to a validated tree. One pipeline composes many
/// jobs of a sweep and reads each config file once.
class ConfigPipeline {
 public:
  /// Throws ConfigError when the primary config cannot be found.
  explicit ConfigPipeline(const ConfigSource& source);

  /// Composes with `overrides` (no sweeps), lays the schema defaults under each namespace before
  /// the value overrides, resolves interpolations, then validates and normalises (schema mode).
  /// Fatal composition errors are thrown as ConfigError; everything else, errors and warnings,
  /// is in the result's diagnostics.
  config::ComposedConfig Compose(const std::vector<config::Override>& overrides);

  config::ConfigRepository& repository() { return repository_; }
  const config::PrimaryConfig& primary() const { return primary_; }
  bool use_schema() const { return use_schema_; }

 private:
  config::PrimaryConfig primary_;
  config::ConfigRepository repository_;
  bool use_schema_;
};

}  // namespace orch::app
