// Tests src/algos/tdmpc2/world_model.cpp: the parameter counts of tdmpc2.md §2 and §17.9, the
// initialisation of §3, the stacked Q ensemble against member-by-member networks, SimNorm, and
// the layout of the joint multi-gamma head.
#include "algos/tdmpc2/world_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "algos/tdmpc2/tdmpc2_agent.h"

namespace orch::tdmpc2 {
namespace {

/// cheetah: obs 17, action 6.
WorldModelSpec CheetahSpec(int64_t model_size, int64_t aux_heads = 0,
                           const std::string& kind = "joint") {
  TdMpc2Options options;
  options.model_size = model_size;
  MultiGammaOptions multi_gamma;
  multi_gamma.head = kind;
  if (aux_heads > 0) {
    multi_gamma.enabled = true;
    multi_gamma.gammas.assign(static_cast<size_t>(aux_heads + 1), 0.9);
  }
  return MakeWorldModelSpec(options, multi_gamma, 17, 6);
}

TEST(WorldModelTest, ParameterCountsOfSize1) {
  WorldModel model(CheetahSpec(1));
  ComponentCounts counts = model->Counts();
  EXPECT_EQ(counts.encoder, 38'272);
  EXPECT_EQ(counts.dynamics, 250'752);
  EXPECT_EQ(counts.reward, 240'101);
  EXPECT_EQ(counts.policy, 203'532);
  EXPECT_EQ(counts.q_ensemble, 480'202);  // 2 × 240,101
  EXPECT_EQ(counts.aux_heads, 0);
  EXPECT_EQ(counts.Total(), 1'212'859);
}

TEST(WorldModelTest, ParameterCountsOfSize5) {
  WorldModel model(CheetahSpec(5));
  ComponentCounts counts = model->Counts();
  EXPECT_EQ(counts.encoder, 137'728);
  EXPECT_EQ(counts.dynamics, 794'112);
  EXPECT_EQ(counts.reward, 582'245);
  EXPECT_EQ(counts.policy, 533'516);
  EXPECT_EQ(counts.q_ensemble, 2'911'225);  // 5 × 582,245
  EXPECT_EQ(counts.Total(), 4'958'826);
}

TEST(WorldModelTest, AuxiliaryHeadsAddKTimesLatentTimesBinsPlusBins) {
  // K · (L · 101 + 101): size 5 (L 512) 51,813 per head; size 1 (L 128) 13,029 per head
  EXPECT_EQ(WorldModel(CheetahSpec(5, 2, "joint"))->Counts().aux_heads, 103'626);
  EXPECT_EQ(WorldModel(CheetahSpec(5, 2, "joint"))->Counts().Total(), 5'062'452);
  EXPECT_EQ(WorldModel(CheetahSpec(5, 2, "separate"))->Counts().aux_heads, 103'626);
  EXPECT_EQ(WorldModel(CheetahSpec(5, 5, "joint"))->Counts().aux_heads, 259'065);
  EXPECT_EQ(WorldModel(CheetahSpec(1, 2, "joint"))->Counts().aux_heads, 26'058);
  EXPECT_EQ(WorldModel(CheetahSpec(1, 2, "joint"))->Counts().Total(), 1'238'917);
  // one gamma, or disabled: no auxiliary structure at all
  EXPECT_FALSE(WorldModel(CheetahSpec(1, 0))->HasAuxHeads());
}

TEST(WorldModelTest, InitialisationGivesZeroRewardAndValueLogits) {
  WorldModel model(CheetahSpec(1, 2));
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(7);
  model->Initialise(generator);
  torch::NoGradGuard no_grad;
  at::Tensor z = model->Encode(torch::randn({4, 17}));
  at::Tensor a = torch::rand({4, 6}) * 2 - 1;
  EXPECT_EQ(model->RewardLogits(z, a).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(model->QLogits(z, a, {}, QView::kOnline, nullptr).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(model->QLogits(z, a, {}, QView::kTarget, nullptr).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(model->AuxLogits(z).abs().max().item<float>(), 0.0f);
  // hidden weights ~ N(0, 0.02²): the dynamics' first layer has 134 · 384 draws
  at::Tensor weight = model->dynamics()->named_parameters()["linear0.weight"];
  EXPECT_NEAR(weight.std().item<float>(), 0.02, 0.0005);
  EXPECT_NEAR(weight.mean().item<float>(), 0.0, 0.0005);
  // the latent is SimNorm'ed: groups of 8 sum to 1
  EXPECT_TRUE(torch::allclose(z.view({4, -1, 8}).sum(-1), torch::ones({4, 16}), 1e-5, 1e-5));
}

TEST(WorldModelTest, InitialisationIsTheSameWithOrWithoutAuxiliaryHeads) {
  WorldModel baseline(CheetahSpec(1));
  WorldModel extended(CheetahSpec(1, 2));
  at::Generator first = at::make_generator<at::CPUGeneratorImpl>(11);
  at::Generator second = at::make_generator<at::CPUGeneratorImpl>(11);
  baseline->Initialise(first);
  extended->Initialise(second);
  auto extended_params = extended->named_parameters();
  for (const auto& item : baseline->named_parameters()) {
    ASSERT_TRUE(extended_params.contains(item.key())) << item.key();
    EXPECT_TRUE(torch::equal(item.value(), extended_params[item.key()])) << item.key();
  }
}

/// One member of the ensemble as separate layers: Linear → [dropout] → LN → Mish, Linear → LN →
/// Mish, Linear.
at::Tensor MemberForward(torch::nn::Module& q, int64_t member, const at::Tensor& x) {
  auto params = q.named_parameters();
  at::Tensor h = x;
  for (int layer = 0; layer < 3; ++layer) {
    const std::string suffix = std::to_string(layer);
    h = torch::linear(h, params["weight" + suffix][member], params["bias" + suffix][member]);
    if (layer < 2) {
      h = torch::layer_norm(h, {h.size(-1)}, params["norm_weight" + suffix][member],
                            params["norm_bias" + suffix][member], 1e-5);
      h = torch::mish(h);
    }
  }
  return h;
}

TEST(WorldModelTest, StackedEnsembleEqualsMemberByMemberNetworks) {
  QEnsemble q(3, 20, 16, 11, 0.01);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(5);
  q->Initialise(generator);
  {
    // non-zero output weights and non-trivial norms so that every layer matters
    torch::NoGradGuard no_grad;
    for (auto& param : q->parameters()) param.normal_(0.0, 0.3, generator);
  }
  q->UpdateTarget(1.0);
  at::Tensor x = torch::randn({2, 7, 20});
  at::Tensor all = q->forward(x, {}, QView::kOnline, nullptr);
  ASSERT_EQ(all.sizes(), (std::vector<int64_t>{3, 2, 7, 11}));
  for (int64_t member = 0; member < 3; ++member) {
    EXPECT_TRUE(torch::allclose(all[member], MemberForward(*q, member, x), 1e-5, 1e-5)) << member;
  }
  // a subset is the same members, in the order asked
  at::Tensor pair = q->forward(x, {2, 0}, QView::kOnline, nullptr);
  EXPECT_TRUE(torch::allclose(pair[0], all[2], 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(pair[1], all[0], 1e-6, 1e-6));
  // the target copy (set to the online one above) evaluates the same way
  EXPECT_TRUE(torch::allclose(q->forward(x, {}, QView::kTarget, nullptr), all, 1e-6, 1e-6));
}

TEST(WorldModelTest, DropoutMasksAreIndependentPerMember) {
  QEnsemble q(2, 10, 64, 5, 0.5);
  at::Generator init = at::make_generator<at::CPUGeneratorImpl>(1);
  q->Initialise(init);
  {
    torch::NoGradGuard no_grad;
    for (auto& param : q->parameters()) param.normal_(0.0, 0.3, init);
    // two identical members: any difference in output comes from their masks
    for (auto& param : q->parameters()) param[1].copy_(param[0]);
  }
  at::Tensor x = torch::randn({4, 10});
  at::Generator dropout = at::make_generator<at::CPUGeneratorImpl>(2);
  at::Tensor out = q->forward(x, {}, QView::kOnline, &dropout);
  EXPECT_FALSE(torch::allclose(out[0], out[1]));
  // without a dropout stream (planning, targets) the members agree
  at::Tensor clean = q->forward(x, {}, QView::kOnline, nullptr);
  EXPECT_TRUE(torch::allclose(clean[0], clean[1]));
}

TEST(WorldModelTest, PolyakUpdateMovesTheTargetByTau) {
  QEnsemble q(2, 4, 8, 3, 0.0);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(3);
  q->Initialise(generator);
  at::Tensor before = q->named_buffers()["target_weight0"].clone();
  {
    torch::NoGradGuard no_grad;
    q->named_parameters()["weight0"].add_(1.0);
  }
  q->UpdateTarget(0.01);
  EXPECT_TRUE(torch::allclose(q->named_buffers()["target_weight0"], before + 0.01, 1e-6, 1e-6));
}

TEST(WorldModelTest, JointHeadReadsKBlocksOfBins) {
  AuxValueHeads heads(4, 3, 5, "joint");
  {
    // output unit j of the joint Linear returns j: head i, bin k is unit i · 5 + k
    torch::NoGradGuard no_grad;
    heads->named_parameters()["joint.bias"].copy_(torch::arange(15, torch::kFloat32));
  }
  at::Tensor logits = heads->forward(torch::zeros({2, 6, 4}));
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{3, 2, 6, 5}));
  EXPECT_EQ(logits[1][0][0][2].item<float>(), 7.0f);
  EXPECT_EQ(logits[2][1][5][4].item<float>(), 14.0f);
}

TEST(WorldModelTest, SimNormIsASoftmaxPerGroup) {
  at::Tensor x = torch::tensor({0.0f, std::log(3.0f), 0.0f, 0.0f}).view({1, 4});
  at::Tensor y = SimNorm(x, 2);
  EXPECT_NEAR(y[0][0].item<float>(), 0.25, 1e-6);
  EXPECT_NEAR(y[0][1].item<float>(), 0.75, 1e-6);
  EXPECT_NEAR(y[0][2].item<float>(), 0.5, 1e-6);
}

}  // namespace
}  // namespace orch::tdmpc2
