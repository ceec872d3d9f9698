// src/app/command_diff.cpp: `orch diff A B`, what differs between two runs: the config keys
// whose values differ (or that only one run has), then the code, host, device, threads and
// overrides. The answer to "why do these two curves differ?" before reading any curve.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/store_options.h"
#include "common/error.h"
#include "common/json.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

/// One config key that differs; nullopt where a run does not have it.
struct KeyDifference {
  std::string key;
  std::optional<std::string> a;
  std::optional<std::string> b;
};

std::vector<KeyDifference> ConfigDifferences(const store::RunDetails& a,
                                             const store::RunDetails& b) {
  std::map<std::string, std::pair<std::optional<std::string>, std::optional<std::string>>> keys;
  for (const auto& param : a.params) keys[param.key].first = param.value_text;
  for (const auto& param : b.params) keys[param.key].second = param.value_text;
  std::vector<KeyDifference> out;
  for (const auto& [key, values] : keys) {
    if (values.first != values.second) out.push_back({key, values.first, values.second});
  }
  return out;
}

std::string CodeText(const store::CodeVersion& code) {
  std::string text = code.git_sha ? code.git_sha->substr(0, 12) : "outside git";
  if (code.dirty) text += fmt::format(" + uncommitted (sha256 {})", code.diff_sha256.substr(0, 12));
  return text + " orch " + code.orch_version;
}

std::string HostText(const store::HostInfo& host) {
  return fmt::format("{}, {}, {} cpus, {}", host.hostname, host.cpu_model, host.cpus, host.os);
}

/// The provenance lines that differ: name, a's text, b's text.
std::vector<std::array<std::string, 3>> ProvenanceDifferences(const store::RunDetails& a,
                                                              const store::RunDetails& b) {
  const std::vector<std::array<std::string, 3>> all = {
      {"code", CodeText(a.code), CodeText(b.code)},
      {"build", a.code.build_info_json, b.code.build_info_json},
      {"host", HostText(a.host), HostText(b.host)},
      {"device", a.summary.device, b.summary.device},
      {"threads", std::to_string(a.thread_budget), std::to_string(b.thread_budget)},
      {"config file", a.config_path, b.config_path},
      {"overrides", Join(a.overrides, " "), Join(b.overrides, " ")},
      {"status", a.summary.status, b.summary.status},
  };
  std::vector<std::array<std::string, 3>> out;
  for (const auto& row : all) {
    if (row[1] != row[2]) out.push_back(row);
  }
  return out;
}

std::string DiffJson(const store::RunDetails& a, const store::RunDetails& b) {
  JsonWriter json;
  json.BeginObject();
  json.Key("a").String(a.summary.uuid);
  json.Key("b").String(b.summary.uuid);
  json.Key("config").BeginArray();
  for (const auto& difference : ConfigDifferences(a, b)) {
    json.BeginObject();
    json.Key("key").String(difference.key);
    json.Key("a");
    difference.a ? json.String(*difference.a) : json.Null();
    json.Key("b");
    difference.b ? json.String(*difference.b) : json.Null();
    json.EndObject();
  }
  json.EndArray();
  json.Key("provenance").BeginArray();
  for (const auto& [name, left, right] : ProvenanceDifferences(a, b)) {
    json.BeginObject();
    json.Key("what").String(name);
    json.Key("a").String(left);
    json.Key("b").String(right);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take();
}

std::string DiffText(const store::RunDetails& a, const store::RunDetails& b) {
  const std::vector<KeyDifference> config = ConfigDifferences(a, b);
  const auto provenance = ProvenanceDifferences(a, b);
  std::string out =
      fmt::format("a: #{} {} {}\nb: #{} {} {}\n", a.summary.run_id, a.summary.uuid.substr(0, 8),
                  a.summary.name, b.summary.run_id, b.summary.uuid.substr(0, 8), b.summary.name);
  size_t width = 0;
  for (const auto& difference : config) width = std::max(width, difference.key.size());
  for (const auto& row : provenance) width = std::max(width, row[0].size());
  out += config.empty() ? "\nconfig: the same\n"
                        : fmt::format("\nconfig: {} of {} keys differ\n", config.size(),
                                      std::max(a.params.size(), b.params.size()));
  for (const auto& difference : config) {
    out += fmt::format("  {:<{}}  {}  |  {}\n", difference.key, width,
                       difference.a.value_or("(absent)"), difference.b.value_or("(absent)"));
  }
  out += provenance.empty() ? "\nprovenance: the same\n" : "\nprovenance:\n";
  for (const auto& [name, left, right] : provenance) {
    out += fmt::format("  {:<{}}  {}  |  {}\n", name, width, left, right);
  }
  return out;
}

}  // namespace

const CommandSpec& DiffSpec() {
  static const CommandSpec spec = {
      "diff",
      "RUN_A RUN_B",
      "what differs between two runs: config keys, code, host, device, overrides",
      "Each config key whose value differs between the two runs (or that only one has, shown\n"
      "as (absent)), from the resolved configs they ran with; then the provenance that\n"
      "differs: code version (commit, uncommitted changes, orch version), build, host, device,\n"
      "thread budget, config file, overrides and status. Tags and notes are not compared.",
      {StoreOption(), {"json", "", "print JSON: {a, b, config: [...], provenance: [...]}"}},
      "  orch diff 12 17\n"
      "  orch diff baseline-s1 3f2a9c1b --json\n"};
  return spec;
}

int RunDiff(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> parsed = ParseCommand(DiffSpec(), args, 2);
  if (!parsed) return kExitOk;
  if (parsed->positional.size() != 2) {
    throw UsageError("orch diff takes two runs. See 'orch diff --help'");
  }
  auto store = OpenStoreForReading(*parsed);
  const store::RunDetails a = store->GetRun(store->ResolveRun(parsed->positional[0]));
  const store::RunDetails b = store->GetRun(store->ResolveRun(parsed->positional[1]));
  const std::string out = parsed->Flag("json") ? DiffJson(a, b) + "\n" : DiffText(a, b);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace orch::app
