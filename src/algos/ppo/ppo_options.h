// src/algos/ppo/ppo_options.h: PPO and its injected policy (`ppo.*`, `ppo.policy.*`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.h"

namespace orch::ppo {

/// How the policy bundle is built by the registry and factory (ppo-policy.md §1-3).
struct PolicyOptions {
  std::string type = "lstm";                     ///< registry name: lstm | mlp
  int64_t feature_dim = 128;                     ///< feature net width (lstm)
  int64_t lstm_hidden_dim = 128;                 ///< LSTM hidden size (lstm)
  int64_t head_hidden_dim = 64;                  ///< hidden width of each actor/value head (lstm)
  std::vector<int64_t> hidden_sizes = {64, 64};  ///< actor and critic MLP widths (mlp)
  std::string activation = "tanh";               ///< MLP activation (mlp)
  double hidden_gain = 1.4142135623730951;       ///< orthogonal init gain of hidden layers (sqrt 2)
  double actor_out_gain = 0.01;                  ///< orthogonal init gain of the actor outputs
  double value_out_gain = 1.0;                   ///< orthogonal init gain of the value output
  double log_std_init = 0.0;                     ///< state-independent log-std (continuous actions)
  double mask_fill = -1e4;                       ///< logit given to masked actions
  std::string compile_mode = "off";              ///< graph compilation (LibTorch 1.13: off only)
  std::string device = "cpu";                    ///< where the network lives
};

/// PPO (ppo-policy.md §5-6): CleanRL's implementation details with Esper's options.
struct PpoOptions {
  int64_t total_steps = 500'000;             ///< environment steps of training (all envs)
  int64_t num_envs = 4;                      ///< parallel environments
  int64_t num_steps = 128;                   ///< rollout length per env and update
  double lr = 2.5e-4;                        ///< Adam learning rate
  double adam_eps = 1e-5;                    ///< Adam epsilon
  bool anneal_lr = true;                     ///< linear decay of lr to 0
  double weight_decay = 0.0;                 ///< Adam weight decay
  double gamma = 0.99;                       ///< discount
  double gae_lambda = 0.95;                  ///< GAE lambda
  int64_t num_minibatches = 4;               ///< minibatches per epoch
  int64_t update_epochs = 4;                 ///< epochs per update (feed-forward policies)
  int64_t recurrent_epochs = 1;              ///< epochs per update for recurrent policies
  bool norm_adv = true;                      ///< normalise advantages
  std::string adv_norm_scope = "minibatch";  ///< minibatch (CleanRL) | buffer (Esper)
  double clip_coef = 0.2;                    ///< surrogate clip ratio
  bool clip_vloss = true;                    ///< clip the value loss
  double value_clip = 0.2;                   ///< value clip range (Esper: 10.0)
  double ent_coef = 0.01;                    ///< entropy bonus (at the start, when annealed)
  std::optional<double> ent_coef_final;      ///< the floor it decays to; null = constant
  double ent_anneal_fraction = 1.0;          ///< share of training the decay takes
  bool normalize_entropy = false;            ///< entropy / log(#valid) per head (Esper)
  /// Per action head, its multiple of ent_coef (Esper's per-head entropy coefficients); a head
  /// not named keeps 1.
  std::map<std::string, double> ent_head_coef;
  double vf_coef = 0.5;                         ///< value loss weight
  double max_grad_norm = 0.5;                   ///< global gradient-norm clip
  std::optional<double> target_kl;              ///< early stop threshold base; null = none
  double kl_stop_factor = 1.5;                  ///< stop when approx-KL > factor * target_kl
  std::string factored_objective = "per_head";  ///< per_head ratios | joint_sum (SB3)
  std::string bootstrap = "terminated";         ///< terminated | terminated_or_truncated
  bool norm_obs = false;               ///< normalise observations by running statistics (Gymnasium)
  double clip_obs = 10.0;              ///< clip of the normalised observations
  bool norm_reward = false;            ///< scale rewards by the running sd of the discounted return
  double clip_reward = 10.0;           ///< clip of the scaled rewards
  int64_t eval_episodes = 10;          ///< deterministic evaluation episodes
  int64_t eval_every = 50'000;         ///< env steps between evaluations
  std::optional<int64_t> eval_seed;    ///< fixed evaluation episodes; null = run seed
  bool eval_deterministic = true;      ///< evaluate the mode (false: sample actions)
  int64_t checkpoint_every = 100'000;  ///< env steps between checkpoints (0: at the end)
  PolicyOptions policy;                ///< the injected policy bundle
};

const config::Schema& PolicySchema();
const config::Schema& PpoSchema();

/// The rules across `ppo.policy` and `env`: the recurrent `lstm` bundle takes discrete actions
/// only (Pendulum-v1's are continuous: use `mlp`); `mlp` cannot honour the seed garden's per-op
/// slot masks (it does not draw the op first).
void CheckPolicyFitsEnv(config::Node& root, Diagnostics& diagnostics);

/// A cross-namespace rule: every head named in ppo.ent_head_coef is an action head of the env.
void CheckEntropyHeads(config::Node& root, Diagnostics& diagnostics);

}  // namespace orch::ppo
