// src/app/command_ls.cpp: `orch ls`, one row per run.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "app/commands.h"
#include "app/run_filter_options.h"
#include "app/run_record.h"
#include "app/store_options.h"
#include "app/terminal.h"
#include "common/error.h"
#include "common/json.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

std::string Short(const std::string& text, size_t length) {
  return text.size() > length ? text.substr(0, length) : text;
}

void WriteRunJson(JsonWriter& json, const store::RunSummary& run) {
  json.BeginObject();
  json.Key("id").Int(run.run_id);
  json.Key("uuid").String(run.uuid);
  json.Key("name").String(run.name);
  json.Key("status").String(run.status);
  json.Key("algo").String(run.algo);
  json.Key("task").String(run.task);
  json.Key("variant").String(run.variant);
  json.Key("seed").Int(run.seed);
  json.Key("git_sha");
  run.git_sha ? json.String(*run.git_sha) : json.Null();
  json.Key("dirty").Bool(run.dirty);
  json.Key("config_sha256").String(run.config_sha256);
  json.Key("created_at_ms").Int(run.created_at_ms);
  json.Key("started_at_ms");
  run.started_at_ms ? json.Int(*run.started_at_ms) : json.Null();
  json.Key("ended_at_ms");
  run.ended_at_ms ? json.Int(*run.ended_at_ms) : json.Null();
  json.Key("last_step").Int(run.last_step);
  json.Key("budget_steps").Int(run.budget_steps);
  json.Key("attempt").Int(run.attempt);
  json.Key("exit_code");
  run.exit_code ? json.Int(*run.exit_code) : json.Null();
  json.Key("error").String(run.error_text);
  json.Key("headline").BeginObject();
  for (const auto& [key, value] : run.headline) json.Key(key).Double(value);
  json.EndObject();
  json.Key("tags").BeginArray();
  for (const auto& tag : run.tags) json.String(tag);
  json.EndArray();
  json.Key("note").String(run.note);
  json.Key("device").String(run.device);
  json.EndObject();
}

}  // namespace

const CommandSpec& LsSpec() {
  static const CommandSpec spec = {
      "ls",
      "",
      "list the runs of the results store, newest first",
      "One row per run: id, uuid prefix, name, status, algo, task, seed, git commit (a * marks\n"
      "uncommitted changes), config SHA-256 prefix, start and end times, progress, and the\n"
      "headline metrics, each the mean over the last 10% of its steps (one noisy point is no\n"
      "headline), and the run's tags. A run whose worker stopped sending heartbeats is shown\n"
      "as failed, with the reason.",
      WithRunFilterOptions({StoreOption(),
                            {"json", "", "print a JSON array with every field"},
                            {"sweep", "NAME", "only the runs of this sweep"},
                            {"limit", "N", "at most N runs"}}),
      "  orch ls\n  orch ls --status failed --json\n  orch ls --tag paper --where "
      "'tam.memory.w_mem=0.02'\n"};
  return spec;
}

int RunLs(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(LsSpec(), args);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  if (!parsed.positional.empty()) throw UsageError("orch ls takes no arguments besides options");
  store::RunFilter filter = RunFilterFrom(parsed);
  if (auto limit = parsed.Value("limit")) {
    try {
      filter.limit = std::stoll(*limit);
    } catch (const std::exception&) {
      throw UsageError("--limit needs a number, got '" + *limit + "'");
    }
  }
  auto store = OpenStoreForReading(parsed);
  if (auto sweep_name = parsed.Value("sweep")) {
    std::optional<store::SweepRecord> sweep = store->FindSweep(*sweep_name);
    if (!sweep) throw UsageError("no sweep named '" + *sweep_name + "' in the store");
    filter.sweep_id = sweep->sweep_id;
  }
  std::vector<store::RunSummary> runs = store->ListRuns(filter, HeadlineMetricKeys());
  // rows read from a damaged store are not the whole story: say so, as orch show would
  if (auto problem = store->QuickCheck(500)) {
    const std::string path = ShellQuote(StorePath(parsed).string());
    std::fprintf(stderr,
                 "orch: warning: results store %s is damaged (PRAGMA quick_check: %s); the rows "
                 "below may be incomplete or wrong. Salvage what is left with `sqlite3 %s "
                 ".recover | sqlite3 recovered.db`.\n",
                 path.c_str(), PrintableText(*problem).c_str(), path.c_str());
  }

  if (parsed.Flag("json")) {
    JsonWriter json(2);
    json.BeginArray();
    for (const auto& run : runs) WriteRunJson(json, run);
    json.EndArray();
    std::printf("%s\n", json.str().c_str());
    return kExitOk;
  }
  if (runs.empty()) {
    std::printf("no runs in %s\n", StorePath(parsed).string().c_str());
    return kExitOk;
  }
  // sweep variants get a column when there are any
  const bool variants = std::any_of(
      runs.begin(), runs.end(), [](const store::RunSummary& run) { return !run.variant.empty(); });
  std::vector<std::vector<std::string>> rows = {{"ID", "UUID", "NAME", "STATUS", "ALGO", "TASK",
                                                 "SEED", "GIT", "CONFIG", "STARTED", "ENDED",
                                                 "STEP", "HEADLINE"}};
  if (variants) rows[0].insert(rows[0].begin() + 6, "VARIANT");
  // a DEVICE column once any run computed elsewhere than on the CPU
  const bool devices = std::any_of(runs.begin(), runs.end(), [](const store::RunSummary& run) {
    return !run.device.empty() && run.device != "cpu";
  });
  if (devices) rows[0].insert(rows[0].begin() + 4, "DEVICE");
  for (const auto& run : runs) {
    std::vector<std::string> headline;
    for (const auto& [key, value] : run.headline)
      headline.push_back(fmt::format("{}={:.4g}", key, value));
    std::string status = run.status;
    if (run.attempt > 1) status += fmt::format(" (attempt {})", run.attempt);
    rows.push_back({std::to_string(run.run_id), run.uuid.substr(0, 8),
                    Short(PrintableText(run.name), 32), status, run.algo, run.task,
                    std::to_string(run.seed),
                    run.git_sha ? run.git_sha->substr(0, 8) + (run.dirty ? "*" : "") : "-",
                    run.config_sha256.substr(0, 8),
                    run.started_at_ms ? FormatTimestamp(*run.started_at_ms) : "-",
                    run.ended_at_ms ? FormatTimestamp(*run.ended_at_ms) : "-",
                    fmt::format("{}/{}", run.last_step, run.budget_steps), Join(headline, " ")});
    if (!run.tags.empty()) rows.back().back() += "  #" + Join(run.tags, " #");
    if (variants)
      rows.back().insert(rows.back().begin() + 6, run.variant.empty() ? "-" : run.variant);
    if (devices) rows.back().insert(rows.back().begin() + 4, run.device.empty() ? "-" : run.device);
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  // on a terminal each row fits its width (the headline is cut); in a pipe it is whole
  const bool terminal = isatty(fileno(stdout)) != 0;
  const int columns = TerminalColumns(stdout);
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 < row.size() ? fmt::format("{:<{}}  ", row[i], widths[i]) : row[i];
    }
    line = std::string(Trim(line));
    std::printf("%s\n", (terminal ? FitToWidth(line, columns) : line).c_str());
  }
  for (const auto& run : runs) {
    if (run.status == "failed" && !run.error_text.empty()) {
      std::printf("run %s failed: %s\n", run.uuid.substr(0, 8).c_str(),
                  PrintableText(Split(run.error_text, '\n').front()).c_str());
    }
  }
  return kExitOk;
}

}  // namespace orch::app
