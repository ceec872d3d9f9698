// src/envs/env_options.h: the settings of every environment (`env.*`), chosen by `env.name`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/schema.h"

namespace orch::envs {

/// DMControl-style MuJoCo tasks (tdmpc2.md §9-12): cheetah-run, walker-walk, pendulum-swingup.
struct DmcTaskOptions {
  std::string name = "cheetah-run";  ///< the task
  int64_t action_repeat = 2;         ///< control steps per agent decision (rewards summed)
  int64_t episode_length = 1000;     ///< control steps per episode (time limit / control dt)
};

/// The controlled pendulum of the TAM notes (tam.md §9): two regimes, no reward.
struct ControlledPendulumOptions {
  std::string name = "controlled-pendulum";
  double dt = 0.05;                         ///< semi-implicit Euler step (s)
  double gravity = 9.8;                     ///< regime 0 gravity term
  double friction = 0.1;                    ///< regime 0 friction
  double gravity_regime1 = 25.0;            ///< regime 1 gravity term
  double friction_regime1 = 1.5;            ///< regime 1 friction
  double gain_regime1 = 1.25;               ///< regime 1 actuator gain (after the sign flip)
  double dead_zone_regime1 = 0.0;           ///< regime 1 dead zone width (0 = off)
  bool invert_regime1 = true;               ///< regime 1 inverts the action sign
  double noise_std = 0.005;                 ///< Gaussian noise added to theta and omega per step
  double reset_theta = 0.7853981633974483;  ///< initial angle (pi/4; 0 = hanging down)
  double reset_omega = 0.0;                 ///< initial angular velocity
  double max_action = 2.0;                  ///< actions are clipped to +-max_action
  bool switch_mid_episode = true;           ///< flip the regime with switch_prob before each step
  double switch_prob = 0.15;                ///< per-step regime flip probability
  int64_t regime_block = 1000;              ///< episode i starts in regime (i / regime_block) % 2
};

/// CartPole-v1 (Gymnasium facts, ppo-policy.md §6.3).
struct CartPoleOptions {
  std::string name = "cartpole";
  int64_t max_episode_steps = 500;  ///< truncation
  bool hide_velocity = false;       ///< observe (x, theta) only: the LSTM check
};

/// Pendulum-v1 (Gymnasium facts, ppo-policy.md §6.3).
struct PendulumOptions {
  std::string name = "pendulum";
  int64_t max_episode_steps = 200;
  double max_speed = 8.0;
  double max_torque = 2.0;
  double dt = 0.05;
  double gravity = 10.0;
  double mass = 1.0;
  double length = 1.0;
};

/// The masked identity task of MaskablePPO (ppo-policy.md §6.2).
struct InvalidActionOptions {
  std::string name = "invalid-action";
  int64_t dim = 80;          ///< actions (and states)
  int64_t num_invalid = 60;  ///< masked actions per step
  int64_t episode_length = 100;
  int64_t num_heads = 1;  ///< > 1: the multi-discrete variant
};

/// The synthetic "seed garden" stand-in for Esper's host training (ppo-policy.md §8).
struct SeedGardenOptions {
  std::string name = "seed-garden";
  int64_t num_slots = 3;          ///< slots a seed can grow in
  int64_t episode_length = 25;    ///< host epochs per episode
  double param_rent = 0.5;        ///< rent per unit of added parameters
  double rent_cap = 8.0;          ///< cap of the rent term
  double shaping_weight = 0.3;    ///< potential-based stage shaping
  double germinate_cost = 0.02;   ///< per-op cost of GERMINATE
  double fossilize_cost = 0.01;   ///< per-op cost of FOSSILIZE
  double prune_cost = 0.005;      ///< per-op cost of PRUNE
  double set_alpha_cost = 0.005;  ///< per-op cost of SET_ALPHA_TARGET
  int64_t seed_cap = 0;           ///< seeds alive at once (GERMINATED..FOSSILIZED); 0 = num_slots
  double shaping_gamma = 0.995;   ///< discount of the potential-based shaping
  double terminal_acc_weight = 0.05;  ///< weight of the final accuracy (points) at the last epoch
  double benefit_noise = 0.3;         ///< relative std of a seed's benefit around its blueprint's
  std::string slot_masks = "optimistic";  ///< optimistic (Esper) | per_op: slots per chosen op
};

/// The env names each schema serves, for the `env` variant of the root schema (env_list.h).
std::vector<std::pair<std::string, const config::Schema*>> EnvSchemas();

/// Names of the DMControl tasks (the envs TD-MPC2 runs on; env_list.h).
const std::vector<std::string>& DmcTaskNames();

/// The seed garden's eight action heads, in the order of its actions.
const std::vector<std::string>& SeedGardenHeadNames();
/// The invalid-action task's heads: "action" alone, or head0, head1, ... when several.
std::vector<std::string> InvalidActionHeadNames(int64_t num_heads);
/// The action heads of the env a validated `env` section describes, by the names a policy's
/// heads take ("action" for one discrete head and for continuous actions): what the front end
/// checks per-head settings against before a run starts. The envs name their heads from it.
std::vector<std::string> ActionHeadNames(const config::Node& env);

const config::Schema& DmcTaskSchema();
const config::Schema& ControlledPendulumSchema();
const config::Schema& CartPoleSchema();
const config::Schema& PendulumSchema();
const config::Schema& InvalidActionSchema();
const config::Schema& SeedGardenSchema();

}  // namespace orch::envs
