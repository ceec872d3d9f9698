// src/app/command_export.cpp: `orch export`, a run's metrics as CSV or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "app/commands.h"
#include "app/store_options.h"
#include "common/error.h"
#include "common/json.h"
#include "common/string_util.h"

namespace orch::app {

namespace {

/// The runs to export: those named, or the members of --sweep in job order.
std::vector<int64_t> RunsToExport(store::ResultsStore& store, const ParsedArgs& parsed) {
  std::vector<int64_t> ids;
  if (auto sweep_name = parsed.Value("sweep")) {
    const store::SweepRecord sweep = store.RequireSweep(*sweep_name);
    for (const auto& member : store.SweepMembers(sweep.sweep_id)) ids.push_back(member.run_id);
  }
  for (const auto& reference : parsed.positional) ids.push_back(store.ResolveRun(reference));
  if (ids.empty()) throw UsageError("orch export needs RUN... or --sweep NAME");
  return ids;
}

/// The stored parameters whose values differ among `runs` (the seed's included): the columns
/// that tell the runs of a long table apart.
std::vector<std::string> VaryingParams(const std::vector<store::RunDetails>& runs) {
  std::map<std::string, std::set<std::string>> values;
  for (const auto& run : runs) {
    std::set<std::string> present;
    for (const auto& param : run.params) {
      values[param.key].insert(param.value_text);
      present.insert(param.key);
    }
    for (auto& [key, seen] : values) {
      if (present.count(key) == 0) seen.insert("");
    }
  }
  std::vector<std::string> keys;
  for (const auto& [key, seen] : values) {
    if (seen.size() > 1 && key != "seed") keys.push_back(key);
  }
  return keys;
}

std::string ValueText(const store::MetricPoint& point) {
  if (!point.value) return "";
  if (std::isinf(*point.value)) return *point.value > 0 ? "inf" : "-inf";
  return FormatDouble(*point.value);
}

}  // namespace

const CommandSpec& ExportSpec() {
  static const CommandSpec spec = {
      "export",
      "[RUN...]",
      "write runs' metrics as CSV (one long table) or JSON",
      "One RUN as CSV: one row per point, key,step,value,wall_ms (a NaN value is left empty).\n"
      "Several RUNs or --sweep NAME: one long table with the columns run,uuid,sweep,variant,\n"
      "task,seed, then every stored parameter whose value differs among the runs, then\n"
      "key,step,value,wall_ms; ready for pandas.read_csv and a groupby. JSON: per run\n"
      "{\"run\": {...}, \"metrics\": {key: {\"step\": [...], \"value\": [...], \"wall_ms\": "
      "[...]}}}\n"
      "with null for NaN (an array of those for several runs). --key (repeatable as --key a\n"
      "--key b, or comma-separated) keeps only those metrics.",
      {StoreOption(),
       {"format", "FMT", "csv or json"},
       {"sweep", "NAME", "every run of this sweep, in job order"},
       {"key", "KEY", "only these metric keys (repeatable, or comma-separated)"},
       {"out", "FILE", "write to FILE instead of stdout"}},
      "  orch export 3f2a9c1b --format csv > tam.csv\n"
      "  orch export --sweep tam_memory --format csv --key soft_bind > tam_memory.csv\n"
      "  orch export 3f2a9c1b --format json --key soft_bind,E_T_train\n"};
  return spec;
}

int RunExport(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(ExportSpec(), args);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  std::string format = parsed.Value("format").value_or("");
  if (format != "csv" && format != "json") {
    throw UsageError("orch export needs --format csv or --format json");
  }
  const std::vector<std::string> keys = parsed.Values("key");
  auto wanted = [&](const std::string& key) {
    return keys.empty() || std::find(keys.begin(), keys.end(), key) != keys.end();
  };

  auto store = OpenStoreForReading(parsed);
  std::vector<int64_t> run_ids = RunsToExport(*store, parsed);
  std::vector<store::RunDetails> runs;
  for (int64_t id : run_ids) runs.push_back(store->GetRun(id));
  // a key none of the runs has is a typo
  for (const auto& key : keys) {
    std::set<std::string> names;
    for (const auto& run : runs) {
      for (const auto& metric : run.metrics) names.insert(metric.name);
    }
    if (names.count(key) == 0) {
      std::vector<std::string> known(names.begin(), names.end());
      std::string suggestion = DidYouMeanSentence(key, known);
      throw UsageError(fmt::format("no exported run has metric '{}'. {}Known: {}", key,
                                   suggestion.empty() ? "" : suggestion + " ", Join(known, ", ")));
    }
  }
  const bool long_table = runs.size() > 1 || parsed.Value("sweep").has_value();

  std::string out;
  if (format == "csv" && !long_table) {
    out = "key,step,value,wall_ms\n";
    store->ForEachMetric(
        run_ids.front(), [&](const std::string& key, const store::MetricPoint& point) {
          if (!wanted(key)) return;
          out += fmt::format("{},{},{},{}\n", key, point.step, ValueText(point), point.wall_ms);
        });
  } else if (format == "csv") {
    const std::vector<std::string> varying = VaryingParams(runs);
    const std::string sweep = parsed.Value("sweep").value_or("");
    out = "run,uuid,sweep,variant,task,seed";
    for (const auto& key : varying) out += "," + CsvField(key);
    out += ",key,step,value,wall_ms\n";
    for (const auto& run : runs) {
      std::map<std::string, std::string> params;
      for (const auto& param : run.params) params[param.key] = param.value_text;
      std::string prefix =
          fmt::format("{},{},{},{},{},{}", run.summary.run_id, run.summary.uuid, CsvField(sweep),
                      CsvField(run.summary.variant), CsvField(run.summary.task), run.summary.seed);
      for (const auto& key : varying) prefix += "," + CsvField(params[key]);
      store->ForEachMetric(run.summary.run_id,
                           [&](const std::string& key, const store::MetricPoint& point) {
                             if (!wanted(key)) return;
                             out += fmt::format("{},{},{},{},{}\n", prefix, CsvField(key),
                                                point.step, ValueText(point), point.wall_ms);
                           });
    }
  } else {
    JsonWriter json;
    if (long_table) json.BeginArray();
    for (const auto& run : runs) {
      std::map<std::string, std::vector<store::MetricPoint>> series;
      store->ForEachMetric(run.summary.run_id,
                           [&](const std::string& key, const store::MetricPoint& point) {
                             if (wanted(key)) series[key].push_back(point);
                           });
      json.BeginObject();
      json.Key("run").BeginObject();
      json.Key("uuid").String(run.summary.uuid);
      json.Key("name").String(run.summary.name);
      json.Key("algo").String(run.summary.algo);
      json.Key("task").String(run.summary.task);
      json.Key("variant").String(run.summary.variant);
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
    }
    if (long_table) json.EndArray();
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
