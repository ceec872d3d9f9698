// src/algos/tdmpc2/tdmpc2_options.h: every TD-MPC2 setting (`tdmpc2.*`), its defaults and schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/node.h"
#include "config/schema.h"

namespace orch::tdmpc2 {

/// TD-MPC2 (single task, state observations), defaults of nicklashansen/tdmpc2 (tdmpc2.md §1).
/// Step counts are agent steps (one decision = action_repeat control steps); metrics are logged
/// against environment steps.
struct TdMpc2Options {
  // model
  int64_t model_size = 5;                 ///< preset: 1, 5, 19, 48 or 317 (million params)
  std::optional<int64_t> enc_dim;         ///< encoder width; null = from model_size
  std::optional<int64_t> mlp_dim;         ///< hidden width of every head; null = preset
  std::optional<int64_t> latent_dim;      ///< latent size; null = preset
  std::optional<int64_t> num_enc_layers;  ///< encoder layers; null = preset
  std::optional<int64_t> num_q;           ///< Q-ensemble members; null = preset
  int64_t simnorm_dim = 8;                ///< SimNorm group size
  double dropout = 0.01;                  ///< dropout in the first Q layer
  int64_t num_bins = 101;                 ///< two-hot bins of reward and value
  double vmin = -10.0;                    ///< lowest bin, in symlog space
  double vmax = 10.0;                     ///< highest bin, in symlog space
  int64_t task_dim = 0;                   ///< task embedding size (single-task: 0)
  int64_t num_channels = 32;              ///< conv channels (pixel observations only)
  std::string obs = "state";              ///< observation type
  bool episodic = false;                  ///< learn a termination head
  // training
  int64_t steps = 10'000'000;         ///< agent steps of training
  int64_t batch_size = 256;           ///< windows per update
  int64_t buffer_size = 1'000'000;    ///< replay capacity (entries)
  std::optional<int64_t> seed_steps;  ///< random-action steps; null = max(1000, 5 * ep)
  int64_t eval_episodes = 10;         ///< episodes per evaluation
  int64_t eval_freq = 50'000;         ///< agent steps between evaluations
  // losses
  double consistency_coef = 20.0;  ///< latent consistency weight
  double reward_coef = 0.1;        ///< reward CE weight
  double value_coef = 0.1;         ///< value CE weight
  double termination_coef = 1.0;   ///< termination BCE weight (episodic only)
  double rho = 0.5;                ///< per-step decay of the horizon losses
  // optimisation
  double lr = 3e-4;              ///< Adam learning rate
  double enc_lr_scale = 0.3;     ///< encoder lr = lr * enc_lr_scale
  double grad_clip_norm = 20.0;  ///< global gradient-norm clip
  double tau = 0.01;             ///< Polyak rate of the target Q
  // discount heuristic
  double discount_denom = 5.0;  ///< frac = episode length / discount_denom
  double discount_min = 0.95;   ///< lower clip of the discount
  double discount_max = 0.995;  ///< upper clip of the discount
  // planning (MPPI)
  bool mpc = true;            ///< plan (false: act with the policy prior)
  int64_t iterations = 6;     ///< MPPI iterations per decision
  int64_t num_samples = 512;  ///< sampled action sequences
  int64_t num_elites = 64;    ///< elites per iteration
  int64_t num_pi_trajs = 24;  ///< sequences drawn from the policy prior
  int64_t horizon = 3;        ///< planning and training horizon
  double min_std = 0.05;      ///< lower clamp of the sampling std
  double max_std = 2.0;       ///< initial and upper std
  double temperature = 0.5;   ///< elite score temperature
  // policy prior
  double log_std_min = -10.0;            ///< lower bound of the policy log-std
  double log_std_max = 2.0;              ///< upper bound of the policy log-std
  double entropy_coef = 1e-4;            ///< entropy bonus of the policy loss
  std::string entropy_variant = "head";  ///< head: HEAD's scaled entropy; v2023: first commit
  bool compile = false;                  ///< torch.compile (no LibTorch equivalent)
};

/// The schema of `tdmpc2.*`, with its cross-field rules.
const config::Schema& TdMpc2Schema();

/// Architecture sizes after applying the model-size preset (tdmpc2.md §2).
struct ModelSizes {
  int64_t enc_dim;
  int64_t mlp_dim;
  int64_t latent_dim;
  int64_t num_enc_layers;
  int64_t num_q;
};

/// The preset of `model_size` with any explicit override; nullopt for an unknown size.
std::optional<ModelSizes> ResolveModelSizes(const TdMpc2Options& options);

/// TD-MPC2's discount heuristic (tdmpc2.md §5): with frac = agent_steps_per_episode /
/// discount_denom, gamma = clip((frac - 1) / frac, discount_min, discount_max).
double PrimaryDiscount(double agent_steps_per_episode, double discount_denom, double discount_min,
                       double discount_max);

/// How the primary discount was derived, for messages and --explain.
struct PrimaryDiscountDerivation {
  double value = 0.0;
  std::string explanation;  ///< "episode_length 1000 / action_repeat 2 = 500 agent steps, ..."
};

/// The primary discount of a composed config from `env.episode_length`, `env.action_repeat` and
/// the `tdmpc2.discount_*` keys; nullopt when those are not valid numbers.
std::optional<PrimaryDiscountDerivation> DerivePrimaryDiscount(const config::Node& root);

/// Lines describing the values derived from a validated TD-MPC2 config (primary discount, seed
/// steps, model sizes, bin size), shown by `orch compose`; empty for other algorithms.
std::vector<std::string> DescribeDerivedValues(const config::Node& root);

/// `max(1000, 5 * agent_steps_per_episode)` unless set explicitly.
int64_t SeedSteps(const TdMpc2Options& options, int64_t agent_steps_per_episode);

}  // namespace orch::tdmpc2
