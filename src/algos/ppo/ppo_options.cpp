// src/algos/ppo/ppo_options.cpp
#include "algos/ppo/ppo_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "algos/ppo/policy/policy_list.h"
#include "common/string_util.h"
#include "config/key_path.h"
#include "envs/env_options.h"

namespace orch::ppo {
namespace {

using config::Node;

std::vector<std::string> PolicyTypes() {
#define ORCH_POLICY_TYPE(type, factory, description) #type,
  return {ORCH_PPO_POLICIES(ORCH_POLICY_TYPE)};
#undef ORCH_POLICY_TYPE
}

std::unique_ptr<config::Schema> BuildPolicySchema() {
  config::SchemaBuilder<PolicyOptions> b(
      "ppo.policy", "the policy bundle PPO receives from the registry and factory");
  using O = PolicyOptions;
  b.Field("type", &O::type, "the policy bundle, by its registered name (policy/policy_list.h)")
      .Choices(PolicyTypes());
  b.Field("feature_dim", &O::feature_dim, "feature net width (lstm)").Range(1, 16384);
  b.Field("lstm_hidden_dim", &O::lstm_hidden_dim, "LSTM hidden size (lstm)").Range(1, 16384);
  b.Field("head_hidden_dim", &O::head_hidden_dim, "hidden width of each head (lstm)")
      .Range(1, 16384);
  b.Field("hidden_sizes", &O::hidden_sizes, "actor and critic MLP widths (mlp)")
      .Range(1, 16384)
      .MinItems(1)
      .MaxItems(16);
  b.Field("activation", &O::activation, "MLP activation (mlp)").Choices({"tanh", "relu"});
  b.Field("hidden_gain", &O::hidden_gain, "orthogonal init gain of hidden layers").Positive();
  b.Field("actor_out_gain", &O::actor_out_gain, "orthogonal init gain of actor outputs").Positive();
  b.Field("value_out_gain", &O::value_out_gain, "orthogonal init gain of the value output")
      .Positive();
  b.Field("log_std_init", &O::log_std_init, "initial state-independent log-std (continuous)");
  b.Field("mask_fill", &O::mask_fill, "logit of masked actions (-1e4: float32-safe)").Max(-1e3);
  b.Field("compile_mode", &O::compile_mode, "graph compilation; LibTorch 1.13 has none")
      .Choices({"off"});
  b.Field("device", &O::device, "where the network lives").Choices({"cpu"});
  return b.Build();
}

std::unique_ptr<config::Schema> BuildSchema() {
  config::SchemaBuilder<PpoOptions> b("ppo", "PPO with an injected PolicyBundle (ppo-policy.md)");
  using O = PpoOptions;
  b.Field("total_steps", &O::total_steps, "environment steps of training, all envs").Min(1);
  b.Field("num_envs", &O::num_envs, "parallel environments").Range(1, 4096);
  b.Field("num_steps", &O::num_steps, "rollout length per env and update").Range(1, 1'000'000);
  b.Field("lr", &O::lr, "Adam learning rate").Positive();
  b.Field("adam_eps", &O::adam_eps, "Adam epsilon").Positive();
  b.Field("anneal_lr", &O::anneal_lr, "decay the learning rate linearly to 0");
  b.Field("weight_decay", &O::weight_decay, "Adam weight decay").NonNegative();
  b.Field("gamma", &O::gamma, "discount").Range(0, 1);
  b.Field("gae_lambda", &O::gae_lambda, "GAE lambda").Range(0, 1);
  b.Field("num_minibatches", &O::num_minibatches, "minibatches per epoch").Min(1);
  b.Field("update_epochs", &O::update_epochs, "epochs per update (feed-forward policies)").Min(1);
  b.Field("recurrent_epochs", &O::recurrent_epochs, "epochs per update (recurrent policies)")
      .Min(1);
  b.Field("norm_adv", &O::norm_adv, "normalise advantages");
  b.Field("adv_norm_scope", &O::adv_norm_scope,
          "minibatch: per minibatch (CleanRL); buffer: once per rollout (Esper)")
      .Choices({"minibatch", "buffer"});
  b.Field("clip_coef", &O::clip_coef, "surrogate clip ratio").Positive();
  b.Field("clip_vloss", &O::clip_vloss, "clip the value loss around the old values");
  b.Field("value_clip", &O::value_clip, "value clip range").Positive();
  b.Field("ent_coef", &O::ent_coef, "entropy bonus weight (its start, when ent_coef_final is set)")
      .NonNegative();
  b.Field("ent_coef_final", &O::ent_coef_final,
          "decay ent_coef linearly to this floor (Esper: 0.05 to 0.01); null = constant")
      .NonNegative();
  b.Field("ent_anneal_fraction", &O::ent_anneal_fraction,
          "share of training over which ent_coef decays to ent_coef_final, then stays")
      .Above(0)
      .Max(1);
  b.Field("normalize_entropy", &O::normalize_entropy,
          "divide each head's entropy by log(#valid actions) (Esper)");
  b.Field("ent_head_coef", &O::ent_head_coef,
          "per action head, its multiple of ent_coef (Esper's per-head entropy coefficients), "
          "e.g. {blueprint: 1.3}; a head not named keeps 1")
      .NonNegative();
  b.Field("vf_coef", &O::vf_coef, "value loss weight").NonNegative();
  b.Field("max_grad_norm", &O::max_grad_norm, "global gradient-norm clip").Positive();
  b.Field("target_kl", &O::target_kl, "KL target for early stopping; null = no early stop")
      .Positive();
  b.Field("kl_stop_factor", &O::kl_stop_factor,
          "stop the epoch when approx-KL > kl_stop_factor * target_kl (checked before the step)")
      .Positive();
  b.Field("factored_objective", &O::factored_objective,
          "per_head: a ratio per action head (Esper); joint_sum: summed log-probs (SB3)")
      .Choices({"per_head", "joint_sum"});
  b.Field("bootstrap", &O::bootstrap,
          "what ends bootstrapping: terminated (Gymnasium) or terminated_or_truncated (CleanRL)")
      .Choices({"terminated", "terminated_or_truncated"});
  b.Field("norm_obs", &O::norm_obs,
          "normalise observations by the running mean and variance of every training "
          "observation, clipped to clip_obs (Gymnasium's NormalizeObservation; evaluation uses "
          "the statistics as they stand)");
  b.Field("clip_obs", &O::clip_obs, "clip of the normalised observations").Positive();
  b.Field("norm_reward", &O::norm_reward,
          "divide rewards by the running sd of each env's discounted return, clipped to "
          "clip_reward (Gymnasium's NormalizeReward); episode returns are logged unscaled");
  b.Field("clip_reward", &O::clip_reward, "clip of the scaled rewards").Positive();
  b.Field("eval_episodes", &O::eval_episodes, "deterministic evaluation episodes")
      .Range(1, 100'000);
  b.Field("eval_every", &O::eval_every, "environment steps between evaluations").Min(1);
  b.Field("eval_seed", &O::eval_seed,
          "evaluation episode i runs a fresh env seeded eval_seed + i (stream \"eval\"), the same "
          "episodes for every run and for the baselines; null: episodes from the run's seed")
      .Range(0, 1e15);
  b.Field("eval_deterministic", &O::eval_deterministic,
          "evaluate the policy's mode (argmax, the Gaussian mean); false: sample its actions");
  b.Field("checkpoint_every", &O::checkpoint_every,
          "environment steps between checkpoints (0: only when stopped and at the end)")
      .Min(0);
  b.Section("policy", &O::policy, PolicySchema(), "the injected policy bundle");
  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    const Node* envs = section.Find("num_envs");
    const Node* steps = section.Find("num_steps");
    const Node* minibatches = section.Find("num_minibatches");
    if (!envs || !steps || !minibatches || !envs->IsInt() || !steps->IsInt() ||
        !minibatches->IsInt() || minibatches->AsInt() <= 0) {
      return;
    }
    int64_t batch = envs->AsInt() * steps->AsInt();
    if (batch % minibatches->AsInt() != 0) {
      diagnostics.Error(minibatches->origin(), path + ".num_minibatches",
                        fmt::format("must divide the batch num_envs * num_steps = {}, got {}",
                                    batch, minibatches->AsInt()),
                        {}, "rule");
    }
  });
  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    const Node* final_coef = section.Find("ent_coef_final");
    const Node* fraction = section.Find("ent_anneal_fraction");
    if (final_coef != nullptr && final_coef->IsNull() && fraction != nullptr &&
        fraction->IsNumber() && fraction->AsDouble() > 0.0 && fraction->AsDouble() < 1.0) {
      diagnostics.Warning(fraction->origin(), path + ".ent_anneal_fraction",
                          "has no effect while ent_coef_final is null (the coefficient is "
                          "constant)",
                          fmt::format("Set {}.ent_coef_final to the floor to decay to", path),
                          "rule");
    }
  });
  return b.Build();
}

}  // namespace

const config::Schema& PolicySchema() {
  static const std::unique_ptr<config::Schema> schema = BuildPolicySchema();
  return *schema;
}

const config::Schema& PpoSchema() {
  static const std::unique_ptr<config::Schema> schema = BuildSchema();
  return *schema;
}

void CheckPolicyFitsEnv(config::Node& root, Diagnostics& diagnostics) {
  const Node* type = config::FindPath(root, "ppo.policy.type");
  const Node* env = config::FindPath(root, "env.name");
  if (type == nullptr || env == nullptr || !type->IsString() || !env->IsString()) return;
  if (type->AsString() == "lstm" && env->AsString() == "pendulum") {
    diagnostics.Error(type->origin(), "ppo.policy.type",
                      "the lstm bundle takes discrete actions, and env 'pendulum' has continuous "
                      "ones",
                      "Use ppo.policy.type=mlp (Gaussian actions) on pendulum", "rule");
  }
  const Node* slot_masks = config::FindPath(root, "env.slot_masks");
  if (type->AsString() == "mlp" && slot_masks != nullptr && slot_masks->IsString() &&
      slot_masks->AsString() == "per_op") {
    diagnostics.Error(slot_masks->origin(), "env.slot_masks",
                      "the mlp bundle draws its heads independently, so it cannot choose the slot "
                      "among those the drawn op allows",
                      "Use ppo.policy.type=lstm (op first), or env.slot_masks=optimistic", "rule");
  }
}

void CheckEntropyHeads(config::Node& root, Diagnostics& diagnostics) {
  const Node* coefficients = config::FindPath(root, "ppo.ent_head_coef");
  const Node* env = root.Find("env");
  if (coefficients == nullptr || !coefficients->IsMap() || env == nullptr || !env->IsMap()) {
    return;
  }
  const std::vector<std::string> heads = envs::ActionHeadNames(*env);
  if (heads.empty()) return;  // no env name: reported by the env schema
  const std::string env_name = env->Find("name")->AsString();
  for (const auto& entry : coefficients->Entries()) {
    if (std::find(heads.begin(), heads.end(), entry.key) != heads.end()) continue;
    std::string suggestion = DidYouMeanSentence(entry.key, heads);
    diagnostics.Error(
        entry.key_origin, config::JoinKey("ppo.ent_head_coef", entry.key),
        fmt::format("env '{}' has no action head '{}'; its heads: {}", env_name, entry.key,
                    Join(heads, ", ")),
        suggestion.empty() ? fmt::format("Name one of: {}", Join(heads, ", ")) : suggestion,
        "rule");
  }
}

}  // namespace orch::ppo
