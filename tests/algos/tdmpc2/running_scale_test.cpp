// Tests src/algos/tdmpc2/running_scale.cpp against the percentile arithmetic of tdmpc2.md §6.
#include "algos/tdmpc2/running_scale.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace orch::tdmpc2 {
namespace {

TEST(RunningScaleTest, InterpolatedPercentileRangeWithPolyakRate) {
  RunningScale scale(0.01);
  EXPECT_FLOAT_EQ(scale.value().item<float>(), 1.0f);
  // q = 0, 1, ..., 255 (shuffled): P5 at position 12.75 → 12.75, P95 at 242.25 → 242.25;
  // range 229.5; value = 1 + 0.01 (229.5 − 1) = 3.285
  at::Tensor q =
      torch::arange(256, torch::kFloat32).index_select(0, torch::randperm(256)).view({256, 1});
  scale.Update(q);
  EXPECT_NEAR(scale.value().item<float>(), 3.285, 1e-5);
  // a second update: 3.285 + 0.01 (229.5 − 3.285) = 5.54715
  scale.Update(q);
  EXPECT_NEAR(scale.value().item<float>(), 5.54715, 1e-4);
}

TEST(RunningScaleTest, TheRangeIsFlooredAtOne) {
  RunningScale scale(0.5);
  scale.Update(torch::full({256, 1}, 7.0));  // range 0 → 1: value stays 1
  EXPECT_FLOAT_EQ(scale.value().item<float>(), 1.0f);
}

}  // namespace
}  // namespace orch::tdmpc2
