// src/app/config_pipeline.cpp
#include "app/config_pipeline.h"

#include "app/config_schema.h"
#include "config/validate.h"

namespace orch::app {

namespace {

std::optional<std::filesystem::path> OptionalPath(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return std::filesystem::path(*text);
}

}  // namespace

ConfigPipeline::ConfigPipeline(const ConfigSource& source)
    : primary_(config::LocatePrimaryConfig(source.primary_file, OptionalPath(source.config_dir))),
      repository_(primary_.root),
      use_schema_(source.use_schema) {}

config::ComposedConfig ConfigPipeline::Compose(const std::vector<config::Override>& overrides) {
  config::ComposeOptions options;
  if (use_schema_) {
    options.prepare = [](config::Node& tree) { config::FillSchemaDefaults(RootSchema(), tree); };
  }
  config::ComposedConfig composed =
      config::Compose(repository_, primary_.config_path, overrides, options);
  if (use_schema_) config::ValidateConfig(RootSchema(), composed.tree, composed.diagnostics);
  // `???` left unset, also where no schema looks (--no-schema, free-form values)
  config::ReportMissingValues(composed.tree, composed.diagnostics);
  return composed;
}

}  // namespace orch::app
