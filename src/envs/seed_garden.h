// src/envs/seed_garden.h: the synthetic "seed garden", a CPU-cheap stand-in for Esper's
// morphogenetic host training (ppo-policy.md §4, §8), and its baseline policies.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envs/env.h"
#include "envs/env_options.h"
#include "rl/seeding.h"

namespace orch::envs {

/// The seed garden's facts: heads, ops, stages, blueprints and the observation layout.
namespace garden {

/// The heads, in action order.
enum Head : int {
  kSlotHead = 0,  ///< which slot the op targets (num_slots)
  kBlueprintHead,
  kStyleHead,
  kTempoHead,
  kAlphaTargetHead,
  kAlphaSpeedHead,
  kAlphaCurveHead,
  kOpHead,
  kNumHeads,
};
constexpr int kNumBlueprints = 13;
constexpr int kNumStyles = 4;
constexpr int kNumTempos = 3;
constexpr int kNumAlphaTargets = 3;
constexpr int kNumAlphaSpeeds = 4;
constexpr int kNumAlphaCurves = 3;
constexpr int kNumOps = 6;

/// The lifecycle ops (the op head).
enum Op : int {
  kWait = 0,
  kGerminate = 1,
  kSetAlphaTarget = 2,
  kPrune = 3,
  kFossilize = 4,
  kAdvance = 5,
};

/// The seed stages; the value is the index in the observation's 10-way stage one-hot (kUnknown
/// keeps Esper's layout and is never used).
enum Stage : int {
  kUnknown = 0,
  kDormant,
  kGerminated,
  kTraining,
  kBlending,
  kHolding,
  kFossilized,
  kPruned,
  kEmbargoed,
  kResetting,
  kNumStages,
};

/// Where alpha is going: a BLENDING seed ramps UP or DOWN, every other seed HOLDs.
enum AlphaMode : int { kHold = 0, kUp = 1, kDown = 2 };

/// Blueprint indices (Esper's BlueprintAction); the CNN set 1..7 is valid, NOOP and the
/// transformer blueprints 8..12 are always masked.
enum Blueprint : int {
  kNoop = 0,
  kConvLight,
  kAttention,
  kNorm,
  kDepthwise,
  kBottleneck,
  kConvSmall,
  kConvHeavy,
};
constexpr int kFirstValidBlueprint = kConvLight;
constexpr int kLastValidBlueprint = kConvHeavy;

/// Style index of (sigmoid, ADD), the only style left when neither GERMINATE nor
/// SET_ALPHA_TARGET is possible.
constexpr int kSigmoidAddStyle = 2;
/// alpha_target index of FULL (1.0), the only target left in that case.
constexpr int kFullAlphaTarget = 2;

/// Choice values of the heads.
constexpr std::array<int, kNumTempos> kTempoEpochs = {3, 5, 8};
constexpr std::array<double, kNumAlphaTargets> kAlphaTargets = {0.5, 0.7, 1.0};
constexpr std::array<int, kNumAlphaSpeeds> kAlphaSpeedTicks = {0, 3, 5, 8};

/// A blueprint's nominal effect: accuracy points it adds when mature and fully blended, and
/// its parameters as a fraction of the host's.
struct BlueprintEffect {
  double benefit = 0.0;
  double params = 0.0;
};
/// The fixed table (the masked blueprints have no effect).
const std::array<BlueprintEffect, kNumBlueprints>& BlueprintTable();
/// Per style: factors on a seed's benefit and on its parameters.
const std::array<BlueprintEffect, kNumStyles>& StyleTable();

/// Observation layout: kBaseFeatures host features, then kSlotFeatures per slot.
constexpr int kBaseFeatures = 23;
constexpr int kSlotFeatures = 39;
/// Inside a slot's block: the active flag, the stage one-hot, the scalars, the blueprint one-hot.
constexpr int kActiveOffset = 0;
constexpr int kStageOffset = 1;
constexpr int kScalarOffset = kStageOffset + kNumStages;
constexpr int kNumSlotScalars = 15;
constexpr int kBlueprintOffset = kScalarOffset + kNumSlotScalars;
static_assert(kBlueprintOffset + kNumBlueprints == kSlotFeatures);
/// The slot scalars, in order.
enum SlotScalar : int {
  kAlphaScalar = 0,          ///< alpha
  kAlphaTargetScalar,        ///< alpha target
  kAlphaModeScalar,          ///< +1 up, -1 down, 0 hold
  kRampProgressScalar,       ///< elapsed / total ramp ticks (0 when not ramping)
  kContributionScalar,       ///< accuracy points the seed adds now / 5
  kContributionDeltaScalar,  ///< its change over the last epoch / 5
  kProbeScalar,              ///< noisy estimate of benefit x maturity (from TRAINING on) / 5
  kMaturityScalar,           ///< how far the seed has trained, in [0, 1]
  kBlendQualityScalar,       ///< 1 - the damage fast alpha changes did, in [0, 1]
  kAgeScalar,                ///< epochs since germination / episode_length
  kEpochsInStageScalar,      ///< epochs in the current stage / episode_length
  kParamsScalar,             ///< the seed's parameters / the host's
  kTempoScalar,              ///< blend tempo in epochs / 8
  kStyleScalar,              ///< style index / 3
  kCurveScalar,              ///< alpha curve index / 2
};

}  // namespace garden

/// One slot's seed (a DORMANT slot holds none; its other fields are then zero).
struct GardenSeed {
  garden::Stage stage = garden::kDormant;
  int blueprint = 0;
  int style = 0;
  int tempo = 0;  ///< index into kTempoEpochs
  int curve = 0;
  double benefit = 0.0;  ///< accuracy points when mature, fully blended and undamaged
  double params = 0.0;   ///< parameters / the host's
  double alpha = 0.0;
  double alpha_target = 1.0;
  double ramp_start = 0.0;  ///< alpha when the current ramp began
  int64_t ramp_ticks = 0;   ///< length of the current ramp (BLENDING only)
  int64_t ramp_elapsed = 0;
  garden::AlphaMode mode = garden::kHold;
  double maturity = 0.0;
  double quality = 1.0;  ///< 1 - blend damage
  double probe = 0.0;
  double contribution = 0.0;
  double previous_contribution = 0.0;
  int64_t age = 0;  ///< epochs completed since the germination epoch
  int64_t epochs_in_stage = 0;

  /// GERMINATED..FOSSILIZED: the seed is part of the model (and pays rent).
  bool IsLive() const;
  /// Accuracy points the seed adds at its current alpha.
  double Contribution() const { return benefit * alpha * maturity * quality; }
};

/// A simulated host network trained for episode_length epochs, one decision per epoch, with
/// num_slots slots where seeds grow (see the .cpp for the model's constants).
///
/// Host: validation accuracy (points) rises from 10 towards a per-episode ceiling (67..73) with
/// a per-episode time constant (a fifth of the episode, +-20%). A seed's contribution is
/// benefit * alpha * maturity * quality; the accuracy is the host's plus the contributions, and
/// at the last epoch only FOSSILIZED seeds count (the others are dropped from the final model).
///
/// Seeds: GERMINATE starts one in an empty slot (stage GERMINATED, alpha 0) with the chosen
/// blueprint, style, tempo, alpha target and curve; its benefit is the blueprint's fixed nominal
/// benefit (BlueprintTable) times the style's factor times (1 + benefit_noise * N(0, 1)), drawn
/// at germination; its parameters are the blueprint's times the style's. ADVANCE moves
/// GERMINATED -> TRAINING and TRAINING -> BLENDING (an alpha ramp to the target over the tempo's
/// epochs along the curve); on a BLENDING seed it does nothing. A ramp that ends moves the seed to
/// HOLDING. Maturity grows by a fifth of what is left each epoch from TRAINING on. Each epoch of a
/// ramp damages the seed's quality by 0.6 * (alpha change)^2, so slow blends end better.
/// FOSSILIZE makes a HOLDING seed permanent. PRUNE removes a seed (its contribution and
/// parameters go); the slot then goes PRUNED (1 epoch) -> EMBARGOED (2) -> RESETTING (1) ->
/// DORMANT. SET_ALPHA_TARGET starts a ramp of a holding seed to a new target over alpha_speed
/// ticks (0: at once). Blueprints differ: conv_small hurts, attention and conv_heavy cost more
/// rent than they add; bottleneck is the best.
///
/// Reward of a step: the change in accuracy (points) + shaping_weight * (shaping_gamma *
/// Phi(s') - Phi(s)) with Phi the sum over slots of Esper's stage potentials - min(rent_cap,
/// param_rent * live seeds' parameters) - the cost of the chosen op + terminal_acc_weight * the
/// final accuracy at the last epoch. Truncated after episode_length steps.
///
/// Masks follow Esper's rules (ppo-policy.md §4); the op mask is optimistic (an op is valid if
/// valid for some slot), and an op that is invalid for the chosen slot is a no-op that still
/// costs its op cost.
class SeedGardenEnv final : public Env {
 public:
  /// Throws OrchError naming the key for num_slots outside [1, 8], episode_length outside
  /// [1, 100000], seed_cap outside [0, num_slots], shaping_gamma outside [0, 1],
  /// benefit_noise outside [0, 2], or a negative weight or cost.
  SeedGardenEnv(const SeedGardenOptions& options, uint64_t run_seed,
                std::string_view stream_name = "env");

  const std::string& name() const override { return options_.name; }
  int obs_dim() const override {
    return garden::kBaseFeatures + garden::kSlotFeatures * num_slots_;
  }
  const ActionSpec& action_spec() const override { return spec_; }
  int64_t max_episode_steps() const override { return options_.episode_length; }

  void Reset(std::span<float> obs) override;
  StepResult Step(const Action& action, std::span<float> obs) override;
  void WriteMasks(std::span<uint8_t> masks) const override;
  /// Esper's causal head masks (ppo-policy.md §5): op always; slot unless WAIT; blueprint and
  /// tempo only on GERMINATE; style and alpha_target on GERMINATE or SET_ALPHA_TARGET;
  /// alpha_speed and alpha_curve on SET_ALPHA_TARGET or PRUNE.
  void WriteHeadRelevance(std::span<const int64_t> action,
                          std::span<uint8_t> relevant) const override;

  std::string SaveState() const override;
  void LoadState(const std::string& state) override;

  int num_slots() const { return num_slots_; }
  const GardenSeed& seed(int slot) const { return seeds_[slot]; }
  /// Epochs completed in this episode.
  int64_t epoch() const { return epoch_; }
  /// The current validation accuracy in points.
  double accuracy() const { return acc_history_.back(); }
  /// The host's accuracy (no seeds) at `epoch` of this episode.
  double HostAccuracy(int64_t epoch) const;
  /// The seed cap in effect (seed_cap, or num_slots when 0).
  int seed_cap() const { return seed_cap_; }

 private:
  /// Applies `op` to `slot` with the other heads' choices; returns the op's cost.
  double ApplyOp(const Action& action);
  /// One host epoch: seed stages, ramps, maturity and probes move on.
  void Tick(const std::vector<bool>& planted_now);
  /// The accuracy after the epoch just ticked (only fossilized seeds at the last one).
  double CurrentAccuracy() const;
  double Potential() const;
  double LiveParams() const;
  /// Whether `op` is valid on `seed`'s slot with `live` seeds alive (the mask rules of
  /// ppo-policy.md §4, slot by slot).
  bool OpAllowedOn(const GardenSeed& seed, int op, int live) const;
  void ComputeMasks(std::span<uint8_t> masks) const;
  void WriteObs(std::span<float> obs) const;

  SeedGardenOptions options_;
  int num_slots_ = 0;
  int seed_cap_ = 0;
  ActionSpec spec_;
  rl::RandomStream stream_;
  // the episode: the host's curve, the accuracies so far (index = epoch) and the slots
  double host_ceiling_ = 70.0;
  double host_tau_ = 5.0;
  std::vector<double> acc_history_ = {10.0};
  std::vector<GardenSeed> seeds_;
  int64_t epoch_ = 0;
  bool in_episode_ = false;
};

/// A policy for the seed garden's evaluation: from the action spec, the observation, the masks
/// (WriteMasks layout) and a random stream, one index per head, valid under the masks.
using GardenPolicy =
    std::function<std::vector<int64_t>(const ActionSpec& spec, std::span<const float> obs,
                                       std::span<const uint8_t> masks, rl::RandomStream& random)>;

/// Baseline: op WAIT, every other head its first valid choice.
std::vector<int64_t> AlwaysWaitAction(const ActionSpec& spec, std::span<const uint8_t> masks);

/// Baseline: every head uniform over its valid choices (works for any masked discrete env); with
/// a conditional mask, the conditional head then uniform over what the drawn condition allows.
std::vector<int64_t> RandomValidAction(const ActionSpec& spec, std::span<const uint8_t> masks,
                                       rl::RandomStream& random);

/// The hand-written heuristic, reading only the observation (and the episode length, to turn
/// its scaled epochs back into counts): FOSSILIZE a HOLDING seed; else ADVANCE a GERMINATED
/// seed, or a TRAINING one after 2 epochs of training; else, with at least 10 epochs left,
/// GERMINATE a bottleneck (sigmoid ADD, tempo 5, alpha 1.0, linear curve) in the first dormant
/// slot; else WAIT. Heads the op does not use take their first valid choice.
std::vector<int64_t> HeuristicAction(const SeedGardenOptions& options, const ActionSpec& spec,
                                     std::span<const float> obs, std::span<const uint8_t> masks);

/// The baselines as GardenPolicy values.
GardenPolicy AlwaysWaitPolicy();
GardenPolicy RandomValidPolicy();
GardenPolicy HeuristicPolicy(const SeedGardenOptions& options);

/// The mean undiscounted return of `policy` over `num_episodes` episodes; episode i runs a fresh
/// env with run seed first_seed + i (stream "eval") and gives the policy the stream
/// (first_seed + i, "eval/policy"), so that a result is reproducible. Throws std::runtime_error
/// when the policy returns a masked or out-of-range action.
double EvaluateGardenPolicy(const SeedGardenOptions& options, const GardenPolicy& policy,
                            int num_episodes, uint64_t first_seed = 1);

/// The same episodes' returns one by one (PPO's `ppo.eval_seed` evaluates the same ones).
std::vector<double> GardenPolicyReturns(const SeedGardenOptions& options,
                                        const GardenPolicy& policy, int num_episodes,
                                        uint64_t first_seed = 1);

}  // namespace orch::envs
