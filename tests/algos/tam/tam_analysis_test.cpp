// Tests src/algos/tam/tam_analysis.cpp.
#include "algos/tam/tam_analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "rl/seeding.h"

namespace orch::tam {
namespace {

const AcceptanceCheck& Find(const TamAnalysis& analysis, const std::string& name) {
  for (const auto& check : analysis.checks) {
    if (check.name == name) return check;
  }
  throw std::runtime_error("no check " + name);
}

TEST(TamAnalysisTest, SpearmanUsesAverageRanks) {
  const std::vector<double> x = {1, 2, 3, 4}, up = {10, 20, 30, 45}, down = {4, 3, 2, 1};
  EXPECT_NEAR(SpearmanCorrelation(x, up), 1.0, 1e-12);
  EXPECT_NEAR(SpearmanCorrelation(x, down), -1.0, 1e-12);
  // ties: ranks (0.5, 0.5, 2) vs (0, 1, 2) -> 1.5 / sqrt(1.5 * 2)
  const std::vector<double> tied = {1, 1, 2}, ordered = {1, 2, 3};
  EXPECT_NEAR(SpearmanCorrelation(tied, ordered), 1.5 / std::sqrt(3.0), 1e-12);
  const std::vector<double> constant = {5, 5, 5};
  EXPECT_TRUE(std::isnan(SpearmanCorrelation(constant, ordered)));
}

TEST(TamAnalysisTest, NeighbourAndPairwiseDistances) {
  const std::vector<double> line = {0, 1, 3};
  EXPECT_EQ(KthNeighbourDistances(line, 3, 1, 1), (std::vector<double>{1, 1, 2}));
  EXPECT_EQ(KthNeighbourDistances(line, 3, 1, 2), (std::vector<double>{3, 2, 3}));
  EXPECT_NEAR(MeanPairwiseDistance(line, 3, 1), 2.0, 1e-12);
  const std::vector<double> plane = {0, 0, 3, 4};
  EXPECT_NEAR(MeanPairwiseDistance(plane, 2, 2), 5.0, 1e-12);
  EXPECT_THROW(KthNeighbourDistances(line, 3, 1, 3), std::invalid_argument);
}

TEST(TamAnalysisTest, QuantileInterpolates) {
  EXPECT_NEAR(Quantile({5, 1, 3, 2, 4}, 0.5), 3.0, 1e-12);
  EXPECT_NEAR(Quantile({1, 2, 3, 4, 5}, 0.99), 4.96, 1e-12);
  EXPECT_NEAR(Quantile({7}, 0.99), 7.0, 1e-12);
}

TEST(TamAnalysisTest, SymmetricEigenOfATwoByTwo) {
  const std::vector<double> matrix = {2, 1, 1, 2};
  auto [values, vectors] = SymmetricEigen(matrix, 2);
  EXPECT_NEAR(values[0], 3.0, 1e-12);
  EXPECT_NEAR(values[1], 1.0, 1e-12);
  EXPECT_NEAR(vectors[0], std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(vectors[1], std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(std::abs(vectors[2]), std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(vectors[2] * vectors[0] + vectors[3] * vectors[1], 0.0, 1e-12);
  // a diagonal matrix keeps its axes, largest first
  const std::vector<double> diagonal = {1, 0, 0, 0, 9, 0, 0, 0, 4};
  auto [d_values, d_vectors] = SymmetricEigen(diagonal, 3);
  EXPECT_EQ(d_values, (std::vector<double>{9, 4, 1}));
  EXPECT_EQ(d_vectors[1], 1.0);
  EXPECT_EQ(d_vectors[5], 1.0);
}

/// A synthetic run: z in two islands (a tight high-bind one and a looser low-bind one) whose
/// samples tighten over time, and a controller hovering at its targets.
TamHistory SyntheticHistory(int64_t episodes) {
  TamHistory history;
  history.z_dim = 3;
  rl::RandomStream stream(1, "synthetic");
  for (int64_t episode = 0; episode < episodes; ++episode) {
    const bool first_island = episode % 2 == 0;
    const double spread = episode < episodes / 2 ? 1.0 : 0.1;
    EpisodeRecord row;
    row.step = episode;
    row.soft_bind = first_island ? 0.95 : 0.85;
    row.e_t_train = 16.0 + std::sin(static_cast<double>(episode));
    row.exp_nll = 1.0 - static_cast<double>(episode) / static_cast<double>(episodes);
    row.cone_vol = row.cone_volume = 2.0 - static_cast<double>(episode) / episodes;
    row.lambda_bind = first_island ? 0.5 : 1.5;
    row.mem_n = std::min<int64_t>(episode, 500);
    row.mem_risk = episode < 1500 ? 1.0 + (episode % 50 == 0 ? 5.0 : 0.0) : 0.5;
    history.rows.push_back(row);
    for (int64_t d = 0; d < 3; ++d) {
      const double centre = first_island ? 2.0 : -2.0;
      const double scale = first_island ? spread : 2.0 * spread;
      history.z_samples.push_back(static_cast<float>(centre + scale * stream.Normal()));
    }
  }
  return history;
}

TEST(TamAnalysisTest, AcceptsASyntheticRunThatMeetsEveryCriterion) {
  const TamHistory history = SyntheticHistory(3000);
  TamOptions options;
  options.memory.map_points = 800;
  options.memory.trail_length = 100;
  const TamAnalysis analysis = AnalyzeTamRun(history, nullptr, options, 0.0, 7);
  ASSERT_EQ(analysis.checks.size(), 10u);
  EXPECT_NEAR(*Find(analysis, "soft_bind_mean_last1000").value, 0.9, 1e-9);
  EXPECT_TRUE(*Find(analysis, "soft_bind_mean_last1000").pass);
  EXPECT_TRUE(*Find(analysis, "e_t_train_mean_last1000").pass);
  EXPECT_EQ(*Find(analysis, "lambda_bind_pinned_frac_final20").value, 0.0);
  EXPECT_TRUE(*Find(analysis, "exp_nll_last500_vs_first500").pass);
  EXPECT_TRUE(*Find(analysis, "cone_vol_last500_vs_first500").pass);
  EXPECT_TRUE(*Find(analysis, "policy_param_drift").pass);
  EXPECT_TRUE(*Find(analysis, "z_knn10_ratio").pass);
  EXPECT_TRUE(*Find(analysis, "density_alignment").pass);
  EXPECT_TRUE(*Find(analysis, "z_spread_last1000_vs_first1000").pass);
  // without a memory there is no regulariser to judge
  EXPECT_FALSE(Find(analysis, "mem_risk_p99_last20_vs_first20").pass.has_value());
  EXPECT_EQ(analysis.Passed(), 9);
  EXPECT_EQ(analysis.Failed(), 0);
  // the map subsample and the trail, in one basis
  EXPECT_EQ(analysis.zmap.size(), 800u);
  EXPECT_EQ(analysis.trail.size(), 100u);
  EXPECT_EQ(analysis.trail.back().episode, 2999);
  EXPECT_GT(analysis.explained_variance[0], 0.5);
  const std::string csv = ZMapCsv(analysis);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "episode,pc1,pc2,soft_bind,log_cone_vol,lambda_bind,risk");
  EXPECT_NE(AnalysisJson(analysis).find("\"name\": \"z_knn10_ratio\""), std::string::npos);
  EXPECT_NE(FormatAcceptanceReport(analysis).find("9 passed, 0 failed"), std::string::npos);
  // the seeded subsample is reproducible
  EXPECT_EQ(ZMapCsv(AnalyzeTamRun(history, nullptr, options, 0.0, 7)), csv);
}

TEST(TamAnalysisTest, FlagsFailuresAndShortRuns) {
  TamHistory history = SyntheticHistory(300);
  for (auto& row : history.rows) {
    row.soft_bind = 0.5;
    row.lambda_bind = 50.0;
  }
  TamOptions options;
  const TamAnalysis analysis = AnalyzeTamRun(history, nullptr, options, 0.25, 1);
  EXPECT_FALSE(*Find(analysis, "soft_bind_mean_last1000").pass);
  EXPECT_EQ(*Find(analysis, "lambda_bind_pinned_frac_final20").value, 1.0);
  EXPECT_FALSE(*Find(analysis, "lambda_bind_pinned_frac_final20").pass);
  EXPECT_FALSE(*Find(analysis, "policy_param_drift").pass);
  EXPECT_FALSE(Find(analysis, "z_spread_last1000_vs_first1000").value.has_value());
}

TEST(TamAnalysisTest, ReadsTheMemoryWhenItIsOn) {
  TamMemoryOptions memory_options;
  memory_options.size = 50;
  ZMemory memory(memory_options, 3);
  const TamHistory history = SyntheticHistory(60);
  for (int64_t episode = 0; episode < 60; ++episode) {
    const EpisodeRecord& row = history.rows[episode];
    memory.Append(history.Z(episode), {row.soft_bind, row.cone_vol, row.e_t_train, row.lambda_bind,
                                       row.lambda_t, episode});
  }
  TamOptions options;
  options.memory = memory_options;
  const TamAnalysis analysis = AnalyzeTamRun(history, &memory, options, 0.0, 2);
  EXPECT_TRUE(analysis.memory_enabled);
  EXPECT_EQ(analysis.memory_records, 50);
  ASSERT_EQ(analysis.zmap.size(), 50u);
  EXPECT_EQ(analysis.zmap.front().episode, 10);
}

}  // namespace
}  // namespace orch::tam
