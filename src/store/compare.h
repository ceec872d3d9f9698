// src/store/compare.h: the comparison behind `orch compare`: a sweep's runs grouped by variant,
// task and seed, one metric's AUC and final value per run, and every statistic of
// results-store.md §6 with the overheads, the verdict, the excluded runs and the stamp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/results_store.h"
#include "store/statistics.h"

namespace orch::store {

/// What to compare and how (the options of `orch compare`).
struct CompareOptions {
  std::string sweep;                           ///< --sweep NAME[,NAME...]
  std::string metric = "eval/episode_return";  ///< --metric KEY
  std::optional<int64_t> budget;               ///< --budget T; default the smallest budget
  std::optional<std::string> baseline;         ///< --baseline; default the sweep's first variant
  /// --by KEY[,KEY]: group the runs by these stored parameters (`tam.memory.w_mem`) instead of
  /// their variant; a group is named `key=value,...`.
  std::vector<std::string> by;
  Goal goal = Goal::kMax;        ///< --goal max|min
  BootstrapOptions bootstrap;    ///< --reps, --bootstrap-seed
  VerdictThresholds thresholds;  ///< --min-rel, --min-tasks, --max-overhead
};

/// One compared run with its scores.
struct ComparedRun {
  int64_t run_id = 0;
  std::string uuid;
  int64_t job_index = 0;
  std::string variant;
  std::string task;
  int64_t seed = 0;
  int64_t points = 0;                 ///< non-NaN points with step <= T
  double auc = 0.0;                   ///< §6.1, metric units
  double normalised_auc = 0.0;        ///< §6.2
  std::optional<double> final_value;  ///< §6.3
  std::optional<double> time_cost;    ///< ms per iteration or wall ms per step (see time_source)
  std::optional<int64_t> param_count;
  std::optional<int64_t> peak_rss_bytes;
};

/// A member of the sweep left out of the comparison, and why.
struct ExcludedRun {
  int64_t run_id = 0;
  std::string uuid;
  std::string variant;
  std::string task;
  int64_t seed = 0;
  std::string status;
  int64_t last_step = 0;
  int64_t budget_steps = 0;
  std::string reason;
};

/// The (min, max) that maps a task's AUCs onto [0, 1] for the pooled statistics.
struct TaskNormalisation {
  std::string task;
  double min = 0.0;
  double max = 0.0;
  bool from_task_ref = false;  ///< else the min and max of the compared AUCs of the task
  std::string source;          ///< task_ref.source, "observed", or "no compared runs"
};

/// Overhead of a variant vs the baseline on one task: ratio of cell means - 1.
struct Overhead {
  std::optional<double> time;
  std::optional<double> params;
  std::optional<double> memory;
};

/// One (variant, task) cell.
struct CellComparison {
  std::string variant;
  std::string task;
  Summary auc;
  std::optional<Interval> auc_interval;  ///< bootstrap CI of the mean AUC
  Summary final_value;
  std::optional<double> relative;  ///< Δ_t(v); nullopt for the baseline or n/a
  std::optional<Interval> relative_interval;
  /// Why the relative AUC means little here (the baseline's mean AUC is near zero, or the two
  /// have opposite signs): its ratio is then unbounded or of no direction. "" when it is sound.
  std::string relative_caution;
  std::optional<double> probability;  ///< P_t(v) over the baseline
  std::optional<Interval> probability_interval;
  Overhead overhead;  ///< nothing for the baseline
};

/// The pooled figures and the verdict of one variant.
struct VariantComparison {
  std::string variant;
  bool is_baseline = false;
  int64_t runs = 0;
  std::optional<double> mean_relative;
  std::optional<Interval> mean_relative_interval;
  std::optional<double> probability;
  std::optional<Interval> probability_interval;
  std::optional<double> iqm;  ///< IQM of the task-normalised AUC, the metric's own direction
  std::optional<Interval> iqm_interval;
  Overhead worst_overhead;  ///< max over tasks
  Verdict verdict;          ///< meaningless for the baseline
};

/// One distinct code version among the compared runs (R16).
struct CodeStamp {
  std::optional<std::string> git_sha;
  bool dirty = false;
  std::string diff_sha256;
  int64_t runs = 0;
};

/// Everything `orch compare` prints.
struct Comparison {
  // the parameters
  std::string sweep;  ///< the compared sweep's name, or several names joined by commas
  std::string metric;
  int64_t budget = 0;
  bool budget_from_option = false;
  std::string baseline;
  Goal goal = Goal::kMax;
  BootstrapOptions bootstrap;
  VerdictThresholds thresholds;
  std::string time_source;  ///< "ms_per_iter" or "wall ms per step"

  // the study, the baseline first, then the sweep's order
  std::vector<std::string> variants;
  std::vector<std::string> tasks;
  std::vector<ComparedRun> runs;  ///< in job order
  std::vector<ExcludedRun> excluded;
  std::vector<TaskNormalisation> normalisation;  ///< one per task
  std::vector<CellComparison> cells;             ///< task-major, variants in order
  std::vector<VariantComparison> pooled;         ///< one per variant
  std::vector<CodeStamp> stamp;

  /// The cell of (variant, task); nullptr when unknown.
  const CellComparison* Cell(const std::string& variant, const std::string& task) const;
  /// Ids of the compared runs, ascending.
  std::vector<int64_t> RunIds() const;
};

/// The metric keys recorded by any run of the sweep, sorted.
std::vector<std::string> SweepMetricKeys(ResultsStore& store, int64_t sweep_id);

/// Compares the runs of `options.sweep`. Throws UsageError for an unknown sweep (listing the
/// known ones), a sweep without runs, an unknown metric (listing the sweep's keys with a "did
/// you mean"), an unknown baseline, or a budget below 1; StoreError when the store fails.
Comparison Compare(ResultsStore& store, const CompareOptions& options);

}  // namespace orch::store
