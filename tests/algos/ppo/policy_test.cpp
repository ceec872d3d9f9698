// Tests src/algos/ppo/policy/: the registry and factory, the masked distributions, the two
// bundles (masks never sampled, the factored op-first order and style override, gradient flow
// through EvaluateActions, state-dict round trips). Bundles are built through CreatePolicy only,
// as the PPO workload builds them.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "algos/ppo/policy/distributions.h"
#include "algos/ppo/policy/policy_registry.h"
#include "common/error.h"
#include "envs/env.h"

namespace orch::ppo {
namespace {

/// Esper's factored action space: slot 3, blueprint 13, style 4, tempo 3, alpha_target 3,
/// alpha_speed 4, alpha_curve 3, op 6; masked.
envs::ActionSpec FactoredActions() {
  envs::ActionSpec action;
  action.kind = envs::ActionSpec::Kind::kDiscrete;
  action.head_names = {"slot",         "blueprint",   "style",       "tempo",
                       "alpha_target", "alpha_speed", "alpha_curve", "op"};
  action.head_sizes = {3, 13, 4, 3, 3, 4, 3, 6};
  action.masked = true;
  return action;
}

envs::ActionSpec SingleHead(int choices, bool masked) {
  envs::ActionSpec action;
  action.kind = envs::ActionSpec::Kind::kDiscrete;
  action.head_names = {"action"};
  action.head_sizes = {choices};
  action.masked = masked;
  return action;
}

envs::ActionSpec Continuous(int dim) {
  envs::ActionSpec action;
  action.dim = dim;
  action.low.assign(dim, -2.0);
  action.high.assign(dim, 2.0);
  return action;
}

std::shared_ptr<PolicyBundle> Make(const std::string& type, int64_t obs_dim,
                                   const envs::ActionSpec& action) {
  torch::manual_seed(7);
  PolicySpec spec;
  spec.options.type = type;
  spec.obs_dim = obs_dim;
  spec.action = action;
  return CreatePolicy(type, spec, c10::Device(c10::kCPU));
}

/// Random masks, each choice valid with probability 1/2 and at least one valid per row.
HeadTensors RandomMasks(const envs::ActionSpec& action, std::vector<int64_t> leading) {
  HeadTensors masks;
  for (int head = 0; head < action.num_heads(); ++head) {
    std::vector<int64_t> shape = leading;
    shape.push_back(action.head_sizes[head]);
    at::Tensor mask = torch::rand(shape) < 0.5;
    std::vector<int64_t> one = leading;
    one.push_back(1);
    mask.scatter_(-1, torch::randint(action.head_sizes[head], one), true);
    masks[action.head_names[head]] = mask;
  }
  return masks;
}

at::Generator Generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

TEST(PolicyRegistryTest, TheFactoryBuildsEveryListedBundleAndNamesTheKnownOnes) {
  PolicyRegistry registry;
  RegisterBuiltinPolicies(registry);
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"lstm", "mlp"}));
  EXPECT_THROW(registry.Register("mlp", "again", nullptr), RegistryError);
  try {
    Make("transformer", 4, SingleHead(2, false));
    ADD_FAILURE() << "an unknown bundle was built";
  } catch (const RegistryError& error) {
    EXPECT_NE(std::string(error.what()).find("lstm, mlp"), std::string::npos) << error.what();
  }
  for (const std::string type : {"lstm", "mlp"}) {
    auto policy = Make(type, 140, FactoredActions());
    EXPECT_EQ(policy->type(), type);
    EXPECT_EQ(policy->is_recurrent(), type == "lstm");
    EXPECT_FALSE(policy->supports_off_policy());
    // placed by the factory: every parameter on the bundle's device
    EXPECT_EQ(policy->device(), c10::Device(c10::kCPU));
    for (const auto& parameter : policy->Network().parameters()) {
      EXPECT_EQ(parameter.device(), policy->device());
    }
    EXPECT_THROW(policy->Compile("reduce-overhead"), std::invalid_argument);
    EXPECT_NO_THROW(policy->Compile("off"));
    EXPECT_THROW(policy->GetQValues(torch::zeros({1, 140}), {}), std::logic_error);
  }
  // the recurrent bundle takes discrete actions only
  EXPECT_THROW(Make("lstm", 3, Continuous(1)), std::invalid_argument);
}

TEST(DistributionsTest, MaskedChoicesHaveExactlyZeroProbability) {
  at::Tensor logits = torch::tensor({{5.0f, 1.0f, 30.0f, -2.0f}});
  at::Tensor mask = torch::tensor({{true, true, false, true}});
  at::Tensor log_probs = MaskedLogSoftmax(logits, mask, -1e4, true, "head");
  EXPECT_EQ(log_probs.exp()[0][2].item<float>(), 0.0f);
  EXPECT_NEAR(log_probs.exp().sum().item<float>(), 1.0f, 1e-6);
  EXPECT_THROW(MaskedLogSoftmax(logits, torch::zeros({1, 4}, torch::kBool), -1e4, true, "op"),
               std::invalid_argument);
  EXPECT_THROW(MaskedLogSoftmax(torch::tensor({{NAN, 1.0f}}), {}, -1e4, true, "op"),
               std::invalid_argument);
}

TEST(DistributionsTest, NormalisedMaskedEntropyIsInZeroOneAndZeroWithOneValidChoice) {
  // uniform over the 3 valid of 4: entropy log 3, normalised 1
  at::Tensor mask = torch::tensor({{true, false, true, true}, {false, true, false, false}});
  at::Tensor log_probs = MaskedLogSoftmax(torch::zeros({2, 4}), mask, -1e4, true, "head");
  at::Tensor entropy = MaskedEntropy(log_probs, mask);
  EXPECT_NEAR(entropy[0].item<float>(), std::log(3.0f), 1e-6);
  at::Tensor normalised = NormalisedMaskedEntropy(log_probs, mask);
  EXPECT_NEAR(normalised[0].item<float>(), 1.0f, 1e-6);
  EXPECT_EQ(normalised[1].item<float>(), 0.0f);
  // random logits and masks stay within [0, 1]
  torch::manual_seed(3);
  at::Tensor masks = torch::rand({1000, 6}) < 0.5;
  masks.select(1, 0).fill_(true);
  at::Tensor values = NormalisedMaskedEntropy(
      MaskedLogSoftmax(torch::randn({1000, 6}) * 3, masks, -1e4, true, "h"), masks);
  EXPECT_GE(values.min().item<float>(), 0.0f);
  EXPECT_LE(values.max().item<float>(), 1.0f + 1e-6f);
}

// EvaluateCategorical is MaskedLogSoftmax + gather + MaskedEntropy as one node: the same values
// and the same gradient of any weighted sum of them, masked and not
TEST(DistributionsTest, EvaluateCategoricalMatchesTheComposedOperations) {
  torch::manual_seed(11);
  for (bool masked : {true, false}) {
    at::Tensor logits = (torch::randn({3, 5, 6}) * 2).requires_grad_();
    at::Tensor mask;
    if (masked) {
      mask = torch::rand({3, 5, 6}) < 0.5;
      mask.select(2, 1).fill_(true);
    }
    at::Tensor actions = masked ? torch::ones({3, 5}, torch::kLong)  // valid by construction
                                : torch::randint(6, {3, 5}, torch::kLong);
    at::Tensor w_lp = torch::randn({3, 5});
    at::Tensor w_h = torch::randn({3, 5});

    at::Tensor log_probs = MaskedLogSoftmax(logits, mask, -1e4, true, "head");
    at::Tensor expected_lp = log_probs.gather(-1, actions.unsqueeze(-1)).squeeze(-1);
    at::Tensor expected_h = MaskedEntropy(log_probs, mask);
    at::Tensor expected_grad =
        torch::autograd::grad({(expected_lp * w_lp).sum() + (expected_h * w_h).sum()}, {logits})[0];

    CategoricalTerms terms = EvaluateCategorical(logits, mask, actions, -1e4, "head");
    ASSERT_EQ(terms.log_prob.sizes(), expected_lp.sizes());
    EXPECT_TRUE(torch::allclose(terms.log_prob, expected_lp, 1e-5, 1e-6)) << masked;
    EXPECT_TRUE(torch::allclose(terms.entropy, expected_h, 1e-5, 1e-6)) << masked;
    at::Tensor grad = torch::autograd::grad(
        {(terms.log_prob * w_lp).sum() + (terms.entropy * w_h).sum()}, {logits})[0];
    EXPECT_TRUE(torch::allclose(grad, expected_grad, 1e-4, 1e-6))
        << masked << "\n"
        << (grad - expected_grad).abs().max();
    if (masked) {
      EXPECT_EQ(grad.masked_select(mask.logical_not()).abs().sum().item<float>(), 0.0f);
    }
  }
  // the same checks as MaskedLogSoftmax's, and actions outside the range
  at::Tensor one = torch::zeros({1}, torch::kLong);
  EXPECT_THROW(EvaluateCategorical(torch::zeros({1, 4}), torch::zeros({1, 4}, torch::kBool), one,
                                   -1e4, "op"),
               std::invalid_argument);
  EXPECT_THROW(EvaluateCategorical(torch::tensor({{NAN, 1.0f}}), {}, one, -1e4, "op"),
               std::invalid_argument);
  EXPECT_THROW(
      EvaluateCategorical(torch::zeros({1, 4}), {}, torch::full({1}, 4, torch::kLong), -1e4, "op"),
      std::invalid_argument);
}

TEST(DistributionsTest, GaussianLogProbAndEntropyMatchTheFormulas) {
  // N(0.5; 0, 2^2) in one dim: -0.5 (0.25)^2 - log 2 - 0.5 log 2 pi
  at::Tensor log_std = torch::tensor({std::log(2.0f)});
  at::Tensor value = GaussianLogProb(torch::tensor({{0.5f}}), torch::tensor({{0.0f}}), log_std);
  EXPECT_NEAR(value.item<float>(), -0.03125 - std::log(2.0) - 0.5 * std::log(2 * M_PI), 1e-6);
  at::Tensor entropy = GaussianEntropy(torch::zeros({1, 1}), log_std);
  EXPECT_NEAR(entropy.item<float>(), 0.5 + 0.5 * std::log(2 * M_PI) + std::log(2.0), 1e-6);
}

// masked actions are never sampled, by either bundle, over many draws of random masks
TEST(PolicyBundleTest, MaskedChoicesAreNeverSampled) {
  for (const std::string type : {"lstm", "mlp"}) {
    const envs::ActionSpec action = FactoredActions();
    auto policy = Make(type, 140, action);
    at::Generator generator = Generator(11);
    torch::manual_seed(5);
    for (int draw = 0; draw < 50; ++draw) {
      HeadTensors masks = RandomMasks(action, {64});
      ActionResult result = policy->GetAction(torch::randn({64, 140}), masks,
                                              policy->InitialHidden(64), false, generator);
      for (const auto& name : action.head_names) {
        at::Tensor mask = masks.at(name);
        if (type == "lstm" && name == "style") {
          // Esper's override: SIGMOID_ADD (2) only, unless the op germinates (1) or retargets (2)
          at::Tensor op = result.action.at("op");
          at::Tensor only = torch::zeros_like(mask);
          only.select(1, 2).fill_(true);
          mask = torch::where(((op == 1) | (op == 2)).unsqueeze(1), mask, only);
        }
        at::Tensor valid = mask.gather(1, result.action.at(name).unsqueeze(1));
        EXPECT_TRUE(valid.all().item<bool>()) << type << " " << name;
      }
    }
  }
}

// the op is drawn first, and unless it germinates or retargets, the style is SIGMOID_ADD
TEST(PolicyBundleTest, TheFactoredLstmOverridesTheStyleByTheSampledOp) {
  const envs::ActionSpec action = FactoredActions();
  auto policy = Make("lstm", 140, action);
  at::Generator generator = Generator(12);
  HeadTensors masks;
  for (int head = 0; head < action.num_heads(); ++head) {
    masks[action.head_names[head]] = torch::ones({256, action.head_sizes[head]}, torch::kBool);
  }
  ActionResult result = policy->GetAction(torch::randn({256, 140}), masks, {}, false, generator);
  at::Tensor op = result.action.at("op");
  at::Tensor style = result.action.at("style");
  at::Tensor free = (op == 1) | (op == 2);
  EXPECT_TRUE((style.masked_select(free.logical_not()) == 2).all().item<bool>());
  EXPECT_GT(free.sum().item<int64_t>(), 0);
  EXPECT_GT((style.masked_select(free) != 2).sum().item<int64_t>(), 0);
  // evaluation sees the same override: the log-probability of the forced style is 0
  HeadTensors actions;
  HeadTensors seq_masks;
  // (a rollout stores copies of the inference-mode actions; so does this test)
  for (const auto& [name, chosen] : result.action) actions[name] = chosen.clone().unsqueeze(1);
  for (const auto& [name, mask] : masks) seq_masks[name] = mask.unsqueeze(1);
  EvalResult eval = policy->EvaluateActions(torch::randn({256, 1, 140}), actions, seq_masks, {},
                                            policy->InitialHidden(256));
  at::Tensor forced = eval.log_prob.at("style").squeeze(1).masked_select(free.logical_not());
  EXPECT_EQ(forced.abs().max().item<float>(), 0.0f);
}

// with a conditional mask (the seed garden's per_op slots) the slot is drawn among those the
// drawn op allows, in sampling and in the deterministic mode, and evaluation sees the same
TEST(PolicyBundleTest, TheFactoredLstmDrawsTheSlotAmongThoseTheOpAllows) {
  envs::ActionSpec action = FactoredActions();
  action.conditional_head = "slot";
  action.condition_head = "op";
  ASSERT_EQ(action.conditional_mask_size(), 18);
  auto policy = Make("lstm", 140, action);
  at::Generator generator = Generator(13);
  const int64_t rows = 256;
  at::Tensor all = torch::ones({rows, action.mask_size()}, torch::kBool);
  // op k allows slot k % 3 only (for every op but WAIT, which allows all)
  at::Tensor block = torch::zeros({rows, 6, 3}, torch::kBool);
  for (int op = 0; op < 6; ++op) {
    if (op == 0) {
      block.select(1, op).fill_(true);
    } else {
      block.select(1, op).select(1, op % 3).fill_(true);
    }
  }
  all.narrow(1, action.mask_size() - 18, 18).copy_(block.reshape({rows, 18}));
  const HeadTensors masks = SplitMasks(action, all);
  ASSERT_EQ(masks.size(), 9u);
  for (bool deterministic : {false, true}) {
    ActionResult result =
        policy->GetAction(torch::randn({rows, 140}), masks, {}, deterministic, generator);
    at::Tensor op = result.action.at("op");
    at::Tensor slot = result.action.at("slot");
    at::Tensor constrained = op != 0;
    EXPECT_TRUE(
        (slot.masked_select(constrained) == op.masked_select(constrained) % 3).all().item<bool>())
        << deterministic;
    if (deterministic) continue;
    EXPECT_GT(constrained.sum().item<int64_t>(), 0);
    // evaluation applies the same mask: the forced slot has log-probability 0
    HeadTensors actions;
    HeadTensors seq_masks;
    for (const auto& [name, chosen] : result.action) actions[name] = chosen.clone().unsqueeze(1);
    for (const auto& [name, mask] : masks) seq_masks[name] = mask.unsqueeze(1);
    EvalResult eval = policy->EvaluateActions(torch::randn({rows, 1, 140}), actions, seq_masks, {},
                                              policy->InitialHidden(rows));
    at::Tensor forced = eval.log_prob.at("slot").squeeze(1).masked_select(constrained);
    EXPECT_EQ(forced.abs().max().item<float>(), 0.0f);
  }
  // the mlp bundle draws its heads independently and refuses such a mask
  EXPECT_THROW(Make("mlp", 140, action), std::invalid_argument);
}

// a loss from EvaluateActions reaches every parameter: the bundle adds no detach or no-grad
TEST(PolicyBundleTest, GradientsFlowThroughEvaluateActionsToEveryParameter) {
  for (const std::string type : {"lstm", "mlp"}) {
    const envs::ActionSpec action = FactoredActions();
    auto policy = Make(type, 140, action);
    torch::manual_seed(9);
    HeadTensors masks;
    for (int head = 0; head < action.num_heads(); ++head) {
      masks[action.head_names[head]] = torch::ones({8, 5, action.head_sizes[head]}, torch::kBool);
    }
    HeadTensors actions;
    for (int head = 0; head < action.num_heads(); ++head) {
      actions[action.head_names[head]] = torch::randint(action.head_sizes[head], {8, 5});
    }
    // germinate everywhere, so the style is sampled freely and every head matters
    actions["op"].fill_(1);
    EvalResult eval =
        policy->EvaluateActions(torch::randn({8, 5, 140}), actions, masks,
                                torch::zeros({8, 5}, torch::kBool), policy->InitialHidden(8));
    at::Tensor loss = eval.value.pow(2).mean();
    for (const auto& [name, log_prob] : eval.log_prob) loss = loss - log_prob.mean();
    for (const auto& [name, entropy] : eval.entropy) loss = loss - 0.01 * entropy.mean();
    loss.backward();
    for (const auto& item : policy->Network().named_parameters()) {
      ASSERT_TRUE(item.value().grad().defined()) << type << " " << item.key();
      EXPECT_TRUE(torch::isfinite(item.value().grad()).all().item<bool>()) << item.key();
      EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << type << " " << item.key();
    }
  }
}

// the raw network's tensors into a freshly built bundle: the same parameters and outputs
TEST(PolicyBundleTest, AStateDictRoundTripGivesTheSameOutputs) {
  for (const std::string type : {"lstm", "mlp"}) {
    const envs::ActionSpec action = FactoredActions();
    auto trained = Make(type, 140, action);
    {
      torch::NoGradGuard no_grad;
      for (auto& parameter : trained->Network().parameters()) {
        parameter.add_(torch::randn_like(parameter) * 0.1);
      }
    }
    torch::manual_seed(123);  // a fresh bundle that starts elsewhere
    PolicySpec spec;
    spec.options.type = type;
    spec.obs_dim = 140;
    spec.action = action;
    auto fresh = CreatePolicy(type, spec, c10::Device(c10::kCPU));
    fresh->LoadStateDict(trained->GetStateDict(), /*strict=*/true);
    at::Tensor obs = torch::randn({4, 140});
    HeadTensors masks = RandomMasks(action, {4});
    RecurrentState hidden = trained->InitialHidden(4);
    if (!hidden.empty()) hidden = {torch::randn({1, 4, 128}), torch::randn({1, 4, 128})};
    ForwardResult a = trained->Forward(obs, masks, hidden);
    ForwardResult b = fresh->Forward(obs, masks, hidden);
    EXPECT_TRUE(torch::equal(a.value, b.value)) << type;
    for (const auto& [name, output] : a.outputs) {
      EXPECT_TRUE(torch::equal(output, b.outputs.at(name))) << type << " " << name;
    }
    // a network of another shape is refused, naming the tensor
    PolicySpec other = spec;
    other.action.head_sizes[0] = 4;  // four slots instead of three
    auto wrong = CreatePolicy(type, other, c10::Device(c10::kCPU));
    try {
      wrong->LoadStateDict(trained->GetStateDict(), true);
      ADD_FAILURE() << "a network with another slot count loaded";
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("in the saved network and"), std::string::npos)
          << error.what();
    }
  }
}

TEST(PolicyBundleTest, TheMlpBundleSamplesGaussianActionsWithStateIndependentStd) {
  auto policy = Make("mlp", 3, Continuous(2));
  at::Generator generator = Generator(4);
  ActionResult sampled = policy->GetAction(torch::zeros({5000, 3}), {}, {}, false, generator);
  ActionResult mode = policy->GetAction(torch::zeros({1, 3}), {}, {}, true, generator);
  at::Tensor actions = sampled.action.at("action");
  ASSERT_EQ(actions.sizes(), (std::vector<int64_t>{5000, 2}));
  // log_std_init 0: unit std around the deterministic mean
  EXPECT_NEAR(actions.std(0)[0].item<float>(), 1.0f, 0.05f);
  EXPECT_NEAR((actions.mean(0) - mode.action.at("action")[0]).abs().max().item<float>(), 0.0f,
              0.05f);
  // the log-probability is the Gaussian's, summed over the dimensions
  at::Tensor mean = mode.action.at("action").expand({5000, 2});
  at::Tensor expected = GaussianLogProb(actions, mean, torch::zeros({2}));
  EXPECT_TRUE(torch::allclose(sampled.log_prob.at("action"), expected, 1e-5, 1e-5));
}

}  // namespace
}  // namespace orch::ppo
