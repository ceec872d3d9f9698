// Tests src/store/statistics.cpp: every statistic of results-store.md §6 against values worked
// out by hand (the arithmetic is in the comments).
#include "store/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace orch::store {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kTight = 1e-12;

/// A study of one task: the baseline's and one variant's per-seed AUCs (normalised = AUC).
StudyScores OneTask(std::vector<double> baseline, std::vector<double> variant,
                    Goal goal = Goal::kMax) {
  StudyScores scores;
  scores.auc = {{std::move(baseline), std::move(variant)}};
  scores.normalised = scores.auc;
  scores.goal = goal;
  return scores;
}

// --- AUC (§6.1)

TEST(StatisticsTest, AucOnAnUnevenGrid) {
  // trapezoids: (1-0)(0+2)/2 = 1, (3-1)(2+2)/2 = 4, (6-3)(2+5)/2 = 10.5; sum 15.5 over 6 - 0
  std::vector<double> x = {0, 1, 3, 6};
  std::vector<double> y = {0, 2, 2, 5};
  EXPECT_NEAR(*Auc(x, y, 6), 15.5 / 6.0, kTight);
  // a budget past the last point changes nothing: the span is x_K - x_0 = 6
  EXPECT_NEAR(*Auc(x, y, 100), 15.5 / 6.0, kTight);
}

TEST(StatisticsTest, AucWithTheBudgetCuttingTheCurve) {
  std::vector<double> x = {0, 1, 3, 6};
  std::vector<double> y = {0, 2, 2, 5};
  // T = 3 keeps x = 0, 1, 3: (1 + 4) / (3 - 0)
  EXPECT_NEAR(*Auc(x, y, 3), 5.0 / 3.0, kTight);
  // T = 4 keeps the same points (6 > 4), and divides by x_K - x_0 = 3, not by T
  EXPECT_NEAR(*Auc(x, y, 4), 5.0 / 3.0, kTight);
}

TEST(StatisticsTest, AucOfEvenlySpacedPointsIsTheMeanWithHalfWeightEndpoints) {
  // (1.5 + 2.5 + 3.5) / 3 = 2.5 = (0.5 * 1 + 2 + 3 + 0.5 * 4) / 3
  EXPECT_NEAR(*Auc({0, 10, 20, 30}, {1, 2, 3, 4}, 30), 2.5, kTight);
}

TEST(StatisticsTest, AucSkipsNanPoints) {
  // x = 1 is NaN: one trapezoid (2 - 0)(0 + 4)/2 = 4 over 2
  EXPECT_NEAR(*Auc({0, 1, 2}, {0, kNan, 4}, 2), 2.0, kTight);
  // a NaN first point moves x_0: (3 - 1)(2 + 6)/2 = 8 over 3 - 1
  EXPECT_NEAR(*Auc({0, 1, 3}, {kNan, 2, 6}, 3), 4.0, kTight);
}

TEST(StatisticsTest, AucNeedsTwoPoints) {
  EXPECT_FALSE(Auc({}, {}, 10).has_value());
  EXPECT_FALSE(Auc({0}, {1}, 10).has_value());
  EXPECT_FALSE(Auc({0, 5}, {1, kNan}, 10).has_value());
  EXPECT_FALSE(Auc({0, 20}, {1, 2}, 10).has_value());
}

// --- final value (§6.3)

TEST(StatisticsTest, FinalValueIsTheMeanOverTheLastTenthOfTheBudget) {
  // y = x / 10 at x = 0, 10, ..., 100
  std::vector<double> x;
  std::vector<double> y;
  for (int step = 0; step <= 100; step += 10) {
    x.push_back(step);
    y.push_back(step / 10.0);
  }
  // T = 100: x in [90, 100] -> (9 + 10) / 2
  EXPECT_NEAR(*FinalValue(x, y, 100), 9.5, kTight);
  // T = 95: x in [85.5, 95] -> only x = 90 -> 9
  EXPECT_NEAR(*FinalValue(x, y, 95), 9.0, kTight);
  // T = 50: x in [45, 50] -> 5
  EXPECT_NEAR(*FinalValue(x, y, 50), 5.0, kTight);
  // T = 5: x in [4.5, 5] holds no point
  EXPECT_FALSE(FinalValue(x, y, 5).has_value());
}

TEST(StatisticsTest, FinalValueOfACurveIndexedFromZeroToTMinusOne) {
  // TAM-style steps 0..9 for T = 10: [9, 10] holds x = 9 only; NaN points are skipped
  std::vector<double> x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<double> y = {0, 1, 2, 3, 4, 5, 6, 7, 8, 42};
  EXPECT_NEAR(*FinalValue(x, y, 10), 42.0, kTight);
  y.back() = kNan;
  EXPECT_FALSE(FinalValue(x, y, 10).has_value());
}

// --- per-cell summary (§6.4)

TEST(StatisticsTest, SummaryOfACell) {
  // mean 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sd = sqrt(32 / 7)
  Summary summary = Summarise({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(summary.n, 8);
  EXPECT_NEAR(*summary.mean, 5.0, kTight);
  EXPECT_NEAR(*summary.sd, std::sqrt(32.0 / 7.0), kTight);        // 2.13809
  EXPECT_NEAR(*summary.cv, std::sqrt(32.0 / 7.0) / 5.0, kTight);  // 0.427618
  EXPECT_EQ(*summary.min, 2.0);
  EXPECT_EQ(*summary.max, 9.0);
}

TEST(StatisticsTest, SummaryEdgeCases) {
  // one value: no sample sd, no cv
  Summary one = Summarise({3.5});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(*one.mean, 3.5);
  EXPECT_FALSE(one.sd.has_value());
  EXPECT_FALSE(one.cv.has_value());
  // none at all
  Summary none = Summarise({});
  EXPECT_EQ(none.n, 0);
  EXPECT_FALSE(none.mean.has_value());
  EXPECT_FALSE(none.min.has_value());
  // a negative mean gives a negative cv = sd / mean: mean -2, sd sqrt((1 + 1) / 1)
  Summary negative = Summarise({-1, -3});
  EXPECT_NEAR(*negative.cv, -std::sqrt(2.0) / 2.0, kTight);
  // a zero mean has no cv
  EXPECT_FALSE(Summarise({-1, 1}).cv.has_value());
  // welford stays exact on large offsets: 1e9 + {1, 2, 3} has sd 1
  EXPECT_NEAR(*Summarise({1e9 + 1, 1e9 + 2, 1e9 + 3}).sd, 1.0, 1e-6);
}

// --- relative AUC (§6.5)

TEST(StatisticsTest, RelativeAucAgainstTheBaseline) {
  // (110 - 100) / 100
  EXPECT_NEAR(*RelativeAuc(110, 100), 0.1, kTight);
  // (90 - 100) / 100
  EXPECT_NEAR(*RelativeAuc(90, 100), -0.1, kTight);
  // negative returns: (-90 - -100) / |-100| = +0.1, less negative is better
  EXPECT_NEAR(*RelativeAuc(-90, -100), 0.1, kTight);
}

TEST(StatisticsTest, RelativeAucIsNotAvailableForANearZeroBaseline) {
  EXPECT_FALSE(RelativeAuc(1, 0).has_value());
  EXPECT_FALSE(RelativeAuc(1, 1e-9).has_value());
  EXPECT_FALSE(RelativeAuc(1, -1e-9).has_value());
  EXPECT_TRUE(RelativeAuc(1, 1e-8).has_value());
  // a user floor
  EXPECT_FALSE(RelativeAuc(1, 0.5, 1.0).has_value());
}

// --- probability of improvement (§6.7)

TEST(StatisticsTest, ProbabilityOfImprovementCountsTiesAsHalf) {
  // {3, 4} vs {1, 2, 3}: 3 beats 1, 2 and ties 3 -> 2.5; 4 beats all three -> 3; 5.5 / 6
  EXPECT_NEAR(*ProbabilityOfImprovement({3, 4}, {1, 2, 3}), 5.5 / 6.0, kTight);
  // {1, 2, 3} vs {2, 2}: 1 -> 0 + 0; 2 -> 0.5 + 0.5; 3 -> 1 + 1; 3 / 6
  EXPECT_NEAR(*ProbabilityOfImprovement({1, 2, 3}, {2, 2}), 0.5, kTight);
  // all worse
  EXPECT_NEAR(*ProbabilityOfImprovement({0, 1}, {5, 6}), 0.0, kTight);
}

TEST(StatisticsTest, ProbabilityOfImprovementOfIdenticalSetsIsOneHalf) {
  // 1 -> 0.5; 2 -> 1 + 0.5; 3 -> 1 + 1 + 0.5; 4.5 / 9
  EXPECT_NEAR(*ProbabilityOfImprovement({1, 2, 3}, {1, 2, 3}), 0.5, kTight);
  EXPECT_NEAR(*ProbabilityOfImprovement({7, 7}, {7, 7, 7}), 0.5, kTight);
  EXPECT_FALSE(ProbabilityOfImprovement({}, {1}).has_value());
}

// --- IQM (§6.8)

TEST(StatisticsTest, IqmOfFourDropsOneFromEachEnd) {
  // sorted 1, 3, 4, 100; floor(0.25 * 4) = 1 -> (3 + 4) / 2
  EXPECT_NEAR(*Iqm({4, 1, 100, 3}), 3.5, kTight);
}

TEST(StatisticsTest, IqmOfFiveDropsOneFromEachEnd) {
  // sorted -50, 1, 2, 3, 10; floor(1.25) = 1 -> (1 + 2 + 3) / 3
  EXPECT_NEAR(*Iqm({10, 1, 2, 3, -50}), 2.0, kTight);
}

TEST(StatisticsTest, IqmOfTwelveAveragesTheMiddleSix) {
  // floor(0.25 * 12) = 3 from each end: the zeros and the hundreds go; (1+2+3+4+5+6) / 6
  EXPECT_NEAR(*Iqm({100, 0, 6, 1, 100, 5, 0, 2, 4, 3, 100, 0}), 3.5, kTight);
}

TEST(StatisticsTest, IqmOfFewValuesIsTheMean) {
  // floor(0.25 * 3) = 0
  EXPECT_NEAR(*Iqm({1, 2, 6}), 3.0, kTight);
  EXPECT_NEAR(*Iqm({7}), 7.0, kTight);
  EXPECT_FALSE(Iqm({}).has_value());
}

TEST(StatisticsTest, PercentileInterpolatesLinearly) {
  // position q (n - 1): 0.5 * 3 = 1.5 -> 2.5; 0.025 * 3 = 0.075 -> 1.075
  std::vector<double> sorted = {1, 2, 3, 4};
  EXPECT_NEAR(*Percentile(sorted, 0.5), 2.5, kTight);
  EXPECT_NEAR(*Percentile(sorted, 0.025), 1.075, kTight);
  EXPECT_NEAR(*Percentile(sorted, 1.0), 4.0, kTight);
  EXPECT_NEAR(*Percentile({5}, 0.975), 5.0, kTight);
  EXPECT_FALSE(Percentile({}, 0.5).has_value());
}

// --- point estimates of a study

TEST(StatisticsTest, EstimatePoolsOverTasks) {
  // task 0: baseline mean 100, variant mean 110 -> Δ 0.1; P: {105, 115} vs {100, 100} = 1
  // task 1: baseline mean 10, variant mean 13 -> Δ 0.3; P: {12, 14} vs {9, 11}: 12 -> 2,
  //         14 -> 2; 4 / 4 = 1
  StudyScores scores;
  scores.auc = {{{100, 100}, {105, 115}}, {{9, 11}, {12, 14}}};
  scores.normalised = {{{0.0, 0.0}, {0.5, 1.0}}, {{0.0, 0.4}, {0.6, 1.0}}};
  StudyEstimates estimates = Estimate(scores);
  EXPECT_NEAR(*estimates.cell_mean[0][1], 110.0, kTight);
  EXPECT_NEAR(*estimates.relative[0][1], 0.1, kTight);
  EXPECT_NEAR(*estimates.relative[1][1], 0.3, kTight);
  EXPECT_FALSE(estimates.relative[0][0].has_value());
  EXPECT_FALSE(estimates.probability[0][0].has_value());
  // mean Δ (0.1 + 0.3) / 2; mean P (1 + 1) / 2
  EXPECT_NEAR(*estimates.mean_relative[1], 0.2, kTight);
  EXPECT_NEAR(*estimates.mean_probability[1], 1.0, kTight);
  // IQM over the 4 (task, seed) scores: baseline 0, 0, 0, 0.4 -> (0 + 0) / 2;
  // variant 0.5, 0.6, 1, 1 -> (0.6 + 1) / 2
  EXPECT_NEAR(*estimates.iqm[0], 0.0, kTight);
  EXPECT_NEAR(*estimates.iqm[1], 0.8, kTight);
}

TEST(StatisticsTest, EstimateSkipsTasksWithoutData) {
  // task 1's variant cell is empty: its Δ and P are n/a and the pooled means use task 0 only
  StudyScores scores;
  scores.auc = {{{100}, {120}}, {{50}, {}}};
  scores.normalised = {{{0.0}, {1.0}}, {{0.5}, {}}};
  StudyEstimates estimates = Estimate(scores);
  EXPECT_FALSE(estimates.relative[1][1].has_value());
  EXPECT_NEAR(*estimates.mean_relative[1], 0.2, kTight);
  EXPECT_NEAR(*estimates.iqm[1], 1.0, kTight);
}

TEST(StatisticsTest, GoalMinFlipsTheSignOfImprovement) {
  // a loss: baseline {10, 10}, variant {9, 9}. On -values: (-9 - -10) / |-10| = +0.1, P = 1
  StudyEstimates lower_is_better = Estimate(OneTask({10, 10}, {9, 9}, Goal::kMin));
  EXPECT_NEAR(*lower_is_better.relative[0][1], 0.1, kTight);
  EXPECT_NEAR(*lower_is_better.probability[0][1], 1.0, kTight);
  // the means stay on the metric's scale
  EXPECT_NEAR(*lower_is_better.cell_mean[0][1], 9.0, kTight);
  // the same numbers with goal max: (9 - 10) / 10 = -0.1, P = 0
  StudyEstimates higher_is_better = Estimate(OneTask({10, 10}, {9, 9}, Goal::kMax));
  EXPECT_NEAR(*higher_is_better.relative[0][1], -0.1, kTight);
  EXPECT_NEAR(*higher_is_better.probability[0][1], 0.0, kTight);
  // ties still count one half: {9, 10} vs {10}: 9 < 10 wins, 10 = 10 half -> 1.5 / 2
  EXPECT_NEAR(*Estimate(OneTask({10}, {9, 10}, Goal::kMin)).probability[0][1], 0.75, kTight);
}

// --- stratified bootstrap (§6.6)

TEST(StatisticsTest, BootstrapOfIdenticalSeedsHasZeroWidth) {
  // every resample of {10, 10, 10} is itself: Δ = (11 - 10) / 10 always, P = 1 always
  BootstrapOptions options;
  options.reps = 500;
  StudyIntervals intervals = StratifiedBootstrap(OneTask({10, 10, 10}, {11, 11, 11}), options);
  EXPECT_EQ(intervals.reps, 500);
  EXPECT_NEAR(intervals.relative[0][1]->low, 0.1, kTight);
  EXPECT_NEAR(intervals.relative[0][1]->high, 0.1, kTight);
  EXPECT_NEAR(intervals.probability[0][1]->low, 1.0, kTight);
  EXPECT_NEAR(intervals.probability[0][1]->high, 1.0, kTight);
  EXPECT_NEAR(intervals.cell_mean[0][0]->low, 10.0, kTight);
  EXPECT_NEAR(intervals.cell_mean[0][0]->high, 10.0, kTight);
  EXPECT_NEAR(intervals.mean_relative[1]->low, 0.1, kTight);
  EXPECT_NEAR(intervals.mean_probability[1]->high, 1.0, kTight);
  // the baseline has no Δ of its own
  EXPECT_FALSE(intervals.relative[0][0].has_value());
}

TEST(StatisticsTest, BootstrapOfAOneSeedCell) {
  // the baseline {10} never varies. The variant {9, 11, 13} resamples to a mean of 9 (all
  // three draws 9) or 13 with probability 1/27 = 3.7% each, more than the 2.5% tails, so the
  // 95% CI of its mean is exactly [9, 13] and that of Δ is [(9-10)/10, (13-10)/10]
  BootstrapOptions options;
  options.reps = 10'000;
  StudyIntervals intervals = StratifiedBootstrap(OneTask({10}, {9, 11, 13}), options);
  EXPECT_NEAR(intervals.cell_mean[0][0]->low, 10.0, kTight);
  EXPECT_NEAR(intervals.cell_mean[0][0]->high, 10.0, kTight);
  EXPECT_NEAR(intervals.cell_mean[0][1]->low, 9.0, kTight);
  EXPECT_NEAR(intervals.cell_mean[0][1]->high, 13.0, kTight);
  EXPECT_NEAR(intervals.relative[0][1]->low, -0.1, kTight);
  EXPECT_NEAR(intervals.relative[0][1]->high, 0.3, kTight);
  // P: all draws 9 -> 0, all draws 11 or 13 -> 1 (8/27 = 30% of replicates)
  EXPECT_NEAR(intervals.probability[0][1]->low, 0.0, kTight);
  EXPECT_NEAR(intervals.probability[0][1]->high, 1.0, kTight);
}

TEST(StatisticsTest, BootstrapIsReproducibleAndDependsOnTheSeed) {
  StudyScores scores;
  scores.auc = {{{70, 80, 95}, {85, 90, 110}}, {{10, 12, 13}, {11, 15, 16}}};
  scores.normalised = {{{0.0, 0.25, 0.625}, {0.375, 0.5, 1.0}},
                       {{0.0, 0.33, 0.5}, {0.17, 0.83, 1.0}}};
  BootstrapOptions options;
  options.reps = 2'000;  // not a multiple of the chunk size
  options.threads = 1;
  StudyIntervals first = StratifiedBootstrap(scores, options);
  StudyIntervals again = StratifiedBootstrap(scores, options);
  options.threads = 3;
  StudyIntervals threaded = StratifiedBootstrap(scores, options);
  options.seed = 1;
  StudyIntervals other = StratifiedBootstrap(scores, options);
  for (size_t task_idx = 0; task_idx < 2; ++task_idx) {
    EXPECT_EQ(first.relative[task_idx][1]->low, again.relative[task_idx][1]->low);
    EXPECT_EQ(first.relative[task_idx][1]->high, again.relative[task_idx][1]->high);
    EXPECT_EQ(first.relative[task_idx][1]->low, threaded.relative[task_idx][1]->low);
    EXPECT_EQ(first.relative[task_idx][1]->high, threaded.relative[task_idx][1]->high);
  }
  EXPECT_EQ(first.iqm[1]->low, threaded.iqm[1]->low);
  EXPECT_EQ(first.mean_relative[1]->high, threaded.mean_relative[1]->high);
  // another seed draws other replicates: some interval endpoint moves
  bool differs = false;
  for (size_t task_idx = 0; task_idx < 2; ++task_idx) {
    differs |= first.relative[task_idx][1]->low != other.relative[task_idx][1]->low;
    differs |= first.relative[task_idx][1]->high != other.relative[task_idx][1]->high;
  }
  differs |= first.mean_relative[1]->low != other.mean_relative[1]->low;
  differs |= first.iqm[1]->low != other.iqm[1]->low;
  EXPECT_TRUE(differs);
  // intervals are ordered
  EXPECT_LE(first.mean_relative[1]->low, first.mean_relative[1]->high);
  EXPECT_LE(first.mean_probability[1]->low, first.mean_probability[1]->high);
}

TEST(StatisticsTest, BootstrapLeavesUndefinedEstimatesWithoutInterval) {
  // a zero baseline: Δ is n/a, so is its CI; P is still defined
  BootstrapOptions options;
  options.reps = 100;
  StudyIntervals intervals = StratifiedBootstrap(OneTask({0, 0}, {1, 2}), options);
  EXPECT_FALSE(intervals.relative[0][1].has_value());
  EXPECT_FALSE(intervals.mean_relative[1].has_value());
  EXPECT_TRUE(intervals.probability[0][1].has_value());
}

// --- verdict (§6.11)

TaskEvidence Evidence(double relative, double low, double overhead) {
  return {relative, Interval{low, low + 0.1}, overhead};
}

TEST(StatisticsTest, VerdictPassesAtExactlyTheThresholds) {
  // Δ exactly 3% on two tasks with CI low > 0, overhead exactly 15%
  VerdictThresholds thresholds;
  Verdict verdict =
      DecideVerdict({Evidence(0.03, 0.001, 0.15), Evidence(0.03, 0.001, 0.0)}, thresholds);
  EXPECT_TRUE(verdict.pass);
  EXPECT_EQ(verdict.tasks_confident, 2);
  EXPECT_EQ(verdict.tasks_point, 2);
  EXPECT_EQ(*verdict.worst_time_overhead, 0.15);
  EXPECT_TRUE(verdict.overhead_ok);
  // exactly 3% as computed in doubles: (30.9 - 30) / 30 = 0.029999999999999954 still counts
  const double computed = *RelativeAuc(30.9, 30.0);
  EXPECT_LT(computed, 0.03);
  EXPECT_EQ(DecideVerdict({Evidence(computed, 0.001, 0.0)}, thresholds).tasks_point, 1);
}

TEST(StatisticsTest, VerdictJustBelowTheGainFails) {
  Verdict verdict = DecideVerdict({Evidence(0.0299, 0.01, 0.0), Evidence(0.05, 0.01, 0.0)}, {});
  EXPECT_FALSE(verdict.pass);
  EXPECT_EQ(verdict.tasks_confident, 1);
  EXPECT_EQ(verdict.tasks_point, 1);
}

TEST(StatisticsTest, VerdictNeedsTheLowerBoundAboveZero) {
  // a CI lower bound of exactly 0 does not count; the looser point-estimate count does
  Verdict verdict = DecideVerdict({Evidence(0.05, 0.0, 0.0), Evidence(0.05, 0.01, 0.0)}, {});
  EXPECT_FALSE(verdict.pass);
  EXPECT_EQ(verdict.tasks_confident, 1);
  EXPECT_EQ(verdict.tasks_point, 2);
  // without a CI at all the task is not confident either
  TaskEvidence no_interval{0.05, std::nullopt, 0.0};
  EXPECT_EQ(DecideVerdict({no_interval}, {}).tasks_confident, 0);
}

TEST(StatisticsTest, VerdictFailsOnTheWorstOverhead) {
  // the worst task decides: max(0.05, 0.150001) > 0.15
  Verdict verdict = DecideVerdict({Evidence(0.05, 0.01, 0.05), Evidence(0.05, 0.01, 0.150001)}, {});
  EXPECT_FALSE(verdict.pass);
  EXPECT_EQ(verdict.tasks_confident, 2);
  EXPECT_FALSE(verdict.overhead_ok);
  EXPECT_NEAR(*verdict.worst_time_overhead, 0.150001, kTight);
  // an unknown overhead on every task fails; a known one on some task is enough
  TaskEvidence unknown{0.05, Interval{0.01, 0.1}, std::nullopt};
  EXPECT_FALSE(DecideVerdict({unknown, unknown}, {}).pass);
  EXPECT_TRUE(DecideVerdict({unknown, Evidence(0.05, 0.01, 0.02)}, {}).pass);
}

TEST(StatisticsTest, VerdictThresholdsAreOptions) {
  VerdictThresholds thresholds;
  thresholds.min_rel = 0.1;
  thresholds.min_tasks = 1;
  thresholds.max_overhead = 0.5;
  EXPECT_TRUE(
      DecideVerdict({Evidence(0.1, 0.01, 0.4), Evidence(0.05, 0.01, 0.0)}, thresholds).pass);
  thresholds.min_tasks = 2;
  EXPECT_FALSE(
      DecideVerdict({Evidence(0.1, 0.01, 0.4), Evidence(0.05, 0.01, 0.0)}, thresholds).pass);
}

}  // namespace
}  // namespace orch::store
