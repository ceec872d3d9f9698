// src/app/command_show.cpp: `orch show`, everything recorded about one run.
#include <fmt/format.h>

#include <cstdio>

#include "app/commands.h"
#include "app/store_options.h"
#include "common/error.h"
#include "common/json.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

void OptionalInt(JsonWriter& json, const char* key, const std::optional<int64_t>& value) {
  json.Key(key);
  value ? json.Int(*value) : json.Null();
}

void OptionalString(JsonWriter& json, const char* key, const std::optional<std::string>& value) {
  json.Key(key);
  value ? json.String(*value) : json.Null();
}

std::string ShowJson(const store::RunDetails& run) {
  const store::RunSummary& s = run.summary;
  JsonWriter json(2);
  json.BeginObject();
  json.Key("id").Int(s.run_id);
  json.Key("uuid").String(s.uuid);
  json.Key("name").String(s.name);
  json.Key("experiment").String(run.experiment);
  json.Key("status").String(s.status);
  json.Key("tags").BeginArray();
  for (const auto& tag : s.tags) json.String(tag);
  json.EndArray();
  json.Key("note").String(s.note);
  json.Key("device").String(s.device);
  json.Key("attempt").Int(s.attempt);
  json.Key("algo").String(s.algo);
  json.Key("task").String(s.task);
  json.Key("variant").String(s.variant);
  json.Key("seed").Int(s.seed);
  json.Key("config_path").String(run.config_path);
  json.Key("config_sha256").String(s.config_sha256);
  json.Key("config").Raw(run.config_json);
  json.Key("config_yaml").String(run.config_yaml);
  json.Key("overrides").BeginArray();
  for (const auto& text : run.overrides) json.String(text);
  json.EndArray();
  json.Key("code").BeginObject();
  OptionalString(json, "git_sha", run.code.git_sha);
  json.Key("dirty").Bool(run.code.dirty);
  json.Key("diff_sha256").String(run.code.diff_sha256);
  OptionalString(json, "branch", run.code.branch);
  OptionalString(json, "remote_url", run.code.remote_url);
  json.Key("orch_version").String(run.code.orch_version);
  json.Key("build").Raw(run.code.build_info_json.empty() ? "{}" : run.code.build_info_json);
  json.EndObject();
  json.Key("host").BeginObject();
  json.Key("hostname").String(run.host.hostname);
  json.Key("cpu_model").String(run.host.cpu_model);
  json.Key("cpus").Int(run.host.cpus);
  json.Key("memory_bytes").Int(run.host.memory_bytes);
  json.Key("os").String(run.host.os);
  json.EndObject();
  json.Key("thread_budget").Int(run.thread_budget);
  OptionalInt(json, "pid", run.pid);
  json.Key("created_at_ms").Int(s.created_at_ms);
  OptionalInt(json, "started_at_ms", s.started_at_ms);
  OptionalInt(json, "ended_at_ms", s.ended_at_ms);
  OptionalInt(json, "heartbeat_at_ms", s.heartbeat_at_ms);
  json.Key("last_step").Int(s.last_step);
  json.Key("budget_steps").Int(s.budget_steps);
  OptionalInt(json, "exit_code", s.exit_code);
  json.Key("error").String(s.error_text);
  json.Key("run_dir").String(run.run_dir);
  OptionalInt(json, "param_count", run.param_count);
  OptionalInt(json, "peak_rss_bytes", run.peak_rss_bytes);
  json.Key("metrics").BeginArray();
  for (const auto& metric : run.metrics) {
    json.BeginObject();
    json.Key("key").String(metric.name);
    json.Key("kind").String(metric.kind);
    json.Key("points").Int(metric.points);
    json.Key("first_step").Int(metric.first_step);
    json.Key("last_step").Int(metric.last_step);
    json.Key("last_value");
    metric.last_value ? json.Double(*metric.last_value) : json.Null();
    json.EndObject();
  }
  json.EndArray();
  json.Key("artifacts").BeginArray();
  for (const auto& artifact : run.artifacts) {
    json.BeginObject();
    json.Key("kind").String(artifact.kind);
    json.Key("path").String(artifact.path);
    json.Key("sha256").String(artifact.sha256);
    json.Key("bytes").Int(artifact.bytes);
    json.EndObject();
  }
  json.EndArray();
  json.Key("checkpoints").BeginArray();
  for (const auto& checkpoint : run.checkpoints) {
    json.BeginObject();
    json.Key("step").Int(checkpoint.step);
    json.Key("path").String(checkpoint.path);
    json.Key("sha256").String(checkpoint.sha256);
    json.Key("bytes").Int(checkpoint.bytes);
    json.Key("is_final").Bool(checkpoint.is_final);
    json.EndObject();
  }
  json.EndArray();
  json.Key("events").BeginArray();
  for (const auto& event : run.events) {
    json.BeginObject();
    json.Key("ts_ms").Int(event.ts_ms);
    json.Key("kind").String(event.kind);
    json.Key("detail").String(event.detail);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take();
}

std::string ShowText(const store::RunDetails& run) {
  const store::RunSummary& s = run.summary;
  std::string out = fmt::format("run {}  {}\n", s.uuid, PrintableText(s.name));
  out += fmt::format("  status      {}{}\n", s.status,
                     s.attempt > 1 ? fmt::format(" (attempt {})", s.attempt) : "");
  if (!s.error_text.empty()) out += fmt::format("  error       {}\n", s.error_text);
  out += fmt::format("  algo        {}   task {}   seed {}{}\n", s.algo, s.task, s.seed,
                     s.variant.empty() ? "" : "   variant " + s.variant);
  if (!s.tags.empty()) out += fmt::format("  tags        {}\n", Join(s.tags, " "));
  if (!s.note.empty()) out += fmt::format("  note        {}\n", PrintableText(s.note));
  out += fmt::format("  config      {}   sha256 {}\n", run.config_path, s.config_sha256);
  out += fmt::format("  overrides   {}\n", run.overrides.empty() ? "-" : Join(run.overrides, " "));
  std::string git = run.code.git_sha ? *run.code.git_sha : "not in a git repository";
  if (run.code.dirty)
    git += fmt::format(" + uncommitted changes (sha256 {})", run.code.diff_sha256.substr(0, 12));
  if (run.code.branch) git += " on " + *run.code.branch;
  out += fmt::format("  code        {}\n", git);
  out += fmt::format("  orch        {} {}\n", run.code.orch_version, run.code.build_info_json);
  out +=
      fmt::format("  host        {}, {}, {} cpus, {}, {}\n", run.host.hostname, run.host.cpu_model,
                  run.host.cpus, FormatBytes(run.host.memory_bytes), run.host.os);
  out += fmt::format("  threads     {}   pid {}   device {}\n", run.thread_budget,
                     run.pid ? std::to_string(*run.pid) : "-", s.device.empty() ? "-" : s.device);
  out += fmt::format("  created     {}\n", FormatTimestamp(s.created_at_ms));
  if (s.started_at_ms) out += fmt::format("  started     {}\n", FormatTimestamp(*s.started_at_ms));
  if (s.ended_at_ms) {
    out += fmt::format("  ended       {}  ({:.1f} s)\n", FormatTimestamp(*s.ended_at_ms),
                       s.started_at_ms ? (*s.ended_at_ms - *s.started_at_ms) / 1000.0 : 0.0);
  }
  if (s.heartbeat_at_ms)
    out += fmt::format("  heartbeat   {}\n", FormatTimestamp(*s.heartbeat_at_ms));
  out += fmt::format("  progress    {}/{}\n", s.last_step, s.budget_steps);
  if (run.peak_rss_bytes)
    out += fmt::format("  peak RSS    {}\n", FormatBytes(*run.peak_rss_bytes));
  out += fmt::format("  run dir     {}\n", run.run_dir);

  out += fmt::format("\nmetrics ({} keys):\n", run.metrics.size());
  size_t width = 3;
  for (const auto& metric : run.metrics) width = std::max(width, metric.name.size());
  for (const auto& metric : run.metrics) {
    out += fmt::format("  {:<{}}  {:<6} {:>7} points  steps {}..{}  last {}\n", metric.name, width,
                       metric.kind, metric.points, metric.first_step, metric.last_step,
                       metric.last_value ? fmt::format("{:.6g}", *metric.last_value) : "NaN");
  }
  out += fmt::format("\ncheckpoints ({}):\n", run.checkpoints.size());
  for (const auto& checkpoint : run.checkpoints) {
    out += fmt::format("  step {:<8} {}  {}  sha256 {}{}\n", checkpoint.step, checkpoint.path,
                       FormatBytes(checkpoint.bytes), checkpoint.sha256.substr(0, 16),
                       checkpoint.is_final ? "  (final)" : "");
  }
  if (!run.artifacts.empty()) {
    out += fmt::format("\nartifacts ({}):\n", run.artifacts.size());
    for (const auto& artifact : run.artifacts) {
      out += fmt::format("  {:<12} {}  {}  sha256 {}\n", artifact.kind, artifact.path,
                         FormatBytes(artifact.bytes), artifact.sha256.substr(0, 16));
    }
  }
  out += "\nevents:\n";
  for (const auto& event : run.events) {
    out += fmt::format("  {}  {:<12} {}\n", FormatTimestamp(event.ts_ms), event.kind, event.detail);
  }
  out += "\nconfig:\n";
  for (const auto& line : Split(run.config_yaml, '\n')) {
    if (!line.empty()) out += "  " + line + "\n";
  }
  return out;
}

}  // namespace

const CommandSpec& ShowSpec() {
  static const CommandSpec spec = {
      "show",
      "RUN",
      "show everything recorded about one run",
      "RUN is a run id, a uuid or its first characters, or a run name (the newest run of that\n"
      "name). Shows status, config, overrides, code version, host, timing, every metric key\n"
      "with its point count and last value, the checkpoints and the events.",
      {StoreOption(), {"json", "", "print one JSON document"}},
      "  orch show 3f2a9c1b\n  orch show 1 --json\n"};
  return spec;
}

int RunShow(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(ShowSpec(), args, 1);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  auto store = OpenStoreForReading(parsed);
  store::RunDetails run = store->GetRun(store->ResolveRun(parsed.positional[0]));
  std::string text = parsed.Flag("json") ? ShowJson(run) + "\n" : ShowText(run);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace orch::app
