// src/algos/tam/tam_options.cpp
#include "algos/tam/tam_options.h"

#include <fmt/format.h>

namespace orch::tam {
namespace {

using config::Node;

std::unique_ptr<config::Schema> BuildMemorySchema() {
  config::SchemaBuilder<TamMemoryOptions> b(
      "tam.memory",
      "z-memory: replay of episode outcomes in z-space and a kNN risk regulariser (tam.md §12)");
  using O = TamMemoryOptions;
  b.Field("enabled", &O::enabled, "add the memory regulariser w_mem * mem_risk to the loss");
  b.Field("size", &O::size, "capacity of the FIFO ring of episode records (mem_size)")
      .Range(1, 10'000'000);
  b.Field("min_records", &O::min_records, "no regulariser below this many records (mem_min)")
      .Range(1, 10'000'000);
  b.Field("k", &O::k, "neighbours of the kNN kernel estimate (mem_k)").Range(1, 10'000);
  b.Field("sigma", &O::sigma, "Gaussian kernel width in z-space (mem_sigma)").Positive();
  b.Field("w_mem", &O::w_mem, "regulariser strength (keep small until the z-map looks structured)")
      .NonNegative();
  b.Field("detach_targets", &O::detach_targets,
          "stored outcomes are constants (they are plain numbers, so only true is meaningful)");
  b.Field("risk_bind", &O::risk_bind, "risk target weight a of (1 - soft_bind)");
  b.Field("risk_cone", &O::risk_cone, "risk target weight b of log(cone_vol + 1e-8)");
  b.Field("risk_lambda", &O::risk_lambda, "risk target weight c of lambda_bind");
  b.Field("map_points", &O::map_points, "records subsampled for the PCA z-map").Range(2, 1'000'000);
  b.Field("trail_length", &O::trail_length, "recent z samples drawn as the revisit trail")
      .Range(0, 1'000'000);
  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    const Node* detach = section.Find("detach_targets");
    if (detach != nullptr && detach->IsBool() && !detach->AsBool()) {
      diagnostics.Error(detach->origin(), path + ".detach_targets",
                        "only true is supported: the stored outcomes are plain numbers, with no "
                        "graph to keep",
                        "Remove it, or set it to true", "rule");
    }
  });
  return b.Build();
}

std::unique_ptr<config::Schema> BuildSchema() {
  config::SchemaBuilder<TamOptions> b(
      "tam",
      "TAM action-binding agent: commitment z, tube with learned horizon, dual controllers "
      "(tam.md)");
  using O = TamOptions;
  b.Field("episodes", &O::episodes, "episodes of training, one update each")
      .Range(1, 1'000'000'000);
  b.Field("z_dim", &O::z_dim, "commitment dimension").Range(1, 4096);
  b.Field("hidden_dim", &O::hidden_dim, "width of every hidden layer").Range(1, 16384);
  b.Field("knots", &O::knots, "tube knots (M)").Range(2, 4096);
  b.Field("lr", &O::lr, "Adam learning rate over all networks").Positive();
  b.Field("grad_clip", &O::grad_clip, "global gradient-norm clip").Positive();
  b.Field("max_horizon", &O::max_horizon, "longest episode (maxH)").Range(1, 100'000);
  b.Field("min_horizon", &O::min_horizon, "shortest episode (minT)").Range(1, 100'000);
  b.Field("k_sigma", &O::k_sigma, "tube half-width in sigmas").Positive();
  b.Field("margin_temp", &O::margin_temp, "temperature of the soft inside test").Positive();
  b.Field("tube_logstd_min", &O::tube_logstd_min, "tube log-sigma clamp, low");
  b.Field("tube_logstd_max", &O::tube_logstd_max, "tube log-sigma clamp, high");
  b.Field("z_logstd_min", &O::z_logstd_min, "encoder log-std clamp, low");
  b.Field("z_logstd_max", &O::z_logstd_max, "encoder log-std clamp, high");
  b.Field("halt_bias", &O::halt_bias, "initial bias of the stop logit");
  b.Field("cone_reg", &O::cone_reg, "weight of mean((log sigma)^2)").NonNegative();
  b.Field("goal_weight", &O::goal_weight, "weight of the terminal-mean cost").NonNegative();
  b.Field("action_l2", &O::action_l2, "weight of mean(a^2) of executed actions").NonNegative();
  b.Field("lambda_h", &O::lambda_h, "base ponder cost per expected step").NonNegative();
  b.Field("beta_kl", &O::beta_kl, "weight of KL(q(z | s0) || N(0, I))").NonNegative();
  b.Field("target_bind", &O::target_bind, "reliability target of the soft bind rate").Range(0, 1);
  b.Field("lambda_lr", &O::lambda_lr, "step of the reliability multiplier").NonNegative();
  b.Field("target_et", &O::target_et, "expected-horizon target (target_ET)").Positive();
  b.Field("lambda_t_lr", &O::lambda_t_lr, "step of the compute multiplier (lambda_T_lr)")
      .NonNegative();
  b.Field("lambda_max", &O::lambda_max, "upper clip of both multipliers").Positive();
  b.Field("w_cone", &O::w_cone, "weight of the halting-weighted cone volume").NonNegative();
  b.Field("bind_success_frac", &O::bind_success_frac,
          "hard binding predicate: fraction of steps inside (logging only)")
      .Range(0, 1);
  b.Field("amax", &O::amax, "action bound: a = amax * tanh(out)").Positive();
  b.Field("explore_std", &O::explore_std, "std of the exploration noise").NonNegative();
  b.Field("policy_objective", &O::policy_objective,
          "frozen: the notes' behaviour, no loss reaches the policy (tam.md §11)")
      .Choices({"frozen"});
  b.Field("compute_dual", &O::compute_dual,
          "clipped: lambda_T in [0, lambda_max], a ceiling on E[T] (tam.md §8, the code); signed: "
          "lambda_T in [-lambda_max, lambda_max] (the notes' unclipped update), target_et a set "
          "point; pi: signed plus a proportional term lambda_t_kp that damps its oscillation")
      .Choices({"clipped", "signed", "pi"});
  b.Field("lambda_t_kp", &O::lambda_t_kp,
          "compute_dual=pi: gain on the smoothed error E[T]_train - target_et")
      .NonNegative();
  b.Field("lambda_t_smoothing", &O::lambda_t_smoothing,
          "compute_dual=pi: EMA factor of that error (0: the last episode only)")
      .Min(0)
      .Below(1);
  b.Field("checkpoint_every", &O::checkpoint_every,
          "episodes between checkpoints (0: only at the end)")
      .Min(0);
  b.Section("memory", &O::memory, TamMemorySchema(), "z-memory");
  b.Rule([](Node& section, const std::string& path, Diagnostics& diagnostics) {
    const Node* low = section.Find("min_horizon");
    const Node* high = section.Find("max_horizon");
    if (low && high && low->IsInt() && high->IsInt() && low->AsInt() > high->AsInt()) {
      diagnostics.Error(
          low->origin(), path + ".min_horizon",
          fmt::format("must be at most max_horizon ({}), got {}", high->AsInt(), low->AsInt()), {},
          "rule");
    }
    const Node* target = section.Find("target_et");
    if (target && high && target->IsNumber() && high->IsInt() &&
        target->AsDouble() > static_cast<double>(high->AsInt())) {
      diagnostics.Error(target->origin(), path + ".target_et",
                        fmt::format("must be at most max_horizon ({}), got {}", high->AsInt(),
                                    target->AsDouble()),
                        {}, "rule");
    }
  });
  return b.Build();
}

}  // namespace

const config::Schema& TamMemorySchema() {
  static const std::unique_ptr<config::Schema> schema = BuildMemorySchema();
  return *schema;
}

const config::Schema& TamSchema() {
  static const std::unique_ptr<config::Schema> schema = BuildSchema();
  return *schema;
}

}  // namespace orch::tam
