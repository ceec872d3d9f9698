// bench/tdmpc2_bench.cpp: the cost of a TD-MPC2 training update and of one MPPI planning call,
// against the PyTorch reference ../shared/bench/tdmpc2_ref.py run on the same machine in the same
// run (issue 5: each at most 0.8x the reference; the multi-gamma overhead at most 5% per update).
//
// Shapes as the reference: obs 17, action 6 (cheetah), batch 256, horizon 3, planner 512
// samples x 6 iterations, 64 elites, 24 policy trajectories, 1 intra-op thread; the median of
// the timed calls after warm-up. Model sizes 1 and 5; the multi-gamma rows use the default
// study (gammas [0.99, 0.97, 0.995], joint head, loss_weight 0.5).
//
// Run from the repository root (Debian's python3-torch for the reference):
//   build/bench/tdmpc2_bench [--sizes 1,5] [--iters N] [--no-reference]
//     [--reference PATH/tdmpc2_ref.py] [--device cuda]
// With --device cuda (a worker built against a CUDA LibTorch, tools/build-libtorch.sh) both sides
// run on the GPU: the batch and the observation start on the CPU and the action ends there, as
// in a run, so each timed call includes its transfers and its synchronisation.
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "algos/tdmpc2/tdmpc2_agent.h"
#include "rl/allocator.h"
#include "rl/device.h"
#include "rl/threads.h"

namespace {

using Clock = std::chrono::steady_clock;
using orch::tdmpc2::AgentSpec;
using orch::tdmpc2::TdMpc2Agent;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Timing {
  double update_ms = 0.0;
  double plan_ms = 0.0;
};

AgentSpec Spec(int64_t size, bool multi_gamma, const std::string& device) {
  AgentSpec spec;
  spec.device = device;
  spec.options.model_size = size;
  spec.discount = 0.99;
  if (multi_gamma) {
    spec.multi_gamma.enabled = true;
    spec.multi_gamma.gammas = {0.99, 0.97, 0.995};
  }
  spec.model = orch::tdmpc2::MakeWorldModelSpec(spec.options, spec.multi_gamma, 17, 6);
  return spec;
}

/// The two agents (multi-gamma off and on) timed in alternation, so that drift of the machine
/// hits both alike.
std::pair<Timing, Timing> TimeCpp(int64_t size, int warmup, int iters, const std::string& device) {
  TdMpc2Agent baseline(Spec(size, false, device), 1);
  TdMpc2Agent extended(Spec(size, true, device), 1);
  torch::manual_seed(1);
  orch::tdmpc2::TrainingBatch batch;
  batch.obs = torch::randn({4, 256, 17});
  batch.action = torch::rand({3, 256, 6}) * 2 - 1;
  batch.reward = torch::rand({3, 256, 1}) * 2;
  at::Tensor obs = torch::randn({17});
  std::vector<double> update[2], plan[2];
  auto time = [](auto&& call) {
    auto start = Clock::now();
    call();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  for (int i = 0; i < warmup + iters; ++i) {
    TdMpc2Agent* agents[2] = {&baseline, &extended};
    for (int which = 0; which < 2; ++which) {
      const double ms = time([&] { agents[which]->Update(batch); });
      if (i >= warmup) update[which].push_back(ms);
    }
  }
  for (int i = 0; i < warmup + iters; ++i) {
    TdMpc2Agent* agents[2] = {&baseline, &extended};
    for (int which = 0; which < 2; ++which) {
      const double ms = time([&] { agents[which]->Act(obs, i == 0, false).to(torch::kCPU); });
      if (i >= warmup) plan[which].push_back(ms);
    }
  }
  return {{Median(update[0]), Median(plan[0])}, {Median(update[1]), Median(plan[1])}};
}

/// Runs the reference and parses its RESULT line; nullopt when it cannot run.
/// `same_allocator`: with orch-worker's malloc settings (rl/allocator.h) through glibc's
/// environment variables, so the comparison isolates the computation.
std::optional<Timing> TimeReference(const std::string& script, int64_t size, bool multi_gamma,
                                    bool same_allocator, int warmup, int iters,
                                    const std::string& device, const std::string& python) {
  std::string command = fmt::format(
      "{}OMP_WAIT_POLICY=PASSIVE {} {} --model-size {} --threads 1 --warmup {} "
      "--iters {}{} --device {} 2>&1",
      same_allocator ? "MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 " : "",
      python, script, size, warmup, iters, multi_gamma ? " --multi-gamma" : "",
      device.rfind("cuda", 0) == 0 ? "cuda" : "cpu");
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (pclose(pipe) != 0) {
    std::fprintf(stderr, "reference failed:\n%s\n", output.c_str());
    return std::nullopt;
  }
  std::smatch match;
  if (!std::regex_search(output, match, std::regex(R"(update_ms=([0-9.]+).*plan_ms=([0-9.]+))"))) {
    return std::nullopt;
  }
  return Timing{std::stod(match[1]), std::stod(match[2])};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> sizes = {1, 5};
  int iters = 20;
  bool reference = true;
  std::string script = "../shared/bench/tdmpc2_ref.py";
  std::string device = "cpu";
  // Debian's interpreter (its python3-torch) on the CPU; a CUDA PyTorch is often another one
  std::string python = "/usr/bin/python3";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--sizes" && i + 1 < argc) {
      sizes.clear();
      for (const auto& part : std::vector<std::string>{argv[++i]}) {
        size_t start = 0;
        while (start <= part.size()) {
          size_t comma = part.find(',', start);
          sizes.push_back(std::stoll(part.substr(start, comma - start)));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
    } else if (arg == "--iters" && i + 1 < argc) {
      iters = std::atoi(argv[++i]);
    } else if (arg == "--no-reference") {
      reference = false;
    } else if (arg == "--reference" && i + 1 < argc) {
      script = argv[++i];
    } else if (arg == "--device" && i + 1 < argc) {
      device = argv[++i];
    } else if (arg == "--python" && i + 1 < argc) {
      python = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: tdmpc2_bench [--sizes 1,5] [--iters N] [--no-reference] [--reference "
                   "PATH] [--device cpu|cuda] [--python PYTHON]\n");
      return 2;
    }
  }
  try {
    device = orch::rl::ResolveDevice(device);  // a CUDA request to a CPU LibTorch says why not
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tdmpc2_bench: %s\n", error.what());
    return 2;
  }
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  orch::rl::TuneAllocatorForTraining();  // as orch-worker does
  orch::rl::ConfigureIntraOpThreads(1);
  const int warmup = 3;
  std::printf(
      "TD-MPC2 update and planning cost: obs 17, action 6, batch 256, horizon 3, planner 512 x 6,\n"
      "1 thread, device %s, median of %d calls after %d warm-up calls\n\n",
      device.c_str(), iters, warmup);
  auto cell = [](std::optional<double> value) {
    return value ? fmt::format("{:.1f}", *value) : std::string("-");
  };
  auto ratio = [](double cpp, std::optional<double> reference) {
    return reference ? fmt::format("{:.2f}", cpp / *reference) : std::string("-");
  };
  std::printf("%-5s %-4s %9s %9s %9s %7s %7s | %9s %9s %9s %7s %7s\n", "size", "mg", "C++ upd",
              "ref upd", "ref* upd", "ratio", "ratio*", "C++ plan", "ref plan", "ref* plan",
              "ratio", "ratio*");
  for (int64_t size : sizes) {
    const int size_iters = size >= 5 ? std::max(5, iters / 2) : iters;
    auto [base, extended] = TimeCpp(size, warmup, size_iters, device);
    for (bool multi_gamma : {false, true}) {
      const Timing& cpp = multi_gamma ? extended : base;
      std::optional<Timing> ref, ref_same;
      if (reference) {
        ref = TimeReference(script, size, multi_gamma, false, warmup, size_iters, device, python);
        ref_same =
            TimeReference(script, size, multi_gamma, true, warmup, size_iters, device, python);
      }
      auto get = [](const std::optional<Timing>& t, double Timing::*field) {
        return t ? std::optional<double>((*t).*field) : std::nullopt;
      };
      std::printf("%-5lld %-4s %9s %9s %9s %7s %7s | %9s %9s %9s %7s %7s\n",
                  static_cast<long long>(size), multi_gamma ? "on" : "off",
                  cell(cpp.update_ms).c_str(), cell(get(ref, &Timing::update_ms)).c_str(),
                  cell(get(ref_same, &Timing::update_ms)).c_str(),
                  ratio(cpp.update_ms, get(ref, &Timing::update_ms)).c_str(),
                  ratio(cpp.update_ms, get(ref_same, &Timing::update_ms)).c_str(),
                  cell(cpp.plan_ms).c_str(), cell(get(ref, &Timing::plan_ms)).c_str(),
                  cell(get(ref_same, &Timing::plan_ms)).c_str(),
                  ratio(cpp.plan_ms, get(ref, &Timing::plan_ms)).c_str(),
                  ratio(cpp.plan_ms, get(ref_same, &Timing::plan_ms)).c_str());
    }
    std::printf(
        "      multi-gamma overhead at size %lld: %+.1f%% per update (target <= +5%%), "
        "%+.1f%% per planning call\n",
        static_cast<long long>(size), 100.0 * (extended.update_ms / base.update_ms - 1.0),
        100.0 * (extended.plan_ms / base.plan_ms - 1.0));
  }
  std::printf(
      "\ntimes in ms; ratio = C++ / reference (target <= 0.80). ref: %s as Debian ships it;\n"
      "ref*: the same with orch-worker's malloc settings (MALLOC_MMAP_THRESHOLD_=32 MiB,\n"
      "MALLOC_TRIM_THRESHOLD_=1 GiB), which isolates the computation.\n",
      reference ? script.c_str() : "not run");
  return 0;
}
