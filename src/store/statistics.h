// src/store/statistics.h: the statistics of `orch compare` (results-store.md §6) as pure
// functions on plain vectors: AUC, final value, per-cell summary, relative AUC, probability of
// improvement, IQM, the stratified bootstrap and the verdict rule.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace orch::store {

/// Below this |baseline mean| a relative AUC is n/a (results-store.md §6.5).
inline constexpr double kRelativeEpsilon = 1e-8;

/// Whether a higher (a return) or a lower (a loss) value of the metric is better.
enum class Goal { kMax, kMin };

/// "max" or "min".
const char* GoalName(Goal goal);

/// Normalised AUC of a curve over [0, T] (§6.1): the trapezoid sum over the points with x <= T
/// and a non-NaN y, divided by x_K - x_0. `x` is ascending and as long as `y`. nullopt when fewer
/// than two such points remain (or they share one x).
std::optional<double> Auc(const std::vector<double>& x, const std::vector<double>& y,
                          double budget);

/// Final value (§6.3): the mean of the non-NaN y with x in [0.9 T, T]; nullopt when there is none.
std::optional<double> FinalValue(const std::vector<double>& x, const std::vector<double>& y,
                                 double budget);

/// Per-cell summary (§6.4). Every field but n is nullopt for an empty sample; sd (n - 1) needs
/// two values; cv = sd / mean is nullopt when |mean| < kRelativeEpsilon.
struct Summary {
  int64_t n = 0;
  std::optional<double> mean;
  std::optional<double> sd;
  std::optional<double> cv;
  std::optional<double> min;
  std::optional<double> max;
};

/// n, mean, sample sd (Welford's one-pass update), cv, min and max of `values`.
Summary Summarise(const std::vector<double>& values);

/// Relative AUC vs the baseline (§6.5): (mean - baseline_mean) / |baseline_mean|; nullopt when
/// |baseline_mean| < `epsilon`.
std::optional<double> RelativeAuc(double mean, double baseline_mean,
                                  double epsilon = kRelativeEpsilon);

/// Probability of improvement (§6.7): the fraction of (variant, baseline) pairs in which the
/// variant's score is higher, ties counting 1/2 (identical sets give 0.5). nullopt when either
/// set is empty.
std::optional<double> ProbabilityOfImprovement(const std::vector<double>& variant,
                                               const std::vector<double>& baseline);

/// Interquartile mean (§6.8): sort, drop floor(0.25 N) values from each end, average the rest.
/// nullopt for an empty sample.
std::optional<double> Iqm(std::vector<double> values);

/// The q-quantile (q in [0, 1]) of ascending `sorted` by linear interpolation between the
/// closest ranks (numpy's default): position q (n - 1). nullopt for an empty sample.
std::optional<double> Percentile(const std::vector<double>& sorted, double q);

/// A confidence interval [low, high].
struct Interval {
  double low = 0.0;
  double high = 0.0;
};

/// The per-seed scores of a study, indexed [task][variant][seed]. A cell may be empty (every run
/// of it excluded); the seed counts of the cells may differ.
struct StudyScores {
  std::vector<std::vector<std::vector<double>>> auc;         ///< AUC of each run (metric units)
  std::vector<std::vector<std::vector<double>>> normalised;  ///< task-normalised AUC (§6.2)
  size_t baseline = 0;                                       ///< index of the baseline variant
  Goal goal = Goal::kMax;
  double epsilon = kRelativeEpsilon;  ///< floor of |baseline mean| for a relative AUC
};

/// The point estimates of a study. With Goal::kMin the relative AUC and the probability of
/// improvement are computed on the sign-flipped scores (so positive = lower = better); means and
/// the IQM stay on the metric's own scale. Entries of the baseline's own Δ and P are nullopt.
struct StudyEstimates {
  std::vector<std::vector<std::optional<double>>> cell_mean;    ///< [task][variant] mean AUC
  std::vector<std::vector<std::optional<double>>> relative;     ///< [task][variant] Δ_t(v)
  std::vector<std::vector<std::optional<double>>> probability;  ///< [task][variant] P_t(v)
  std::vector<std::optional<double>> mean_relative;     ///< [variant] mean over tasks of Δ_t
  std::vector<std::optional<double>> mean_probability;  ///< [variant] mean over tasks of P_t
  std::vector<std::optional<double>> iqm;               ///< [variant] IQM of normalised AUC
};

/// Δ_t(v), P_t(v), their means over the tasks where they are defined, cell means and the IQM
/// of the task-normalised AUC of all of a variant's (task, seed) runs.
StudyEstimates Estimate(const StudyScores& scores);

/// Settings of the stratified bootstrap.
struct BootstrapOptions {
  int64_t reps = 10'000;     ///< B replicates
  uint64_t seed = 0;         ///< --bootstrap-seed
  double confidence = 0.95;  ///< percentile interval [(1 - c) / 2, (1 + c) / 2]
  int threads = 0;           ///< 0 = one per hardware thread; never changes the result
};

/// Replicates per generator: chunk c draws from its own mt19937_64 seeded from (seed, c).
inline constexpr int64_t kBootstrapChunk = 256;

/// Percentile intervals of every estimate, shaped as StudyEstimates; nullopt where the point
/// estimate is nullopt or no replicate defined it.
struct StudyIntervals {
  std::vector<std::vector<std::optional<Interval>>> cell_mean;
  std::vector<std::vector<std::optional<Interval>>> relative;
  std::vector<std::vector<std::optional<Interval>>> probability;
  std::vector<std::optional<Interval>> mean_relative;
  std::vector<std::optional<Interval>> mean_probability;
  std::vector<std::optional<Interval>> iqm;
  int64_t reps = 0;
};

/// The stratified bootstrap (§6.6-6.8): each of B replicates resamples the seeds of every
/// (variant, task) cell independently with replacement (same n), and recomputes Estimate.
/// Reproducible: the same scores and seed give the same intervals whatever the thread count.
StudyIntervals StratifiedBootstrap(const StudyScores& scores, const BootstrapOptions& options);

/// The thresholds of the verdict row (§6.11).
struct VerdictThresholds {
  double min_rel = 0.03;       ///< --min-rel
  int64_t min_tasks = 2;       ///< --min-tasks
  double max_overhead = 0.15;  ///< --max-overhead (time)
};

/// One task's evidence for a variant.
struct TaskEvidence {
  std::optional<double> relative;             ///< Δ_t(v)
  std::optional<Interval> relative_interval;  ///< its bootstrap CI
  std::optional<double> time_overhead;        ///< time ratio - 1 on this task
};

/// The verdict of one variant.
struct Verdict {
  bool pass = false;
  int64_t tasks_confident = 0;  ///< #{t : Δ_t >= min_rel and CI low > 0}
  int64_t tasks_point = 0;      ///< #{t : Δ_t >= min_rel}, the looser point-estimate count
  std::optional<double> worst_time_overhead;  ///< max_t over the tasks where it is known
  bool overhead_ok = false;                   ///< worst_time_overhead known and <= max_overhead
};

/// Slack of the verdict's threshold comparisons, so that a gain of exactly 3% computed in floating
/// point ((30.9 - 30) / 30 = 0.029999999999999954) counts as 3%.
inline constexpr double kVerdictTolerance = 1e-9;

/// PASS iff tasks_confident >= min_tasks and the worst known time overhead <= max_overhead (an
/// unknown overhead on every task fails). Both thresholds allow kVerdictTolerance; "CI low > 0"
/// is strict.
Verdict DecideVerdict(const std::vector<TaskEvidence>& tasks, const VerdictThresholds& thresholds);

}  // namespace orch::store
