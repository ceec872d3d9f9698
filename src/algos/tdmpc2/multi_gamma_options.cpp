// src/algos/tdmpc2/multi_gamma_options.cpp
#include "algos/tdmpc2/multi_gamma_options.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "algos/tdmpc2/tdmpc2_options.h"
#include "common/json.h"
#include "config/key_path.h"

namespace orch::tdmpc2 {
namespace {

using config::Node;

std::unique_ptr<config::Schema> BuildSchema() {
  config::SchemaBuilder<MultiGammaOptions> b(
      "multi_gamma",
      "multi-discount auxiliary value heads for TD-MPC2: training-only targets that shape the "
      "world model (tdmpc2.md §17)");
  using O = MultiGammaOptions;
  b.Field("enabled", &O::enabled, "build the auxiliary heads; false = pure baseline");
  Node default_gammas =
      Node::MakeList({Node::String(kPrimaryGammaKeyword), Node::Float(0.97), Node::Float(0.995)});
  b.Field("gammas", &O::gammas,
          "discounts; gammas[0] must be the primary discount (write 'primary' for it), then up "
          "to 5 auxiliary ones")
      .OpenRange(0, 1)
      .MaxItems(kMaxGammas)
      .Keywords({kPrimaryGammaKeyword})
      .Default(default_gammas);
  b.Field("head", &O::head, "joint: one Linear latent -> K x bins; separate: one per aux gamma")
      .Choices({"joint", "separate"});
  b.Field("loss_weight", &O::loss_weight, "weight of EACH auxiliary gamma's cross-entropy")
      .NonNegative();
  b.Field("debug_logging", &O::debug_logging, "richer snapshots at eval_freq");
  b.Field("log_num_examples", &O::log_num_examples, "examples per debug snapshot")
      .Range(1, 100'000);
  return b.Build();
}

}  // namespace

const config::Schema& MultiGammaSchema() {
  static const std::unique_ptr<config::Schema> schema = BuildSchema();
  return *schema;
}

void CheckMultiGamma(Node& root, Diagnostics& diagnostics) {
  Node* section = root.FindMutable("multi_gamma");
  if (section == nullptr || !section->IsMap()) return;
  Node* gammas = section->FindMutable("gammas");
  const Node* enabled_node = section->Find("enabled");
  bool enabled = enabled_node != nullptr && enabled_node->IsBool() && enabled_node->AsBool();
  auto primary = DerivePrimaryDiscount(root);

  // the keyword becomes the number it stands for, so the stored config is explicit
  if (gammas != nullptr && gammas->IsList() && primary) {
    for (Node& gamma : gammas->MutableList()) {
      if (gamma.IsString() && gamma.AsString() == kPrimaryGammaKeyword) {
        gamma =
            Node::Float(primary->value,
                        Origin::Derived("primary discount written as 'primary' at " +
                                        gamma.origin().ToString() + ": " + primary->explanation));
      }
    }
  }
  if (!enabled || gammas == nullptr || !gammas->IsList()) return;

  const auto& items = gammas->AsList();
  if (items.empty()) {
    diagnostics.Error(gammas->origin(), "multi_gamma.gammas",
                      "multi_gamma is enabled but gammas is empty",
                      "Give the discounts, e.g. multi_gamma.gammas=[primary,0.97,0.995], or set "
                      "multi_gamma.enabled=false",
                      "rule");
    return;
  }
  if (items.size() == 1) {
    diagnostics.Warning(gammas->origin(), "multi_gamma.gammas",
                        "a single gamma adds no auxiliary head: the run is the baseline",
                        "Add auxiliary discounts after the primary one, e.g. [primary,0.97,0.995]",
                        "rule");
  }
  const Node& first = items.front();
  if (primary && first.IsNumber() &&
      std::fabs(first.AsDouble() - primary->value) > kPrimaryGammaTolerance) {
    Diagnostic diagnostic;
    diagnostic.origin = first.origin();
    diagnostic.key = "multi_gamma.gammas[0]";
    diagnostic.kind = "rule";
    diagnostic.message = fmt::format(
        "expected the primary discount {}, got {} (rule: gammas[0] must equal the primary "
        "discount within 1e-6)",
        FormatDouble(primary->value), FormatDouble(first.AsDouble()));
    diagnostic.suggestion = "Write 'primary' as gammas[0] to follow the task";
    diagnostic.details.push_back("primary discount (TD-MPC2 heuristic): " + primary->explanation);
    diagnostics.Add(diagnostic);
  }
  std::set<double> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].IsNumber()) continue;
    if (!seen.insert(items[i].AsDouble()).second) {
      diagnostics.Warning(items[i].origin(), config::IndexKey("multi_gamma.gammas", i),
                          fmt::format("duplicate gamma {}", FormatDouble(items[i].AsDouble())),
                          "Each auxiliary discount should appear once", "rule");
    }
  }
}

bool AuxiliaryHeadsActive(const MultiGammaOptions& options) {
  return options.enabled && options.gammas.size() > 1;
}

}  // namespace orch::tdmpc2
