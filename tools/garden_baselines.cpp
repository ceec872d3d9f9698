// tools/garden_baselines.cpp: the seed garden's baselines on the same fixed-seed episodes as a
// PPO run's deterministic evaluation (ppo.eval_seed), and the run's margin over each, paired
// by episode with a 95% confidence interval (ppo-policy.md §8: "beats always-WAIT and
// uniform-random-valid clearly, e.g. by +50% of the gap to a hand-written heuristic").
//
//   garden-baselines [--episodes N] [--first-seed S] [RUN_DIR...]
//
// Without run folders it prints the baselines for the default garden (configs/env/seed-garden
// .yaml). With them, each run's resolved config.yaml gives the env options and the evaluation
// seed, and its eval_returns.csv the returns of its last evaluation.
#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/schema.h"
#include "config/yaml_loader.h"
#include "envs/env_options.h"
#include "envs/seed_garden.h"

namespace {

namespace fs = std::filesystem;
using orch::envs::SeedGardenOptions;

/// Student's t quantile for a two-sided 95% interval with `dof` degrees of freedom (the
/// Cornish-Fisher expansion around the normal quantile; within 0.2% for dof >= 5).
double T975(double dof) {
  const double z = 1.959963984540054;
  const double z3 = z * z * z;
  const double z5 = z3 * z * z;
  return z + (z3 + z) / (4 * dof) + (5 * z5 + 16 * z3 + 3 * z) / (96 * dof * dof);
}

struct MeanInterval {
  double mean = 0.0;
  double half_width = 0.0;
};

MeanInterval Interval95(const std::vector<double>& values) {
  const double n = static_cast<double>(values.size());
  double mean = 0.0;
  for (double value : values) mean += value / n;
  double squares = 0.0;
  for (double value : values) squares += (value - mean) * (value - mean);
  const double sd = values.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  return {mean, values.size() > 1 ? T975(n - 1) * sd / std::sqrt(n) : 0.0};
}

std::vector<double> Differences(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out;
  for (size_t i = 0; i < a.size(); ++i) out.push_back(a[i] - b[i]);
  return out;
}

struct RunEvaluation {
  std::string name;
  SeedGardenOptions options;
  uint64_t first_seed = 0;
  int64_t env_step = 0;
  std::vector<double> returns;
};

/// A run folder's env options, evaluation seed and last evaluation's returns.
RunEvaluation ReadRun(const fs::path& dir) {
  RunEvaluation run;
  run.name = dir.filename().string().substr(0, 8);
  std::ifstream config_file(dir / "config.yaml");
  if (!config_file) throw std::runtime_error(fmt::format("{}: no config.yaml", dir.string()));
  std::stringstream text;
  text << config_file.rdbuf();
  const orch::config::Node config =
      orch::config::ParseYamlValue(text.str(), (dir / "config.yaml").string());
  const orch::config::Node* env = config.Find("env");
  const orch::config::Node* ppo = config.Find("ppo");
  const orch::config::Node* seed = ppo != nullptr ? ppo->Find("eval_seed") : nullptr;
  if (env == nullptr || seed == nullptr || !seed->IsInt()) {
    throw std::runtime_error(
        fmt::format("{}: not a PPO run with ppo.eval_seed set; its evaluation episodes are not the "
                    "baselines' (run it with ppo.eval_seed=1000)",
                    dir.string()));
  }
  if (const orch::config::Node* name = env->Find("name");
      name == nullptr || !name->IsString() || name->AsString() != "seed-garden") {
    throw std::runtime_error(fmt::format("{}: not a seed-garden run", dir.string()));
  }
  run.options =
      orch::config::BindSection<SeedGardenOptions>(config, "env", orch::envs::SeedGardenSchema());
  run.first_seed = static_cast<uint64_t>(seed->AsInt());

  std::ifstream csv(dir / "eval_returns.csv");
  if (!csv) throw std::runtime_error(fmt::format("{}: no eval_returns.csv", dir.string()));
  std::map<int64_t, std::vector<double>> by_step;
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    int64_t step = 0;
    int64_t episode = 0;
    double value = 0.0;
    if (std::sscanf(line.c_str(), "%ld,%ld,%lf", &step, &episode, &value) == 3) {
      by_step[step].push_back(value);
    }
  }
  if (by_step.empty()) throw std::runtime_error(fmt::format("{}: no evaluation", dir.string()));
  run.env_step = by_step.rbegin()->first;
  run.returns = by_step.rbegin()->second;
  return run;
}

void PrintBaselines(const SeedGardenOptions& options, int episodes, uint64_t first_seed,
                    const std::vector<RunEvaluation>& runs) {
  using orch::envs::GardenPolicyReturns;
  const std::vector<double> wait =
      GardenPolicyReturns(options, orch::envs::AlwaysWaitPolicy(), episodes, first_seed);
  const std::vector<double> random =
      GardenPolicyReturns(options, orch::envs::RandomValidPolicy(), episodes, first_seed);
  const std::vector<double> heuristic =
      GardenPolicyReturns(options, orch::envs::HeuristicPolicy(options), episodes, first_seed);
  fmt::print("seed garden: {} slots, {} epochs; {} episodes from seed {}\n\n", options.num_slots,
             options.episode_length, episodes, first_seed);
  fmt::print("| policy | mean return | 95% CI |\n|---|---|---|\n");
  const auto row = [](const std::string& name, const std::vector<double>& values) {
    const MeanInterval interval = Interval95(values);
    fmt::print("| {} | {:.2f} | [{:.2f}, {:.2f}] |\n", name, interval.mean,
               interval.mean - interval.half_width, interval.mean + interval.half_width);
  };
  row("always WAIT", wait);
  row("uniform random valid", random);
  row("heuristic", heuristic);
  for (const RunEvaluation& run : runs) row(fmt::format("PPO run {}", run.name), run.returns);
  if (runs.empty()) return;

  const double best_baseline = std::max(Interval95(wait).mean, Interval95(random).mean);
  const double heuristic_mean = Interval95(heuristic).mean;
  fmt::print(
      "\n| run | at env step | - WAIT (95% CI) | - random valid (95% CI) | share of the gap from "
      "the better baseline to the heuristic |\n|---|---|---|---|---|\n");
  for (const RunEvaluation& run : runs) {
    const MeanInterval over_wait = Interval95(Differences(run.returns, wait));
    const MeanInterval over_random = Interval95(Differences(run.returns, random));
    fmt::print(
        "| {} | {} | {:+.2f} [{:+.2f}, {:+.2f}] | {:+.2f} [{:+.2f}, {:+.2f}] | {:.0f}% |\n",
        run.name, run.env_step, over_wait.mean, over_wait.mean - over_wait.half_width,
        over_wait.mean + over_wait.half_width, over_random.mean,
        over_random.mean - over_random.half_width, over_random.mean + over_random.half_width,
        100.0 * (Interval95(run.returns).mean - best_baseline) / (heuristic_mean - best_baseline));
  }
}

}  // namespace

int main(int argc, char** argv) {
  int episodes = 100;
  uint64_t first_seed = 1000;
  std::vector<fs::path> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--episodes" || arg == "--first-seed") && i + 1 < argc) {
      const long long value = std::atoll(argv[++i]);
      if (value < 1) {
        fmt::print(stderr, "garden-baselines: {} wants a positive number\n", arg);
        return 2;
      }
      (arg == "--episodes" ? episodes = static_cast<int>(value)
                           : first_seed = static_cast<uint64_t>(value));
    } else if (arg == "-h" || arg == "--help") {
      fmt::print("usage: garden-baselines [--episodes N] [--first-seed S] [RUN_DIR...]\n");
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      fmt::print(stderr, "garden-baselines: unknown option '{}' (see --help)\n", arg);
      return 2;
    } else {
      dirs.emplace_back(arg);
    }
  }
  try {
    std::vector<RunEvaluation> runs;
    for (const fs::path& dir : dirs) runs.push_back(ReadRun(dir));
    SeedGardenOptions options;
    if (!runs.empty()) {
      // the runs must share the episodes the baselines are evaluated on
      options = runs.front().options;
      first_seed = runs.front().first_seed;
      episodes = static_cast<int>(runs.front().returns.size());
      for (const RunEvaluation& run : runs) {
        if (run.first_seed != first_seed || run.returns.size() != runs.front().returns.size() ||
            run.options.num_slots != options.num_slots ||
            run.options.episode_length != options.episode_length) {
          throw std::runtime_error(fmt::format(
              "run {} was evaluated on other episodes than run {} (eval_seed, episode count or "
              "garden differ)",
              run.name, runs.front().name));
        }
      }
    }
    PrintBaselines(options, episodes, first_seed, runs);
  } catch (const std::exception& error) {
    fmt::print(stderr, "garden-baselines: {}\n", error.what());
    return 1;
  }
  return 0;
}
