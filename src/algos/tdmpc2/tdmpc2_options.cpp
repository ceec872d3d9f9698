// src/algos/tdmpc2/tdmpc2_options.cpp
#include "algos/tdmpc2/tdmpc2_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json.h"
#include "config/key_path.h"

namespace orch::tdmpc2 {
namespace {

using config::Node;

/// The number at `key` of a validated section, or nullopt when absent or not a number.
std::optional<double> NumberAt(const Node& section, const char* key) {
  const Node* value = section.Find(key);
  if (value == nullptr || !value->IsNumber()) return std::nullopt;
  return value->AsDouble();
}

/// Reports `low_key` above `high_key` (or equal, when `strict`), at whichever of the two the
/// user set (a schema default is never the mistake).
void CheckOrdered(Node& section, const std::string& path, const char* low_key, const char* high_key,
                  bool strict, Diagnostics& diagnostics) {
  auto low = NumberAt(section, low_key);
  auto high = NumberAt(section, high_key);
  if (!low || !high) return;
  bool ordered = strict ? *low < *high : *low <= *high;
  if (ordered) return;
  const Node* high_node = section.Find(high_key);
  const Node* low_node = section.Find(low_key);
  // Blame the value the user set last: an override beats a config file, a file beats a default.
  bool blame_low = low_node->origin().UserPrecedence() > high_node->origin().UserPrecedence();
  if (blame_low) {
    diagnostics.Error(low_node->origin(), path + "." + low_key,
                      fmt::format("must be {} {} ({}), got {}", strict ? "below" : "at most",
                                  high_key, *high, *low),
                      {}, "rule");
  } else {
    diagnostics.Error(high_node->origin(), path + "." + high_key,
                      fmt::format("must be {} {} ({}), got {}", strict ? "above" : "at least",
                                  low_key, *low, *high),
                      {}, "rule");
  }
}

std::unique_ptr<config::Schema> BuildSchema() {
  config::SchemaBuilder<TdMpc2Options> b(
      "tdmpc2", "TD-MPC2 world model, planner and training loop (agent steps; tdmpc2.md)");
  using O = TdMpc2Options;
  b.Field("model_size", &O::model_size, "model-size preset (millions of parameters)")
      .Choices({"1", "5", "19", "48", "317"});
  b.Field("enc_dim", &O::enc_dim, "encoder width; null takes the model_size preset")
      .Range(1, 16384);
  b.Field("mlp_dim", &O::mlp_dim, "hidden width of dynamics, reward, policy and Q; null = preset")
      .Range(1, 16384);
  b.Field("latent_dim", &O::latent_dim, "latent size; null = preset").Range(1, 16384);
  b.Field("num_enc_layers", &O::num_enc_layers, "encoder layers; null = preset").Range(1, 64);
  b.Field("num_q", &O::num_q, "Q-ensemble members; null = preset").Range(2, 64);
  b.Field("simnorm_dim", &O::simnorm_dim, "SimNorm group size (softmax over groups)")
      .Range(1, 1024);
  b.Field("dropout", &O::dropout, "dropout in the first layer of every Q member")
      .Range(0, 1)
      .Below(1);
  b.Field("num_bins", &O::num_bins, "two-hot bins of the reward and value heads").Range(2, 10001);
  b.Field("vmin", &O::vmin, "lowest bin of the symlog support");
  b.Field("vmax", &O::vmax, "highest bin of the symlog support");
  b.Field("task_dim", &O::task_dim, "task embedding size; orch runs single-task TD-MPC2, so 0")
      .Range(0, 0);
  b.Field("num_channels", &O::num_channels, "conv channels for pixel observations (unused)").Min(1);
  b.Field("obs", &O::obs, "observation type").Choices({"state"});
  b.Field("episodic", &O::episodic, "learn a termination head (DMControl tasks never terminate)");
  b.Field("steps", &O::steps, "agent steps of training (env steps = steps * action_repeat)").Min(1);
  b.Field("batch_size", &O::batch_size, "horizon+1 windows per update").Range(1, 65536);
  b.Field("buffer_size", &O::buffer_size, "replay capacity in entries (FIFO)").Range(1, 50'000'000);
  b.Field("seed_steps", &O::seed_steps,
          "random-action steps before training; null = max(1000, 5 * episode agent steps)")
      .Min(1);
  b.Field("eval_episodes", &O::eval_episodes, "episodes per evaluation").Range(1, 100'000);
  b.Field("eval_freq", &O::eval_freq, "agent steps between evaluations").Min(1);
  b.Field("consistency_coef", &O::consistency_coef, "weight of the latent consistency loss")
      .NonNegative();
  b.Field("reward_coef", &O::reward_coef, "weight of the reward cross-entropy").NonNegative();
  b.Field("value_coef", &O::value_coef, "weight of the value cross-entropy").NonNegative();
  b.Field("termination_coef", &O::termination_coef, "weight of the termination BCE (episodic)")
      .NonNegative();
  b.Field("rho", &O::rho, "per-step decay rho^t of the horizon losses").Range(0, 1);
  b.Field("lr", &O::lr, "Adam learning rate").Positive();
  b.Field("enc_lr_scale", &O::enc_lr_scale, "encoder learning rate = lr * enc_lr_scale")
      .NonNegative();
  b.Field("grad_clip_norm", &O::grad_clip_norm, "global gradient-norm clip").Positive();
  b.Field("tau", &O::tau, "Polyak rate of the target Q ensemble").Range(0, 1);
  b.Field("discount_denom", &O::discount_denom,
          "discount heuristic: frac = episode agent steps / discount_denom")
      .Positive();
  b.Field("discount_min", &O::discount_min, "lower clip of the heuristic discount").OpenRange(0, 1);
  b.Field("discount_max", &O::discount_max, "upper clip of the heuristic discount").OpenRange(0, 1);
  b.Field("mpc", &O::mpc, "plan with MPPI (false: act with the policy prior)");
  b.Field("iterations", &O::iterations, "MPPI iterations per decision").Range(1, 1000);
  b.Field("num_samples", &O::num_samples, "action sequences sampled per iteration").Range(1, 65536);
  b.Field("num_elites", &O::num_elites, "elite sequences kept per iteration").Range(1, 65536);
  b.Field("num_pi_trajs", &O::num_pi_trajs, "sequences drawn from the policy prior")
      .Range(0, 65536);
  b.Field("horizon", &O::horizon, "planning horizon and training window length").Range(1, 1000);
  b.Field("min_std", &O::min_std, "lower clamp of the MPPI sampling std").Positive();
  b.Field("max_std", &O::max_std, "initial and upper MPPI sampling std").Positive();
  b.Field("temperature", &O::temperature, "temperature of the elite scores").Positive();
  b.Field("log_std_min", &O::log_std_min, "lower bound of the policy prior's log-std");
  b.Field("log_std_max", &O::log_std_max, "upper bound of the policy prior's log-std");
  b.Field("entropy_coef", &O::entropy_coef, "entropy bonus in the policy loss").NonNegative();
  b.Field("entropy_variant", &O::entropy_variant,
          "head: scaled entropy of HEAD e9f5932; v2023: first commit's log-prob term (D1)")
      .Choices({"head", "v2023"});
  b.Field("compile", &O::compile, "torch.compile; LibTorch has no equivalent, so false");

  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    CheckOrdered(section, path, "vmin", "vmax", true, diagnostics);
    CheckOrdered(section, path, "log_std_min", "log_std_max", true, diagnostics);
    CheckOrdered(section, path, "discount_min", "discount_max", false, diagnostics);
    CheckOrdered(section, path, "min_std", "max_std", false, diagnostics);
    CheckOrdered(section, path, "num_elites", "num_samples", false, diagnostics);
    CheckOrdered(section, path, "num_pi_trajs", "num_samples", false, diagnostics);
    CheckOrdered(section, path, "batch_size", "buffer_size", false, diagnostics);
    if (const Node* compile = section.Find("compile");
        compile && compile->IsBool() && compile->AsBool()) {
      diagnostics.Error(compile->origin(), path + ".compile",
                        "torch.compile has no LibTorch equivalent", "Set it to false", "rule");
    }
    // SimNorm splits the latent into groups of simnorm_dim
    auto latent = NumberAt(section, "latent_dim");
    auto group = NumberAt(section, "simnorm_dim");
    if (latent && group && *group > 0 &&
        static_cast<int64_t>(*latent) % static_cast<int64_t>(*group) != 0) {
      diagnostics.Error(
          section.Find("latent_dim")->origin(), path + ".latent_dim",
          fmt::format("must be a multiple of simnorm_dim ({}), got {}", *group, *latent), {},
          "rule");
    }
  });
  return b.Build();
}

}  // namespace

const config::Schema& TdMpc2Schema() {
  static const std::unique_ptr<config::Schema> schema = BuildSchema();
  return *schema;
}

std::optional<ModelSizes> ResolveModelSizes(const TdMpc2Options& options) {
  ModelSizes sizes;
  switch (options.model_size) {
    case 1:
      sizes = {256, 384, 128, 2, 2};
      break;
    case 5:
      sizes = {256, 512, 512, 2, 5};
      break;
    case 19:
      sizes = {1024, 1024, 768, 3, 5};
      break;
    case 48:
      sizes = {1792, 1792, 768, 4, 5};
      break;
    case 317:
      sizes = {4096, 4096, 1376, 5, 8};
      break;
    default:
      return std::nullopt;
  }
  if (options.enc_dim) sizes.enc_dim = *options.enc_dim;
  if (options.mlp_dim) sizes.mlp_dim = *options.mlp_dim;
  if (options.latent_dim) sizes.latent_dim = *options.latent_dim;
  if (options.num_enc_layers) sizes.num_enc_layers = *options.num_enc_layers;
  if (options.num_q) sizes.num_q = *options.num_q;
  return sizes;
}

double PrimaryDiscount(double agent_steps_per_episode, double discount_denom, double discount_min,
                       double discount_max) {
  double frac = agent_steps_per_episode / discount_denom;
  double gamma = (frac - 1.0) / frac;
  return std::clamp(gamma, discount_min, discount_max);
}

namespace {

std::optional<double> NumberAtPath(const Node& root, std::string_view dotted) {
  const Node* value = config::FindPath(root, dotted);
  if (value == nullptr || !value->IsNumber()) return std::nullopt;
  return value->AsDouble();
}

}  // namespace

std::optional<PrimaryDiscountDerivation> DerivePrimaryDiscount(const Node& root) {
  auto episode_length = NumberAtPath(root, "env.episode_length");
  auto action_repeat = NumberAtPath(root, "env.action_repeat");
  auto denom = NumberAtPath(root, "tdmpc2.discount_denom");
  auto low = NumberAtPath(root, "tdmpc2.discount_min");
  auto high = NumberAtPath(root, "tdmpc2.discount_max");
  if (!episode_length || !action_repeat || !denom || !low || !high || *action_repeat <= 0 ||
      *denom <= 0) {
    return std::nullopt;
  }
  double agent_steps = *episode_length / *action_repeat;
  double frac = agent_steps / *denom;
  PrimaryDiscountDerivation derivation;
  derivation.value = PrimaryDiscount(agent_steps, *denom, *low, *high);
  derivation.explanation = fmt::format(
      "env.episode_length {} / env.action_repeat {} = {} agent steps; frac = {} / "
      "discount_denom {} = {}; clip((frac - 1) / frac, {}, {}) = {}",
      *episode_length, *action_repeat, agent_steps, agent_steps, *denom, frac, *low, *high,
      derivation.value);
  return derivation;
}

std::vector<std::string> DescribeDerivedValues(const Node& root) {
  std::vector<std::string> lines;
  const Node* algo = root.Find("algo");
  const Node* section = root.Find("tdmpc2");
  if (algo == nullptr || !algo->IsString() || algo->AsString() != "tdmpc2" || section == nullptr) {
    return lines;
  }
  TdMpc2Options options = config::Bind<TdMpc2Options>(TdMpc2Schema(), *section);
  if (auto primary = DerivePrimaryDiscount(root)) {
    lines.push_back(fmt::format("primary discount: {}  ({})", FormatDouble(primary->value),
                                primary->explanation));
  }
  auto episode = NumberAtPath(root, "env.episode_length");
  auto repeat = NumberAtPath(root, "env.action_repeat");
  if (episode && repeat && *repeat > 0) {
    int64_t agent_steps = static_cast<int64_t>(*episode / *repeat);
    lines.push_back(fmt::format("seed steps: {} agent steps{}", SeedSteps(options, agent_steps),
                                options.seed_steps ? "" : " (max(1000, 5 x episode))"));
    lines.push_back(fmt::format("environment steps of training: {} ({} agent steps x {})",
                                options.steps * static_cast<int64_t>(*repeat), options.steps,
                                static_cast<int64_t>(*repeat)));
  }
  if (auto sizes = ResolveModelSizes(options)) {
    lines.push_back(
        fmt::format("model (size {}): enc_dim {}, mlp_dim {}, latent_dim {}, "
                    "num_enc_layers {}, num_q {}",
                    options.model_size, sizes->enc_dim, sizes->mlp_dim, sizes->latent_dim,
                    sizes->num_enc_layers, sizes->num_q));
  }
  if (options.num_bins > 1) {
    lines.push_back(fmt::format("two-hot bin size: {}",
                                (options.vmax - options.vmin) / (options.num_bins - 1)));
  }
  return lines;
}

int64_t SeedSteps(const TdMpc2Options& options, int64_t agent_steps_per_episode) {
  if (options.seed_steps) return *options.seed_steps;
  return std::max<int64_t>(1000, 5 * agent_steps_per_episode);
}

}  // namespace orch::tdmpc2
