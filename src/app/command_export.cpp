// src/app/command_export.cpp: `orch export`, a run's metrics as CSV or JSON.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "app/commands.h"
#include "app/store_options.h"
#include "common/error.h"
#include "common/json.h"
#include "common/string_util.h"

namespace orch::app {

const CommandSpec& ExportSpec() {
  static const CommandSpec spec = {
      "export",
      "RUN --format csv|json [--key KEY]... [--out FILE] [--store PATH]",
      "write a run's metrics as CSV (long form) or JSON (columns per key)",
      "CSV has one row per point: key,step,value,wall_ms (a NaN value is left empty). JSON is\n"
      "{\"run\": {...}, \"metrics\": {key: {\"step\": [...], \"value\": [...], \"wall_ms\": "
      "[...]}}}\n"
      "with null for NaN. --key (repeatable as --key a --key b, or comma-separated) keeps only\n"
      "those metrics.",
      {StoreOption(),
       {"format", "FMT", "csv or json"},
       {"key", "KEY", "only these metric keys (comma-separated)"},
       {"out", "FILE", "write to FILE instead of stdout"}},
      "  orch export 3f2a9c1b --format csv > tam.csv\n"
      "  orch export 3f2a9c1b --format json --key soft_bind,E_T_train\n"};
  return spec;
}

int RunExport(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(ExportSpec(), args, 1);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  std::string format = parsed.Value("format").value_or("");
  if (format != "csv" && format != "json") {
    throw UsageError("orch export needs --format csv or --format json");
  }
  std::vector<std::string> keys;
  if (auto key_list = parsed.Value("key")) {
    for (auto& key : Split(*key_list, ',')) {
      if (!key.empty()) keys.push_back(key);
    }
  }
  auto wanted = [&](const std::string& key) {
    return keys.empty() || std::find(keys.begin(), keys.end(), key) != keys.end();
  };

  auto store = OpenStoreForReading(parsed);
  int64_t run_id = store->ResolveRun(parsed.positional[0]);
  store::RunDetails run = store->GetRun(run_id);
  for (const auto& key : keys) {
    bool known = std::any_of(run.metrics.begin(), run.metrics.end(),
                             [&](const auto& metric) { return metric.name == key; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& metric : run.metrics) names.push_back(metric.name);
      throw UsageError(fmt::format(
          "run {} has no metric '{}'. {}Known: {}", run.summary.uuid.substr(0, 8), key,
          DidYouMeanSentence(key, names).empty() ? "" : DidYouMeanSentence(key, names) + " ",
          Join(names, ", ")));
    }
  }

  std::string out;
  if (format == "csv") {
    out = "key,step,value,wall_ms\n";
    store->ForEachMetric(run_id, [&](const std::string& key, const store::MetricPoint& point) {
      if (!wanted(key)) return;
      std::string value = point.value ? FormatDouble(*point.value) : "";
      if (point.value && std::isinf(*point.value)) value = *point.value > 0 ? "inf" : "-inf";
      out += fmt::format("{},{},{},{}\n", key, point.step, value, point.wall_ms);
    });
  } else {
    std::map<std::string, std::vector<store::MetricPoint>> series;
    store->ForEachMetric(run_id, [&](const std::string& key, const store::MetricPoint& point) {
      if (wanted(key)) series[key].push_back(point);
    });
    JsonWriter json;
    json.BeginObject();
    json.Key("run").BeginObject();
    json.Key("uuid").String(run.summary.uuid);
    json.Key("name").String(run.summary.name);
    json.Key("algo").String(run.summary.algo);
    json.Key("task").String(run.summary.task);
    json.Key("seed").Int(run.summary.seed);
    json.Key("status").String(run.summary.status);
    json.Key("config").Raw(run.config_json);
    json.EndObject();
    json.Key("metrics").BeginObject();
    for (const auto& [key, points] : series) {
      json.Key(key).BeginObject();
      json.Key("step").BeginArray();
      for (const auto& point : points) json.Int(point.step);
      json.EndArray();
      json.Key("value").BeginArray();
      for (const auto& point : points) point.value ? json.Double(*point.value) : json.Null();
      json.EndArray();
      json.Key("wall_ms").BeginArray();
      for (const auto& point : points) json.Int(point.wall_ms);
      json.EndArray();
      json.EndObject();
    }
    json.EndObject();
    json.EndObject();
    out = json.Take() + "\n";
  }

  if (auto path = parsed.Value("out")) {
    std::ofstream file(*path, std::ios::binary);
    if (!file) throw OrchError("cannot write " + *path);
    file << out;
    std::fprintf(stderr, "orch: wrote %s\n", path->c_str());
  } else {
    std::fputs(out.c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace orch::app
