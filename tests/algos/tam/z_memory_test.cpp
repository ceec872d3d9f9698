// Tests src/algos/tam/z_memory.cpp.
#include "algos/tam/z_memory.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace orch::tam {
namespace {

TamMemoryOptions SmallMemory(int64_t size, int64_t min_records, int64_t k) {
  TamMemoryOptions options;
  options.enabled = true;
  options.size = size;
  options.min_records = min_records;
  options.k = k;
  options.sigma = 1.0;
  return options;
}

ZOutcome Outcome(double soft_bind, double cone_vol, double lambda_bind, int64_t episode = 0) {
  return {soft_bind, cone_vol, 16.0, lambda_bind, 0.0, episode};
}

TEST(ZMemoryTest, RiskTargetWeighsBindConeAndMultiplier) {
  const TamMemoryOptions options;
  // 1 (1 - 0.8) + 0.2 log(1 + 1e-8) + 0.05 * 2
  EXPECT_NEAR(RiskTarget(Outcome(0.8, 1.0, 2.0), options), 0.3, 1e-8);
  // 1 (1 - 1) + 0.2 log(e^-5) + 0
  EXPECT_NEAR(RiskTarget(Outcome(1.0, std::exp(-5.0), 0.0), options), -1.0, 1e-6);
}

TEST(ZMemoryTest, RingBufferWrapsAroundOldestFirst) {
  ZMemory memory(SmallMemory(3, 1, 2), 2);
  for (int64_t episode = 0; episode < 5; ++episode) {
    const float value = static_cast<float>(episode);
    memory.Append(std::vector<float>{value, -value}, Outcome(0.5, 1.0, 0.0, episode));
  }
  EXPECT_EQ(memory.size(), 3);
  EXPECT_EQ(memory.capacity(), 3);
  // records 2, 3, 4 remain, oldest first; the next write goes to slot 2
  for (int64_t index = 0; index < 3; ++index) {
    EXPECT_EQ(memory.Outcome(index).episode, index + 2);
    EXPECT_EQ(memory.Z(index)[0], static_cast<float>(index + 2));
    EXPECT_EQ(memory.Z(index)[1], -static_cast<float>(index + 2));
  }
  EXPECT_EQ(memory.head(), 2);
  EXPECT_EQ(memory.MemoryTensor().sizes(), (at::IntArrayRef{3, 2}));
  EXPECT_THROW(memory.Z(3), std::out_of_range);
}

TEST(ZMemoryTest, InactiveBelowMinRecords) {
  ZMemory memory(SmallMemory(10, 3, 2), 2);
  memory.Append(std::vector<float>{0, 0}, Outcome(0.5, 1.0, 0.0));
  memory.Append(std::vector<float>{1, 0}, Outcome(0.5, 1.0, 0.0));
  EXPECT_FALSE(memory.Active());
  at::Tensor z = at::zeros({1, 2}, at::kFloat).set_requires_grad(true);
  at::Tensor risk = memory.KernelRisk(z);
  EXPECT_EQ(risk.item<float>(), 0.0f);
  EXPECT_FALSE(risk.requires_grad());
}

TEST(ZMemoryTest, KernelRiskWeighsTheNearestRecords) {
  ZMemory memory(SmallMemory(10, 3, 2), 2);
  const TamMemoryOptions& options = SmallMemory(10, 3, 2);
  const ZOutcome a = Outcome(0.9, 0.5, 1.0), b = Outcome(0.2, 2.0, 4.0), c = Outcome(0.0, 9.0, 9.0);
  memory.Append(std::vector<float>{0, 0}, a);
  memory.Append(std::vector<float>{1, 0}, b);
  memory.Append(std::vector<float>{5, 5}, c);
  ASSERT_TRUE(memory.Active());
  // query (0.2, 0): the two nearest are a (d2 0.04) and b (d2 0.64); c is outside k = 2
  at::Tensor z = at::tensor(std::vector<float>{0.2f, 0.0f}, at::kFloat).reshape({1, 2});
  const double wa = std::exp(-0.04 / 2.0), wb = std::exp(-0.64 / 2.0);
  const double expected =
      (wa * RiskTarget(a, options) + wb * RiskTarget(b, options)) / (wa + wb + 1e-8);
  EXPECT_NEAR(memory.KernelRisk(z).item<float>(), expected, 1e-6);
  // k larger than the memory uses every record
  ZMemory wide(SmallMemory(10, 1, 64), 2);
  wide.Append(std::vector<float>{0, 0}, a);
  EXPECT_NEAR(wide.KernelRisk(z).item<float>(), RiskTarget(a, options), 1e-6);
}

TEST(ZMemoryTest, KernelRiskHasAGradientInZOnly) {
  ZMemory memory(SmallMemory(10, 3, 2), 2);
  memory.Append(std::vector<float>{0, 0}, Outcome(0.9, 0.5, 1.0));
  memory.Append(std::vector<float>{1, 0}, Outcome(0.2, 2.0, 4.0));
  memory.Append(std::vector<float>{5, 5}, Outcome(0.0, 9.0, 9.0));
  at::Tensor z = at::tensor(std::vector<float>{0.2f, 0.1f}, at::kFloat)
                     .reshape({1, 2})
                     .set_requires_grad(true);
  at::Tensor risk = memory.KernelRisk(z);
  EXPECT_TRUE(risk.requires_grad());
  risk.backward();
  ASSERT_TRUE(z.grad().defined());
  EXPECT_GT(z.grad().abs().sum().item<float>(), 0.0f);
  // moving towards the riskier record b (x = 1) raises the risk: d risk / d z_x > 0
  EXPECT_GT(z.grad()[0][0].item<float>(), 0.0f);
  // the memory itself is a constant
  at::Tensor stored = memory.MemoryTensor();
  EXPECT_FALSE(stored.requires_grad());
  EXPECT_FALSE(stored.grad().defined());
  EXPECT_EQ(stored[1][0].item<float>(), 1.0f);
}

TEST(ZMemoryTest, RestoreReproducesTheRing) {
  ZMemory memory(SmallMemory(4, 2, 3), 2);
  for (int64_t episode = 0; episode < 6; ++episode) {
    const float value = 0.3f * static_cast<float>(episode);
    memory.Append(std::vector<float>{value, 1.0f - value},
                  Outcome(0.1 * static_cast<double>(episode), 1.0, 0.5, episode));
  }
  ZMemory restored(SmallMemory(4, 2, 3), 2);
  restored.Restore(memory.SlotZ(), memory.SlotOutcomes(), memory.head(), memory.size());
  at::Tensor z = at::tensor(std::vector<float>{0.4f, 0.2f}, at::kFloat);
  EXPECT_EQ(restored.KernelRisk(z).item<float>(), memory.KernelRisk(z).item<float>());
  for (int64_t index = 0; index < memory.size(); ++index) {
    EXPECT_EQ(restored.Outcome(index).episode, memory.Outcome(index).episode);
    EXPECT_EQ(restored.Z(index)[0], memory.Z(index)[0]);
  }
  // the next append overwrites the same slot in both
  memory.Append(std::vector<float>{9, 9}, Outcome(0.5, 1.0, 0.0, 6));
  restored.Append(std::vector<float>{9, 9}, Outcome(0.5, 1.0, 0.0, 6));
  EXPECT_EQ(restored.Outcome(0).episode, memory.Outcome(0).episode);
  EXPECT_THROW(restored.Restore(memory.SlotZ(), memory.SlotOutcomes(), memory.head(), 3),
               std::runtime_error);
}

}  // namespace
}  // namespace orch::tam
