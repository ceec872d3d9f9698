// Tests src/envs/seed_garden.cpp.
#include "envs/seed_garden.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.h"
#include "orch_error_message.h"

namespace orch::envs {
namespace {

// the seed garden's facts by their short names
using enum garden::Head;
using enum garden::Op;
using enum garden::Stage;
using enum garden::AlphaMode;
using enum garden::Blueprint;
using enum garden::SlotScalar;
using garden::kActiveOffset;
using garden::kBaseFeatures;
using garden::kBlueprintOffset;
using garden::kFullAlphaTarget;
using garden::kNumBlueprints;
using garden::kNumOps;
using garden::kScalarOffset;
using garden::kSigmoidAddStyle;
using garden::kSlotFeatures;
using garden::kStageOffset;
using garden::Stage;

/// The choices of one step; the defaults are valid whatever the state (style and alpha target
/// default to the choices that stay open).
struct Choice {
  int op = kWait;
  int slot = 0;
  int blueprint = kBottleneck;
  int style = kSigmoidAddStyle;
  int tempo = 0;  // 3 epochs
  int alpha_target = kFullAlphaTarget;
  int alpha_speed = 0;
  int curve = 0;  // linear
};

/// A garden with its buffers, reset on construction.
struct Garden {
  SeedGardenEnv env;
  std::vector<float> obs;
  std::vector<uint8_t> masks;

  explicit Garden(const SeedGardenOptions& options, uint64_t seed = 1)
      : env(options, seed), obs(env.obs_dim()), masks(env.action_spec().mask_size()) {
    env.Reset(obs);
  }
  StepResult Do(const Choice& choice) {
    const std::vector<int64_t> action = {
        choice.slot,         choice.blueprint,   choice.style, choice.tempo,
        choice.alpha_target, choice.alpha_speed, choice.curve, choice.op};
    return env.Step(Action{.discrete = action}, obs);
  }
  StepResult Wait() { return Do({}); }
  /// Whether `choice` of `head` is valid now.
  bool Valid(int head, int choice) {
    env.WriteMasks(masks);
    int offset = 0;
    for (int head_idx = 0; head_idx < head; ++head_idx) {
      offset += env.action_spec().head_sizes[head_idx];
    }
    return masks[offset + choice] != 0;
  }
  /// The valid ops, as a list.
  std::vector<int> ValidOps() {
    std::vector<int> ops;
    for (int op = 0; op < kNumOps; ++op) {
      if (Valid(kOpHead, op)) ops.push_back(op);
    }
    return ops;
  }
  /// How many choices of `head` are valid.
  int NumValid(int head) {
    int count = 0;
    for (int choice = 0; choice < env.action_spec().head_sizes[head]; ++choice) {
      count += Valid(head, choice);
    }
    return count;
  }
  std::span<const float> SlotBlock(int slot) const {
    return std::span<const float>(obs).subspan(kBaseFeatures + slot * kSlotFeatures, kSlotFeatures);
  }
};

SeedGardenOptions OneSlot() {
  SeedGardenOptions options;
  options.num_slots = 1;
  options.benefit_noise = 0.0;
  return options;
}

// germinate a bottleneck (tempo 3, linear, alpha 1) in `slot`, advance it twice and wait until
// the 3-epoch ramp ends: 5 steps, the seed HOLDING at alpha 1
void GrowToHolding(Garden& garden, int slot = 0) {
  garden.Do({.op = kGerminate, .slot = slot});
  garden.Do({.op = kAdvance, .slot = slot});
  garden.Do({.op = kAdvance, .slot = slot});
  garden.Wait();
  garden.Wait();
}

TEST(SeedGardenTest, SpecAndSizes) {
  SeedGardenEnv env(SeedGardenOptions{}, 1);
  EXPECT_EQ(env.name(), "seed-garden");
  EXPECT_EQ(env.obs_dim(), 140);
  EXPECT_EQ(env.max_episode_steps(), 25);
  const ActionSpec& spec = env.action_spec();
  EXPECT_TRUE(spec.IsDiscrete());
  EXPECT_TRUE(spec.masked);
  EXPECT_EQ(spec.head_names,
            (std::vector<std::string>{"slot", "blueprint", "style", "tempo", "alpha_target",
                                      "alpha_speed", "alpha_curve", "op"}));
  EXPECT_EQ(spec.head_sizes, (std::vector<int>{3, 13, 4, 3, 3, 4, 3, 6}));
  EXPECT_EQ(SeedGardenEnv(OneSlot(), 1).obs_dim(), 23 + 39);
  SeedGardenOptions eight;
  eight.num_slots = 8;
  EXPECT_EQ(SeedGardenEnv(eight, 1).obs_dim(), 23 + 8 * 39);
  EXPECT_EQ(SeedGardenEnv(eight, 1).action_spec().head_sizes[kSlotHead], 8);
}

TEST(SeedGardenTest, FirstMasksAllowWaitAndGerminateOnly) {
  Garden garden(SeedGardenOptions{});
  EXPECT_EQ(garden.ValidOps(), (std::vector<int>{kWait, kGerminate}));
  EXPECT_EQ(garden.NumValid(kSlotHead), 3);
  // the 7 CNN blueprints; NOOP and the transformer ones never
  for (int blueprint = 0; blueprint < kNumBlueprints; ++blueprint) {
    EXPECT_EQ(garden.Valid(kBlueprintHead, blueprint), blueprint >= 1 && blueprint <= 7)
        << blueprint;
  }
  // germination is possible, so style and alpha target are open
  EXPECT_EQ(garden.NumValid(kStyleHead), 4);
  EXPECT_EQ(garden.NumValid(kAlphaTargetHead), 3);
  EXPECT_EQ(garden.NumValid(kTempoHead), 3);
  EXPECT_EQ(garden.NumValid(kAlphaSpeedHead), 4);
  EXPECT_EQ(garden.NumValid(kAlphaCurveHead), 3);
}

TEST(SeedGardenTest, MaskRulesFollowASeedThroughItsLifecycle) {
  Garden garden(OneSlot());
  // GERMINATE fills the only slot: no more germination, ADVANCE valid, too young to prune;
  // nothing can germinate or retarget, so style and alpha target close to SIGMOID_ADD / FULL
  garden.Do({.op = kGerminate});
  EXPECT_EQ(garden.env.seed(0).stage, kGerminated);
  EXPECT_EQ(garden.ValidOps(), (std::vector<int>{kWait, kAdvance}));
  EXPECT_EQ(garden.NumValid(kStyleHead), 1);
  EXPECT_TRUE(garden.Valid(kStyleHead, kSigmoidAddStyle));
  EXPECT_EQ(garden.NumValid(kAlphaTargetHead), 1);
  EXPECT_TRUE(garden.Valid(kAlphaTargetHead, kFullAlphaTarget));
  // one epoch later the seed is old enough to prune
  garden.Wait();
  EXPECT_EQ(garden.ValidOps(), (std::vector<int>{kWait, kPrune, kAdvance}));
  garden.Do({.op = kAdvance});
  EXPECT_EQ(garden.env.seed(0).stage, kTraining);
  EXPECT_EQ(garden.ValidOps(), (std::vector<int>{kWait, kPrune, kAdvance}));
  // BLENDING: the alpha controller ramps, so neither PRUNE nor SET_ALPHA_TARGET
  garden.Do({.op = kAdvance});
  EXPECT_EQ(garden.env.seed(0).stage, kBlending);
  EXPECT_EQ(garden.env.seed(0).mode, kUp);
  EXPECT_EQ(garden.ValidOps(), (std::vector<int>{kWait, kAdvance}));
  EXPECT_EQ(garden.NumValid(kStyleHead), 1);
  // HOLDING: fossilize, prune or retarget; retargeting opens style and alpha target
  garden.Wait();
  garden.Wait();
  EXPECT_EQ(garden.env.seed(0).stage, kHolding);
  EXPECT_EQ(garden.env.seed(0).mode, kHold);
  EXPECT_EQ(garden.ValidOps(), (std::vector<int>{kWait, kSetAlphaTarget, kPrune, kFossilize}));
  EXPECT_EQ(garden.NumValid(kStyleHead), 4);
  EXPECT_EQ(garden.NumValid(kAlphaTargetHead), 3);
  // FOSSILIZED is terminal: only WAIT remains
  garden.Do({.op = kFossilize});
  EXPECT_EQ(garden.env.seed(0).stage, kFossilized);
  EXPECT_EQ(garden.ValidOps(), (std::vector<int>{kWait}));
  EXPECT_EQ(garden.NumValid(kStyleHead), 1);
  EXPECT_EQ(garden.NumValid(kAlphaTargetHead), 1);
}

// env.slot_masks=per_op: the same head masks, then for each op the slots it may take (all for
// WAIT and for an op invalid everywhere), by the rules the optimistic op mask ORs over slots
TEST(SeedGardenTest, PerOpSlotMasksSayWhichSlotsEachOpAllows) {
  SeedGardenOptions per_op;
  per_op.slot_masks = "per_op";
  Garden garden(per_op);
  Garden optimistic{SeedGardenOptions{}};
  const ActionSpec& spec = garden.env.action_spec();
  EXPECT_EQ(spec.conditional_head, "slot");
  EXPECT_EQ(spec.condition_head, "op");
  ASSERT_EQ(spec.mask_size(), optimistic.env.action_spec().mask_size() + kNumOps * 3);
  const auto slots_of = [&](int op) {
    garden.env.WriteMasks(garden.masks);
    const size_t block = garden.masks.size() - kNumOps * 3;
    std::vector<int> slots;
    for (int slot = 0; slot < 3; ++slot) {
      if (garden.masks[block + op * 3 + slot]) slots.push_back(slot);
    }
    return slots;
  };
  EXPECT_EQ(slots_of(kGerminate), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(slots_of(kAdvance), (std::vector<int>{0, 1, 2}));  // invalid everywhere
  garden.Do({.op = kGerminate, .slot = 1});
  optimistic.Do({.op = kGerminate, .slot = 1});
  EXPECT_EQ(slots_of(kWait), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(slots_of(kGerminate), (std::vector<int>{0, 2}));
  EXPECT_EQ(slots_of(kAdvance), (std::vector<int>{1}));
  // the head masks are the optimistic env's
  optimistic.env.WriteMasks(optimistic.masks);
  EXPECT_TRUE(std::equal(optimistic.masks.begin(), optimistic.masks.end(), garden.masks.begin()));
  // the random-valid baseline draws the slot among those its op allows
  rl::RandomStream random(5, "test");
  for (int draw = 0; draw < 200; ++draw) {
    const std::vector<int64_t> action = RandomValidAction(spec, garden.masks, random);
    if (action[kOpHead] == kAdvance) {
      EXPECT_EQ(action[kSlotHead], 1);
    }
    if (action[kOpHead] == kGerminate) {
      EXPECT_NE(action[kSlotHead], 1);
    }
  }
}

TEST(SeedGardenTest, PrunedSlotReturnsToDormantThroughEmbargo) {
  Garden garden(OneSlot());
  garden.Do({.op = kGerminate});
  garden.Wait();
  garden.Do({.op = kPrune});
  // PRUNED 1 epoch, EMBARGOED 2, RESETTING 1, then DORMANT; no germination until then
  const std::vector<Stage> expected = {kPruned, kEmbargoed, kEmbargoed, kResetting, kDormant};
  for (size_t idx = 0; idx < expected.size(); ++idx) {
    EXPECT_EQ(garden.env.seed(0).stage, expected[idx]) << idx;
    EXPECT_EQ(garden.SlotBlock(0)[kStageOffset + expected[idx]], 1.0f);
    EXPECT_EQ(garden.Valid(kOpHead, kGerminate), expected[idx] == kDormant) << idx;
    EXPECT_FALSE(garden.Valid(kOpHead, kPrune));
    if (idx + 1 < expected.size()) garden.Wait();
  }
  // the pruned seed's parameters and contribution are gone
  EXPECT_EQ(garden.env.seed(0).params, 0.0);
  EXPECT_EQ(garden.obs[21], 0.0f);
}

TEST(SeedGardenTest, SeedCapBlocksGerminationWithEmptySlots) {
  SeedGardenOptions options;
  options.seed_cap = 1;
  Garden garden(options);
  EXPECT_EQ(garden.env.seed_cap(), 1);
  garden.Do({.op = kGerminate, .slot = 1});
  EXPECT_FALSE(garden.Valid(kOpHead, kGerminate));
  EXPECT_EQ(garden.NumValid(kSlotHead), 3);
  EXPECT_EQ(SeedGardenEnv(SeedGardenOptions{}, 1).seed_cap(), 3);
}

TEST(SeedGardenTest, OpInvalidForTheChosenSlotIsANoOpWithItsCost) {
  SeedGardenOptions options;
  options.num_slots = 2;
  Garden garden(options);
  GrowToHolding(garden, 0);
  ASSERT_EQ(garden.env.seed(0).stage, kHolding);
  const std::string saved = garden.env.SaveState();
  const double wait_reward = garden.Wait().reward;
  const std::string after_wait = garden.env.SaveState();
  // FOSSILIZE is valid (slot 0 holds) but aimed at the empty slot 1
  garden.env.LoadState(saved);
  const double fossilize_reward = garden.Do({.op = kFossilize, .slot = 1}).reward;
  EXPECT_NEAR(wait_reward - fossilize_reward, options.fossilize_cost, 1e-12);
  EXPECT_EQ(garden.env.SaveState(), after_wait);
  // GERMINATE is valid (slot 1 is empty) but aimed at the occupied slot 0
  garden.env.LoadState(saved);
  const double germinate_reward = garden.Do({.op = kGerminate, .slot = 0}).reward;
  EXPECT_NEAR(wait_reward - germinate_reward, options.germinate_cost, 1e-12);
  EXPECT_EQ(garden.env.SaveState(), after_wait);
}

TEST(SeedGardenTest, GerminationRewardByHand) {
  // Delta accuracy: the host's, as a germinated seed adds nothing yet; shaping 0.3 * (0.995 * 1
  // - 0) for the GERMINATED potential; rent 0.5 * 0.12 (a bottleneck, SIGMOID_ADD); cost 0.02
  Garden garden(OneSlot());
  const double reward = garden.Do({.op = kGerminate}).reward;
  const double host_gain = garden.env.HostAccuracy(1) - garden.env.HostAccuracy(0);
  EXPECT_NEAR(reward, host_gain + 0.3 * 0.995 - 0.5 * 0.12 - 0.02, 1e-12);
  EXPECT_EQ(garden.env.accuracy(), garden.env.HostAccuracy(1));
  EXPECT_DOUBLE_EQ(garden.env.seed(0).benefit, 4.0);
  EXPECT_DOUBLE_EQ(garden.env.seed(0).params, 0.12);
}

TEST(SeedGardenTest, BlendRampQualityAndContributionByHand) {
  // maturity grows by a fifth of what is left each epoch from TRAINING on: 0.2, 0.36, 0.488,
  // 0.5904; the 3-epoch linear ramp moves alpha by 1/3 a tick, each tick costing 0.6 / 9 of
  // quality (0.8 at the end); contribution = 4 * alpha * maturity * quality
  Garden garden(OneSlot());
  garden.Do({.op = kGerminate});
  garden.Do({.op = kAdvance});
  EXPECT_NEAR(garden.env.seed(0).maturity, 0.2, 1e-15);
  const double shaping_and_rent = 0.3 * (0.995 * 3.5 - 2.0) - 0.5 * 0.12;
  const double accuracy_before = garden.env.accuracy();
  const double reward = garden.Do({.op = kAdvance}).reward;
  const GardenSeed& seed = garden.env.seed(0);
  EXPECT_NEAR(seed.alpha, 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(seed.maturity, 0.36, 1e-15);
  EXPECT_NEAR(seed.quality, 1.0 - 0.6 / 9.0, 1e-15);
  const double contribution = 4.0 * (1.0 / 3.0) * 0.36 * (1.0 - 0.6 / 9.0);
  EXPECT_NEAR(garden.env.accuracy(), garden.env.HostAccuracy(3) + contribution, 1e-12);
  EXPECT_NEAR(reward, garden.env.accuracy() - accuracy_before + shaping_and_rent, 1e-12);
  garden.Wait();
  EXPECT_NEAR(seed.alpha, 2.0 / 3.0, 1e-15);
  EXPECT_EQ(seed.stage, kBlending);
  garden.Wait();
  EXPECT_EQ(seed.alpha, 1.0);
  EXPECT_EQ(seed.stage, kHolding);
  EXPECT_NEAR(seed.maturity, 0.5904, 1e-15);
  EXPECT_NEAR(seed.quality, 0.8, 1e-15);
  EXPECT_NEAR(garden.env.accuracy(), garden.env.HostAccuracy(5) + 4.0 * 0.5904 * 0.8, 1e-12);
  // the observation shows the same numbers
  const auto scalars = garden.SlotBlock(0).subspan(kScalarOffset);
  EXPECT_EQ(scalars[kAlphaScalar], 1.0f);
  EXPECT_FLOAT_EQ(scalars[kContributionScalar], 4.0f * 0.5904f * 0.8f / 5.0f);
  EXPECT_FLOAT_EQ(scalars[kMaturityScalar], 0.5904f);
  EXPECT_FLOAT_EQ(scalars[kBlendQualityScalar], 0.8f);
}

TEST(SeedGardenTest, FinalModelKeepsOnlyFossilizedSeeds) {
  SeedGardenOptions options = OneSlot();
  options.episode_length = 6;
  Garden garden(options);
  GrowToHolding(garden);
  const std::string saved = garden.env.SaveState();
  // the last epoch: a seed left HOLDING is dropped from the final model
  StepResult result = garden.Wait();
  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(garden.env.accuracy(), garden.env.HostAccuracy(6));
  // fossilized, it stays: accuracy 4 * maturity(5 epochs) * 0.8 above the host, and the last
  // reward adds 0.05 of the final accuracy
  garden.env.LoadState(saved);
  const double accuracy_before = garden.env.accuracy();
  result = garden.Do({.op = kFossilize});
  EXPECT_TRUE(result.truncated);
  const double maturity = 1.0 - std::pow(0.8, 5);
  const double accuracy = garden.env.HostAccuracy(6) + 4.0 * maturity * 0.8;
  EXPECT_NEAR(garden.env.accuracy(), accuracy, 1e-12);
  const double expected =
      accuracy - accuracy_before + 0.3 * (0.995 * 6.0 - 5.5) - 0.5 * 0.12 - 0.01 + 0.05 * accuracy;
  EXPECT_NEAR(result.reward, expected, 1e-12);
}

TEST(SeedGardenTest, SetAlphaTargetRetargetsAHoldingSeed) {
  Garden garden(OneSlot());
  GrowToHolding(garden);
  // alpha 0.5 at once: a jump of 0.5 costs 0.6 * 0.25 of quality; the seed keeps holding
  garden.Do({.op = kSetAlphaTarget, .alpha_target = 0, .alpha_speed = 0});
  const GardenSeed& seed = garden.env.seed(0);
  EXPECT_EQ(seed.alpha, 0.5);
  EXPECT_EQ(seed.stage, kHolding);
  EXPECT_NEAR(seed.quality, 0.8 - 0.15, 1e-15);
  // back to 1.0 over 3 ticks: BLENDING upwards, no retarget or prune meanwhile
  garden.Do({.op = kSetAlphaTarget, .alpha_target = kFullAlphaTarget, .alpha_speed = 1});
  EXPECT_EQ(seed.stage, kBlending);
  EXPECT_EQ(seed.mode, kUp);
  EXPECT_NEAR(seed.alpha, 0.5 + 0.5 / 3.0, 1e-15);
  EXPECT_FALSE(garden.Valid(kOpHead, kSetAlphaTarget));
  EXPECT_FALSE(garden.Valid(kOpHead, kPrune));
  garden.Wait();
  garden.Wait();
  EXPECT_EQ(seed.stage, kHolding);
  EXPECT_EQ(seed.alpha, 1.0);
  // down again over 3 ticks
  garden.Do({.op = kSetAlphaTarget, .alpha_target = 1, .alpha_speed = 1});
  EXPECT_EQ(seed.mode, kDown);
}

TEST(SeedGardenTest, AlwaysWaitReturnIsTheHostsGain) {
  // no seeds: the Delta accuracies sum to host(25) - host(0); the last step adds 0.05 host(25)
  Garden garden(SeedGardenOptions{}, 9);
  double episode_return = 0.0;
  for (int step = 1; step <= 25; ++step) {
    const StepResult result = garden.Wait();
    episode_return += result.reward;
    ASSERT_FALSE(result.terminated);
    ASSERT_EQ(result.truncated, step == 25);
  }
  const double final_accuracy = garden.env.HostAccuracy(25);
  EXPECT_NEAR(episode_return, final_accuracy - garden.env.HostAccuracy(0) + 0.05 * final_accuracy,
              1e-9);
  EXPECT_EQ(garden.env.HostAccuracy(0), 10.0);
  EXPECT_GT(final_accuracy, 66.0);
  EXPECT_LT(final_accuracy, 73.0);
  EXPECT_THROW(garden.Wait(), std::runtime_error);
}

TEST(SeedGardenTest, ObservationLayout) {
  Garden garden(SeedGardenOptions{});
  garden.Do({.op = kGerminate, .slot = 1, .blueprint = kConvLight, .style = 3, .tempo = 2});
  // the host features are scaled to about unit range
  for (int idx = 0; idx < kBaseFeatures; ++idx) {
    EXPECT_GE(garden.obs[idx], -1.0f) << idx;
    EXPECT_LE(garden.obs[idx], 1.0f) << idx;
  }
  EXPECT_FLOAT_EQ(garden.obs[0], 1.0f / 25.0f);
  EXPECT_FLOAT_EQ(garden.obs[6], static_cast<float>(garden.env.accuracy() / 100.0));
  EXPECT_FLOAT_EQ(garden.obs[16], 0.1f);          // the accuracy an epoch ago
  EXPECT_FLOAT_EQ(garden.obs[21], 0.06f * 1.3f);  // conv_light's params with the gate
  EXPECT_FLOAT_EQ(garden.obs[22], 1.0f / 3.0f);   // one slot of three in use
  // slot 0 is dormant: only its stage one-hot is set
  const auto dormant = garden.SlotBlock(0);
  for (int idx = 0; idx < kSlotFeatures; ++idx) {
    EXPECT_EQ(dormant[idx], idx == kStageOffset + kDormant ? 1.0f : 0.0f) << idx;
  }
  // slot 1 holds the germinated conv_light
  const auto seed = garden.SlotBlock(1);
  EXPECT_EQ(seed[kActiveOffset], 1.0f);
  for (int stage = 0; stage < kNumStages; ++stage) {
    EXPECT_EQ(seed[kStageOffset + stage], stage == kGerminated ? 1.0f : 0.0f) << stage;
  }
  for (int blueprint = 0; blueprint < kNumBlueprints; ++blueprint) {
    EXPECT_EQ(seed[kBlueprintOffset + blueprint], blueprint == kConvLight ? 1.0f : 0.0f);
  }
  EXPECT_EQ(seed[kScalarOffset + kTempoScalar], 1.0f);
  EXPECT_EQ(seed[kScalarOffset + kStyleScalar], 1.0f);
  EXPECT_EQ(seed[kScalarOffset + kAlphaScalar], 0.0f);
  EXPECT_EQ(seed[kScalarOffset + kAlphaTargetScalar], 1.0f);
}

TEST(SeedGardenTest, MaskedAndOutOfRangeActionsThrow) {
  Garden garden(OneSlot());
  EXPECT_THROW(garden.Do({.op = kFossilize}), std::runtime_error);
  EXPECT_THROW(garden.Do({.op = kAdvance}), std::runtime_error);
  EXPECT_THROW(garden.Do({.op = kGerminate, .blueprint = kNoop}), std::runtime_error);
  EXPECT_THROW(garden.Do({.op = kGerminate, .blueprint = 8}), std::runtime_error);
  EXPECT_THROW(garden.Do({.op = kGerminate, .slot = 1}), std::runtime_error);
  EXPECT_THROW(garden.Do({.op = kNumOps}), std::runtime_error);
  const int64_t too_few[] = {0, 5, 2, 0, 2, 0, 0};
  EXPECT_THROW(garden.env.Step(Action{.discrete = too_few}, garden.obs), std::runtime_error);
  // after a germination in the only slot the style head is closed to SIGMOID_ADD
  garden.Do({.op = kGerminate});
  EXPECT_THROW(garden.Do({.style = 0}), std::runtime_error);
  EXPECT_THROW(garden.Do({.alpha_target = 0}), std::runtime_error);
  EXPECT_NO_THROW(garden.Wait());
}

TEST(SeedGardenTest, BaselineActionsFollowTheirRules) {
  Garden garden(SeedGardenOptions{});
  garden.env.WriteMasks(garden.masks);
  const ActionSpec& spec = garden.env.action_spec();
  EXPECT_EQ(AlwaysWaitAction(spec, garden.masks)[kOpHead], kWait);
  // the heuristic germinates a bottleneck in the first dormant slot, then advances it
  SeedGardenOptions options;
  std::vector<int64_t> action = HeuristicAction(options, spec, garden.obs, garden.masks);
  EXPECT_EQ(action[kOpHead], kGerminate);
  EXPECT_EQ(action[kSlotHead], 0);
  EXPECT_EQ(action[kBlueprintHead], kBottleneck);
  garden.env.Step(Action{.discrete = action}, garden.obs);
  garden.env.WriteMasks(garden.masks);
  action = HeuristicAction(options, spec, garden.obs, garden.masks);
  EXPECT_EQ(action[kOpHead], kAdvance);
  EXPECT_EQ(action[kSlotHead], 0);
}

TEST(SeedGardenTest, HeuristicBeatsRandomValidAndAlwaysWait) {
  // 100 fixed-seed episodes each (the numbers quoted in the seed garden's design notes)
  const SeedGardenOptions options;
  const double wait = EvaluateGardenPolicy(options, AlwaysWaitPolicy(), 100, 1000);
  const double random = EvaluateGardenPolicy(options, RandomValidPolicy(), 100, 1000);
  const double heuristic = EvaluateGardenPolicy(options, HeuristicPolicy(options), 100, 1000);
  RecordProperty("always_wait", std::to_string(wait));
  RecordProperty("random_valid", std::to_string(random));
  RecordProperty("heuristic", std::to_string(heuristic));
  EXPECT_GT(heuristic, wait + 5.0);
  EXPECT_GT(heuristic, random + 5.0);
  // the evaluation is reproducible
  EXPECT_EQ(EvaluateGardenPolicy(options, RandomValidPolicy(), 10, 1000),
            EvaluateGardenPolicy(options, RandomValidPolicy(), 10, 1000));
}

TEST(SeedGardenTest, PerEpisodeReturnsAreTheEvaluationsEpisodes) {
  const SeedGardenOptions options;
  const std::vector<double> returns = GardenPolicyReturns(options, RandomValidPolicy(), 10, 1000);
  ASSERT_EQ(returns.size(), 10u);
  double sum = 0.0;
  for (double value : returns) sum += value;
  EXPECT_NEAR(sum / 10, EvaluateGardenPolicy(options, RandomValidPolicy(), 10, 1000), 1e-12);
  // episode i is the one seeded first_seed + i (what PPO's eval_seed evaluates)
  const std::vector<double> later = GardenPolicyReturns(options, RandomValidPolicy(), 3, 1007);
  EXPECT_EQ(later[0], returns[7]);
  EXPECT_EQ(later[2], returns[9]);
  EXPECT_NE(returns[0], returns[1]);
}

TEST(SeedGardenTest, RejectsImpossibleOptions) {
  const auto message = [](const SeedGardenOptions& options) {
    return OrchErrorMessage([&] { SeedGardenEnv env(options, 1); });
  };
  SeedGardenOptions options;
  options.num_slots = 0;
  EXPECT_THROW(SeedGardenEnv(options, 1), OrchError);
  EXPECT_NE(message(options).find("env.num_slots"), std::string::npos);
  options.num_slots = 9;
  EXPECT_NE(message(options).find("env.num_slots"), std::string::npos);
  options = SeedGardenOptions{};
  options.seed_cap = 4;
  EXPECT_NE(message(options).find("env.seed_cap"), std::string::npos);
  options = SeedGardenOptions{};
  options.episode_length = 0;
  EXPECT_NE(message(options).find("env.episode_length"), std::string::npos);
  options = SeedGardenOptions{};
  options.prune_cost = -0.1;
  EXPECT_NE(message(options).find("env.prune_cost"), std::string::npos);
  options = SeedGardenOptions{};
  options.shaping_gamma = 1.5;
  EXPECT_NE(message(options).find("env.shaping_gamma"), std::string::npos);
  options = SeedGardenOptions{};
  options.benefit_noise = -1.0;
  EXPECT_NE(message(options).find("env.benefit_noise"), std::string::npos);
}

}  // namespace
}  // namespace orch::envs
