// Tests src/algos/ppo/ppo_objective.cpp against the same loss composed of LibTorch operations
// (the formulation in its header): the loss, the statistics and the gradient with respect to
// every log-probability, entropy and value, per head under causal weights and with the joint
// ratio, with the value clip on and off, and with per-head entropy multipliers.
#include "algos/ppo/ppo_objective.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

namespace orch::ppo {
namespace {

constexpr int64_t kSamples = 64;

struct Inputs {
  std::vector<HeadTerms> heads;
  at::Tensor value, advantages, returns, old_values;
};

/// Two heads: the second relevant on about half the samples, with entropy scales; log-ratios
/// wide enough that some fall outside the clip range on both sides.
Inputs MakeInputs() {
  torch::manual_seed(5);
  Inputs in;
  for (int head = 0; head < 2; ++head) {
    HeadTerms terms;
    terms.name = head == 0 ? "op" : "target";
    terms.old_log_prob = -torch::rand({kSamples}) * 2;
    terms.log_prob = (terms.old_log_prob + torch::randn({kSamples}) * 0.3).requires_grad_();
    terms.entropy = (torch::rand({kSamples}) * 1.5).requires_grad_();
    terms.entropy_scale = torch::rand({kSamples}) + 0.2;
    if (head == 1) terms.weight = (torch::rand({kSamples}) > 0.5).to(torch::kFloat);
    in.heads.push_back(terms);
  }
  in.old_values = torch::randn({kSamples});
  in.value = (in.old_values + torch::randn({kSamples}) * 0.4).requires_grad_();
  in.advantages = torch::randn({kSamples});
  in.returns = in.old_values + torch::randn({kSamples});
  return in;
}

/// The loss as LibTorch operations, and [policy, value, kl, clip fraction, entropies...].
std::pair<at::Tensor, std::vector<double>> Composed(const Inputs& in, const ObjectiveOptions& o) {
  const double n = kSamples;
  at::Tensor policy_loss = torch::zeros({});
  double kl = 0.0, clipped = 0.0, counted = 0.0;
  auto surrogate = [&](const at::Tensor& log_ratio, const at::Tensor& weight) {
    at::Tensor count = weight.sum().clamp_min(1.0);
    at::Tensor ratio = log_ratio.exp();
    at::Tensor surr = torch::min(ratio * in.advantages,
                                 ratio.clamp(1 - o.clip_coef, 1 + o.clip_coef) * in.advantages);
    policy_loss = policy_loss - (surr * weight).sum() / count;
    kl += (((ratio - 1) - log_ratio) * weight).sum().item<double>() / n;
    clipped += (((ratio - 1).abs() > o.clip_coef).to(torch::kFloat) * weight).sum().item<double>();
    counted += weight.sum().item<double>();
  };
  const at::Tensor ones = torch::ones({kSamples});
  if (o.joint) {
    at::Tensor joint = torch::zeros({kSamples});
    at::Tensor old = torch::zeros({kSamples});
    for (const auto& head : in.heads) {
      joint = joint + head.log_prob;
      old = old + head.old_log_prob;
    }
    surrogate(joint - old, ones);
  } else {
    for (const auto& head : in.heads) {
      surrogate(head.log_prob - head.old_log_prob, head.weight.defined() ? head.weight : ones);
    }
  }
  at::Tensor entropy_total = torch::zeros({});
  std::vector<double> entropies;
  for (const auto& head : in.heads) {
    at::Tensor weight = head.weight.defined() && !o.joint ? head.weight : ones;
    at::Tensor mean =
        (head.entropy * head.entropy_scale * weight).sum() / weight.sum().clamp_min(1);
    entropies.push_back(mean.item<double>());
    entropy_total = entropy_total + head.entropy_multiplier * mean;
  }
  at::Tensor value_loss;
  if (o.clip_vloss) {
    at::Tensor clipped_values =
        in.old_values + (in.value - in.old_values).clamp(-o.value_clip, o.value_clip);
    value_loss =
        0.5 *
        torch::max((in.value - in.returns).pow(2), (clipped_values - in.returns).pow(2)).mean();
  } else {
    value_loss = 0.5 * (in.value - in.returns).pow(2).mean();
  }
  at::Tensor loss = policy_loss - o.ent_coef * entropy_total + o.vf_coef * value_loss;
  std::vector<double> stats = {policy_loss.item<double>(), value_loss.item<double>(), kl,
                               counted > 0 ? clipped / counted : 0.0};
  stats.insert(stats.end(), entropies.begin(), entropies.end());
  return {loss, stats};
}

std::vector<at::Tensor> Differentiable(const Inputs& in) {
  std::vector<at::Tensor> inputs;
  for (const auto& head : in.heads) inputs.push_back(head.log_prob);
  for (const auto& head : in.heads) inputs.push_back(head.entropy);
  inputs.push_back(in.value);
  return inputs;
}

void ExpectSameAsComposed(const ObjectiveOptions& options,
                          const std::vector<double>& entropy_multipliers = {}) {
  Inputs in = MakeInputs();
  for (size_t head = 0; head < entropy_multipliers.size(); ++head) {
    in.heads[head].entropy_multiplier = entropy_multipliers[head];
  }
  auto [expected_loss, expected_stats] = Composed(in, options);
  std::vector<at::Tensor> expected = torch::autograd::grad({expected_loss}, Differentiable(in));

  ObjectiveResult result =
      PpoObjective(in.heads, in.value, in.advantages, in.returns, in.old_values, options);
  EXPECT_NEAR(result.loss.item<double>(), expected_loss.item<double>(), 1e-5);
  ASSERT_EQ(result.stats.numel(), static_cast<int64_t>(expected_stats.size()));
  for (size_t index = 0; index < expected_stats.size(); ++index) {
    EXPECT_NEAR(result.stats[index].item<double>(), expected_stats[index], 1e-5) << index;
  }
  EXPECT_GT(expected_stats[3], 0.0) << "the inputs should exercise the clip";
  std::vector<at::Tensor> gradients = torch::autograd::grad({result.loss}, Differentiable(in));
  ASSERT_EQ(gradients.size(), expected.size());
  for (size_t index = 0; index < gradients.size(); ++index) {
    EXPECT_TRUE(torch::allclose(gradients[index], expected[index], 1e-4, 1e-6))
        << "input " << index << "\n"
        << (gradients[index] - expected[index]).abs().max();
  }
}

TEST(PpoObjectiveTest, PerHeadUnderCausalWeightsMatchesTheComposedLoss) {
  ExpectSameAsComposed(ObjectiveOptions{});
}

TEST(PpoObjectiveTest, TheJointRatioMatchesTheComposedLoss) {
  ObjectiveOptions options;
  options.joint = true;
  ExpectSameAsComposed(options);
}

TEST(PpoObjectiveTest, WithoutTheValueClipAndOtherCoefficientsMatchesTheComposedLoss) {
  ObjectiveOptions options;
  options.clip_vloss = false;
  options.clip_coef = 0.1;
  options.ent_coef = 0.05;
  options.vf_coef = 1.0;
  ExpectSameAsComposed(options);
}

// Esper's per-head entropy coefficients: each head's bonus (and its entropy gradient) scaled by
// its own multiplier; the logged entropies stay the heads' own
TEST(PpoObjectiveTest, PerHeadEntropyMultipliersMatchTheComposedLoss) {
  ObjectiveOptions options;
  options.ent_coef = 0.05;
  ExpectSameAsComposed(options, {2.5, 0.0});
  ExpectSameAsComposed(options, {0.0, 1.3});
}

TEST(PpoObjectiveTest, TheGradientScalesWithTheUpstreamGradient) {
  Inputs in = MakeInputs();
  ObjectiveResult once =
      PpoObjective(in.heads, in.value, in.advantages, in.returns, in.old_values, {});
  ObjectiveResult again =
      PpoObjective(in.heads, in.value, in.advantages, in.returns, in.old_values, {});
  auto single = torch::autograd::grad({once.loss}, {in.value});
  auto tripled = torch::autograd::grad({again.loss * 3.0}, {in.value});
  EXPECT_TRUE(torch::allclose(tripled[0], single[0] * 3.0));
  EXPECT_FALSE(once.stats.requires_grad());
  EXPECT_THROW(PpoObjective({}, in.value, in.advantages, in.returns, in.old_values, {}),
               std::invalid_argument);
}

}  // namespace
}  // namespace orch::ppo
