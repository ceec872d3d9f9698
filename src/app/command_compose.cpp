// src/app/command_compose.cpp: `orch compose`, the composed and validated config.
#include <fmt/format.h>

#include <cstdio>

#include "app/commands.h"
#include "app/config_pipeline.h"
#include "app/config_schema.h"
#include "common/error.h"
#include "common/json.h"
#include "config/json_writer.h"
#include "config/key_path.h"
#include "config/yaml_writer.h"

namespace orch::app {
namespace {

/// Every leaf's dotted path and origin, for --explain --json.
void CollectOrigins(const config::Node& node, const std::string& path, JsonWriter& json) {
  if (node.IsMap() && node.Size() > 0) {
    for (const auto& entry : node.Entries()) {
      CollectOrigins(entry.value, config::JoinKey(path, entry.key), json);
    }
    return;
  }
  if (node.IsList() && node.Size() > 0) {
    const auto& items = node.AsList();
    for (size_t i = 0; i < items.size(); ++i) {
      CollectOrigins(items[i], config::IndexKey(path, i), json);
    }
    return;
  }
  json.Key(path).String(node.origin().ToString());
}

std::string ExplainHeader(ConfigPipeline& pipeline, const config::ComposedConfig& composed,
                          const std::string& primary_file) {
  std::string out = fmt::format("# primary config: {} (config root: {})\n", primary_file,
                                pipeline.repository().display_root());
  out += "# merge order (later wins; mappings merge key by key, lists are replaced whole):\n";
  size_t width = 0;
  for (const auto& result : composed.defaults) {
    width = std::max(width, result.config_path.size() + (result.is_self ? 9 : 0));
  }
  for (const auto& result : composed.defaults) {
    std::string name = result.config_path + (result.is_self ? " (_self_)" : "");
    out += fmt::format("#   {:<{}}  at {}\n", name, width,
                       result.package.empty() ? "<root>" : result.package);
  }
  if (!composed.choices.empty()) {
    std::vector<std::string> choices;
    for (const auto& [group, option] : composed.choices) choices.push_back(group + "=" + option);
    out += "# group choices: " + fmt::format("{}", fmt::join(choices, " ")) + "\n";
  }
  return out;
}

}  // namespace

const CommandSpec& ComposeSpec() {
  static const CommandSpec spec = {
      "compose",
      "CONFIG [OVERRIDE...]",
      "print the composed, interpolated and validated config",
      "Composes CONFIG with its defaults list and the overrides (Hydra's grammar: key=value,\n"
      "+key=value, ++key=value, ~key, group=option, group@pkg=option), resolves interpolations\n"
      "and validates every namespace against its schema. Every problem is reported at once\n"
      "with its file:line:col or override; the exit code is then 2.",
      {
          {"json", "", "print one JSON document (non-finite floats as Infinity, -Infinity, NaN)"},
          {"explain", "", "show where every value came from, and the merge order"},
          {"no-schema", "", "compose any Hydra-style tree; skip orch's namespace validation"},
          {"config-dir", "DIR",
           "config root (default: nearest ancestor named 'configs', else CONFIG's dir)"},
      },
      "  orch compose configs/tdmpc2/cheetah.yaml multi_gamma.enabled=true\n"
      "  orch compose configs/tam/pendulum.yaml tam.memory.enabled=true --explain\n"
      "  orch compose configs/ppo/cartpole.yaml policy=lstm --json\n"};
  return spec;
}

int RunCompose(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(ComposeSpec(), args, 1);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  const bool json = parsed.Flag("json");
  ConfigSource source{parsed.positional[0], parsed.Value("config-dir"), !parsed.Flag("no-schema")};
  std::vector<std::string> texts(parsed.positional.begin() + 1, parsed.positional.end());

  ConfigPipeline pipeline(source);
  config::ComposedConfig composed = pipeline.Compose(config::ParseOverrides(texts));
  int status = ReportDiagnostics(composed.diagnostics, "configuration");
  if (status != kExitOk) {
    if (json) std::printf("{\"errors\":%s}\n", DiagnosticsJson(composed.diagnostics).c_str());
    return status;
  }

  if (json && parsed.Flag("explain")) {
    JsonWriter out(2);
    out.BeginObject();
    out.Key("config");
    config::WriteJson(out, composed.tree);
    out.Key("defaults").BeginArray();
    for (const auto& result : composed.defaults) {
      out.BeginObject();
      out.Key("config_path").String(result.config_path);
      out.Key("package").String(result.package);
      out.Key("is_self").Bool(result.is_self);
      out.EndObject();
    }
    out.EndArray();
    out.Key("choices").BeginObject();
    for (const auto& [group, option] : composed.choices) out.Key(group).String(option);
    out.EndObject();
    out.Key("origins").BeginObject();
    CollectOrigins(composed.tree, "", out);
    out.EndObject();
    out.EndObject();
    std::printf("%s\n", out.str().c_str());
  } else if (json) {
    std::printf("%s\n", config::ToJson(composed.tree, 2).c_str());
  } else if (parsed.Flag("explain")) {
    config::YamlStyle style;
    style.annotate_origins = true;
    std::fputs(ExplainHeader(pipeline, composed, source.primary_file).c_str(), stdout);
    std::fputs(config::ToYaml(composed.tree, style).c_str(), stdout);
  } else {
    std::fputs(config::ToYaml(composed.tree).c_str(), stdout);
  }
  if (!json && source.use_schema) {
    std::vector<std::string> derived = DerivedValueLines(composed.tree);
    if (!derived.empty()) {
      std::string out = "# derived from this config by named functions (not part of it):\n";
      for (const auto& line : derived) out += "#   " + line + "\n";
      std::fputs(out.c_str(), stdout);
    }
  }
  return kExitOk;
}

}  // namespace orch::app
