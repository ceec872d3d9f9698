// Tests src/algos/tdmpc2/representation_diagnostics.cpp on hand-built latents whose figures are
// known: one-hot SimNorm codes, a collapsed batch, and a sensitivity of known distances.
#include "algos/tdmpc2/representation_diagnostics.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace orch::tdmpc2 {
namespace {

/// K states, two groups of 8: group 0 one-hot at the state's index (mod 8), group 1 one-hot at 0.
at::Tensor OneHotCodes(int64_t states) {
  at::Tensor z = torch::zeros({states, 16}, torch::kFloat32);
  for (int64_t i = 0; i < states; ++i) {
    z[i][i % 8] = 1.0f;
    z[i][8] = 1.0f;
  }
  return z;
}

TEST(RepresentationDiagnosticsTest, OneHotCodesHaveFullSaturationAndKnownRank) {
  const LatentDiagnostics d = DiagnoseLatents(OneHotCodes(8), 8);
  // centred, the 8 one-hot rows are I - J/8: seven singular values 1 and one 0, so the
  // normalised spectrum is uniform over 7 and exp(entropy) = 7
  EXPECT_NEAR(d.effective_rank, 7.0, 1e-9);
  EXPECT_DOUBLE_EQ(d.saturation, 1.0);
  EXPECT_DOUBLE_EQ(d.distinct_codes, 8.0);
  // each centred row: 7/8 at its index, -1/8 at the 7 others: sqrt(49/64 + 7/64)
  EXPECT_NEAR(d.spread, std::sqrt(56.0 / 64.0), 1e-9);
}

TEST(RepresentationDiagnosticsTest, ACollapsedBatchHasNoRankOneCodeAndUniformSaturation) {
  const at::Tensor uniform = torch::full({32, 16}, 1.0f / 8.0f);
  const LatentDiagnostics d = DiagnoseLatents(uniform, 8);
  EXPECT_DOUBLE_EQ(d.effective_rank, 0.0);
  EXPECT_NEAR(d.saturation, 1.0 / 8.0, 1e-7);
  EXPECT_DOUBLE_EQ(d.distinct_codes, 1.0);
  EXPECT_NEAR(d.spread, 0.0, 1e-12);
}

TEST(RepresentationDiagnosticsTest, RepeatedCodesCountOnceAndHalfSaturationIsAHalf) {
  // 16 states over 8 codes; then every group split evenly between two entries
  const LatentDiagnostics repeated = DiagnoseLatents(OneHotCodes(16), 8);
  EXPECT_DOUBLE_EQ(repeated.distinct_codes, 8.0);
  EXPECT_NEAR(repeated.effective_rank, 7.0, 1e-9);  // the same 8 rows twice
  at::Tensor halves = torch::zeros({4, 16});
  for (int64_t i = 0; i < 4; ++i) {
    halves[i][i] = 0.5f;
    halves[i][i + 1] = 0.5f;
    halves[i][8] = 0.5f;
    halves[i][9] = 0.5f;
  }
  EXPECT_NEAR(DiagnoseLatents(halves, 8).saturation, 0.5, 1e-7);
}

TEST(RepresentationDiagnosticsTest, ActionSensitivityIsTheMeanDistance) {
  const at::Tensor a = torch::zeros({2, 2});
  const at::Tensor b = torch::tensor({3.0f, 0.0f, 0.0f, 4.0f}).view({2, 2});
  EXPECT_NEAR(ActionSensitivity(a, b), 3.5, 1e-9);
  EXPECT_DOUBLE_EQ(ActionSensitivity(b, b), 0.0);
}

}  // namespace
}  // namespace orch::tdmpc2
