// src/envs/seed_garden.cpp
#include "envs/seed_garden.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include "common/error.h"
#include "envs/env_checks.h"
#include "envs/state_text.h"

namespace orch::envs {

// the seed garden's facts by their short names
using enum garden::Head;
using enum garden::Op;
using enum garden::Stage;
using enum garden::AlphaMode;
using enum garden::Blueprint;
using enum garden::SlotScalar;
using garden::AlphaMode;
using garden::BlueprintEffect;
using garden::kActiveOffset;
using garden::kAlphaSpeedTicks;
using garden::kAlphaTargets;
using garden::kBaseFeatures;
using garden::kBlueprintOffset;
using garden::kFirstValidBlueprint;
using garden::kFullAlphaTarget;
using garden::kLastValidBlueprint;
using garden::kNumAlphaCurves;
using garden::kNumAlphaSpeeds;
using garden::kNumAlphaTargets;
using garden::kNumBlueprints;
using garden::kNumOps;
using garden::kNumStyles;
using garden::kNumTempos;
using garden::kScalarOffset;
using garden::kSigmoidAddStyle;
using garden::kSlotFeatures;
using garden::kStageOffset;
using garden::kTempoEpochs;
using garden::Op;
using garden::SlotScalar;
using garden::Stage;

namespace {

constexpr char kStateTag[] = "seed-garden-state-v1";

// the host: accuracy in points from chance towards a per-episode ceiling
constexpr double kInitialAccuracy = 10.0;
constexpr double kCeilingLow = 67.0;
constexpr double kCeilingHigh = 73.0;
constexpr double kTauFraction = 0.2;        // time constant as a fraction of the episode (+-20%)
constexpr double kBatchesPerEpoch = 391.0;  // CIFAR-10 at batch 128: the "global step" feature
constexpr double kTrainGap = 12.0;          // train accuracy above val at the last epoch
constexpr double kLossScale = std::numbers::ln10;  // a chance-level loss

// the seeds
constexpr double kMaturityRate = 0.2;      // share of the remaining maturity gained per epoch
constexpr double kShockCoefficient = 0.6;  // quality lost per (alpha change per epoch)^2
constexpr double kProbeNoise = 0.5;        // std of the probe, in accuracy points
constexpr int64_t kMinPruneAge = 1;
constexpr int64_t kPrunedEpochs = 1;
constexpr int64_t kEmbargoEpochs = 2;
constexpr int64_t kResettingEpochs = 1;

// the heuristic
constexpr int64_t kHeuristicTrainEpochs = 2;
constexpr int64_t kHeuristicMinEpochsLeft = 10;

// Esper's stage potentials (simic/rewards/shaping.py)
double StagePotential(Stage stage) {
  switch (stage) {
    case kGerminated:
      return 1.0;
    case kTraining:
      return 2.0;
    case kBlending:
      return 3.5;
    case kHolding:
      return 5.5;
    case kFossilized:
      return 6.0;
    default:
      return 0.0;
  }
}

// the blend curves: linear, cosine ease, and a logistic rescaled to [0, 1]
double CurveValue(int curve, double progress) {
  switch (curve) {
    case 1:
      return 0.5 * (1.0 - std::cos(std::numbers::pi * progress));
    case 2: {
      const auto logistic = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
      const double low = logistic(-6.0), high = logistic(6.0);
      return (logistic(12.0 * (progress - 0.5)) - low) / (high - low);
    }
    default:
      return progress;
  }
}

double LossOf(double accuracy) {
  return kLossScale * std::pow(std::max(0.0, 1.0 - accuracy / 100.0), 1.2);
}

void RequireNonNegative(const char* key, double value) {
  if (!(value >= 0.0)) {
    throw OrchError(std::string("env.") + key + ": must be non-negative, got " +
                    std::to_string(value));
  }
}

void RequireIntRange(const char* key, int64_t value, int64_t low, int64_t high) {
  if (value < low || value > high) {
    throw OrchError(std::string("env.") + key + ": must be in [" + std::to_string(low) + ", " +
                    std::to_string(high) + "], got " + std::to_string(value));
  }
}

void EnterStage(GardenSeed& seed, Stage stage) {
  seed.stage = stage;
  seed.epochs_in_stage = 0;
}

// starts a ramp of alpha to `target` over `ticks` epochs (0: at once, with its shock)
void StartRamp(GardenSeed& seed, double target, int64_t ticks) {
  seed.alpha_target = target;
  if (ticks == 0) {
    const double change = target - seed.alpha;
    seed.quality = std::max(0.0, seed.quality - kShockCoefficient * change * change);
    seed.alpha = target;
    seed.mode = kHold;
    if (seed.stage != kHolding) EnterStage(seed, kHolding);
    return;
  }
  seed.ramp_start = seed.alpha;
  seed.ramp_ticks = ticks;
  seed.ramp_elapsed = 0;
  seed.mode = target > seed.alpha ? kUp : kDown;
  EnterStage(seed, kBlending);
}

}  // namespace

const std::array<BlueprintEffect, kNumBlueprints>& garden::BlueprintTable() {
  // benefit in accuracy points, parameters as a fraction of the host's; transformer blueprints
  // (8..12) and NOOP are masked
  static const std::array<BlueprintEffect, kNumBlueprints> table = {{
      {0.0, 0.0},    // noop
      {2.5, 0.06},   // conv_light: good and cheap
      {1.5, 0.45},   // attention: rent outweighs the benefit
      {0.8, 0.01},   // norm: small but nearly free
      {1.8, 0.04},   // depthwise: good and cheap
      {4.0, 0.12},   // bottleneck: the best
      {-0.6, 0.03},  // conv_small: hurts the host
      {4.0, 0.80},   // conv_heavy: large benefit, larger rent
      {0.0, 0.0},    // lora
      {0.0, 0.0},    // lora_large
      {0.0, 0.0},    // mlp_small
      {0.0, 0.0},    // mlp
      {0.0, 0.0},    // flex_attention
  }};
  return table;
}

const std::array<BlueprintEffect, kNumStyles>& garden::StyleTable() {
  // (linear, ADD), (linear, MULTIPLY), (sigmoid, ADD), (gated, GATE): the gate adds parameters
  static const std::array<BlueprintEffect, kNumStyles> table = {{
      {0.95, 1.0},
      {0.85, 0.9},
      {1.0, 1.0},
      {1.15, 1.3},
  }};
  return table;
}

bool GardenSeed::IsLive() const { return stage >= kGerminated && stage <= kFossilized; }

SeedGardenEnv::SeedGardenEnv(const SeedGardenOptions& options, uint64_t run_seed,
                             std::string_view stream_name)
    : options_(options), stream_(run_seed, stream_name) {
  // options that make no garden
  RequireIntRange("num_slots", options_.num_slots, 1, 8);
  RequireIntRange("episode_length", options_.episode_length, 1, 100'000);
  RequireIntRange("seed_cap", options_.seed_cap, 0, options_.num_slots);
  RequireNonNegative("param_rent", options_.param_rent);
  RequireNonNegative("rent_cap", options_.rent_cap);
  RequireNonNegative("shaping_weight", options_.shaping_weight);
  RequireNonNegative("germinate_cost", options_.germinate_cost);
  RequireNonNegative("fossilize_cost", options_.fossilize_cost);
  RequireNonNegative("prune_cost", options_.prune_cost);
  RequireNonNegative("set_alpha_cost", options_.set_alpha_cost);
  RequireNonNegative("terminal_acc_weight", options_.terminal_acc_weight);
  if (!(options_.shaping_gamma >= 0.0 && options_.shaping_gamma <= 1.0)) {
    throw OrchError("env.shaping_gamma: must be in [0, 1], got " +
                    std::to_string(options_.shaping_gamma));
  }
  if (!(options_.benefit_noise >= 0.0 && options_.benefit_noise <= 2.0)) {
    throw OrchError("env.benefit_noise: must be in [0, 2], got " +
                    std::to_string(options_.benefit_noise));
  }
  num_slots_ = static_cast<int>(options_.num_slots);
  seed_cap_ = options_.seed_cap == 0 ? num_slots_ : static_cast<int>(options_.seed_cap);

  // eight masked heads
  spec_.kind = ActionSpec::Kind::kDiscrete;
  spec_.masked = true;
  spec_.head_names = SeedGardenHeadNames();
  spec_.head_sizes = {num_slots_,       kNumBlueprints,  kNumStyles,      kNumTempos,
                      kNumAlphaTargets, kNumAlphaSpeeds, kNumAlphaCurves, kNumOps};
  if (options_.slot_masks == "per_op") {
    spec_.conditional_head = "slot";
    spec_.condition_head = "op";
  } else if (options_.slot_masks != "optimistic") {
    throw OrchError("env.slot_masks: expected 'optimistic' or 'per_op', got '" +
                    options_.slot_masks + "'");
  }
  seeds_.assign(num_slots_, GardenSeed{});
}

double SeedGardenEnv::HostAccuracy(int64_t epoch) const {
  return host_ceiling_ -
         (host_ceiling_ - kInitialAccuracy) * std::exp(-static_cast<double>(epoch) / host_tau_);
}

void SeedGardenEnv::Reset(std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  // a new host: its ceiling and time constant, and empty slots
  host_ceiling_ = kCeilingLow + (kCeilingHigh - kCeilingLow) * stream_.Uniform();
  host_tau_ =
      kTauFraction * static_cast<double>(options_.episode_length) * (0.8 + 0.4 * stream_.Uniform());
  seeds_.assign(num_slots_, GardenSeed{});
  epoch_ = 0;
  acc_history_ = {HostAccuracy(0)};
  in_episode_ = true;
  WriteObs(obs);
}

double SeedGardenEnv::ApplyOp(const Action& action) {
  const int slot = static_cast<int>(action.discrete[kSlotHead]);
  const int op = static_cast<int>(action.discrete[kOpHead]);
  GardenSeed& seed = seeds_[slot];
  int live = 0;
  for (const GardenSeed& other : seeds_) live += other.IsLive();

  switch (op) {
    case kGerminate: {
      // an empty slot under the cap: a new seed with its hidden benefit
      if (seed.stage != kDormant || live >= seed_cap_) return options_.germinate_cost;
      const int blueprint = static_cast<int>(action.discrete[kBlueprintHead]);
      const int style = static_cast<int>(action.discrete[kStyleHead]);
      const BlueprintEffect& nominal = garden::BlueprintTable()[blueprint];
      const BlueprintEffect& factor = garden::StyleTable()[style];
      seed = GardenSeed{};
      seed.stage = kGerminated;
      seed.blueprint = blueprint;
      seed.style = style;
      seed.tempo = static_cast<int>(action.discrete[kTempoHead]);
      seed.curve = static_cast<int>(action.discrete[kAlphaCurveHead]);
      seed.alpha_target = kAlphaTargets[action.discrete[kAlphaTargetHead]];
      seed.benefit =
          nominal.benefit * factor.benefit * (1.0 + options_.benefit_noise * stream_.Normal());
      seed.params = nominal.params * factor.params;
      return options_.germinate_cost;
    }
    case kAdvance:
      // GERMINATED starts training; TRAINING starts the blend over the tempo's epochs
      if (seed.stage == kGerminated) {
        EnterStage(seed, kTraining);
      } else if (seed.stage == kTraining) {
        StartRamp(seed, seed.alpha_target, kTempoEpochs[seed.tempo]);
      }
      return 0.0;
    case kFossilize:
      if (seed.stage == kHolding) EnterStage(seed, kFossilized);
      return options_.fossilize_cost;
    case kPrune:
      // the seed and its contribution go; the slot starts its way back to dormant
      if (seed.IsLive() && seed.stage != kFossilized && seed.age >= kMinPruneAge &&
          seed.mode == kHold) {
        seed = GardenSeed{};
        EnterStage(seed, kPruned);
      }
      return options_.prune_cost;
    case kSetAlphaTarget:
      // a holding seed ramps to the new target at the chosen speed and curve
      if ((seed.stage == kBlending || seed.stage == kHolding) && seed.mode == kHold) {
        const double target = kAlphaTargets[action.discrete[kAlphaTargetHead]];
        if (target != seed.alpha) {
          seed.curve = static_cast<int>(action.discrete[kAlphaCurveHead]);
          StartRamp(seed, target, kAlphaSpeedTicks[action.discrete[kAlphaSpeedHead]]);
        }
      }
      return options_.set_alpha_cost;
    default:
      return 0.0;
  }
}

void SeedGardenEnv::Tick(const std::vector<bool>& planted_now) {
  for (int slot = 0; slot < num_slots_; ++slot) {
    GardenSeed& seed = seeds_[slot];
    // the prune cycle moves on after its stage's epochs
    if (seed.stage == kPruned && seed.epochs_in_stage >= kPrunedEpochs) {
      EnterStage(seed, kEmbargoed);
    } else if (seed.stage == kEmbargoed && seed.epochs_in_stage >= kEmbargoEpochs) {
      EnterStage(seed, kResetting);
    } else if (seed.stage == kResetting && seed.epochs_in_stage >= kResettingEpochs) {
      seed = GardenSeed{};
      continue;
    }
    if (seed.stage == kDormant) continue;

    // a blending seed's alpha moves one tick along its curve; fast moves damage its quality
    if (seed.stage == kBlending && seed.mode != kHold) {
      ++seed.ramp_elapsed;
      const double progress =
          static_cast<double>(seed.ramp_elapsed) / static_cast<double>(seed.ramp_ticks);
      const double next = seed.ramp_elapsed >= seed.ramp_ticks
                              ? seed.alpha_target
                              : seed.ramp_start + (seed.alpha_target - seed.ramp_start) *
                                                      CurveValue(seed.curve, progress);
      const double change = next - seed.alpha;
      seed.quality = std::max(0.0, seed.quality - kShockCoefficient * change * change);
      seed.alpha = next;
      if (seed.ramp_elapsed >= seed.ramp_ticks) {
        seed.mode = kHold;
        seed.ramp_ticks = seed.ramp_elapsed = 0;
        EnterStage(seed, kHolding);
      }
    }

    // training seeds mature, and the probe estimates what they would add
    if (seed.IsLive() && seed.stage != kGerminated) {
      seed.maturity += (1.0 - seed.maturity) * kMaturityRate;
      seed.probe = seed.benefit * seed.maturity + kProbeNoise * stream_.Normal();
    }
    seed.previous_contribution = seed.contribution;
    seed.contribution = seed.Contribution();
    ++seed.epochs_in_stage;
    if (seed.IsLive() && !planted_now[slot]) ++seed.age;
  }
}

double SeedGardenEnv::CurrentAccuracy() const {
  // at the last epoch the final model keeps only the fossilized seeds
  const bool last = epoch_ >= options_.episode_length;
  double accuracy = HostAccuracy(epoch_);
  for (const GardenSeed& seed : seeds_) {
    if (last ? seed.stage == kFossilized : seed.IsLive()) accuracy += seed.Contribution();
  }
  return accuracy;
}

double SeedGardenEnv::Potential() const {
  double potential = 0.0;
  for (const GardenSeed& seed : seeds_) potential += StagePotential(seed.stage);
  return potential;
}

double SeedGardenEnv::LiveParams() const {
  double params = 0.0;
  for (const GardenSeed& seed : seeds_) {
    if (seed.IsLive()) params += seed.params;
  }
  return params;
}

StepResult SeedGardenEnv::Step(const Action& action, std::span<float> obs) {
  CheckObsSize(name(), obs, obs_dim());
  CheckInEpisode(name(), in_episode_);
  std::vector<uint8_t> masks(spec_.mask_size());
  ComputeMasks(masks);
  CheckDiscreteAction(name(), spec_, action, masks);

  // the op at the start of the epoch, then the epoch
  const double accuracy_before = acc_history_.back();
  const double potential_before = Potential();
  std::vector<bool> planted_now(num_slots_, false);
  const int slot = static_cast<int>(action.discrete[kSlotHead]);
  const bool was_dormant = seeds_[slot].stage == kDormant;
  const double op_cost = ApplyOp(action);
  planted_now[slot] = was_dormant && seeds_[slot].stage == kGerminated;
  ++epoch_;
  Tick(planted_now);
  const double accuracy = CurrentAccuracy();
  acc_history_.push_back(accuracy);

  // reward: accuracy gained, stage shaping, rent, op cost, and the final accuracy at the end
  StepResult result;
  const double shaping =
      options_.shaping_weight * (options_.shaping_gamma * Potential() - potential_before);
  const double rent = std::min(options_.rent_cap, options_.param_rent * LiveParams());
  result.reward = (accuracy - accuracy_before) + shaping - rent - op_cost;
  result.truncated = epoch_ >= options_.episode_length;
  if (result.truncated) result.reward += options_.terminal_acc_weight * accuracy;
  in_episode_ = !result.truncated;
  WriteObs(obs);
  return result;
}

bool SeedGardenEnv::OpAllowedOn(const GardenSeed& seed, int op, int live) const {
  switch (op) {
    case kWait:
      return true;
    case kGerminate:
      return seed.stage == kDormant && live < seed_cap_;
    case kAdvance:
      return seed.stage == kGerminated || seed.stage == kTraining || seed.stage == kBlending;
    case kFossilize:
      return seed.stage == kHolding;
    case kPrune:
      return seed.IsLive() && seed.stage != kFossilized && seed.age >= kMinPruneAge &&
             seed.mode == kHold;
    case kSetAlphaTarget:
      return (seed.stage == kBlending || seed.stage == kHolding) && seed.mode == kHold;
    default:
      return false;
  }
}

void SeedGardenEnv::ComputeMasks(std::span<uint8_t> masks) const {
  // what the slots allow: an op is valid if some slot allows it (optimistic)
  int live = 0;
  for (const GardenSeed& seed : seeds_) live += seed.IsLive();
  std::array<bool, kNumOps> op_valid{};
  for (int op = 0; op < kNumOps; ++op) {
    for (const GardenSeed& seed : seeds_)
      op_valid[op] = op_valid[op] || OpAllowedOn(seed, op, live);
  }
  const bool open_style = op_valid[kGerminate] || op_valid[kSetAlphaTarget];

  // head by head, in action order
  std::fill(masks.begin(), masks.end(), uint8_t{0});
  std::array<int, kNumHeads> offset{};
  for (int head_idx = 1; head_idx < kNumHeads; ++head_idx) {
    offset[head_idx] = offset[head_idx - 1] + spec_.head_sizes[head_idx - 1];
  }
  const auto set = [&](int head, int choice) { masks[offset[head] + choice] = 1; };
  for (int slot = 0; slot < num_slots_; ++slot) set(kSlotHead, slot);
  for (int blueprint = kFirstValidBlueprint; blueprint <= kLastValidBlueprint; ++blueprint) {
    set(kBlueprintHead, blueprint);
  }
  for (int style = 0; style < kNumStyles; ++style) {
    if (open_style || style == kSigmoidAddStyle) set(kStyleHead, style);
  }
  for (int tempo = 0; tempo < kNumTempos; ++tempo) set(kTempoHead, tempo);
  for (int target = 0; target < kNumAlphaTargets; ++target) {
    if (open_style || target == kFullAlphaTarget) set(kAlphaTargetHead, target);
  }
  for (int speed = 0; speed < kNumAlphaSpeeds; ++speed) set(kAlphaSpeedHead, speed);
  for (int curve = 0; curve < kNumAlphaCurves; ++curve) set(kAlphaCurveHead, curve);
  for (int op = 0; op < kNumOps; ++op) {
    if (op_valid[op]) set(kOpHead, op);
  }

  // per_op: the slots each op may take (every slot for WAIT, and for an op that is invalid,
  // which a policy never draws)
  if (!spec_.HasConditionalMask()) return;
  uint8_t* block = masks.data() + offset[kOpHead] + kNumOps;
  for (int op = 0; op < kNumOps; ++op) {
    for (int slot = 0; slot < num_slots_; ++slot) {
      block[op * num_slots_ + slot] =
          op == kWait || !op_valid[op] || OpAllowedOn(seeds_[slot], op, live) ? 1 : 0;
    }
  }
}

void SeedGardenEnv::WriteHeadRelevance(std::span<const int64_t> action,
                                       std::span<uint8_t> relevant) const {
  if (action.size() != kNumHeads || relevant.size() != kNumHeads) {
    throw std::runtime_error("seed-garden: head relevance needs one entry per head (8)");
  }
  const int64_t op = action[kOpHead];
  const bool germinate = op == kGerminate;
  const bool retarget = op == kSetAlphaTarget;
  relevant[kOpHead] = 1;
  relevant[kSlotHead] = op != kWait;
  relevant[kBlueprintHead] = germinate;
  relevant[kTempoHead] = germinate;
  relevant[kStyleHead] = germinate || retarget;
  relevant[kAlphaTargetHead] = germinate || retarget;
  relevant[kAlphaSpeedHead] = retarget || op == kPrune;
  relevant[kAlphaCurveHead] = retarget || op == kPrune;
}

void SeedGardenEnv::WriteMasks(std::span<uint8_t> masks) const {
  if (masks.size() != static_cast<size_t>(spec_.mask_size())) {
    throw std::runtime_error(name() + ": mask span has " + std::to_string(masks.size()) +
                             " entries, the action spec needs " +
                             std::to_string(spec_.mask_size()));
  }
  ComputeMasks(masks);
}

void SeedGardenEnv::WriteObs(std::span<float> obs) const {
  std::fill(obs.begin(), obs.end(), 0.0f);
  const double length = static_cast<double>(options_.episode_length);
  const double progress = static_cast<double>(epoch_) / length;
  // the accuracy this many epochs ago (the first one before the episode started)
  const auto acc_ago = [&](int64_t back) {
    return acc_history_[static_cast<size_t>(std::max<int64_t>(0, epoch_ - back))];
  };
  const double accuracy = acc_ago(0);
  const double train_accuracy = std::min(100.0, accuracy + kTrainGap * progress);
  const double best = *std::max_element(acc_history_.begin(), acc_history_.end());
  const int64_t best_epoch =
      std::max_element(acc_history_.begin(), acc_history_.end()) - acc_history_.begin();
  int occupied = 0;
  for (const GardenSeed& seed : seeds_) occupied += seed.stage != kDormant;

  // the 23 host features
  int idx = 0;
  const auto put = [&](double value) { obs[idx++] = static_cast<float>(value); };
  put(progress);
  put(std::log1p(static_cast<double>(epoch_) * kBatchesPerEpoch) /
      std::log1p(length * kBatchesPerEpoch));
  put(LossOf(train_accuracy) / kLossScale);
  put(LossOf(accuracy) / kLossScale);
  put(std::clamp(5.0 * (LossOf(accuracy) - LossOf(acc_ago(1))) / kLossScale, -1.0, 1.0));
  put(train_accuracy / 100.0);
  put(accuracy / 100.0);
  put((accuracy - acc_ago(1)) / 20.0);
  put(static_cast<double>(epoch_ - best_epoch) / length);
  put(best / 100.0);
  put(LossOf(best) / kLossScale);
  for (int64_t back = 1; back <= 5; ++back) put(LossOf(acc_ago(back)) / kLossScale);
  for (int64_t back = 1; back <= 5; ++back) put(acc_ago(back) / 100.0);
  put(LiveParams());
  put(static_cast<double>(occupied) / num_slots_);
  ORCH_ASSERT(idx == kBaseFeatures, "seed garden: base feature count");

  // 39 per slot: active, stage one-hot, scalars, blueprint one-hot
  for (int slot = 0; slot < num_slots_; ++slot) {
    const GardenSeed& seed = seeds_[slot];
    float* block = obs.data() + kBaseFeatures + slot * kSlotFeatures;
    block[kActiveOffset] = seed.stage != kDormant ? 1.0f : 0.0f;
    block[kStageOffset + seed.stage] = 1.0f;
    if (seed.stage == kDormant) continue;
    float* scalars = block + kScalarOffset;
    const auto scalar = [&](SlotScalar which, double value) {
      scalars[which] = static_cast<float>(value);
    };
    scalar(kAlphaScalar, seed.alpha);
    scalar(kAlphaTargetScalar, seed.alpha_target);
    scalar(kAlphaModeScalar, seed.mode == kUp ? 1.0 : seed.mode == kDown ? -1.0 : 0.0);
    scalar(kRampProgressScalar, seed.ramp_ticks > 0 ? static_cast<double>(seed.ramp_elapsed) /
                                                          static_cast<double>(seed.ramp_ticks)
                                                    : 0.0);
    scalar(kContributionScalar, seed.contribution / 5.0);
    scalar(kContributionDeltaScalar, (seed.contribution - seed.previous_contribution) / 5.0);
    scalar(kProbeScalar, seed.probe / 5.0);
    scalar(kMaturityScalar, seed.maturity);
    scalar(kBlendQualityScalar, seed.quality);
    scalar(kAgeScalar, static_cast<double>(seed.age) / length);
    scalar(kEpochsInStageScalar, static_cast<double>(seed.epochs_in_stage) / length);
    scalar(kParamsScalar, seed.params);
    scalar(kTempoScalar, kTempoEpochs[seed.tempo] / 8.0);
    scalar(kStyleScalar, seed.style / 3.0);
    scalar(kCurveScalar, seed.curve / 2.0);
    if (seed.IsLive()) block[kBlueprintOffset + seed.blueprint] = 1.0f;
  }
}

std::string SeedGardenEnv::SaveState() const {
  // sizes first, so that another configuration's state is refused
  StateWriter writer(kStateTag);
  writer.Int(num_slots_).Int(options_.episode_length).Int(epoch_).Int(in_episode_ ? 1 : 0);
  writer.Double(host_ceiling_).Double(host_tau_);
  writer.Int(static_cast<int64_t>(acc_history_.size()));
  for (double accuracy : acc_history_) writer.Double(accuracy);
  for (const GardenSeed& seed : seeds_) {
    writer.Int(seed.stage).Int(seed.blueprint).Int(seed.style).Int(seed.tempo).Int(seed.curve);
    writer.Double(seed.benefit).Double(seed.params).Double(seed.alpha).Double(seed.alpha_target);
    writer.Double(seed.ramp_start).Int(seed.ramp_ticks).Int(seed.ramp_elapsed).Int(seed.mode);
    writer.Double(seed.maturity).Double(seed.quality).Double(seed.probe);
    writer.Double(seed.contribution).Double(seed.previous_contribution);
    writer.Int(seed.age).Int(seed.epochs_in_stage);
  }
  writer.Stream(stream_);
  return writer.str();
}

void SeedGardenEnv::LoadState(const std::string& text) {
  StateReader reader(text, kStateTag, name());
  reader.Int(num_slots_, num_slots_);
  reader.Int(options_.episode_length, options_.episode_length);
  const int64_t epoch = reader.Int(0, options_.episode_length);
  const bool in_episode = reader.Int(0, 1) == 1;
  const double ceiling = reader.Double();
  const double tau = reader.Double();
  std::vector<double> history(reader.Int(epoch + 1, epoch + 1));
  for (double& accuracy : history) accuracy = reader.Double();
  std::vector<GardenSeed> seeds(num_slots_);
  constexpr int64_t kMaxTicks = 1'000'000;
  for (GardenSeed& seed : seeds) {
    seed.stage = static_cast<Stage>(reader.Int(kDormant, kNumStages - 1));
    seed.blueprint = static_cast<int>(reader.Int(0, kNumBlueprints - 1));
    seed.style = static_cast<int>(reader.Int(0, kNumStyles - 1));
    seed.tempo = static_cast<int>(reader.Int(0, kNumTempos - 1));
    seed.curve = static_cast<int>(reader.Int(0, kNumAlphaCurves - 1));
    seed.benefit = reader.Double();
    seed.params = reader.Double();
    seed.alpha = reader.Double();
    seed.alpha_target = reader.Double();
    seed.ramp_start = reader.Double();
    seed.ramp_ticks = reader.Int(0, kMaxTicks);
    seed.ramp_elapsed = reader.Int(0, kMaxTicks);
    seed.mode = static_cast<AlphaMode>(reader.Int(kHold, kDown));
    seed.maturity = reader.Double();
    seed.quality = reader.Double();
    seed.probe = reader.Double();
    seed.contribution = reader.Double();
    seed.previous_contribution = reader.Double();
    seed.age = reader.Int(0, kMaxTicks);
    seed.epochs_in_stage = reader.Int(0, kMaxTicks);
  }
  const std::string stream = reader.Stream();
  reader.Finish();
  epoch_ = epoch;
  in_episode_ = in_episode;
  host_ceiling_ = ceiling;
  host_tau_ = tau;
  acc_history_ = std::move(history);
  seeds_ = std::move(seeds);
  stream_.LoadState(stream);
}

std::vector<int64_t> AlwaysWaitAction(const ActionSpec& spec, std::span<const uint8_t> masks) {
  // the first valid choice of every head, then op WAIT
  std::vector<int64_t> action(spec.num_heads(), 0);
  int offset = 0;
  for (int head_idx = 0; head_idx < spec.num_heads(); ++head_idx) {
    const int size = spec.head_sizes[head_idx];
    for (int choice = 0; choice < size; ++choice) {
      if (masks[offset + choice]) {
        action[head_idx] = choice;
        break;
      }
    }
    offset += size;
  }
  action[kOpHead] = kWait;
  return action;
}

std::vector<int64_t> RandomValidAction(const ActionSpec& spec, std::span<const uint8_t> masks,
                                       rl::RandomStream& random) {
  std::vector<int64_t> action(spec.num_heads(), 0);
  std::vector<int> valid;
  int offset = 0;
  for (int head_idx = 0; head_idx < spec.num_heads(); ++head_idx) {
    const int size = spec.head_sizes[head_idx];
    valid.clear();
    for (int choice = 0; choice < size; ++choice) {
      if (masks[offset + choice]) valid.push_back(choice);
    }
    if (valid.empty()) {
      throw std::runtime_error("RandomValidAction: head '" + spec.head_names[head_idx] +
                               "' has no valid choice");
    }
    action[head_idx] = valid[random.Below(valid.size())];
    offset += size;
  }
  if (spec.HasConditionalMask()) {
    // the conditional head again, among the choices the drawn condition allows
    const int conditional = spec.HeadIndex(spec.conditional_head);
    const int size = spec.head_sizes[conditional];
    const int conditional_offset =
        std::accumulate(spec.head_sizes.begin(), spec.head_sizes.begin() + conditional, 0);
    const std::span<const uint8_t> allowed =
        masks.subspan(offset + action[spec.HeadIndex(spec.condition_head)] * size, size);
    valid.clear();
    for (int choice = 0; choice < size; ++choice) {
      if (masks[conditional_offset + choice] && allowed[choice]) valid.push_back(choice);
    }
    if (valid.empty()) {
      throw std::runtime_error("RandomValidAction: head '" + spec.conditional_head +
                               "' has no valid choice for the drawn '" + spec.condition_head + "'");
    }
    action[conditional] = valid[random.Below(valid.size())];
  }
  return action;
}

std::vector<int64_t> HeuristicAction(const SeedGardenOptions& options, const ActionSpec& spec,
                                     std::span<const float> obs, std::span<const uint8_t> masks) {
  // the slots' stages and epochs, read from the observation
  const int num_slots = spec.head_sizes[kSlotHead];
  const double length = static_cast<double>(options.episode_length);
  const auto block = [&](int slot) { return obs.subspan(kBaseFeatures + slot * kSlotFeatures); };
  const auto stage_of = [&](int slot) {
    for (int stage = 0; stage < kNumStages; ++stage) {
      if (block(slot)[kStageOffset + stage] > 0.5f) return static_cast<Stage>(stage);
    }
    return kUnknown;
  };
  const auto epochs_in_stage = [&](int slot) {
    return std::lround(block(slot)[kScalarOffset + kEpochsInStageScalar] * length);
  };
  const int64_t epochs_left = std::lround((1.0 - obs[0]) * length);
  int op_offset = 0;
  for (int head_idx = 0; head_idx < kOpHead; ++head_idx) op_offset += spec.head_sizes[head_idx];
  const auto op_valid = [&](Op op) { return masks[op_offset + op] != 0; };

  std::vector<int64_t> action = AlwaysWaitAction(spec, masks);
  const auto choose = [&](int slot, Op op) {
    action[kSlotHead] = slot;
    action[kOpHead] = op;
    return action;
  };
  // fossilize a holding seed
  for (int slot = 0; slot < num_slots; ++slot) {
    if (stage_of(slot) == kHolding && op_valid(kFossilize)) return choose(slot, kFossilize);
  }
  // advance a germinated seed, or a training one that has trained long enough
  for (int slot = 0; slot < num_slots; ++slot) {
    const Stage stage = stage_of(slot);
    if (!op_valid(kAdvance)) break;
    if (stage == kGerminated) return choose(slot, kAdvance);
    if (stage == kTraining && epochs_in_stage(slot) >= kHeuristicTrainEpochs) {
      return choose(slot, kAdvance);
    }
  }
  // germinate the best-looking blueprint while there is time to blend it
  if (op_valid(kGerminate) && epochs_left >= kHeuristicMinEpochsLeft) {
    for (int slot = 0; slot < num_slots; ++slot) {
      if (stage_of(slot) != kDormant) continue;
      action[kBlueprintHead] = kBottleneck;
      action[kStyleHead] = kSigmoidAddStyle;
      action[kTempoHead] = 1;
      action[kAlphaTargetHead] = kFullAlphaTarget;
      action[kAlphaCurveHead] = 0;
      return choose(slot, kGerminate);
    }
  }
  return action;
}

GardenPolicy AlwaysWaitPolicy() {
  return [](const ActionSpec& spec, std::span<const float>, std::span<const uint8_t> masks,
            rl::RandomStream&) { return AlwaysWaitAction(spec, masks); };
}

GardenPolicy RandomValidPolicy() {
  return [](const ActionSpec& spec, std::span<const float>, std::span<const uint8_t> masks,
            rl::RandomStream& random) { return RandomValidAction(spec, masks, random); };
}

GardenPolicy HeuristicPolicy(const SeedGardenOptions& options) {
  return
      [options](const ActionSpec& spec, std::span<const float> obs, std::span<const uint8_t> masks,
                rl::RandomStream&) { return HeuristicAction(options, spec, obs, masks); };
}

std::vector<double> GardenPolicyReturns(const SeedGardenOptions& options,
                                        const GardenPolicy& policy, int num_episodes,
                                        uint64_t first_seed) {
  if (num_episodes < 1) throw std::runtime_error("GardenPolicyReturns: num_episodes < 1");
  std::vector<double> returns;
  for (int episode = 0; episode < num_episodes; ++episode) {
    // a fresh env and policy stream per episode, from the episode's seed
    const uint64_t seed = first_seed + static_cast<uint64_t>(episode);
    SeedGardenEnv env(options, seed, "eval");
    rl::RandomStream random(seed, "eval/policy");
    std::vector<float> obs(env.obs_dim());
    std::vector<uint8_t> masks(env.action_spec().mask_size());
    env.Reset(obs);
    double total = 0.0;
    for (;;) {
      env.WriteMasks(masks);
      const std::vector<int64_t> action = policy(env.action_spec(), obs, masks, random);
      const StepResult result = env.Step(Action{.discrete = action}, obs);
      total += result.reward;
      if (result.terminated || result.truncated) break;
    }
    returns.push_back(total);
  }
  return returns;
}

double EvaluateGardenPolicy(const SeedGardenOptions& options, const GardenPolicy& policy,
                            int num_episodes, uint64_t first_seed) {
  if (num_episodes < 1) throw std::runtime_error("EvaluateGardenPolicy: num_episodes < 1");
  const std::vector<double> returns =
      GardenPolicyReturns(options, policy, num_episodes, first_seed);
  return std::accumulate(returns.begin(), returns.end(), 0.0) / num_episodes;
}

}  // namespace orch::envs
