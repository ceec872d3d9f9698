// src/store/statistics.cpp: the definitions of results-store.md §6, on plain vectors.
#include "store/statistics.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

#include "common/error.h"

namespace orch::store {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::optional<double> MeanOf(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  double total = 0.0;
  for (double value : values) total += value;
  return total / static_cast<double>(values.size());
}

/// P(improvement) with both score sets multiplied by `sign` (-1 flips a lower-is-better metric).
std::optional<double> SignedProbability(const std::vector<double>& variant,
                                        const std::vector<double>& baseline, double sign) {
  if (variant.empty() || baseline.empty()) return std::nullopt;
  double wins = 0.0;
  for (double ours : variant) {
    for (double theirs : baseline) {
      if (sign * ours > sign * theirs) {
        wins += 1.0;
      } else if (ours == theirs) {
        wins += 0.5;
      }
    }
  }
  return wins / static_cast<double>(variant.size() * baseline.size());
}

/// The mean of the defined entries; nullopt when none is defined.
std::optional<double> MeanOfDefined(const std::vector<std::optional<double>>& values) {
  double total = 0.0;
  int64_t count = 0;
  for (const auto& value : values) {
    if (!value) continue;
    total += *value;
    ++count;
  }
  if (count == 0) return std::nullopt;
  return total / static_cast<double>(count);
}

/// Every estimate of a StudyEstimates in one fixed order, so a replicate can be a flat row.
std::vector<std::optional<double>*> Slots(StudyEstimates& estimates) {
  std::vector<std::optional<double>*> slots;
  for (auto* table : {&estimates.cell_mean, &estimates.relative, &estimates.probability}) {
    for (auto& row : *table) {
      for (auto& entry : row) slots.push_back(&entry);
    }
  }
  for (auto* column : {&estimates.mean_relative, &estimates.mean_probability, &estimates.iqm}) {
    for (auto& entry : *column) slots.push_back(&entry);
  }
  return slots;
}

/// The intervals in the same order as Slots(StudyEstimates&), sized like `shape`.
std::vector<std::optional<Interval>*> Slots(StudyIntervals& intervals,
                                            const StudyEstimates& shape) {
  auto size_like = [](auto& table, const auto& like) {
    table.resize(like.size());
    for (size_t row_idx = 0; row_idx < like.size(); ++row_idx) {
      table[row_idx].resize(like[row_idx].size());
    }
  };
  size_like(intervals.cell_mean, shape.cell_mean);
  size_like(intervals.relative, shape.relative);
  size_like(intervals.probability, shape.probability);
  intervals.mean_relative.resize(shape.mean_relative.size());
  intervals.mean_probability.resize(shape.mean_probability.size());
  intervals.iqm.resize(shape.iqm.size());
  std::vector<std::optional<Interval>*> slots;
  for (auto* table : {&intervals.cell_mean, &intervals.relative, &intervals.probability}) {
    for (auto& row : *table) {
      for (auto& entry : row) slots.push_back(&entry);
    }
  }
  for (auto* column : {&intervals.mean_relative, &intervals.mean_probability, &intervals.iqm}) {
    for (auto& entry : *column) slots.push_back(&entry);
  }
  return slots;
}

/// Replicates [first, last) of the bootstrap into rows of `out` (`width` values each, NaN for
/// an undefined estimate), drawing from `rng`.
void RunReplicates(const StudyScores& scores, int64_t first, int64_t last, size_t width,
                   std::mt19937_64& rng, std::vector<double>& out) {
  StudyScores sample = scores;
  for (int64_t rep = first; rep < last; ++rep) {
    // resample the seeds of every (task, variant) cell, auc and normalised score together
    for (size_t task_idx = 0; task_idx < scores.auc.size(); ++task_idx) {
      for (size_t variant_idx = 0; variant_idx < scores.auc[task_idx].size(); ++variant_idx) {
        const auto& auc = scores.auc[task_idx][variant_idx];
        const auto& normalised = scores.normalised[task_idx][variant_idx];
        if (auc.empty()) continue;
        std::uniform_int_distribution<size_t> pick(0, auc.size() - 1);
        for (size_t seed_idx = 0; seed_idx < auc.size(); ++seed_idx) {
          size_t drawn = pick(rng);
          sample.auc[task_idx][variant_idx][seed_idx] = auc[drawn];
          sample.normalised[task_idx][variant_idx][seed_idx] = normalised[drawn];
        }
      }
    }
    // recompute every estimate and keep it as one flat row
    StudyEstimates estimates = Estimate(sample);
    std::vector<std::optional<double>*> slots = Slots(estimates);
    double* row = out.data() + static_cast<size_t>(rep) * width;
    for (size_t slot_idx = 0; slot_idx < width; ++slot_idx) {
      row[slot_idx] = slots[slot_idx]->value_or(kNan);
    }
  }
}

}  // namespace

const char* GoalName(Goal goal) { return goal == Goal::kMin ? "min" : "max"; }

std::optional<double> Auc(const std::vector<double>& x, const std::vector<double>& y,
                          double budget) {
  ORCH_ASSERT(x.size() == y.size(), "a curve needs one y per x");
  // trapezoids between consecutive usable points
  double area = 0.0;
  std::optional<double> first_x;
  double last_x = 0.0;
  double last_y = 0.0;
  for (size_t point_idx = 0; point_idx < x.size(); ++point_idx) {
    if (x[point_idx] > budget) break;
    if (std::isnan(y[point_idx])) continue;
    if (first_x) {
      area += (x[point_idx] - last_x) * (y[point_idx] + last_y) / 2.0;
    } else {
      first_x = x[point_idx];
    }
    last_x = x[point_idx];
    last_y = y[point_idx];
  }
  // normalised by the covered span
  if (!first_x || last_x <= *first_x) return std::nullopt;
  return area / (last_x - *first_x);
}

std::optional<double> FinalValue(const std::vector<double>& x, const std::vector<double>& y,
                                 double budget) {
  ORCH_ASSERT(x.size() == y.size(), "a curve needs one y per x");
  double total = 0.0;
  int64_t count = 0;
  for (size_t point_idx = 0; point_idx < x.size(); ++point_idx) {
    if (x[point_idx] < 0.9 * budget || x[point_idx] > budget || std::isnan(y[point_idx])) continue;
    total += y[point_idx];
    ++count;
  }
  if (count == 0) return std::nullopt;
  return total / static_cast<double>(count);
}

Summary Summarise(const std::vector<double>& values) {
  Summary summary;
  if (values.empty()) return summary;
  // welford's update of the mean and the sum of squared deviations
  double mean = 0.0;
  double squares = 0.0;
  double low = values.front();
  double high = values.front();
  int64_t n = 0;
  for (double value : values) {
    ++n;
    double delta = value - mean;
    mean += delta / static_cast<double>(n);
    squares += delta * (value - mean);
    low = std::min(low, value);
    high = std::max(high, value);
  }
  summary.n = n;
  summary.mean = mean;
  summary.min = low;
  summary.max = high;
  if (n >= 2) {
    summary.sd = std::sqrt(squares / static_cast<double>(n - 1));
    if (std::abs(mean) >= kRelativeEpsilon) summary.cv = *summary.sd / mean;
  }
  return summary;
}

std::optional<double> RelativeAuc(double mean, double baseline_mean, double epsilon) {
  if (std::abs(baseline_mean) < epsilon) return std::nullopt;
  return (mean - baseline_mean) / std::abs(baseline_mean);
}

std::optional<double> ProbabilityOfImprovement(const std::vector<double>& variant,
                                               const std::vector<double>& baseline) {
  return SignedProbability(variant, baseline, 1.0);
}

std::optional<double> Iqm(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t trim = values.size() / 4;
  double total = 0.0;
  for (size_t value_idx = trim; value_idx < values.size() - trim; ++value_idx) {
    total += values[value_idx];
  }
  return total / static_cast<double>(values.size() - 2 * trim);
}

std::optional<double> Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nullopt;
  const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

StudyEstimates Estimate(const StudyScores& scores) {
  ORCH_ASSERT(scores.normalised.size() == scores.auc.size(),
              "normalised scores are shaped like the AUCs");
  const size_t n_tasks = scores.auc.size();
  const size_t n_variants = n_tasks == 0 ? 0 : scores.auc.front().size();
  const double sign = scores.goal == Goal::kMin ? -1.0 : 1.0;
  StudyEstimates estimates;
  estimates.cell_mean.assign(n_tasks, std::vector<std::optional<double>>(n_variants));
  estimates.relative = estimates.cell_mean;
  estimates.probability = estimates.cell_mean;

  // per task: cell means, Δ_t and P_t against the baseline, on sign-flipped scores for min
  for (size_t task_idx = 0; task_idx < n_tasks; ++task_idx) {
    const auto& cells = scores.auc[task_idx];
    ORCH_ASSERT(cells.size() == n_variants, "every task has a cell per variant");
    for (size_t variant_idx = 0; variant_idx < n_variants; ++variant_idx) {
      estimates.cell_mean[task_idx][variant_idx] = MeanOf(cells[variant_idx]);
    }
    const std::optional<double> baseline_mean = estimates.cell_mean[task_idx][scores.baseline];
    for (size_t variant_idx = 0; variant_idx < n_variants; ++variant_idx) {
      const std::optional<double> mean = estimates.cell_mean[task_idx][variant_idx];
      if (variant_idx == scores.baseline || !mean || !baseline_mean) continue;
      estimates.relative[task_idx][variant_idx] =
          RelativeAuc(sign * *mean, sign * *baseline_mean, scores.epsilon);
      estimates.probability[task_idx][variant_idx] =
          SignedProbability(cells[variant_idx], cells[scores.baseline], sign);
    }
  }

  // pooled over tasks: mean Δ, mean P, and the IQM of every (task, seed) normalised score
  estimates.mean_relative.resize(n_variants);
  estimates.mean_probability.resize(n_variants);
  estimates.iqm.resize(n_variants);
  for (size_t variant_idx = 0; variant_idx < n_variants; ++variant_idx) {
    std::vector<std::optional<double>> relative;
    std::vector<std::optional<double>> probability;
    std::vector<double> pooled;
    for (size_t task_idx = 0; task_idx < n_tasks; ++task_idx) {
      relative.push_back(estimates.relative[task_idx][variant_idx]);
      probability.push_back(estimates.probability[task_idx][variant_idx]);
      const auto& normalised = scores.normalised[task_idx][variant_idx];
      pooled.insert(pooled.end(), normalised.begin(), normalised.end());
    }
    estimates.mean_relative[variant_idx] = MeanOfDefined(relative);
    estimates.mean_probability[variant_idx] = MeanOfDefined(probability);
    estimates.iqm[variant_idx] = Iqm(std::move(pooled));
  }
  return estimates;
}

StudyIntervals StratifiedBootstrap(const StudyScores& scores, const BootstrapOptions& options) {
  for (size_t task_idx = 0; task_idx < scores.auc.size(); ++task_idx) {
    for (size_t variant_idx = 0; variant_idx < scores.auc[task_idx].size(); ++variant_idx) {
      ORCH_ASSERT(scores.normalised[task_idx][variant_idx].size() ==
                      scores.auc[task_idx][variant_idx].size(),
                  "one normalised score per run");
    }
  }
  StudyEstimates point = Estimate(scores);
  const size_t width = Slots(point).size();
  const int64_t reps = std::max<int64_t>(options.reps, 0);
  std::vector<double> replicates(static_cast<size_t>(reps) * width, kNan);

  // fixed chunks of replicates, each with a generator derived from (seed, chunk index)
  const int64_t n_chunks = (reps + kBootstrapChunk - 1) / kBootstrapChunk;
  std::atomic<int64_t> next_chunk{0};
  auto work = [&] {
    for (int64_t chunk = next_chunk++; chunk < n_chunks; chunk = next_chunk++) {
      std::seed_seq seeds{static_cast<uint32_t>(options.seed),
                          static_cast<uint32_t>(options.seed >> 32), static_cast<uint32_t>(chunk),
                          static_cast<uint32_t>(chunk >> 32)};
      std::mt19937_64 rng(seeds);
      RunReplicates(scores, chunk * kBootstrapChunk, std::min(reps, (chunk + 1) * kBootstrapChunk),
                    width, rng, replicates);
    }
  };
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = static_cast<int>(std::clamp<int64_t>(threads, 1, std::max<int64_t>(n_chunks, 1)));
  if (threads == 1) {
    work();
  } else {
    std::vector<std::thread> workers;
    for (int thread_idx = 0; thread_idx < threads; ++thread_idx) workers.emplace_back(work);
    for (auto& worker : workers) worker.join();
  }

  // percentile interval of each estimate over the replicates that define it
  StudyIntervals intervals;
  intervals.reps = reps;
  std::vector<std::optional<Interval>*> interval_slots = Slots(intervals, point);
  std::vector<std::optional<double>*> point_slots = Slots(point);
  const double tail = (1.0 - options.confidence) / 2.0;
  std::vector<double> values;
  for (size_t slot_idx = 0; slot_idx < width; ++slot_idx) {
    if (!point_slots[slot_idx]->has_value()) continue;
    values.clear();
    for (int64_t rep = 0; rep < reps; ++rep) {
      double value = replicates[static_cast<size_t>(rep) * width + slot_idx];
      if (!std::isnan(value)) values.push_back(value);
    }
    if (values.empty()) continue;
    std::sort(values.begin(), values.end());
    *interval_slots[slot_idx] = Interval{*Percentile(values, tail), *Percentile(values, 1 - tail)};
  }
  return intervals;
}

Verdict DecideVerdict(const std::vector<TaskEvidence>& tasks, const VerdictThresholds& thresholds) {
  Verdict verdict;
  for (const auto& task : tasks) {
    // tasks with a large enough gain, and those whose CI also excludes zero
    if (task.relative && *task.relative >= thresholds.min_rel - kVerdictTolerance) {
      ++verdict.tasks_point;
      if (task.relative_interval && task.relative_interval->low > 0.0) ++verdict.tasks_confident;
    }
    // the worst known time overhead
    if (task.time_overhead) {
      verdict.worst_time_overhead =
          std::max(verdict.worst_time_overhead.value_or(*task.time_overhead), *task.time_overhead);
    }
  }
  verdict.overhead_ok = verdict.worst_time_overhead &&
                        *verdict.worst_time_overhead <= thresholds.max_overhead + kVerdictTolerance;
  verdict.pass = verdict.tasks_confident >= thresholds.min_tasks && verdict.overhead_ok;
  return verdict;
}

}  // namespace orch::store
