// src/app/command_compare.cpp: `orch compare`, the variants of a sweep against its baseline
// with the statistics of results-store.md §6, as text, CSV, JSON or Markdown.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <tuple>

#include "app/commands.h"
#include "app/python_tool.h"
#include "app/store_options.h"
#include "app/terminal.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/json.h"
#include "common/string_util.h"
#include "store/compare.h"

namespace orch::app {
namespace {

using store::Comparison;
using store::Interval;

/// A titled table; text and Markdown render the same ones.
struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

int64_t ParseInteger(const ParsedArgs& parsed, const std::string& name, int64_t fallback) {
  auto text = parsed.Value(name);
  if (!text) return fallback;
  try {
    size_t used = 0;
    int64_t value = std::stoll(*text, &used);
    if (used == text->size()) return value;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("--{} needs an integer, got '{}'", name, *text));
}

double ParseNumber(const ParsedArgs& parsed, const std::string& name, double fallback) {
  auto text = parsed.Value(name);
  if (!text) return fallback;
  try {
    size_t used = 0;
    double value = std::stod(*text, &used);
    if (used == text->size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("--{} needs a number, got '{}'", name, *text));
}

// --- numbers as printed

std::string Value(std::optional<double> value) {
  return value ? fmt::format("{:.4g}", *value) : "-";
}

std::string Percent(std::optional<double> value) {
  return value ? fmt::format("{:+.1f}%", 100.0 * *value) : "-";
}

std::string Fraction(std::optional<double> value) {
  return value ? fmt::format("{:.2f}", *value) : "-";
}

std::string Range(const std::optional<Interval>& interval,
                  std::string (*format)(std::optional<double>)) {
  if (!interval) return "-";
  return fmt::format("[{}, {}]", format(interval->low), format(interval->high));
}

std::string MeanSd(const store::Summary& summary) {
  if (!summary.mean) return "-";
  return summary.sd ? fmt::format("{:.4g} ± {:.2g}", *summary.mean, *summary.sd)
                    : fmt::format("{:.4g}", *summary.mean);
}

std::string ShortSha(const std::optional<std::string>& sha) {
  return sha ? sha->substr(0, 8) : "no git";
}

std::string StampText(const store::CodeStamp& stamp) {
  std::string text = ShortSha(stamp.git_sha) + (stamp.dirty ? "*" : "");
  text +=
      stamp.dirty ? fmt::format(" (dirty, diff {})", stamp.diff_sha256.substr(0, 8)) : " (clean)";
  return text + fmt::format(", {} run{}", stamp.runs, stamp.runs == 1 ? "" : "s");
}

std::string NormalisationText(const store::TaskNormalisation& normalisation) {
  // a task without task_ref entry nor compared runs has no range
  if (!normalisation.from_task_ref && normalisation.source != "observed") {
    return fmt::format("{}: {}", normalisation.task, normalisation.source);
  }
  std::string where = "observed AUC range";
  if (normalisation.from_task_ref) {
    where = normalisation.source.empty() ? "task_ref" : "task_ref (" + normalisation.source + ")";
  }
  return fmt::format("{} [{:.4g}, {:.4g}] from {}", normalisation.task, normalisation.min,
                     normalisation.max, where);
}

std::string VerdictText(const Comparison& comparison, const store::VariantComparison& variant) {
  const store::Verdict& verdict = variant.verdict;
  std::string text = fmt::format("{} of {} tasks (point estimate: {}), worst time overhead {}",
                                 verdict.tasks_confident, comparison.tasks.size(),
                                 verdict.tasks_point, Percent(verdict.worst_time_overhead));
  // why it failed
  std::vector<std::string> reasons;
  if (verdict.tasks_confident < comparison.thresholds.min_tasks) {
    reasons.push_back(fmt::format("needs {} tasks", comparison.thresholds.min_tasks));
  }
  if (!verdict.worst_time_overhead) {
    reasons.push_back("time overhead unknown");
  } else if (!verdict.overhead_ok) {
    reasons.push_back("overhead above " + Percent(comparison.thresholds.max_overhead));
  }
  return reasons.empty() ? text : text + "; " + Join(reasons, ", ");
}

std::string ExcludedText(const store::ExcludedRun& run) {
  return fmt::format("#{} {} {} {} seed {}: {}", run.run_id, run.uuid.substr(0, 8), run.variant,
                     run.task, run.seed, run.reason);
}

std::string RunIdList(const Comparison& comparison) {
  std::vector<std::string> ids;
  for (int64_t id : comparison.RunIds()) ids.push_back(std::to_string(id));
  return Join(ids, ",");
}

// --- the facts, as lines and tables shared by text and Markdown

std::vector<std::string> Preamble(const Comparison& comparison) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format(
      "{} '{}', metric {}, budget T = {} ({}), goal {} ({} is better)",
      comparison.sweep.find(',') == std::string::npos ? "sweep" : "sweeps", comparison.sweep,
      comparison.metric, comparison.budget,
      comparison.budget_from_option ? "--budget" : "smallest budget of the runs",
      store::GoalName(comparison.goal), comparison.goal == store::Goal::kMin ? "lower" : "higher"));
  lines.push_back(fmt::format(
      "baseline {}; {} runs compared, {} excluded; bootstrap B = {}, seed {}, {:.0f}% percentile "
      "CIs, seeds resampled within each (variant, task)",
      comparison.baseline, comparison.runs.size(), comparison.excluded.size(),
      comparison.bootstrap.reps, comparison.bootstrap.seed, 100 * comparison.bootstrap.confidence));
  if (comparison.goal == store::Goal::kMin) {
    lines.push_back(
        "goal min: relative AUC and P(improvement) are computed on the sign-flipped values, so "
        "a positive relative AUC and P > 0.5 mean lower (better) than the baseline");
  }
  return lines;
}

std::vector<Table> Tables(const Comparison& comparison) {
  std::vector<Table> tables;
  const std::string ci = fmt::format("{:.0f}% CI", 100 * comparison.bootstrap.confidence);
  const std::string vs = "vs " + comparison.baseline;

  // one table per task
  for (const auto& task : comparison.tasks) {
    Table table{
        "task " + task,
        {"variant", "n", "AUC mean ± sd", ci, "final mean ± sd", "rel AUC " + vs, ci, "P(improve)"},
        {}};
    for (const auto& variant : comparison.variants) {
      const store::CellComparison* cell = comparison.Cell(variant, task);
      if (cell == nullptr) continue;
      const bool caution = !cell->relative_caution.empty();
      table.rows.push_back({variant, std::to_string(cell->auc.n), MeanSd(cell->auc),
                            Range(cell->auc_interval, Value), MeanSd(cell->final_value),
                            caution ? "n/a (note)" : Percent(cell->relative),
                            caution ? "-" : Range(cell->relative_interval, Percent),
                            Fraction(cell->probability)});
    }
    tables.push_back(std::move(table));
  }

  // pooled over tasks
  Table pooled{fmt::format("pooled over {} task{}", comparison.tasks.size(),
                           comparison.tasks.size() == 1 ? "" : "s"),
               {"variant", "runs", "mean rel AUC " + vs, ci, "IQM norm AUC", ci, "P(improve)", ci},
               {}};
  for (const auto& variant : comparison.pooled) {
    // a mean over tasks inherits the caution of any of its cells
    bool caution = false;
    for (const auto& cell : comparison.cells) {
      caution |= cell.variant == variant.variant && !cell.relative_caution.empty();
    }
    pooled.rows.push_back({variant.variant, std::to_string(variant.runs),
                           caution ? "n/a (note)" : Percent(variant.mean_relative),
                           caution ? "-" : Range(variant.mean_relative_interval, Percent),
                           Fraction(variant.iqm), Range(variant.iqm_interval, Fraction),
                           Fraction(variant.probability),
                           Range(variant.probability_interval, Fraction)});
  }
  tables.push_back(std::move(pooled));

  // overheads per task and worst case
  Table overhead{fmt::format("overhead {} (time from {})", vs, comparison.time_source),
                 {"variant", "task", "time", "params", "memory"},
                 {}};
  for (const auto& variant : comparison.pooled) {
    if (variant.is_baseline) continue;
    for (const auto& task : comparison.tasks) {
      const store::CellComparison* cell = comparison.Cell(variant.variant, task);
      overhead.rows.push_back({variant.variant, task, Percent(cell->overhead.time),
                               Percent(cell->overhead.params), Percent(cell->overhead.memory)});
    }
    overhead.rows.push_back({variant.variant, "worst", Percent(variant.worst_overhead.time),
                             Percent(variant.worst_overhead.params),
                             Percent(variant.worst_overhead.memory)});
  }
  tables.push_back(std::move(overhead));

  // the verdict per variant
  const auto& thresholds = comparison.thresholds;
  Table verdict{fmt::format("verdict: PASS iff rel AUC >= {} with CI low > 0 on >= {} tasks and "
                            "worst time overhead <= {}",
                            Percent(thresholds.min_rel), thresholds.min_tasks,
                            Percent(thresholds.max_overhead)),
                {"variant", "verdict", "evidence"},
                {}};
  for (const auto& variant : comparison.pooled) {
    if (variant.is_baseline) continue;
    verdict.rows.push_back({variant.variant, variant.verdict.pass ? "PASS" : "FAIL",
                            VerdictText(comparison, variant)});
  }
  tables.push_back(std::move(verdict));
  return tables;
}

std::vector<std::string> Trailer(const Comparison& comparison) {
  std::vector<std::string> lines;
  std::vector<std::string> normalisation;
  for (const auto& task : comparison.normalisation)
    normalisation.push_back(NormalisationText(task));
  lines.push_back("task normalisation: " + Join(normalisation, "; "));
  std::vector<std::string> stamps;
  for (const auto& stamp : comparison.stamp) stamps.push_back(StampText(stamp));
  lines.push_back("code: " + (stamps.empty() ? std::string("-") : Join(stamps, "; ")));
  if (comparison.stamp.size() > 1) {
    lines.push_back(fmt::format(
        "warning: the compared runs come from {} code versions; launch the sweep again to run "
        "every job with the current code",
        comparison.stamp.size()));
  }
  lines.push_back(fmt::format(
      "parameters: sweep={} key={} T={} B={} bootstrap-seed={} baseline={} goal={} min-rel={} "
      "min-tasks={} max-overhead={} runs={}",
      comparison.sweep, comparison.metric, comparison.budget, comparison.bootstrap.reps,
      comparison.bootstrap.seed, comparison.baseline, store::GoalName(comparison.goal),
      FormatDouble(comparison.thresholds.min_rel), comparison.thresholds.min_tasks,
      FormatDouble(comparison.thresholds.max_overhead), RunIdList(comparison)));
  return lines;
}

// --- renderers

std::string RenderText(const Comparison& comparison) {
  std::string out;
  for (const auto& line : Preamble(comparison)) out += line + "\n";
  for (const auto& table : Tables(comparison)) {
    // columns padded to the widest cell
    out += "\n" + table.title + "\n";
    std::vector<size_t> widths(table.header.size(), 0);
    auto widen = [&](const std::vector<std::string>& row) {
      for (size_t col = 0; col < row.size(); ++col) {
        widths[col] = std::max(widths[col], DisplayWidth(row[col]));
      }
    };
    widen(table.header);
    for (const auto& row : table.rows) widen(row);
    auto line = [&](const std::vector<std::string>& row) {
      std::string text = " ";
      for (size_t col = 0; col < row.size(); ++col) {
        text += " " + row[col];
        if (col + 1 < row.size())
          text += std::string(widths[col] - DisplayWidth(row[col]) + 1, ' ');
      }
      return text + "\n";
    };
    out += line(table.header);
    for (const auto& row : table.rows) out += line(row);
  }
  // what the relative AUC cannot say, then the excluded runs, normalisation, stamp, parameters
  for (const auto& cell : comparison.cells) {
    if (cell.relative_caution.empty()) continue;
    out += fmt::format("\nnote: rel AUC of {} on {}: {}", cell.variant, cell.task,
                       cell.relative_caution);
  }
  out += comparison.excluded.empty()
             ? std::string("\nexcluded runs: none\n")
             : fmt::format("\nexcluded runs ({}):\n", comparison.excluded.size());
  for (const auto& run : comparison.excluded) out += "  " + ExcludedText(run) + "\n";
  out += "\n";
  for (const auto& line : Trailer(comparison)) out += line + "\n";
  return out;
}

std::string RenderMarkdown(const Comparison& comparison) {
  std::string out = fmt::format(
      "## orch compare: {} `{}`\n\n",
      comparison.sweep.find(',') == std::string::npos ? "sweep" : "sweeps", comparison.sweep);
  for (const auto& line : Preamble(comparison)) out += "- " + line + "\n";
  for (const auto& table : Tables(comparison)) {
    out += "\n### " + table.title + "\n\n| " + Join(table.header, " | ") + " |\n|";
    for (size_t col = 0; col < table.header.size(); ++col) out += "---|";
    out += "\n";
    for (const auto& row : table.rows) out += "| " + Join(row, " | ") + " |\n";
  }
  for (const auto& cell : comparison.cells) {
    if (cell.relative_caution.empty()) continue;
    out += fmt::format("\n> note: rel AUC of {} on {}: {}\n", cell.variant, cell.task,
                       cell.relative_caution);
  }
  out += "\n### excluded runs\n\n";
  if (comparison.excluded.empty()) out += "none\n";
  for (const auto& run : comparison.excluded) out += "- " + ExcludedText(run) + "\n";
  out += "\n";
  for (const auto& line : Trailer(comparison)) out += "- " + line + "\n";
  return out;
}

/// Long form: one fact per row.
/// A CSV number cell: empty, an integer or a double (converts implicitly from each).
struct CsvNumber {
  CsvNumber(std::nullopt_t) {}
  CsvNumber(std::optional<double> value) : text(value ? FormatDouble(*value) : "") {}
  CsvNumber(double value) : text(FormatDouble(value)) {}
  CsvNumber(int64_t value) : text(std::to_string(value)) {}
  std::string text;
};

std::string RenderCsv(const Comparison& comparison) {
  std::string out = "section,variant,task,seed,run,statistic,value,ci_low,ci_high,n,detail\n";
  auto row = [&](const std::string& section, const std::string& variant, const std::string& task,
                 std::optional<int64_t> seed, std::optional<int64_t> run,
                 const std::string& statistic, const CsvNumber& value,
                 const std::optional<Interval>& interval, std::optional<int64_t> n,
                 const std::string& detail) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{}\n", section, CsvField(variant), CsvField(task),
        seed ? std::to_string(*seed) : "", run ? std::to_string(*run) : "", statistic, value.text,
        interval ? FormatDouble(interval->low) : "", interval ? FormatDouble(interval->high) : "",
        n ? std::to_string(*n) : "", CsvField(detail));
  };
  auto none = std::nullopt;
  std::optional<Interval> no_interval;

  // parameters
  row("parameter", "", "", none, none, "sweep", none, no_interval, none, comparison.sweep);
  row("parameter", "", "", none, none, "metric", none, no_interval, none, comparison.metric);
  row("parameter", "", "", none, none, "budget", comparison.budget, no_interval, none,
      comparison.budget_from_option ? "--budget" : "smallest budget");
  row("parameter", "", "", none, none, "baseline", none, no_interval, none, comparison.baseline);
  row("parameter", "", "", none, none, "goal", none, no_interval, none,
      store::GoalName(comparison.goal));
  row("parameter", "", "", none, none, "reps", comparison.bootstrap.reps, no_interval, none, "");
  row("parameter", "", "", none, none, "bootstrap_seed",
      static_cast<int64_t>(comparison.bootstrap.seed), no_interval, none, "");
  row("parameter", "", "", none, none, "confidence", comparison.bootstrap.confidence, no_interval,
      none, "");
  row("parameter", "", "", none, none, "min_rel", comparison.thresholds.min_rel, no_interval, none,
      "");
  row("parameter", "", "", none, none, "min_tasks", comparison.thresholds.min_tasks, no_interval,
      none, "");
  row("parameter", "", "", none, none, "max_overhead", comparison.thresholds.max_overhead,
      no_interval, none, "");
  row("parameter", "", "", none, none, "time_source", none, no_interval, none,
      comparison.time_source);
  row("parameter", "", "", none, none, "runs", none, no_interval,
      static_cast<int64_t>(comparison.runs.size()), RunIdList(comparison));

  // per run, per cell, pooled, overhead and verdict
  for (const auto& run : comparison.runs) {
    row("run", run.variant, run.task, run.seed, run.run_id, "auc", run.auc, no_interval, run.points,
        run.uuid);
    row("run", run.variant, run.task, run.seed, run.run_id, "normalised_auc", run.normalised_auc,
        no_interval, run.points, run.uuid);
    row("run", run.variant, run.task, run.seed, run.run_id, "final", run.final_value, no_interval,
        run.points, run.uuid);
    row("run", run.variant, run.task, run.seed, run.run_id, "time_cost", run.time_cost, no_interval,
        run.points, comparison.time_source);
  }
  for (const auto& cell : comparison.cells) {
    const int64_t n = cell.auc.n;
    for (const auto& [name, summary, interval] :
         {std::tuple{"auc", &cell.auc, cell.auc_interval},
          std::tuple{"final", &cell.final_value, std::optional<Interval>()}}) {
      const std::string prefix = name;
      row("cell", cell.variant, cell.task, none, none, prefix + "_mean", summary->mean, interval,
          summary->n, "");
      row("cell", cell.variant, cell.task, none, none, prefix + "_sd", summary->sd, no_interval,
          summary->n, "");
      row("cell", cell.variant, cell.task, none, none, prefix + "_cv", summary->cv, no_interval,
          summary->n, "");
      row("cell", cell.variant, cell.task, none, none, prefix + "_min", summary->min, no_interval,
          summary->n, "");
      row("cell", cell.variant, cell.task, none, none, prefix + "_max", summary->max, no_interval,
          summary->n, "");
    }
    if (cell.variant == comparison.baseline) continue;
    row("cell", cell.variant, cell.task, none, none, "rel_auc", cell.relative,
        cell.relative_interval, n, "vs " + comparison.baseline);
    row("cell", cell.variant, cell.task, none, none, "p_improve", cell.probability,
        cell.probability_interval, n, "vs " + comparison.baseline);
    row("overhead", cell.variant, cell.task, none, none, "time", cell.overhead.time, no_interval, n,
        comparison.time_source);
    row("overhead", cell.variant, cell.task, none, none, "params", cell.overhead.params,
        no_interval, n, "param_count");
    row("overhead", cell.variant, cell.task, none, none, "memory", cell.overhead.memory,
        no_interval, n, "peak_rss_bytes");
  }
  for (const auto& variant : comparison.pooled) {
    row("pooled", variant.variant, "", none, none, "mean_rel_auc", variant.mean_relative,
        variant.mean_relative_interval, variant.runs, "");
    row("pooled", variant.variant, "", none, none, "iqm_norm_auc", variant.iqm,
        variant.iqm_interval, variant.runs, "");
    row("pooled", variant.variant, "", none, none, "p_improve", variant.probability,
        variant.probability_interval, variant.runs, "");
    if (variant.is_baseline) continue;
    row("overhead", variant.variant, "worst", none, none, "time", variant.worst_overhead.time,
        no_interval, none, comparison.time_source);
    row("overhead", variant.variant, "worst", none, none, "params", variant.worst_overhead.params,
        no_interval, none, "param_count");
    row("overhead", variant.variant, "worst", none, none, "memory", variant.worst_overhead.memory,
        no_interval, none, "peak_rss_bytes");
    row("verdict", variant.variant, "", none, none, "verdict", none, no_interval, none,
        variant.verdict.pass ? "PASS" : "FAIL");
    row("verdict", variant.variant, "", none, none, "tasks_confident",
        variant.verdict.tasks_confident, no_interval, none, "");
    row("verdict", variant.variant, "", none, none, "tasks_point", variant.verdict.tasks_point,
        no_interval, none, "");
    row("verdict", variant.variant, "", none, none, "worst_time_overhead",
        variant.verdict.worst_time_overhead, no_interval, none, "");
  }

  // normalisation, exclusions and the stamp
  for (const auto& task : comparison.normalisation) {
    std::string source = task.from_task_ref ? "task_ref " + task.source : "observed";
    row("normalisation", "", task.task, none, none, "min", task.min, no_interval, none, source);
    row("normalisation", "", task.task, none, none, "max", task.max, no_interval, none, source);
  }
  for (const auto& run : comparison.excluded) {
    row("excluded", run.variant, run.task, run.seed, run.run_id, "status", none, no_interval, none,
        run.status + ": " + run.reason);
  }
  for (const auto& stamp : comparison.stamp) {
    row("stamp", "", "", none, none, "code", none, no_interval, stamp.runs,
        fmt::format("{} dirty={} diff={}", stamp.git_sha.value_or(""), stamp.dirty ? 1 : 0,
                    stamp.diff_sha256));
  }
  return out;
}

void JsonNumber(JsonWriter& json, std::optional<double> value) {
  value ? json.Double(*value) : json.Null();
}

/// The fields that name a run in both the compared and the excluded lists.
template <typename Run>
void JsonRunIdentity(JsonWriter& json, const Run& run) {
  json.Key("id").Int(run.run_id);
  json.Key("uuid").String(run.uuid);
  json.Key("variant").String(run.variant);
  json.Key("task").String(run.task);
  json.Key("seed").Int(run.seed);
}

void JsonInterval(JsonWriter& json, const std::optional<Interval>& interval) {
  if (!interval) {
    json.Null();
    return;
  }
  json.BeginArray().Double(interval->low).Double(interval->high).EndArray();
}

void JsonSummary(JsonWriter& json, const store::Summary& summary,
                 const std::optional<Interval>& interval) {
  json.BeginObject();
  json.Key("n").Int(summary.n);
  json.Key("mean");
  JsonNumber(json, summary.mean);
  json.Key("sd");
  JsonNumber(json, summary.sd);
  json.Key("cv");
  JsonNumber(json, summary.cv);
  json.Key("min");
  JsonNumber(json, summary.min);
  json.Key("max");
  JsonNumber(json, summary.max);
  json.Key("ci");
  JsonInterval(json, interval);
  json.EndObject();
}

void JsonOverhead(JsonWriter& json, const store::Overhead& overhead) {
  json.BeginObject();
  json.Key("time");
  JsonNumber(json, overhead.time);
  json.Key("params");
  JsonNumber(json, overhead.params);
  json.Key("memory");
  JsonNumber(json, overhead.memory);
  json.EndObject();
}

std::string RenderJson(const Comparison& comparison) {
  JsonWriter json(2);
  json.BeginObject();
  // parameters
  json.Key("parameters").BeginObject();
  json.Key("sweep").String(comparison.sweep);
  json.Key("metric").String(comparison.metric);
  json.Key("budget").Int(comparison.budget);
  json.Key("budget_source").String(comparison.budget_from_option ? "--budget" : "smallest budget");
  json.Key("baseline").String(comparison.baseline);
  json.Key("goal").String(store::GoalName(comparison.goal));
  json.Key("reps").Int(comparison.bootstrap.reps);
  json.Key("bootstrap_seed").Int(static_cast<int64_t>(comparison.bootstrap.seed));
  json.Key("confidence").Double(comparison.bootstrap.confidence);
  json.Key("min_rel").Double(comparison.thresholds.min_rel);
  json.Key("min_tasks").Int(comparison.thresholds.min_tasks);
  json.Key("max_overhead").Double(comparison.thresholds.max_overhead);
  json.Key("time_source").String(comparison.time_source);
  json.Key("runs").BeginArray();
  for (int64_t id : comparison.RunIds()) json.Int(id);
  json.EndArray();
  json.EndObject();
  json.Key("variants").BeginArray();
  for (const auto& variant : comparison.variants) json.String(variant);
  json.EndArray();
  json.Key("tasks").BeginArray();
  for (const auto& task : comparison.tasks) json.String(task);
  json.EndArray();

  // cells and pooled figures
  json.Key("cells").BeginArray();
  for (const auto& cell : comparison.cells) {
    json.BeginObject();
    json.Key("variant").String(cell.variant);
    json.Key("task").String(cell.task);
    json.Key("auc");
    JsonSummary(json, cell.auc, cell.auc_interval);
    json.Key("final");
    JsonSummary(json, cell.final_value, std::nullopt);
    json.Key("rel_auc");
    JsonNumber(json, cell.relative);
    json.Key("rel_auc_ci");
    JsonInterval(json, cell.relative_interval);
    json.Key("rel_auc_caution").String(cell.relative_caution);
    json.Key("p_improve");
    JsonNumber(json, cell.probability);
    json.Key("p_improve_ci");
    JsonInterval(json, cell.probability_interval);
    json.Key("overhead");
    JsonOverhead(json, cell.overhead);
    json.EndObject();
  }
  json.EndArray();
  json.Key("pooled").BeginArray();
  for (const auto& variant : comparison.pooled) {
    json.BeginObject();
    json.Key("variant").String(variant.variant);
    json.Key("baseline").Bool(variant.is_baseline);
    json.Key("runs").Int(variant.runs);
    json.Key("mean_rel_auc");
    JsonNumber(json, variant.mean_relative);
    json.Key("mean_rel_auc_ci");
    JsonInterval(json, variant.mean_relative_interval);
    json.Key("iqm_norm_auc");
    JsonNumber(json, variant.iqm);
    json.Key("iqm_norm_auc_ci");
    JsonInterval(json, variant.iqm_interval);
    json.Key("p_improve");
    JsonNumber(json, variant.probability);
    json.Key("p_improve_ci");
    JsonInterval(json, variant.probability_interval);
    json.Key("worst_overhead");
    JsonOverhead(json, variant.worst_overhead);
    json.Key("verdict");
    if (variant.is_baseline) {
      json.Null();
    } else {
      json.BeginObject();
      json.Key("pass").Bool(variant.verdict.pass);
      json.Key("tasks_confident").Int(variant.verdict.tasks_confident);
      json.Key("tasks_point").Int(variant.verdict.tasks_point);
      json.Key("worst_time_overhead");
      JsonNumber(json, variant.verdict.worst_time_overhead);
      json.Key("overhead_ok").Bool(variant.verdict.overhead_ok);
      json.EndObject();
    }
    json.EndObject();
  }
  json.EndArray();

  // runs, exclusions, normalisation and stamp
  json.Key("runs").BeginArray();
  for (const auto& run : comparison.runs) {
    json.BeginObject();
    JsonRunIdentity(json, run);
    json.Key("points").Int(run.points);
    json.Key("auc").Double(run.auc);
    json.Key("normalised_auc").Double(run.normalised_auc);
    json.Key("final");
    JsonNumber(json, run.final_value);
    json.Key("time_cost");
    JsonNumber(json, run.time_cost);
    json.EndObject();
  }
  json.EndArray();
  json.Key("excluded").BeginArray();
  for (const auto& run : comparison.excluded) {
    json.BeginObject();
    JsonRunIdentity(json, run);
    json.Key("status").String(run.status);
    json.Key("last_step").Int(run.last_step);
    json.Key("budget_steps").Int(run.budget_steps);
    json.Key("reason").String(run.reason);
    json.EndObject();
  }
  json.EndArray();
  json.Key("normalisation").BeginArray();
  for (const auto& task : comparison.normalisation) {
    json.BeginObject();
    json.Key("task").String(task.task);
    json.Key("min").Double(task.min);
    json.Key("max").Double(task.max);
    json.Key("source").String(task.from_task_ref ? "task_ref" : "observed");
    json.Key("detail").String(task.source);
    json.EndObject();
  }
  json.EndArray();
  json.Key("stamp").BeginArray();
  for (const auto& stamp : comparison.stamp) {
    json.BeginObject();
    json.Key("git_sha");
    stamp.git_sha ? json.String(*stamp.git_sha) : json.Null();
    json.Key("dirty").Bool(stamp.dirty);
    json.Key("diff_sha256").String(stamp.diff_sha256);
    json.Key("runs").Int(stamp.runs);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take() + "\n";
}

/// Draws the learning curves with tools/plot_compare.py; its messages go to stderr.
/// A metric key as a file name part, as tools/plot_compare.py writes it (`eval_episode_return`).
std::string SafeStem(const std::string& metric) {
  std::string stem = metric;
  std::replace(stem.begin(), stem.end(), '/', '_');
  return stem;
}

int Plot(const ParsedArgs& parsed, const Comparison& comparison, const std::string& out_dir) {
  // the comparison itself goes beside the figures: the plots group and score runs as it did
  std::filesystem::create_directories(out_dir);
  const std::filesystem::path json =
      std::filesystem::path(out_dir) / ("compare_" + SafeStem(comparison.metric) + ".json");
  WriteFileAtomically(json, RenderJson(comparison));
  return RunPythonTool("plot_compare.py",
                       {"--store",      std::filesystem::absolute(StorePath(parsed)).string(),
                        "--sweep",      comparison.sweep,
                        "--metric",     comparison.metric,
                        "--budget",     std::to_string(comparison.budget),
                        "--baseline",   comparison.baseline,
                        "--runs",       RunIdList(comparison),
                        "--seed",       std::to_string(comparison.bootstrap.seed),
                        "--smooth",     std::to_string(ParseInteger(parsed, "smooth", 1)),
                        "--out",        out_dir,
                        "--comparison", std::filesystem::absolute(json).string()},
                       /*stdout_to_stderr=*/true);
}

}  // namespace

const CommandSpec& CompareSpec() {
  static const CommandSpec spec = {
      "compare",
      "",
      "compare the variants of a sweep against its baseline (AUC, CIs, verdict)",
      "Groups the sweep's runs by variant, task and seed and compares one metric's curve over\n"
      "[0, T] (results-store.md §6): per task the normalised AUC (mean ± sd and a bootstrap\n"
      "CI), the final value (mean over the last 10% of T), the relative AUC vs the baseline\n"
      "with its CI and the probability of improvement; pooled over tasks the mean relative\n"
      "AUC, the IQM of the task-normalised AUC and P(improvement), each with a CI from a\n"
      "stratified bootstrap (seeds resampled within each variant and task); the parameter,\n"
      "memory and time overheads; and a verdict per variant: PASS iff the relative AUC is at\n"
      "least --min-rel with a CI lower bound above 0 on at least --min-tasks tasks and the\n"
      "worst time overhead is at most --max-overhead.\n"
      "\n"
      "Only completed runs whose curve has a value at step 0 and at step T (or T - 1, for\n"
      "curves indexed 0..T-1 such as TAM's per-episode metrics) are compared; the others are\n"
      "listed with the reason. Tasks are normalised with the task_ref table, else with the\n"
      "range of the compared AUCs. Time overhead uses ms_per_iter when every run recorded\n"
      "it (or logged system/ms_per_iter), else wall time per step. The output ends with the\n"
      "code versions of the runs and\n"
      "the parameters. With --goal min (a loss) lower is better: the relative AUC and\n"
      "P(improvement) are computed on the sign-flipped values.\n"
      "\n"
      "--sweep A,B compares the runs of several sweeps as one study (a task per sweep, or\n"
      "more seeds of some variants), their variants matched by name; a run in several of\n"
      "them counts once.",
      {{"sweep", "NAME[,NAME]", "the sweep(s) to compare (required)"},
       {"metric", "KEY", "metric key (default eval/episode_return)"},
       {"budget", "T", "compare over [0, T] (default: the smallest budget of the runs)"},
       {"baseline", "VARIANT", "the reference variant (default: the sweep's first)"},
       {"by", "KEY[,KEY]",
        "group runs by these stored parameters instead of their variant (tam.memory.w_mem)"},
       {"goal", "max|min", "whether higher (default) or lower values are better"},
       {"reps", "B", "bootstrap replicates (default 10000)"},
       {"bootstrap-seed", "S", "seed of the bootstrap (default 0)"},
       {"format", "FMT", "text (default), csv, json or markdown"},
       {"min-rel", "R", "verdict: smallest relative AUC gain per task (default 0.03)"},
       {"min-tasks", "N", "verdict: tasks that must show the gain (default 2)"},
       {"max-overhead", "O", "verdict: largest time overhead (default 0.15)"},
       {"plot", "DIR",
        "also draw into DIR the learning curves (mean, 95% band), the performance profile and "
        "the IQM / P(improve) intervals, with the comparison as JSON"},
       {"smooth", "N", "with --plot: moving average over N points per run (default 1)"},
       StoreOption()},
      "  orch compare --sweep multigamma\n"
      "  orch compare --sweep multigamma --baseline A0 --budget 500000 --format markdown\n"
      "  orch compare --sweep tam-lr --metric soft_bind --plot plots/ --smooth 200\n"
      "  orch compare --sweep mg_cheetah,mg_pendulum --metric diag/effective_rank\n"};
  return spec;
}

int RunCompare(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(CompareSpec(), args);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  if (!parsed.positional.empty()) {
    throw UsageError(fmt::format("orch compare takes no arguments besides options, got '{}'",
                                 parsed.positional.front()));
  }

  // the options
  store::CompareOptions options;
  std::optional<std::string> sweep = parsed.Value("sweep");
  if (!sweep) throw UsageError("orch compare needs --sweep NAME. See 'orch compare --help'");
  options.sweep = *sweep;
  options.metric = parsed.Value("metric").value_or(options.metric);
  if (parsed.Value("budget")) options.budget = ParseInteger(parsed, "budget", 0);
  options.baseline = parsed.Value("baseline");
  if (auto by = parsed.Value("by")) {
    for (const auto& key : Split(*by, ',')) {
      if (!key.empty()) options.by.push_back(key);
    }
  }
  std::string goal = parsed.Value("goal").value_or("max");
  if (goal != "max" && goal != "min") {
    throw UsageError(fmt::format("--goal is max or min, got '{}'", goal));
  }
  options.goal = goal == "min" ? store::Goal::kMin : store::Goal::kMax;
  options.bootstrap.reps = ParseInteger(parsed, "reps", options.bootstrap.reps);
  if (options.bootstrap.reps < 1) throw UsageError("--reps must be at least 1");
  int64_t seed = ParseInteger(parsed, "bootstrap-seed", 0);
  if (seed < 0) throw UsageError("--bootstrap-seed must be at least 0");
  options.bootstrap.seed = static_cast<uint64_t>(seed);
  options.thresholds.min_rel = ParseNumber(parsed, "min-rel", options.thresholds.min_rel);
  options.thresholds.min_tasks = ParseInteger(parsed, "min-tasks", options.thresholds.min_tasks);
  options.thresholds.max_overhead =
      ParseNumber(parsed, "max-overhead", options.thresholds.max_overhead);
  std::string format = parsed.Value("format").value_or("text");
  if (format != "text" && format != "csv" && format != "json" && format != "markdown") {
    throw UsageError(fmt::format("--format is text, csv, json or markdown, got '{}'", format));
  }
  if (parsed.Value("smooth") && !parsed.Value("plot")) {
    throw UsageError(
        "--smooth applies to the curves of --plot DIR; the statistics use the raw "
        "curves");
  }
  if (ParseInteger(parsed, "smooth", 1) < 1) throw UsageError("--smooth must be at least 1");

  // compare and print
  auto store = OpenStoreForReading(parsed);
  Comparison comparison = store::Compare(*store, options);
  std::string out;
  if (format == "csv") {
    out = RenderCsv(comparison);
  } else if (format == "json") {
    out = RenderJson(comparison);
  } else if (format == "markdown") {
    out = RenderMarkdown(comparison);
  } else {
    out = RenderText(comparison);
  }
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  if (auto plot_dir = parsed.Value("plot")) {
    if (Plot(parsed, comparison, *plot_dir) != kExitOk) return kExitFailed;
  }
  return comparison.runs.empty() ? kExitFailed : kExitOk;
}

}  // namespace orch::app
