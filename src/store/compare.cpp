// src/store/compare.cpp: builds a Comparison from a store: a sweep's members, their curves of
// one metric, the exclusions, the statistics of results-store.md §6 and the R16 stamp.
//
// Completeness rule: a run is compared when its status is completed and its curve of the metric
// has a (non-NaN) value at step 0 and at step T, or at step T - 1 for curves indexed 0..T-1
// (TAM's per-episode metrics: budget 8000 episodes, steps 0..7999). Points after T are ignored.
//
// Time overhead: ms_per_iter when every compared run has it (the column, else the mean of the
// run's logged system/ms_per_iter), otherwise, for every run, the wall time per step
// (ended_at - started_at) / last_env_step. Comparison::time_source says which.
//
// Task normalisation: task_ref's (score_min, score_max) when it has the task, else the min and
// max of the compared AUCs of that task across all variants. A zero range maps every AUC to 0.
//
// Goal min: Δ and P(improvement) are computed on the sign-flipped AUCs (see Estimate), so a
// positive Δ and P > 0.5 mean "lower, hence better"; means, final values and the IQM keep the
// metric's own scale.
#include "store/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "common/error.h"
#include "common/string_util.h"
#include "store/store_internal.h"

namespace orch::store {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

/// What the comparison needs of one member of the sweep.
struct MemberFacts {
  SweepMember member;
  size_t sweep_position = 0;  ///< which of the compared sweeps (their order on the command line)
  std::string uuid;
  int64_t seed = 0;
  std::string status;
  int64_t budget_steps = 0;
  int64_t last_step = 0;
  std::optional<int64_t> started_at_ms;
  std::optional<int64_t> ended_at_ms;
  std::optional<int64_t> exit_code;
  std::string error_text;
  std::optional<int64_t> param_count;
  std::optional<int64_t> peak_rss_bytes;
  std::optional<double> ms_per_iter;
  std::optional<std::string> git_sha;
  bool dirty = false;
  std::string diff_sha256;
};

std::vector<MemberFacts> ReadMembers(ResultsStore& store, const std::vector<SweepMember>& members) {
  return internal::Guarded(store.path(), "reading the runs of the sweep", [&] {
    // a run whose completing attempt was not its first (a resume after a kill) may lack the
    // parameter count: its logged system/param_count says the same; without ms_per_iter, the
    // mean of what the workload logged per episode (TD-MPC2's update + planning), which unlike
    // wall time per step holds for a run resumed after a pause
    SQLite::Statement query(
        store.database(),
        fmt::format(R"sql(
      SELECT r.run_uuid, r.variant, r.task, r.seed, r.status, r.budget_env_steps,
             r.last_env_step, r.started_at_ms, r.ended_at_ms, r.exit_code, r.error_text,
             coalesce(r.param_count, CAST({} AS INTEGER)), r.peak_rss_bytes,
             coalesce(r.ms_per_iter, {}),
             c.git_sha, c.git_dirty, c.diff_sha256
      FROM run r JOIN code_version c ON c.code_id = r.code_id
      WHERE r.run_id = :run_id
    )sql",
                    internal::LoggedMetricSql("r.run_id", "system/param_count", "latest"),
                    internal::LoggedMetricSql("r.run_id", "system/ms_per_iter", "avg")));
    std::vector<MemberFacts> facts;
    for (const SweepMember& member : members) {
      query.reset();
      query.bind(":run_id", member.run_id);
      if (!query.executeStep()) continue;
      MemberFacts fact;
      fact.member = member;
      // the sweep's variant and task, else the run's own
      if (fact.member.variant.empty()) fact.member.variant = query.getColumn(1).getString();
      if (fact.member.task.empty()) fact.member.task = query.getColumn(2).getString();
      fact.uuid = query.getColumn(0).getString();
      fact.seed = query.getColumn(3).getInt64();
      fact.status = query.getColumn(4).getString();
      fact.budget_steps = query.getColumn(5).getInt64();
      fact.last_step = query.getColumn(6).getInt64();
      fact.started_at_ms = internal::OptionalInt(query.getColumn(7));
      fact.ended_at_ms = internal::OptionalInt(query.getColumn(8));
      fact.exit_code = internal::OptionalInt(query.getColumn(9));
      fact.error_text = internal::TextOrEmpty(query.getColumn(10));
      fact.param_count = internal::OptionalInt(query.getColumn(11));
      fact.peak_rss_bytes = internal::OptionalInt(query.getColumn(12));
      fact.ms_per_iter = internal::OptionalDouble(query.getColumn(13));
      fact.git_sha = internal::OptionalText(query.getColumn(14));
      fact.dirty = query.getColumn(15).getInt() != 0;
      fact.diff_sha256 = query.getColumn(16).getString();
      facts.push_back(std::move(fact));
    }
    return facts;
  });
}

std::optional<TaskNormalisation> ReadTaskRef(ResultsStore& store, const std::string& task) {
  return internal::Guarded(store.path(), "reading task_ref", [&] {
    SQLite::Statement query(store.database(), R"sql(
      SELECT score_min, score_max, source FROM task_ref WHERE task = :task
    )sql");
    query.bind(":task", task);
    std::optional<TaskNormalisation> normalisation;
    if (query.executeStep()) {
      normalisation =
          TaskNormalisation{task, query.getColumn(0).getDouble(), query.getColumn(1).getDouble(),
                            true, internal::TextOrEmpty(query.getColumn(2))};
    }
    return normalisation;
  });
}

/// Why a run that did not complete is left out.
std::string StatusReason(const MemberFacts& fact) {
  std::string progress = fmt::format("at step {} of {}", fact.last_step, fact.budget_steps);
  if (fact.status == "failed") {
    std::string reason = "failed";
    if (fact.exit_code) reason += fmt::format(" (exit code {})", *fact.exit_code);
    reason += " " + progress;
    if (!fact.error_text.empty()) reason += ": " + Split(fact.error_text, '\n').front();
    return reason;
  }
  if (fact.status == "running") return "still running, " + progress;
  if (fact.status == "queued") return "queued, not started";
  return fact.status + " " + progress;
}

/// Why a completed run's curve does not cover [0, T]; "" when it does.
std::string CompletenessReason(const std::vector<double>& x, const std::vector<double>& y,
                               const std::string& metric, int64_t budget) {
  if (x.empty()) return fmt::format("no '{}' points", metric);
  bool has_start = false;
  bool has_end = false;
  std::optional<double> first_x;
  std::optional<double> last_x;
  for (size_t point_idx = 0; point_idx < x.size() && x[point_idx] <= budget; ++point_idx) {
    if (std::isnan(y[point_idx])) continue;
    if (x[point_idx] == 0) has_start = true;
    if (x[point_idx] == budget || x[point_idx] == budget - 1) has_end = true;
    if (!first_x) first_x = x[point_idx];
    last_x = x[point_idx];
  }
  if (!first_x) return fmt::format("no '{}' value in steps [0, {}]", metric, budget);
  if (!has_start) {
    return fmt::format("incomplete: no '{}' value at step 0 (first value at step {})", metric,
                       *first_x);
  }
  if (!has_end) {
    return fmt::format("incomplete: last '{}' value at step {}, needs step {} (or {})", metric,
                       *last_x, budget, budget - 1);
  }
  return "";
}

std::optional<double> MeanOf(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  double total = 0.0;
  for (double value : values) total += value;
  return total / static_cast<double>(values.size());
}

/// mean(variant) / mean(baseline) - 1, nullopt when either is missing or the baseline is 0.
std::optional<double> RatioOverhead(const std::vector<double>& variant,
                                    const std::vector<double>& baseline) {
  std::optional<double> ours = MeanOf(variant);
  std::optional<double> theirs = MeanOf(baseline);
  if (!ours || !theirs || *theirs == 0.0) return std::nullopt;
  return *ours / *theirs - 1.0;
}

std::optional<double> WorstOf(std::optional<double> worst, std::optional<double> value) {
  if (!value) return worst;
  return std::max(worst.value_or(*value), *value);
}

}  // namespace

const CellComparison* Comparison::Cell(const std::string& variant, const std::string& task) const {
  for (const auto& cell : cells) {
    if (cell.variant == variant && cell.task == task) return &cell;
  }
  return nullptr;
}

std::vector<int64_t> Comparison::RunIds() const {
  std::vector<int64_t> ids;
  for (const auto& run : runs) ids.push_back(run.run_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

/// Renames each member's variant after the values of `keys` in its run's stored parameters;
/// a key no run has is a UsageError naming the close ones.
void GroupByParams(ResultsStore& store, const std::vector<std::string>& keys,
                   const std::string& sweep, std::vector<MemberFacts>& members) {
  std::set<std::string> known;
  for (auto& fact : members) {
    std::map<std::string, std::string> values;
    for (const FlatParam& param : store.GetRun(fact.member.run_id).params) {
      known.insert(param.key);
      values[param.key] = param.value_text;
    }
    std::vector<std::string> parts;
    for (const auto& key : keys) {
      auto value = values.find(key);
      parts.push_back(key + "=" + (value == values.end() ? "(unset)" : value->second));
    }
    fact.member.variant = Join(parts, ",");
  }
  for (const auto& key : keys) {
    if (known.count(key) > 0) continue;
    std::vector<std::string> names(known.begin(), known.end());
    std::string suggestion = DidYouMeanSentence(key, names);
    throw UsageError(
        fmt::format("--by {}: no run of sweep '{}' has that parameter.{}{} See "
                    "`orch show RUN` for a run's parameters",
                    key, sweep, suggestion.empty() ? "" : " ", suggestion));
  }
}

/// Why a relative AUC (mean(v) / mean(baseline) - 1) means little, or "": the baseline's mean
/// AUC is near zero (its CI holds 0, or it is under a tenth of its own sd), so the ratio and
/// its interval are unbounded; or the variant's mean AUC has the other sign, so "+x%" says
/// nothing about better or worse. The AUC columns and P(improve) still hold.
std::string RelativeCaution(const CellComparison& baseline, const CellComparison& cell) {
  if (!baseline.auc.mean || !cell.auc.mean) return "";
  const double base = *baseline.auc.mean;
  const bool ci_holds_zero =
      baseline.auc_interval && baseline.auc_interval->low <= 0 && baseline.auc_interval->high >= 0;
  const bool tiny = baseline.auc.sd && std::abs(base) < 0.1 * *baseline.auc.sd;
  if (ci_holds_zero || tiny || base == 0) {
    return fmt::format(
        "the baseline's mean AUC ({:.4g}) is near zero{}, so the ratio is unbounded; read the "
        "AUC columns and P(improve) instead",
        base,
        ci_holds_zero ? fmt::format(" (its CI [{:.4g}, {:.4g}] holds 0)",
                                    baseline.auc_interval->low, baseline.auc_interval->high)
                      : "");
  }
  if ((base > 0) != (*cell.auc.mean > 0)) {
    return fmt::format(
        "the mean AUCs have opposite signs ({:.4g} vs {:.4g}), so the ratio says nothing of "
        "better or worse; read the AUC columns and P(improve) instead",
        *cell.auc.mean, base);
  }
  return "";
}

std::vector<std::string> SweepMetricKeys(ResultsStore& store, int64_t sweep_id) {
  std::vector<SweepMember> members = store.SweepMembers(sweep_id);
  return internal::Guarded(store.path(), "listing the metric keys of the sweep", [&] {
    SQLite::Statement query(store.database(), R"sql(
      SELECT k.name FROM metric_latest ml JOIN metric_key k ON k.key_id = ml.key_id
      WHERE ml.run_id = :run_id
    )sql");
    std::set<std::string> keys;
    for (const SweepMember& member : members) {
      query.reset();
      query.bind(":run_id", member.run_id);
      while (query.executeStep()) keys.insert(query.getColumn(0).getString());
    }
    return std::vector<std::string>(keys.begin(), keys.end());
  });
}

namespace {

/// The sweeps that --sweep names (one, or several separated by commas), in that order.
std::vector<SweepRecord> FindSweeps(ResultsStore& store, const std::string& names_text) {
  std::vector<SweepRecord> sweeps;
  for (const std::string& name : Split(names_text, ',')) {
    if (name.empty()) {
      throw UsageError(fmt::format("--sweep '{}': an empty sweep name", names_text));
    }
    SweepRecord sweep = store.RequireSweep(name);
    bool repeated = false;
    for (const auto& known : sweeps) repeated |= known.sweep_id == sweep.sweep_id;
    if (!repeated) sweeps.push_back(std::move(sweep));
  }
  return sweeps;
}

/// The members of every sweep, each run once (the first sweep that has it names its variant).
std::vector<MemberFacts> ReadSweepsMembers(ResultsStore& store,
                                           const std::vector<SweepRecord>& sweeps) {
  std::vector<MemberFacts> members;
  std::set<int64_t> runs;
  for (size_t position = 0; position < sweeps.size(); ++position) {
    std::vector<SweepMember> fresh;
    for (const SweepMember& member : store.SweepMembers(sweeps[position].sweep_id)) {
      if (runs.insert(member.run_id).second) fresh.push_back(member);
    }
    for (MemberFacts& fact : ReadMembers(store, fresh)) {
      fact.sweep_position = position;
      members.push_back(std::move(fact));
    }
  }
  return members;
}

}  // namespace

Comparison Compare(ResultsStore& store, const CompareOptions& options) {
  // the sweeps and their members: several sweeps are one study (a task each, more seeds), their
  // variants matched by name
  std::vector<SweepRecord> sweeps = FindSweeps(store, options.sweep);
  std::vector<MemberFacts> members = ReadSweepsMembers(store, sweeps);
  if (members.empty()) {
    throw UsageError(fmt::format("sweep '{}' has no runs yet", options.sweep));
  }
  if (!options.by.empty()) GroupByParams(store, options.by, options.sweep, members);

  // the metric must be one the sweeps' runs recorded
  std::set<std::string> key_set;
  for (const auto& sweep : sweeps) {
    for (auto& key : SweepMetricKeys(store, sweep.sweep_id)) key_set.insert(std::move(key));
  }
  std::vector<std::string> keys(key_set.begin(), key_set.end());
  if (std::find(keys.begin(), keys.end(), options.metric) == keys.end()) {
    std::string suggestion = DidYouMeanSentence(options.metric, keys);
    throw UsageError(
        fmt::format("no run of sweep '{}' recorded metric '{}'.{}{} Its metric keys: {}",
                    options.sweep, options.metric, suggestion.empty() ? "" : " ", suggestion,
                    keys.empty() ? "(none)" : Join(keys, ", ")));
  }

  Comparison comparison;
  std::vector<std::string> sweep_names;
  for (const auto& sweep : sweeps) sweep_names.push_back(sweep.name);
  comparison.sweep = Join(sweep_names, ",");
  comparison.metric = options.metric;
  comparison.goal = options.goal;
  comparison.bootstrap = options.bootstrap;
  comparison.thresholds = options.thresholds;

  // variants and tasks in job order; the baseline (default: the first variant) goes first
  std::vector<std::string> variants;
  for (const auto& fact : members) {
    if (std::find(variants.begin(), variants.end(), fact.member.variant) == variants.end()) {
      variants.push_back(fact.member.variant);
    }
    if (std::find(comparison.tasks.begin(), comparison.tasks.end(), fact.member.task) ==
        comparison.tasks.end()) {
      comparison.tasks.push_back(fact.member.task);
    }
  }
  comparison.baseline = options.baseline.value_or(variants.front());
  if (std::find(variants.begin(), variants.end(), comparison.baseline) == variants.end()) {
    std::string suggestion = DidYouMeanSentence(comparison.baseline, variants);
    throw UsageError(fmt::format("sweep '{}' has no variant '{}'.{}{} Its variants: {}",
                                 options.sweep, comparison.baseline, suggestion.empty() ? "" : " ",
                                 suggestion, Join(variants, ", ")));
  }
  comparison.variants.push_back(comparison.baseline);
  for (const auto& variant : variants) {
    if (variant != comparison.baseline) comparison.variants.push_back(variant);
  }

  // the budget: given, or the smallest of the completed runs (of all runs if none completed)
  if (options.budget) {
    if (*options.budget < 1) {
      throw UsageError(fmt::format("--budget must be at least 1, got {}", *options.budget));
    }
    comparison.budget = *options.budget;
    comparison.budget_from_option = true;
  } else {
    std::optional<int64_t> smallest;
    std::optional<int64_t> smallest_completed;
    for (const auto& fact : members) {
      smallest = std::min(smallest.value_or(fact.budget_steps), fact.budget_steps);
      if (fact.status == "completed") {
        smallest_completed =
            std::min(smallest_completed.value_or(fact.budget_steps), fact.budget_steps);
      }
    }
    comparison.budget = smallest_completed.value_or(*smallest);
  }
  const int64_t budget = comparison.budget;

  // each member: compared, or excluded with the reason. Newest runs first, so that when a
  // sweep was launched again (new code, --rerun) its newest complete run of each variant, task
  // and seed is the one compared.
  std::vector<const MemberFacts*> newest_first;
  for (const auto& fact : members) newest_first.push_back(&fact);
  std::sort(newest_first.begin(), newest_first.end(),
            [](const auto* a, const auto* b) { return a->member.run_id > b->member.run_id; });
  std::map<std::tuple<std::string, std::string, int64_t>, int64_t> seen;
  std::vector<const MemberFacts*> compared_facts;
  for (const MemberFacts* fact_pointer : newest_first) {
    const MemberFacts& fact = *fact_pointer;
    ExcludedRun excluded{fact.member.run_id, fact.uuid,         fact.member.variant,
                         fact.member.task,   fact.seed,         fact.status,
                         fact.last_step,     fact.budget_steps, ""};
    if (fact.status != "completed") {
      excluded.reason = StatusReason(fact);
      comparison.excluded.push_back(excluded);
      continue;
    }
    std::vector<double> x;
    std::vector<double> y;
    for (const MetricPoint& point : store.Series(fact.member.run_id, options.metric)) {
      x.push_back(static_cast<double>(point.step));
      y.push_back(point.value.value_or(kNan));
    }
    excluded.reason = CompletenessReason(x, y, options.metric, budget);
    auto key = std::make_tuple(fact.member.variant, fact.member.task, fact.seed);
    if (excluded.reason.empty() && seen.count(key) > 0) {
      excluded.reason = fmt::format(
          "superseded by the newer run #{} of the same variant, task and seed", seen[key]);
    }
    std::optional<double> auc = Auc(x, y, static_cast<double>(budget));
    if (excluded.reason.empty() && !auc) excluded.reason = "no area under the curve";
    if (!excluded.reason.empty()) {
      comparison.excluded.push_back(excluded);
      continue;
    }
    seen[key] = fact.member.run_id;
    ComparedRun run;
    run.run_id = fact.member.run_id;
    run.uuid = fact.uuid;
    run.job_index = fact.member.job_index;
    run.variant = fact.member.variant;
    run.task = fact.member.task;
    run.seed = fact.seed;
    for (size_t point_idx = 0; point_idx < x.size() && x[point_idx] <= budget; ++point_idx) {
      if (!std::isnan(y[point_idx])) ++run.points;
    }
    run.auc = *auc;
    run.final_value = FinalValue(x, y, static_cast<double>(budget));
    run.param_count = fact.param_count;
    run.peak_rss_bytes = fact.peak_rss_bytes;
    comparison.runs.push_back(run);
    compared_facts.push_back(&fact);
  }
  // back to job order
  std::vector<size_t> order(comparison.runs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_tuple(compared_facts[a]->sweep_position, comparison.runs[a].job_index,
                           comparison.runs[a].run_id) <
           std::make_tuple(compared_facts[b]->sweep_position, comparison.runs[b].job_index,
                           comparison.runs[b].run_id);
  });
  {
    std::vector<ComparedRun> runs;
    std::vector<const MemberFacts*> facts;
    for (size_t i : order) {
      runs.push_back(comparison.runs[i]);
      facts.push_back(compared_facts[i]);
    }
    comparison.runs = std::move(runs);
    compared_facts = std::move(facts);
  }
  std::sort(comparison.excluded.begin(), comparison.excluded.end(),
            [](const ExcludedRun& a, const ExcludedRun& b) { return a.run_id < b.run_id; });

  // the time cost: ms_per_iter when every compared run has it, else wall ms per step
  bool every_ms_per_iter = !compared_facts.empty();
  for (const MemberFacts* fact : compared_facts) every_ms_per_iter &= fact->ms_per_iter.has_value();
  comparison.time_source = every_ms_per_iter ? "ms_per_iter" : "wall ms per step";
  for (size_t run_idx = 0; run_idx < compared_facts.size(); ++run_idx) {
    const MemberFacts& fact = *compared_facts[run_idx];
    if (every_ms_per_iter) {
      comparison.runs[run_idx].time_cost = fact.ms_per_iter;
    } else if (fact.started_at_ms && fact.ended_at_ms && fact.last_step > 0) {
      comparison.runs[run_idx].time_cost =
          static_cast<double>(*fact.ended_at_ms - *fact.started_at_ms) /
          static_cast<double>(fact.last_step);
    }
  }

  // task normalisation: task_ref, else the observed range of the task's AUCs
  for (const auto& task : comparison.tasks) {
    std::optional<TaskNormalisation> normalisation = ReadTaskRef(store, task);
    if (!normalisation) {
      normalisation = TaskNormalisation{task, 0.0, 0.0, false, "no compared runs"};
      bool first = true;
      for (const auto& run : comparison.runs) {
        if (run.task != task) continue;
        normalisation->min = first ? run.auc : std::min(normalisation->min, run.auc);
        normalisation->max = first ? run.auc : std::max(normalisation->max, run.auc);
        normalisation->source = "observed";
        first = false;
      }
    }
    const double range = normalisation->max - normalisation->min;
    for (auto& run : comparison.runs) {
      if (run.task != task) continue;
      run.normalised_auc = range == 0.0 ? 0.0 : (run.auc - normalisation->min) / range;
    }
    comparison.normalisation.push_back(*normalisation);
  }

  // the study as [task][variant][seed], seeds ascending
  auto index_of = [](const std::vector<std::string>& names, const std::string& name) {
    return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const size_t n_tasks = comparison.tasks.size();
  const size_t n_variants = comparison.variants.size();
  std::vector<const ComparedRun*> ordered;
  for (const auto& run : comparison.runs) ordered.push_back(&run);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const ComparedRun* a, const ComparedRun* b) { return a->seed < b->seed; });
  StudyScores scores;
  scores.auc.assign(n_tasks, std::vector<std::vector<double>>(n_variants));
  scores.normalised = scores.auc;
  scores.baseline = 0;
  scores.goal = options.goal;
  std::vector<std::vector<std::vector<const ComparedRun*>>> cell_runs(
      n_tasks, std::vector<std::vector<const ComparedRun*>>(n_variants));
  for (const ComparedRun* run : ordered) {
    size_t task_idx = index_of(comparison.tasks, run->task);
    size_t variant_idx = index_of(comparison.variants, run->variant);
    scores.auc[task_idx][variant_idx].push_back(run->auc);
    scores.normalised[task_idx][variant_idx].push_back(run->normalised_auc);
    cell_runs[task_idx][variant_idx].push_back(run);
  }

  // point estimates and their stratified-bootstrap intervals
  StudyEstimates estimates = Estimate(scores);
  StudyIntervals intervals = StratifiedBootstrap(scores, options.bootstrap);

  // per cell: summaries, Δ, P and overheads vs the baseline cell of the task
  auto column = [](const std::vector<const ComparedRun*>& runs, auto field) {
    std::vector<double> values;
    for (const ComparedRun* run : runs) {
      if (auto value = field(*run)) values.push_back(static_cast<double>(*value));
    }
    return values;
  };
  auto time_of = [](const ComparedRun& run) { return run.time_cost; };
  auto params_of = [](const ComparedRun& run) { return run.param_count; };
  auto memory_of = [](const ComparedRun& run) { return run.peak_rss_bytes; };
  auto final_of = [](const ComparedRun& run) { return run.final_value; };
  auto auc_of = [](const ComparedRun& run) { return std::optional<double>(run.auc); };
  std::vector<VariantComparison> pooled(n_variants);
  std::vector<std::vector<TaskEvidence>> evidence(n_variants);
  for (size_t task_idx = 0; task_idx < n_tasks; ++task_idx) {
    const auto& baseline_runs = cell_runs[task_idx][0];
    for (size_t variant_idx = 0; variant_idx < n_variants; ++variant_idx) {
      const auto& runs = cell_runs[task_idx][variant_idx];
      CellComparison cell;
      cell.variant = comparison.variants[variant_idx];
      cell.task = comparison.tasks[task_idx];
      cell.auc = Summarise(column(runs, auc_of));
      cell.auc_interval = intervals.cell_mean[task_idx][variant_idx];
      cell.final_value = Summarise(column(runs, final_of));
      cell.relative = estimates.relative[task_idx][variant_idx];
      cell.relative_interval = intervals.relative[task_idx][variant_idx];
      cell.probability = estimates.probability[task_idx][variant_idx];
      cell.probability_interval = intervals.probability[task_idx][variant_idx];
      if (variant_idx != 0) {
        cell.relative_caution = RelativeCaution(comparison.cells[task_idx * n_variants], cell);
        cell.overhead.time = RatioOverhead(column(runs, time_of), column(baseline_runs, time_of));
        cell.overhead.params =
            RatioOverhead(column(runs, params_of), column(baseline_runs, params_of));
        cell.overhead.memory =
            RatioOverhead(column(runs, memory_of), column(baseline_runs, memory_of));
      }
      VariantComparison& variant = pooled[variant_idx];
      variant.runs += static_cast<int64_t>(runs.size());
      variant.worst_overhead.time = WorstOf(variant.worst_overhead.time, cell.overhead.time);
      variant.worst_overhead.params = WorstOf(variant.worst_overhead.params, cell.overhead.params);
      variant.worst_overhead.memory = WorstOf(variant.worst_overhead.memory, cell.overhead.memory);
      evidence[variant_idx].push_back({cell.relative, cell.relative_interval, cell.overhead.time});
      comparison.cells.push_back(std::move(cell));
    }
  }

  // per variant: pooled figures and the verdict
  for (size_t variant_idx = 0; variant_idx < n_variants; ++variant_idx) {
    VariantComparison& variant = pooled[variant_idx];
    variant.variant = comparison.variants[variant_idx];
    variant.is_baseline = variant_idx == 0;
    variant.mean_relative = estimates.mean_relative[variant_idx];
    variant.mean_relative_interval = intervals.mean_relative[variant_idx];
    variant.probability = estimates.mean_probability[variant_idx];
    variant.probability_interval = intervals.mean_probability[variant_idx];
    variant.iqm = estimates.iqm[variant_idx];
    variant.iqm_interval = intervals.iqm[variant_idx];
    if (!variant.is_baseline)
      variant.verdict = DecideVerdict(evidence[variant_idx], options.thresholds);
  }
  comparison.pooled = std::move(pooled);

  // the reproducibility stamp: distinct code versions of the compared runs (R16)
  for (const MemberFacts* fact : compared_facts) {
    auto same = [&](const CodeStamp& stamp) {
      return stamp.git_sha == fact->git_sha && stamp.dirty == fact->dirty &&
             stamp.diff_sha256 == fact->diff_sha256;
    };
    auto found = std::find_if(comparison.stamp.begin(), comparison.stamp.end(), same);
    if (found == comparison.stamp.end()) {
      comparison.stamp.push_back({fact->git_sha, fact->dirty, fact->diff_sha256, 1});
    } else {
      ++found->runs;
    }
  }
  return comparison;
}

}  // namespace orch::store
