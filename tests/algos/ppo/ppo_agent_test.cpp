// Tests src/algos/ppo/gae.cpp, ppo_agent.cpp and rollout_collector.cpp: GAE against hand
// arithmetic, the agent on an injected bundle it cannot have built, the KL early stop before the
// step, the replay of recurrent sequences from their stored initial state, the recurrent state
// zeroed where an episode ends, the causal head relevance, and a golden run.
#include "algos/ppo/ppo_agent.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "algos/ppo/gae.h"
#include "algos/ppo/policy/policy_registry.h"
#include "algos/ppo/rollout_collector.h"
#include "config/schema.h"
#include "envs/env_options.h"
#include "envs/env_registry.h"
#include "rl/seeding.h"

namespace orch::ppo {
namespace {

at::Generator Generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

/// A vector of `count` envs of `name` with `overrides` (key: int) on their defaults.
std::unique_ptr<envs::VectorEnv> Envs(
    const std::string& name, int count, uint64_t seed,
    const std::vector<std::pair<std::string, int64_t>>& ints = {}) {
  const config::Schema* schema = nullptr;
  for (const auto& [env_name, env_schema] : envs::EnvSchemas()) {
    if (env_name == name) schema = env_schema;
  }
  config::Node section = schema->Defaults();
  section.Set("name", config::Node::String(name));
  for (const auto& [key, value] : ints) section.Set(key, config::Node::Int(value));
  std::vector<std::unique_ptr<envs::Env>> batch;
  for (int index = 0; index < count; ++index) {
    batch.push_back(envs::MakeEnv(section, seed, "test/env/" + std::to_string(index)));
  }
  return std::make_unique<envs::VectorEnv>(std::move(batch));
}

std::shared_ptr<PolicyBundle> Policy(const std::string& type, const envs::VectorEnv& envs,
                                     uint64_t seed) {
  torch::manual_seed(seed);
  PolicySpec spec;
  spec.options.type = type;
  spec.obs_dim = envs.obs_dim();
  spec.action = envs.action_spec();
  return CreatePolicy(type, spec, c10::Device(c10::kCPU));
}

void NoEpisodes(const envs::VectorEnv::Episode&, int64_t) {}

// T = 3 steps of one env, gamma 0.9, lambda 0.8, the episode ending after step 1:
//   delta2 = 1 + 0.9 * 0.5 - 0.3 = 1.15           A2 = 1.15
//   delta1 = 2 - 0.2 = 1.8 (the end cuts the bootstrap)  A1 = 1.8
//   delta0 = 0 + 0.9 * 0.2 - 0.1 = 0.08            A0 = 0.08 + 0.72 * 1.8 = 1.376
TEST(GaeTest, MatchesHandComputedAdvantagesAcrossAnEpisodeEnd) {
  at::Tensor rewards = torch::tensor({{0.0f}, {2.0f}, {1.0f}});
  at::Tensor values = torch::tensor({{0.1f}, {0.2f}, {0.3f}});
  at::Tensor ends = torch::tensor({{false}, {true}, {false}});
  auto [advantages, returns] = ComputeGae(rewards, values, ends, torch::tensor({0.5f}), 0.9, 0.8);
  EXPECT_NEAR(advantages[2][0].item<float>(), 1.15f, 1e-6);
  EXPECT_NEAR(advantages[1][0].item<float>(), 1.8f, 1e-6);
  EXPECT_NEAR(advantages[0][0].item<float>(), 1.376f, 1e-6);
  EXPECT_NEAR(returns[0][0].item<float>(), 1.476f, 1e-6);
  EXPECT_THROW(ComputeGae(rewards, values.t(), ends, torch::tensor({0.5f}), 0.9, 0.8),
               std::invalid_argument);
}

/// A bundle the test builds itself, around one Linear: the agent trains whatever it is given.
class LinearBundle : public PolicyBundle {
 public:
  explicit LinearBundle(const PolicySpec& spec)
      : PolicyBundle(spec), linear_(spec.obs_dim, spec.action.head_sizes[0] + 1) {}
  ActionResult GetAction(const at::Tensor& obs, const HeadTensors&, const RecurrentState&, bool,
                         at::Generator& generator) override {
    torch::NoGradGuard no_grad;
    at::Tensor out = linear_->forward(obs);
    at::Tensor log_probs = out.narrow(-1, 0, Choices()).log_softmax(-1);
    at::Tensor choice = at::multinomial(log_probs.exp(), 1, false, generator);
    return {{{"action", choice.squeeze(-1)}},
            {{"action", log_probs.gather(-1, choice).squeeze(-1)}},
            out.select(-1, Choices()),
            {}};
  }
  ForwardResult Forward(const at::Tensor& obs, const HeadTensors&, const RecurrentState&) override {
    at::Tensor out = linear_->forward(obs);
    return {{{"action", out.narrow(-1, 0, Choices())}}, out.select(-1, Choices()), {}};
  }
  EvalResult EvaluateActions(const at::Tensor& obs, const HeadTensors& actions, const HeadTensors&,
                             const at::Tensor&, const RecurrentState&) override {
    at::Tensor out = linear_->forward(obs);
    at::Tensor log_probs = out.narrow(-1, 0, Choices()).log_softmax(-1);
    return {{{"action", log_probs.gather(-1, actions.at("action").unsqueeze(-1)).squeeze(-1)}},
            {{"action", -(log_probs.exp() * log_probs).sum(-1)}},
            out.select(-1, Choices()),
            {}};
  }
  at::Tensor GetValue(const at::Tensor& obs, const RecurrentState&) override {
    torch::NoGradGuard no_grad;
    return linear_->forward(obs).select(-1, Choices());
  }
  RecurrentState InitialHidden(int64_t) const override { return {}; }
  StateDict GetStateDict() const override { return {}; }
  void LoadStateDict(const StateDict&, bool) override {}
  void To(const c10::Device&) override {}
  torch::nn::Module& Network() override { return *linear_; }
  const std::string& type() const override {
    static const std::string kType = "linear";
    return kType;
  }
  bool is_recurrent() const override { return false; }
  c10::Device device() const override { return c10::Device(c10::kCPU); }
  int64_t hidden_dim() const override { return 0; }

 private:
  int64_t Choices() const { return spec().action.head_sizes[0]; }
  torch::nn::Linear linear_;
};

// the agent takes a bundle it did not build, binds Adam to its Network() and trains it
TEST(PpoAgentTest, TrainsAnInjectedBundleThroughTheInterfaceOnly) {
  auto envs = Envs("cartpole", 2, 1);
  PolicySpec spec;
  spec.obs_dim = envs->obs_dim();
  spec.action = envs->action_spec();
  torch::manual_seed(1);
  auto policy = std::make_shared<LinearBundle>(spec);
  const at::Tensor before = policy->Network().parameters()[0].clone();
  PpoOptions options;
  options.num_envs = 2;
  options.num_steps = 16;
  options.num_minibatches = 2;
  PpoAgent agent(policy, options);
  RolloutCollector collector(std::move(envs), options.bootstrap, options.gamma);
  collector.Reset(*policy);
  Rollout rollout(16, 2, 4, collector.envs().action_spec());
  at::Generator actions = Generator(2);
  at::Generator minibatches = Generator(3);
  collector.Collect(rollout, *policy, actions, options.gae_lambda, NoEpisodes);
  UpdateStats stats = agent.Update(rollout, {2.5e-4, 0.01}, minibatches);
  EXPECT_EQ(stats.epochs, options.update_epochs);
  EXPECT_EQ(stats.minibatches, options.update_epochs * 2);
  EXPECT_FALSE(torch::equal(before, policy->Network().parameters()[0]));
  EXPECT_TRUE(std::isfinite(stats.policy_loss) && std::isfinite(stats.value_loss));
}

// approx-KL is checked before each step: a step that would follow a too-large KL is never taken
TEST(PpoAgentTest, TheKlEarlyStopComesBeforeTheStep) {
  auto envs = Envs("cartpole", 2, 1);
  auto policy = Policy("mlp", *envs, 4);
  PpoOptions options;
  options.num_envs = 2;
  options.num_steps = 32;
  options.num_minibatches = 4;
  options.target_kl = 1e-12;  // any change of the policy passes it
  PpoAgent agent(policy, options);
  RolloutCollector collector(std::move(envs), options.bootstrap, options.gamma);
  collector.Reset(*policy);
  Rollout rollout(32, 2, 4, collector.envs().action_spec());
  at::Generator actions = Generator(5);
  at::Generator minibatches = Generator(6);
  collector.Collect(rollout, *policy, actions, options.gae_lambda, NoEpisodes);
  UpdateStats stats = agent.Update(rollout, {2.5e-4, 0.01}, minibatches);
  // the first minibatch sees the rollout's own policy (KL 0) and steps; the second sees a
  // changed policy and stops before stepping
  EXPECT_TRUE(stats.kl_stopped);
  EXPECT_EQ(stats.minibatches, 1);
  EXPECT_EQ(stats.epochs, 1);
  EXPECT_GT(stats.approx_kl, 1.5e-12);
}

// replaying whole sequences from the stored initial state reproduces the rollout's
// log-probabilities: the ratio at epoch 0 is 1 (within the last float bits of the LSTM kernels)
TEST(PpoAgentTest, ReplayingSequencesFromTheirInitialStateReproducesTheRollout) {
  // CartPole without velocities: episodes end inside the 200-step sequences, so the replay
  // zeroes the state at every start, step by step
  config::Node section = envs::CartPoleSchema().Defaults();
  section.Set("hide_velocity", config::Node::Bool(true));
  std::vector<std::unique_ptr<envs::Env>> batch;
  for (int index = 0; index < 3; ++index) {
    batch.push_back(envs::MakeEnv(section, 2, "test/env/" + std::to_string(index)));
  }
  auto novel = std::make_unique<envs::VectorEnv>(std::move(batch));
  auto policy = Policy("lstm", *novel, 8);
  RolloutCollector collector(std::move(novel), "terminated", 0.99);
  collector.Reset(*policy);
  Rollout rollout(200, 3, 2, collector.envs().action_spec());
  at::Generator actions = Generator(9);
  // a second rollout, so that the first sequence starts mid-episode from a non-zero state
  collector.Collect(rollout, *policy, actions, 0.95, NoEpisodes);
  collector.Collect(rollout, *policy, actions, 0.95, NoEpisodes);
  ASSERT_GT(rollout.starts.narrow(0, 1, 199).sum().item<int64_t>(), 0);
  ASSERT_GT(rollout.initial_hidden.h.abs().sum().item<float>(), 0.0f);
  auto seq = [](const at::Tensor& tensor) { return tensor.transpose(0, 1); };
  HeadTensors chosen{{"action", seq(rollout.action.at("action"))}};
  EvalResult eval = policy->EvaluateActions(seq(rollout.obs), chosen, {}, seq(rollout.starts),
                                            rollout.initial_hidden);
  at::Tensor ratio = (eval.log_prob.at("action") - seq(rollout.log_prob.at("action"))).exp();
  EXPECT_LT((ratio - 1).abs().max().item<float>(), 1e-6f);
  EXPECT_LT((eval.value - seq(rollout.values)).abs().max().item<float>(), 1e-5f);
}

// where an episode ends, the next step starts from the zero state
TEST(PpoAgentTest, TheRecurrentStateIsZeroedWhereAnEpisodeEnds) {
  auto envs = Envs("invalid-action", 4, 3, {{"episode_length", 7}});
  auto policy = Policy("lstm", *envs, 10);
  RolloutCollector collector(std::move(envs), "terminated", 0.99);
  collector.Reset(*policy);
  // 7 steps end every env's episode at once
  Rollout rollout(7, 4, 80, collector.envs().action_spec());
  at::Generator actions = Generator(11);
  collector.Collect(rollout, *policy, actions, 0.95, NoEpisodes);
  EXPECT_TRUE(rollout.ends[6].all().item<bool>());
  EXPECT_EQ(collector.hidden().h.abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(collector.hidden().c.abs().sum().item<float>(), 0.0f);
  // mid-episode it is not
  Rollout next(3, 4, 80, collector.envs().action_spec());
  collector.Collect(next, *policy, actions, 0.95, NoEpisodes);
  EXPECT_GT(collector.hidden().h.abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(next.starts[0].all().item<bool>());
}

// the seed garden's causal masks reach the rollout: a WAIT uses no slot, only GERMINATE a
// blueprint
TEST(PpoAgentTest, TheRolloutKeepsWhichHeadsEachActionUsed) {
  auto envs = Envs("seed-garden", 4, 5);
  auto policy = Policy("lstm", *envs, 12);
  RolloutCollector collector(std::move(envs), "terminated", 0.995);
  collector.Reset(*policy);
  Rollout rollout(25, 4, 140, collector.envs().action_spec());
  at::Generator actions = Generator(13);
  collector.Collect(rollout, *policy, actions, 0.98, NoEpisodes);
  at::Tensor op = rollout.action.at("op");
  EXPECT_TRUE(rollout.relevance.at("op").all().item<bool>());
  EXPECT_TRUE(torch::equal(rollout.relevance.at("slot"), op != 0));
  EXPECT_TRUE(torch::equal(rollout.relevance.at("blueprint"), op == 1));
  EXPECT_TRUE(torch::equal(rollout.relevance.at("alpha_speed"), (op == 2) | (op == 3)));
  // the masks sampling saw are kept, and every action is valid under them
  for (const auto& [name, chosen] : rollout.action) {
    at::Tensor mask = rollout.masks.at(name);
    if (name == "style") continue;  // the override can narrow it further
    EXPECT_TRUE(mask.gather(2, chosen.unsqueeze(2)).all().item<bool>()) << name;
  }
}

// the recorded golden run (see GoldenTwoUpdatesOfTheFactoredLstm)
const std::string kGoldenOps =
    "1033355305513553133105555000101153510000240553300010511300353130111030115300001530303000115005"
    "103515";
const std::vector<int64_t> kGoldenHeadSums = {95, 393, 189, 108, 122, 155, 118, 201};
const std::vector<double> kGoldenLosses = {
    -0.92654038312949172, 206.45631448088781, 0.99246756602678721, 9.9475983006414035e-16,
    0.55721333577549026,  213.77450000147007, 0.99995454804318995, 7.1054273576010023e-16};

/// Two updates of 2 envs x 25 steps on the seed garden with the factored LSTM, single thread.
struct GoldenRun {
  std::string op_actions;          // the op head's 100 choices, as digits
  std::vector<int64_t> head_sums;  // every head's summed choices, in action order
  std::vector<double> losses;      // per update: policy, value, entropy, approx-KL
};

GoldenRun RunGolden() {
  at::set_num_threads(1);
  auto envs = Envs("seed-garden", 2, 42);
  auto policy = Policy("lstm", *envs, rl::DeriveSeed(42, "ppo/init"));
  PpoOptions options;
  options.num_envs = 2;
  options.num_steps = 25;
  options.num_minibatches = 1;
  options.gamma = 0.995;
  options.gae_lambda = 0.98;
  options.lr = 3e-4;
  options.adv_norm_scope = "buffer";
  options.value_clip = 10.0;
  options.ent_coef = 0.05;
  options.normalize_entropy = true;
  options.target_kl = 0.015;
  PpoAgent agent(policy, options);
  RolloutCollector collector(std::move(envs), options.bootstrap, options.gamma);
  collector.Reset(*policy);
  at::Generator actions = Generator(rl::DeriveSeed(42, "ppo/actions"));
  at::Generator minibatches = Generator(rl::DeriveSeed(42, "ppo/minibatches"));
  GoldenRun run;
  const std::vector<std::string> heads = collector.envs().action_spec().head_names;
  run.head_sums.assign(heads.size(), 0);
  for (int update = 0; update < 2; ++update) {
    Rollout rollout(25, 2, 140, collector.envs().action_spec());
    collector.Collect(rollout, *policy, actions, options.gae_lambda, NoEpisodes);
    at::Tensor op = rollout.action.at("op").t().contiguous();
    for (int64_t index = 0; index < op.numel(); ++index) {
      run.op_actions += std::to_string(op.data_ptr<int64_t>()[index]);
    }
    for (size_t head = 0; head < heads.size(); ++head) {
      run.head_sums[head] += rollout.action.at(heads[head]).sum().item<int64_t>();
    }
    UpdateStats stats = agent.Update(rollout, {options.lr, options.ent_coef}, minibatches);
    run.losses.insert(run.losses.end(),
                      {stats.policy_loss, stats.value_loss, stats.entropy, stats.approx_kl});
  }
  return run;
}

// the same seed gives exactly the recorded actions, and the recorded losses to 1e-6 relative
// (OpenBLAS picks its kernels by CPU, so the last float bits may differ on another machine; a
// change of behaviour, in the bundle or the agent, moves them far more); recorded 2026-12-04
TEST(PpoAgentTest, GoldenTwoUpdatesOfTheFactoredLstm) {
  GoldenRun run = RunGolden();
  GoldenRun again = RunGolden();
  EXPECT_EQ(run.op_actions, again.op_actions);
  EXPECT_EQ(run.losses, again.losses);
  std::ostringstream printed;
  printed.precision(17);
  printed << run.op_actions << "\n";
  for (int64_t sum : run.head_sums) printed << sum << " ";
  printed << "\n";
  for (double loss : run.losses) printed << loss << " ";
  EXPECT_EQ(run.op_actions, kGoldenOps) << printed.str();
  EXPECT_EQ(run.head_sums, kGoldenHeadSums) << printed.str();
  ASSERT_EQ(run.losses.size(), kGoldenLosses.size());
  for (size_t index = 0; index < run.losses.size(); ++index) {
    EXPECT_NEAR(run.losses[index], kGoldenLosses[index],
                1e-6 * std::max(1.0, std::abs(kGoldenLosses[index])))
        << index << "\n"
        << printed.str();
  }
}

}  // namespace
}  // namespace orch::ppo
