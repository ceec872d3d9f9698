// Tests src/algos/tdmpc2/tdmpc2_agent.cpp: baseline equivalence with the extension off or with
// one gamma (tdmpc2.md §17.11), no gradient from the auxiliary loss into the policy prior
// (§17.6), reproducibility, checkpoints, and the planner's output.
#include "algos/tdmpc2/tdmpc2_agent.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace orch::tdmpc2 {
namespace {

constexpr int64_t kObs = 5;
constexpr int64_t kActions = 2;

/// A small agent: the structure of TD-MPC2, sizes that train in milliseconds.
AgentSpec SmallSpec(const std::vector<double>& gammas, bool enabled,
                    const std::string& head = "joint") {
  AgentSpec spec;
  spec.options.model_size = 1;
  spec.options.enc_dim = 32;
  spec.options.mlp_dim = 48;
  spec.options.latent_dim = 32;
  spec.options.batch_size = 16;
  spec.options.num_samples = 64;
  spec.options.num_elites = 8;
  spec.options.num_pi_trajs = 4;
  spec.options.iterations = 2;
  spec.multi_gamma.enabled = enabled;
  spec.multi_gamma.gammas = gammas;
  spec.multi_gamma.head = head;
  spec.discount = 0.99;
  spec.model = MakeWorldModelSpec(spec.options, spec.multi_gamma, kObs, kActions);
  return spec;
}

/// A fixed synthetic batch (H = 3, B = 16).
TrainingBatch Batch(int64_t seed) {
  torch::manual_seed(seed);
  TrainingBatch batch;
  batch.obs = torch::randn({4, 16, kObs});
  batch.action = torch::rand({3, 16, kActions}) * 2 - 1;
  batch.reward = torch::rand({3, 16, 1});
  return batch;
}

std::vector<double> Flatten(const UpdateStats& stats) {
  return {stats.consistency_loss, stats.reward_loss,   stats.value_loss,   stats.total_loss,
          stats.grad_norm,        stats.pi_loss,       stats.pi_grad_norm, stats.pi_scale,
          stats.pi_entropy_bonus, stats.td_target_mean};
}

TEST(TdMpc2AgentTest, DisabledOrSingleGammaIsBitIdenticalToTheBaseline) {
  TdMpc2Agent baseline(SmallSpec({}, false), 42);
  TdMpc2Agent disabled(SmallSpec({0.99, 0.97, 0.995}, false), 42);
  TdMpc2Agent single(SmallSpec({0.99}, true), 42);
  EXPECT_FALSE(disabled.model()->HasAuxHeads());
  EXPECT_FALSE(single.model()->HasAuxHeads());
  EXPECT_EQ(disabled.Counts().Total(), baseline.Counts().Total());
  for (int update = 0; update < 200; ++update) {
    TrainingBatch batch = Batch(update);
    const UpdateStats a = baseline.Update(batch);
    const UpdateStats b = disabled.Update(batch);
    const UpdateStats c = single.Update(batch);
    ASSERT_EQ(Flatten(a), Flatten(b)) << "update " << update;  // exact, not approximate
    ASSERT_EQ(Flatten(a), Flatten(c)) << "update " << update;
    ASSERT_TRUE(b.aux.cross_entropy.empty());
    ASSERT_TRUE(c.aux.cross_entropy.empty());
  }
  // and the planners agree too
  at::Tensor obs = torch::randn({kObs});
  EXPECT_TRUE(torch::equal(baseline.Act(obs, true, false), disabled.Act(obs, true, false)));
}

TEST(TdMpc2AgentTest, TheAuxiliaryLossNeverReachesThePolicyPrior) {
  for (const std::string head : {"joint", "separate"}) {
    TdMpc2Agent agent(SmallSpec({0.99, 0.97, 0.995}, true, head), 3);
    ASSERT_TRUE(agent.model()->HasAuxHeads());
    {
      // the heads start at zero, which passes no gradient on: give them weights first
      torch::NoGradGuard no_grad;
      for (auto& item : agent.model()->named_parameters()) {
        if (item.key().rfind("aux.", 0) == 0) item.value().normal_(0.0, 0.05);
      }
    }
    WorldModelLoss loss = agent.ComputeWorldModelLoss(Batch(1));
    ASSERT_TRUE(loss.aux.defined());
    for (auto& param : agent.model()->parameters()) param.mutable_grad() = at::Tensor();
    loss.aux.backward();
    // the auxiliary gradient reaches the heads, the dynamics and the encoder ...
    auto named = agent.model()->named_parameters();
    for (const char* key : {"encoder.linear0.weight", "dynamics.linear0.weight"}) {
      ASSERT_TRUE(named[key].grad().defined()) << key;
      EXPECT_GT(named[key].grad().abs().sum().item<double>(), 0.0) << head << " " << key;
    }
    double aux_grad = 0.0;
    for (const auto& item : named) {
      if (item.key().rfind("aux.", 0) == 0 && item.value().grad().defined()) {
        aux_grad += item.value().grad().abs().sum().item<double>();
      }
    }
    EXPECT_GT(aux_grad, 0.0) << head;
    // ... and never the policy prior
    for (const auto& param : agent.model()->PolicyParameters()) {
      EXPECT_TRUE(!param.grad().defined() || param.grad().abs().max().item<double>() == 0.0)
          << head;
    }
  }
}

// With the heads built but loss_weight 0, nothing of the baseline may change: the heads share
// no parameter with it, shift none of its random draws, and only reach it through their loss.
// (A check that the harm the ablations measure comes from the auxiliary gradient alone.)
TEST(TdMpc2AgentTest, HeadsWithZeroLossWeightTrainExactlyLikeTheBaseline) {
  for (const std::string head : {"joint", "separate"}) {
    TdMpc2Agent baseline(SmallSpec({}, false), 42);
    AgentSpec spec = SmallSpec({0.99, 0.97, 0.995}, true, head);
    spec.multi_gamma.loss_weight = 0.0;
    TdMpc2Agent weightless(spec, 42);
    ASSERT_TRUE(weightless.model()->HasAuxHeads());
    for (int update = 0; update < 100; ++update) {
      TrainingBatch batch = Batch(update);
      const std::vector<double> a = Flatten(baseline.Update(batch));
      const UpdateStats b = weightless.Update(batch);
      ASSERT_FALSE(b.aux.cross_entropy.empty());
      const std::vector<double> flat = Flatten(b);
      for (size_t i = 0; i < a.size(); ++i) {
        // the clipped norm sums a few more (zero) terms; everything else is the same arithmetic
        ASSERT_NEAR(flat[i], a[i], 1e-6 * std::max(1.0, std::abs(a[i])))
            << head << " update " << update << " statistic " << i;
      }
    }
    at::Tensor obs = torch::randn({kObs});
    EXPECT_TRUE(torch::allclose(baseline.Act(obs, true, false), weightless.Act(obs, true, false),
                                1e-5, 1e-6))
        << head;
  }
}

TEST(TdMpc2AgentTest, ThePolicyLossIsTheSameWithTheExtensionOnOrOff) {
  // same seed: the same baseline weights and the same random draws, so for the same latents the
  // policy update sees identical inputs
  TdMpc2Agent with_aux(SmallSpec({0.99, 0.97, 0.995}, true), 9);
  TdMpc2Agent without(SmallSpec({}, false), 9);
  at::Tensor latents =
      torch::softmax(torch::randn({4, 16, 32}).view({4, 16, 4, 8}), -1).view({4, 16, 32});
  PolicyLoss a = with_aux.ComputePolicyLoss(latents);
  PolicyLoss b = without.ComputePolicyLoss(latents);
  EXPECT_EQ(a.total.item<double>(), b.total.item<double>());
}

TEST(TdMpc2AgentTest, AuxiliaryHeadsLearnAndReportEveryGamma) {
  TdMpc2Agent agent(SmallSpec({0.99, 0.97, 0.995}, true), 5);
  UpdateStats first = agent.Update(Batch(0));
  ASSERT_EQ(first.aux.cross_entropy.size(), 2u);
  ASSERT_EQ(first.aux.mae.size(), 2u);
  // zero-initialised heads: uniform logits, soft CE log(101) at every step; CE_i is the
  // rho-weighted sum over H = 3 steps divided by H: log(101) (1 + 0.5 + 0.25) / 3 = 2.69199;
  // decoded predictions 0; L_aux = 0.5 · 2 · 2.69199
  const double uniform_ce = std::log(101.0) * 1.75 / 3.0;
  EXPECT_NEAR(first.aux.cross_entropy[0], uniform_ce, 1e-5);
  EXPECT_NEAR(first.aux.cross_entropy[1], uniform_ce, 1e-5);
  EXPECT_NEAR(first.aux.pred_mean[1], 0.0, 1e-5);
  EXPECT_NEAR(first.aux_loss, 0.5 * 2 * uniform_ce, 1e-4);
  UpdateStats later;
  for (int update = 1; update < 150; ++update) later = agent.Update(Batch(update % 5));
  EXPECT_LT(later.aux.cross_entropy[0], 0.95 * first.aux.cross_entropy[0]);
  EXPECT_LT(later.aux.cross_entropy[1], 0.95 * first.aux.cross_entropy[1]);
}

TEST(TdMpc2AgentTest, SameSeedSameUpdatesOtherSeedOtherUpdates) {
  TdMpc2Agent a(SmallSpec({0.99, 0.97}, true), 1);
  TdMpc2Agent b(SmallSpec({0.99, 0.97}, true), 1);
  TdMpc2Agent c(SmallSpec({0.99, 0.97}, true), 2);
  for (int update = 0; update < 20; ++update) {
    TrainingBatch batch = Batch(update);
    const UpdateStats sa = a.Update(batch);
    const UpdateStats sb = b.Update(batch);
    const UpdateStats sc = c.Update(batch);
    ASSERT_EQ(Flatten(sa), Flatten(sb));
    if (update > 0) {
      EXPECT_NE(Flatten(sa), Flatten(sc));
    }
  }
}

TEST(TdMpc2AgentTest, ACheckpointContinuesExactly) {
  TdMpc2Agent original(SmallSpec({0.99, 0.97}, true), 4);
  for (int update = 0; update < 10; ++update) original.Update(Batch(update));
  original.Act(torch::randn({kObs}), true, false);
  std::stringstream bytes;
  {
    torch::serialize::OutputArchive archive;
    original.Save(archive);
    archive.save_to(bytes);
  }
  TdMpc2Agent restored(SmallSpec({0.99, 0.97}, true),
                       999);  // other seed: all state comes from the file
  {
    torch::serialize::InputArchive archive;
    archive.load_from(bytes);
    EXPECT_EQ(restored.Load(archive), "");  // same kind of device: nothing restarts
  }
  for (int update = 10; update < 15; ++update) {
    ASSERT_EQ(Flatten(original.Update(Batch(update))), Flatten(restored.Update(Batch(update))));
  }
  at::Tensor obs = torch::randn({kObs});
  EXPECT_TRUE(torch::equal(original.Act(obs, false, false), restored.Act(obs, false, false)));
}

// A checkpoint written on CUDA, as the CPU sees it: the tensors arrive on the CPU (the workload
// loads archives onto the CPU), and the generator states are Philox's (seed and offset, 16
// bytes), which a CPU generator cannot take. Written by the real Save, then those keys
// overwritten as a CUDA agent's Save writes them.
TEST(TdMpc2AgentTest, ACheckpointFromAnotherDeviceKeepsItsModelAndRestartsItsStreams) {
  TdMpc2Agent original(SmallSpec({0.99, 0.97}, true), 4);
  for (int update = 0; update < 10; ++update) original.Update(Batch(update));
  std::stringstream bytes;
  {
    torch::serialize::OutputArchive archive;
    original.Save(archive);
    for (const char* key : {"generator/update", "generator/dropout", "generator/plan"}) {
      archive.write(key, torch::arange(16, torch::kUInt8));
    }
    archive.write("generator/device", c10::IValue(std::string("cuda")));
    archive.save_to(bytes);
  }
  const std::string saved = bytes.str();
  auto restore = [&saved](TdMpc2Agent& agent) {
    std::istringstream in(saved);
    torch::serialize::InputArchive archive;
    archive.load_from(in, torch::Device(torch::kCPU));
    return agent.Load(archive);
  };
  TdMpc2Agent first(SmallSpec({0.99, 0.97}, true), 4);
  TdMpc2Agent second(SmallSpec({0.99, 0.97}, true), 4);
  const std::string note = restore(first);
  EXPECT_NE(note.find("cuda generator"), std::string::npos) << note;
  EXPECT_NE(note.find("restart from the run seed"), std::string::npos) << note;
  EXPECT_EQ(restore(second), note);

  // the model comes over exactly
  const auto expected = original.model()->parameters();
  const auto got = first.model()->parameters();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t index = 0; index < got.size(); ++index) {
    EXPECT_TRUE(torch::equal(got[index], expected[index])) << "parameter " << index;
  }
  // the restarted streams are the same for every restore of the checkpoint, and not the
  // original's continuation
  const std::vector<double> continued = Flatten(original.Update(Batch(10)));
  const std::vector<double> after_first = Flatten(first.Update(Batch(10)));
  EXPECT_EQ(after_first, Flatten(second.Update(Batch(10))));
  EXPECT_NE(after_first, continued);
  // the consistency loss draws nothing: with the same model and optimiser it matches exactly
  EXPECT_EQ(after_first[0], continued[0]);
}

// Issue 13 (b): zero-initialised heads, element-wise Adam and one clip over the world model make
// one Linear(latent, K x bins) and K Linear(latent, bins) the same function with the same
// updates, so A2 (separate) is A1 (joint) up to the rounding of a different GEMM split; the
// baseline, for scale, is far from both.
TEST(TdMpc2AgentTest, JointAndSeparateHeadsAreOneModelUpToRounding) {
  TdMpc2Agent joint(SmallSpec({0.99, 0.97, 0.995}, true, "joint"), 21);
  TdMpc2Agent separate(SmallSpec({0.99, 0.97, 0.995}, true, "separate"), 21);
  TdMpc2Agent baseline(SmallSpec({}, false), 21);
  EXPECT_EQ(joint.Counts().Total(), separate.Counts().Total());
  for (int update = 0; update < 20; ++update) {
    const UpdateStats a = joint.Update(Batch(update));
    const UpdateStats b = separate.Update(Batch(update));
    const UpdateStats c = baseline.Update(Batch(update));
    const std::vector<double> fa = Flatten(a), fb = Flatten(b);
    for (size_t i = 0; i < fa.size(); ++i) {
      EXPECT_NEAR(fa[i], fb[i], 1e-4 * (1.0 + std::abs(fa[i])))
          << "update " << update << " stat " << i;
    }
    for (size_t head = 0; head < a.aux.cross_entropy.size(); ++head) {
      EXPECT_NEAR(a.aux.cross_entropy[head], b.aux.cross_entropy[head],
                  1e-4 * (1.0 + a.aux.cross_entropy[head]));
    }
    if (update == 19) {
      EXPECT_GT(std::abs(a.total_loss - c.total_loss), 1e-2);
    }
  }
}

TEST(TdMpc2AgentTest, ThePlannerReturnsABoundedActionAndWarmStarts) {
  TdMpc2Agent agent(SmallSpec({}, false), 8);
  for (int update = 0; update < 5; ++update) agent.Update(Batch(update));
  at::Tensor obs = torch::randn({kObs});
  at::Tensor action = agent.Act(obs, true, false);
  ASSERT_EQ(action.sizes(), (std::vector<int64_t>{kActions}));
  EXPECT_LE(action.abs().max().item<float>(), 1.0f);
  EXPECT_TRUE(torch::isfinite(action).all().item<bool>());
  at::Tensor eval_action = agent.Act(obs, false, true);
  EXPECT_LE(eval_action.abs().max().item<float>(), 1.0f);
}

TEST(TdMpc2AgentTest, TheAuxSnapshotIsBoundedAndLeavesTheStreamsAlone) {
  TdMpc2Agent a(SmallSpec({0.99, 0.97, 0.995}, true), 6);
  TdMpc2Agent b(SmallSpec({0.99, 0.97, 0.995}, true), 6);
  const std::string json = a.AuxSnapshotJson(Batch(0), 3, /*debug=*/true);
  EXPECT_NE(json.find("\"top2_bins\""), std::string::npos);
  EXPECT_NE(json.find("\"cross_entropy_by_step\""), std::string::npos);
  size_t examples = 0;
  for (size_t at = json.find("\"index\""); at != std::string::npos;
       at = json.find("\"index\"", at + 1)) {
    ++examples;
  }
  EXPECT_EQ(examples, 3u);
  // taking a snapshot does not change what the next update draws
  EXPECT_EQ(Flatten(a.Update(Batch(1))), Flatten(b.Update(Batch(1))));
}

}  // namespace
}  // namespace orch::tdmpc2
