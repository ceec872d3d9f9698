// src/envs/env_options.cpp
#include "envs/env_options.h"

#include <fmt/format.h>

#include "envs/env_list.h"

namespace orch::envs {
namespace {

using config::Node;

std::unique_ptr<config::Schema> BuildDmcTask() {
  config::SchemaBuilder<DmcTaskOptions> b(
      "env", "a DMControl-style MuJoCo task behind an action repeat (tdmpc2.md §9-12)");
  using O = DmcTaskOptions;
  b.Field("name", &O::name, "the task").Choices(DmcTaskNames());
  b.Field("action_repeat", &O::action_repeat, "control steps per decision (rewards summed)").Min(1);
  b.Field("episode_length", &O::episode_length,
          "control steps per episode (time limit / control timestep)")
      .Range(1, 10'000'000);
  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    const Node* length = section.Find("episode_length");
    const Node* repeat = section.Find("action_repeat");
    if (length && repeat && length->IsInt() && repeat->IsInt() && repeat->AsInt() > 0 &&
        length->AsInt() % repeat->AsInt() != 0) {
      diagnostics.Error(
          repeat->origin(), path + ".action_repeat",
          fmt::format("must divide episode_length ({}), got {}", length->AsInt(), repeat->AsInt()),
          {}, "rule");
    }
  });
  return b.Build();
}

std::unique_ptr<config::Schema> BuildControlledPendulum() {
  config::SchemaBuilder<ControlledPendulumOptions> b(
      "env", "the TAM notes' controlled pendulum with two dynamics regimes (tam.md §9)");
  using O = ControlledPendulumOptions;
  b.Field("name", &O::name, "the env").Choices({"controlled-pendulum"});
  b.Field("dt", &O::dt, "semi-implicit Euler step in seconds").Positive();
  b.Field("gravity", &O::gravity, "regime 0: acc = -gravity sin(theta) - friction omega + a");
  b.Field("friction", &O::friction, "regime 0 friction").NonNegative();
  b.Field("gravity_regime1", &O::gravity_regime1, "regime 1 gravity term");
  b.Field("friction_regime1", &O::friction_regime1, "regime 1 friction").NonNegative();
  b.Field("gain_regime1", &O::gain_regime1, "regime 1 actuator gain");
  b.Field("dead_zone_regime1", &O::dead_zone_regime1, "regime 1 dead-zone width (0 = off)")
      .NonNegative();
  b.Field("invert_regime1", &O::invert_regime1, "regime 1 inverts the sign of the action");
  b.Field("noise_std", &O::noise_std, "std of the noise added to theta and omega each step")
      .NonNegative();
  b.Field("reset_theta", &O::reset_theta, "angle at reset (0 = hanging down)");
  b.Field("reset_omega", &O::reset_omega, "angular velocity at reset");
  b.Field("max_action", &O::max_action, "actions are clipped to +-max_action").Positive();
  b.Field("switch_mid_episode", &O::switch_mid_episode,
          "flip the regime with switch_prob before every step");
  b.Field("switch_prob", &O::switch_prob, "per-step regime flip probability").Range(0, 1);
  b.Field("regime_block", &O::regime_block, "episode i starts in regime (i / regime_block) mod 2")
      .Min(1);
  return b.Build();
}

std::unique_ptr<config::Schema> BuildCartPole() {
  config::SchemaBuilder<CartPoleOptions> b("env", "CartPole-v1 (Gymnasium dynamics)");
  using O = CartPoleOptions;
  b.Field("name", &O::name, "the env").Choices({"cartpole"});
  b.Field("max_episode_steps", &O::max_episode_steps, "truncation").Min(1);
  b.Field("hide_velocity", &O::hide_velocity, "observe (x, theta) only (the LSTM check)");
  return b.Build();
}

std::unique_ptr<config::Schema> BuildPendulum() {
  config::SchemaBuilder<PendulumOptions> b("env", "Pendulum-v1 (Gymnasium dynamics)");
  using O = PendulumOptions;
  b.Field("name", &O::name, "the env").Choices({"pendulum"});
  b.Field("max_episode_steps", &O::max_episode_steps, "truncation").Min(1);
  b.Field("max_speed", &O::max_speed, "angular velocity clip").Positive();
  b.Field("max_torque", &O::max_torque, "torque clip").Positive();
  b.Field("dt", &O::dt, "integration step in seconds").Positive();
  b.Field("gravity", &O::gravity, "g").Positive();
  b.Field("mass", &O::mass, "pole mass").Positive();
  b.Field("length", &O::length, "pole length").Positive();
  return b.Build();
}

std::unique_ptr<config::Schema> BuildInvalidAction() {
  config::SchemaBuilder<InvalidActionOptions> b(
      "env", "identity task with masked actions (MaskablePPO's InvalidActionEnv)");
  using O = InvalidActionOptions;
  b.Field("name", &O::name, "the env").Choices({"invalid-action"});
  b.Field("dim", &O::dim, "number of actions and states").Min(2);
  b.Field("num_invalid", &O::num_invalid, "masked actions per step").Min(0);
  b.Field("episode_length", &O::episode_length, "steps per episode").Min(1);
  b.Field("num_heads", &O::num_heads, "action heads (> 1: multi-discrete)").Min(1);
  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    const Node* dim = section.Find("dim");
    const Node* invalid = section.Find("num_invalid");
    if (dim && invalid && dim->IsInt() && invalid->IsInt() && invalid->AsInt() >= dim->AsInt()) {
      diagnostics.Error(invalid->origin(), path + ".num_invalid",
                        fmt::format("must be below dim ({}) so that a valid action remains, "
                                    "got {}",
                                    dim->AsInt(), invalid->AsInt()),
                        {}, "rule");
    }
  });
  return b.Build();
}

std::unique_ptr<config::Schema> BuildSeedGarden() {
  config::SchemaBuilder<SeedGardenOptions> b(
      "env", "synthetic stand-in for Esper's seed lifecycle on a host model (ppo-policy.md §8)");
  using O = SeedGardenOptions;
  b.Field("name", &O::name, "the env").Choices({"seed-garden"});
  b.Field("num_slots", &O::num_slots, "slots a seed can grow in").Range(1, 8);
  b.Field("episode_length", &O::episode_length, "host epochs per episode").Min(1);
  b.Field("param_rent", &O::param_rent, "rent per unit of added parameters").NonNegative();
  b.Field("rent_cap", &O::rent_cap, "cap of the rent term").NonNegative();
  b.Field("shaping_weight", &O::shaping_weight, "potential-based stage shaping").NonNegative();
  b.Field("germinate_cost", &O::germinate_cost, "cost of GERMINATE").NonNegative();
  b.Field("fossilize_cost", &O::fossilize_cost, "cost of FOSSILIZE").NonNegative();
  b.Field("prune_cost", &O::prune_cost, "cost of PRUNE").NonNegative();
  b.Field("set_alpha_cost", &O::set_alpha_cost, "cost of SET_ALPHA_TARGET").NonNegative();
  b.Field("seed_cap", &O::seed_cap, "seeds alive at once, fossilized included (0 = num_slots)")
      .Range(0, 8);
  b.Field("shaping_gamma", &O::shaping_gamma, "discount of the potential-based stage shaping")
      .Range(0, 1);
  b.Field("terminal_acc_weight", &O::terminal_acc_weight,
          "weight of the final accuracy (in points) added at the last epoch")
      .NonNegative();
  b.Field("benefit_noise", &O::benefit_noise,
          "relative std of a seed's benefit around its blueprint's nominal benefit")
      .Range(0, 2);
  b.Field("slot_masks", &O::slot_masks,
          "optimistic: an op is valid if some slot allows it and every slot may be chosen "
          "(Esper); per_op: the mask also says which slots allow each op, so that a policy "
          "drawing the op first chooses among those slots")
      .Choices({"optimistic", "per_op"});
  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    const Node* slots = section.Find("num_slots");
    const Node* cap = section.Find("seed_cap");
    if (slots && cap && slots->IsInt() && cap->IsInt() && cap->AsInt() > slots->AsInt()) {
      diagnostics.Error(
          cap->origin(), path + ".seed_cap",
          fmt::format("must not exceed num_slots ({}), got {}", slots->AsInt(), cap->AsInt()), {},
          "rule");
    }
  });
  return b.Build();
}

}  // namespace

const std::vector<std::string>& DmcTaskNames() {
#define ORCH_ENV_NAME(name, Options, schema, make) name,
  static const std::vector<std::string> names = {ORCH_DMC_TASKS(ORCH_ENV_NAME)};
#undef ORCH_ENV_NAME
  return names;
}

#define ORCH_SCHEMA_SINGLETON(Function, Builder)                     \
  const config::Schema& Function() {                                 \
    static const std::unique_ptr<config::Schema> schema = Builder(); \
    return *schema;                                                  \
  }
ORCH_SCHEMA_SINGLETON(DmcTaskSchema, BuildDmcTask)
ORCH_SCHEMA_SINGLETON(ControlledPendulumSchema, BuildControlledPendulum)
ORCH_SCHEMA_SINGLETON(CartPoleSchema, BuildCartPole)
ORCH_SCHEMA_SINGLETON(PendulumSchema, BuildPendulum)
ORCH_SCHEMA_SINGLETON(InvalidActionSchema, BuildInvalidAction)
ORCH_SCHEMA_SINGLETON(SeedGardenSchema, BuildSeedGarden)
#undef ORCH_SCHEMA_SINGLETON

const std::vector<std::string>& SeedGardenHeadNames() {
  static const std::vector<std::string> names = {
      "slot", "blueprint", "style", "tempo", "alpha_target", "alpha_speed", "alpha_curve", "op"};
  return names;
}

std::vector<std::string> InvalidActionHeadNames(int64_t num_heads) {
  if (num_heads == 1) return {"action"};
  std::vector<std::string> names;
  for (int64_t head = 0; head < num_heads; ++head) names.push_back(fmt::format("head{}", head));
  return names;
}

std::vector<std::string> ActionHeadNames(const config::Node& env) {
  const Node* name = env.Find("name");
  if (name == nullptr || !name->IsString()) return {};
  if (name->AsString() == "seed-garden") return SeedGardenHeadNames();
  if (name->AsString() == "invalid-action") {
    const Node* heads = env.Find("num_heads");
    return InvalidActionHeadNames(heads != nullptr && heads->IsInt() ? heads->AsInt() : 1);
  }
  return {"action"};
}

std::vector<std::pair<std::string, const config::Schema*>> EnvSchemas() {
#define ORCH_ENV_SCHEMA(name, Options, schema, make) {name, &schema()},
  return {ORCH_ENVS(ORCH_ENV_SCHEMA)};
#undef ORCH_ENV_SCHEMA
}

}  // namespace orch::envs
