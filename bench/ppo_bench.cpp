// bench/ppo_bench.cpp: the cost of PPO's pieces against the PyTorch reference
// ../shared/bench/ppo_ref.py, run side by side on the same machine (issue 10):
//   factored        Esper's factored LSTM (obs 140, 8 masked heads): GetAction for 4 envs, and
//                   one update (1 epoch) over a 4 x 25 rollout; goal: each <= 0.5x the reference
//   mlp             CleanRL's MLP (obs 4, 2 actions): GetAction for 4 envs, and one update of 4
//                   epochs x 4 minibatches of 128 over a 4 x 128 rollout
//   cartpole-train  CleanRL's ppo.py end to end on CartPole-v1 (configs/ppo/cartpole.yaml):
//                   env steps per second; goal: >= 5x the reference
// One intra-op thread; the median of the timed calls after warm-up; the rollouts of the update
// timings are random (features, masks, rewards), as the reference's are.
//
// Run from the repository root (Debian's python3-torch for the reference: tools/setup.sh --bench):
//   build/bench/ppo_bench [--modes factored,mlp,cartpole-train] [--iters N]
//     [--total-steps N] [--no-reference] [--reference PATH/ppo_ref.py]
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "algos/ppo/gae.h"
#include "algos/ppo/policy/policy_registry.h"
#include "algos/ppo/ppo_agent.h"
#include "algos/ppo/ppo_workload.h"
#include "app/config_pipeline.h"
#include "config/compose.h"
#include "rl/allocator.h"
#include "rl/threads.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace orch::ppo;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

template <typename Fn>
double TimeMs(Fn&& call) {
  auto start = Clock::now();
  call();
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

orch::envs::ActionSpec FactoredActions() {
  orch::envs::ActionSpec action;
  action.kind = orch::envs::ActionSpec::Kind::kDiscrete;
  action.head_names = {"slot",         "blueprint",   "style",       "tempo",
                       "alpha_target", "alpha_speed", "alpha_curve", "op"};
  action.head_sizes = {3, 13, 4, 3, 3, 4, 3, 6};
  action.masked = true;
  return action;
}

orch::envs::ActionSpec TwoActions() {
  orch::envs::ActionSpec action;
  action.kind = orch::envs::ActionSpec::Kind::kDiscrete;
  action.head_names = {"action"};
  action.head_sizes = {2};
  return action;
}

/// Each choice valid with probability 1/2, at least one per row, as the reference draws them.
HeadTensors RandomMasks(const orch::envs::ActionSpec& action, std::vector<int64_t> leading) {
  HeadTensors masks;
  if (!action.masked) return masks;
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

/// A T x E rollout of random features, masks and rewards, its actions sampled by `policy`.
Rollout RandomRollout(PolicyBundle& policy, int64_t steps, int64_t envs, at::Generator& generator,
                      double gamma, double lambda, bool episodes_end_at_last_step) {
  const auto& action = policy.spec().action;
  Rollout rollout(steps, envs, policy.spec().obs_dim, action);
  rollout.obs.normal_();
  RecurrentState hidden = policy.InitialHidden(envs);
  rollout.initial_hidden = hidden;
  for (int64_t t = 0; t < steps; ++t) {
    HeadTensors masks = RandomMasks(action, {envs});
    for (auto& [name, mask] : masks) rollout.masks[name][t].copy_(mask);
    ActionResult result = policy.GetAction(rollout.obs[t], masks, hidden, false, generator);
    hidden = result.hidden;
    for (auto& [name, chosen] : result.action) rollout.action[name][t].copy_(chosen);
    for (auto& [name, log_prob] : result.log_prob) rollout.log_prob[name][t].copy_(log_prob);
    rollout.values[t].copy_(result.value);
  }
  rollout.rewards.uniform_();
  if (episodes_end_at_last_step) rollout.ends[steps - 1].fill_(true);
  for (auto& [name, relevant] : rollout.relevance) relevant.copy_(torch::rand({steps, envs}) < 0.5);
  if (rollout.relevance.count("op") > 0) rollout.relevance["op"].fill_(true);
  std::tie(rollout.advantages, rollout.returns) = ComputeGae(
      rollout.rewards, rollout.values, rollout.ends, torch::zeros({envs}), gamma, lambda);
  return rollout;
}

struct PieceTiming {
  double act_ms = 0.0;
  double update_ms = 0.0;
};

/// GetAction for 4 envs (carrying the state) and one update, as the reference times them.
PieceTiming TimePieces(const std::string& mode, int warmup, int iters) {
  const bool factored = mode == "factored";
  torch::manual_seed(1);
  PolicySpec spec;
  spec.options.type = factored ? "lstm" : "mlp";
  spec.obs_dim = factored ? 140 : 4;
  spec.action = factored ? FactoredActions() : TwoActions();
  auto policy = CreatePolicy(spec.options.type, spec, c10::Device(c10::kCPU));
  PpoOptions options;
  if (factored) {
    options.num_envs = 4;
    options.num_steps = 25;
    options.lr = 3e-4;
    options.num_minibatches = 1;
    options.recurrent_epochs = 1;
    options.adv_norm_scope = "buffer";
    options.value_clip = 10.0;
    options.ent_coef = 0.05;
    options.normalize_entropy = true;
  } else {
    options.num_envs = 4;
    options.num_steps = 128;
    options.num_minibatches = 4;
    options.update_epochs = 4;
  }
  PpoAgent agent(policy, options);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(7);

  // act: one step of 4 envs from the carried state
  at::Tensor obs = torch::randn({4, spec.obs_dim});
  HeadTensors masks = RandomMasks(spec.action, {4});
  RecurrentState hidden = policy->InitialHidden(4);
  std::vector<double> act;
  for (int i = 0; i < warmup + 10 * iters; ++i) {
    const double ms = TimeMs([&] {
      ActionResult result = policy->GetAction(obs, masks, hidden, false, generator);
      hidden = result.hidden;
    });
    if (i >= warmup) act.push_back(ms);
  }
  // update: a fresh random rollout (untimed) before each
  std::vector<double> update;
  for (int i = 0; i < warmup + iters; ++i) {
    Rollout rollout = RandomRollout(*policy, options.num_steps, options.num_envs, generator,
                                    factored ? 0.995 : 0.99, factored ? 0.98 : 0.95, factored);
    const double ms = TimeMs([&] {
      agent.Update(rollout, {options.lr, options.ent_coef}, generator);
    });
    if (i >= warmup) update.push_back(ms);
  }
  return {Median(act), Median(update)};
}

struct TrainResult {
  double sps = 0.0;
  double return_last20 = 0.0;
};

/// Keeps the mean return of the run's last 20 training episodes.
class ReturnSink : public orch::rl::MetricSink {
 public:
  void Log(std::string_view key, int64_t, double value) override {
    if (key == "summary/episode_return_last20") last20 = value;
  }
  void Flush() override {}
  double last20 = 0.0;
};

/// configs/ppo/cartpole.yaml end to end, in this process.
TrainResult TimeCartPoleTraining(int64_t total_steps) {
  orch::app::ConfigPipeline pipeline({"configs/ppo/cartpole.yaml", std::nullopt, true});
  orch::config::ComposedConfig composed = pipeline.Compose(
      orch::config::ParseOverrides({fmt::format("ppo.total_steps={}", total_steps),
                                    "ppo.eval_every=100000000", "ppo.checkpoint_every=0"}));
  if (composed.diagnostics.HasErrors()) {
    std::fprintf(stderr, "%s\n", composed.diagnostics.Format().c_str());
    std::exit(2);
  }
  ReturnSink metrics;
  orch::rl::RunContext context;
  context.seed = 1;
  context.metrics = &metrics;
  context.run_dir = std::filesystem::temp_directory_path();
  auto workload = PpoWorkload::FromConfig(composed.tree);
  const double ms = TimeMs([&] { workload->Run(context); });
  return {static_cast<double>(total_steps / 512 * 512) / (ms / 1000.0), metrics.last20};
}

/// The reference's RESULT line as key=value pairs; nullopt when it cannot run.
std::optional<std::map<std::string, std::string>> RunReference(const std::string& script,
                                                               const std::string& arguments) {
  std::string command = fmt::format(
      "OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 {} {} --threads 1 2>&1", script, arguments);
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (pclose(pipe) != 0) {
    std::fprintf(stderr, "reference failed:\n%s\n", output.c_str());
    return std::nullopt;
  }
  size_t at = output.rfind("RESULT ");
  if (at == std::string::npos) return std::nullopt;
  std::map<std::string, std::string> fields;
  std::regex pair(R"(([a-z_0-9]+)=([^ \n]+))");
  std::string line = output.substr(at, output.find('\n', at) - at);
  for (std::sregex_iterator it(line.begin(), line.end(), pair), end; it != end; ++it) {
    fields[(*it)[1]] = (*it)[2];
  }
  return fields;
}

std::string Ratio(double cpp, std::optional<double> reference) {
  return reference ? fmt::format("{:.2f}", cpp / *reference) : std::string("-");
}

std::optional<double> Field(const std::optional<std::map<std::string, std::string>>& fields,
                            const std::string& key) {
  if (!fields || fields->count(key) == 0) return std::nullopt;
  return std::stod(fields->at(key));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> modes = {"factored", "mlp", "cartpole-train"};
  int iters = 30;
  int64_t total_steps = 500'000;
  bool reference = true;
  std::string script = "../shared/bench/ppo_ref.py";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--modes" && i + 1 < argc) {
      modes.clear();
      std::string list = argv[++i];
      for (size_t start = 0; start <= list.size();) {
        size_t comma = list.find(',', start);
        modes.push_back(list.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (arg == "--iters" && i + 1 < argc) {
      iters = std::atoi(argv[++i]);
    } else if (arg == "--total-steps" && i + 1 < argc) {
      total_steps = std::atoll(argv[++i]);
    } else if (arg == "--no-reference") {
      reference = false;
    } else if (arg == "--reference" && i + 1 < argc) {
      script = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: ppo_bench [--modes factored,mlp,cartpole-train] [--iters N] "
                   "[--total-steps N] [--no-reference] [--reference PATH]\n");
      return 2;
    }
  }
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  orch::rl::TuneAllocatorForTraining();  // as orch-worker does
  orch::rl::ConfigureIntraOpThreads(1);
  const int warmup = 5;
  std::printf(
      "PPO cost, C++ (LibTorch) against the PyTorch reference, 1 thread; median ms of %d\n"
      "update calls and %d act calls after %d warm-up calls\n\n",
      iters, 10 * iters, warmup);
  for (const std::string& mode : modes) {
    if (mode == "cartpole-train") {
      TrainResult cpp = TimeCartPoleTraining(total_steps);
      std::optional<std::map<std::string, std::string>> ref;
      if (reference) {
        ref = RunReference(script,
                           fmt::format("--mode cartpole-train --total-steps {}", total_steps));
      }
      std::optional<double> ref_sps = Field(ref, "sps");
      std::printf(
          "cartpole-train  %lld env steps: C++ %.0f steps/s (return_last20 %.1f), reference "
          "%s steps/s (return_last20 %s): %s x (goal >= 5)\n",
          static_cast<long long>(total_steps), cpp.sps, cpp.return_last20,
          ref_sps ? fmt::format("{:.0f}", *ref_sps).c_str() : "-",
          ref && ref->count("return_last20") ? ref->at("return_last20").c_str() : "-",
          ref_sps ? fmt::format("{:.2f}", cpp.sps / *ref_sps).c_str() : "-");
      continue;
    }
    PieceTiming cpp = TimePieces(mode, warmup, iters);
    std::optional<std::map<std::string, std::string>> ref;
    if (reference) {
      ref = RunReference(script,
                         fmt::format("--mode {} --warmup {} --iters {}", mode, warmup, iters));
    }
    std::optional<double> ref_act = Field(ref, "act_ms");
    std::optional<double> ref_update = Field(ref, "update_ms");
    std::printf("%-15s act    C++ %8.3f ms  reference %8s ms  ratio %s%s\n", mode.c_str(),
                cpp.act_ms, ref_act ? fmt::format("{:.3f}", *ref_act).c_str() : "-",
                Ratio(cpp.act_ms, ref_act).c_str(), mode == "factored" ? " (goal <= 0.5)" : "");
    std::printf("%-15s update C++ %8.3f ms  reference %8s ms  ratio %s%s\n", mode.c_str(),
                cpp.update_ms, ref_update ? fmt::format("{:.3f}", *ref_update).c_str() : "-",
                Ratio(cpp.update_ms, ref_update).c_str(),
                mode == "factored" ? " (goal <= 0.5)" : "");
  }
  return 0;
}
