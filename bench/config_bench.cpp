// bench/config_bench.cpp: how long composing and planning take, against Hydra's numbers.
//
// Measures, on this machine:
//   1. compose + validate of configs/tdmpc2/cheetah.yaml in process (cold: a fresh pipeline that
//      reads every file; warm: the files already parsed, as for the jobs of a sweep);
//   2. `orch compose configs/tdmpc2/cheetah.yaml` as a whole process (what a user waits for);
//   3. `orch plan` of a 1,000-job sweep as a whole process: on the command line (text and
//      --json) and as a sweep file (10 variants x 100 seeds).
// Hydra's reference points (hydra-semantics.md §8: hydra#1543, hydra#1324): about 0.5 s per
// compose, and about a minute to start a 300-job sweep.
//
// Run from the repository root: build/bench/config_bench
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/config_pipeline.h"
#include "bench_process.h"
#include "config/compose.h"

namespace {

using Clock = std::chrono::steady_clock;
using orch::bench::Median;
using orch::bench::MedianProcessMs;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string orch = argc > 1 ? argv[1] : "build/src/app/orch";
  const std::string config = "configs/tdmpc2/cheetah.yaml";
  using orch::app::ConfigPipeline;
  using orch::app::ConfigSource;

  // in process: a fresh pipeline per compose (reads and parses every file)
  std::vector<double> cold;
  for (int i = 0; i < 200; ++i) {
    auto start = Clock::now();
    ConfigPipeline pipeline(ConfigSource{config, std::nullopt, true});
    auto composed = pipeline.Compose(orch::config::ParseOverrides({"multi_gamma.enabled=true"}));
    cold.push_back(MillisecondsSince(start));
    if (composed.diagnostics.HasErrors()) return 1;
  }
  // in process: one pipeline, files parsed once (the per-job cost of a sweep)
  std::vector<double> warm;
  ConfigPipeline pipeline(ConfigSource{config, std::nullopt, true});
  for (int i = 0; i < 1000; ++i) {
    auto start = Clock::now();
    auto composed = pipeline.Compose(orch::config::ParseOverrides({"multi_gamma.enabled=true"}));
    warm.push_back(MillisecondsSince(start));
  }

  const std::vector<std::string> sweep = {
      orch,
      "plan",
      config,
      "seed=range(100)",
      "multi_gamma.loss_weight=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0",
      "multi_gamma.enabled=true"};
  std::vector<std::string> sweep_json = sweep;
  sweep_json.push_back("--json");

  double compose_process =
      MedianProcessMs({orch, "compose", config, "multi_gamma.enabled=true"}, 30);
  double plan_process = MedianProcessMs(sweep, 7);
  double plan_json_process = MedianProcessMs(sweep_json, 7);

  // the same size as a sweep file: 10 named variants x seed 0..99
  std::filesystem::path sweep_file = std::filesystem::temp_directory_path() /
                                     ("orch-bench-sweep-" + std::to_string(getpid()) + ".yaml");
  {
    std::ofstream file(sweep_file);
    file << "name: bench\nconfig: " << std::filesystem::absolute(config).string()
         << "\noverrides: [multi_gamma.enabled=true]\naxes:\n  seed: range(100)\nvariants:\n";
    for (int v = 1; v <= 10; ++v)
      file << "  w" << v << ": {multi_gamma.loss_weight: " << v / 10.0 << "}\n";
  }
  double plan_file_process = MedianProcessMs({orch, "plan", sweep_file.string()}, 7);
  std::filesystem::remove(sweep_file);

  const double hydra_compose_ms = 500.0;
  const double hydra_sweep_300_ms = 60'000.0;
  std::printf("config layer timings (median; machine: %ld cores)\n\n",
              sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("%-52s %10s %10s %12s\n", "measurement", "orch ms", "target ms", "Hydra / orch");
  auto row = [](const char* name, double ms, double target, double hydra) {
    std::printf("%-52s %10.3f %10s %12s\n", name, ms,
                target > 0 ? fmt::format("{:.0f}", target).c_str() : "-",
                hydra > 0 ? fmt::format("{:.0f}x", hydra / ms).c_str() : "-");
  };
  row("compose+validate cheetah, in process, cold", Median(cold), 20, hydra_compose_ms);
  row("compose+validate cheetah, in process, warm (per job)", Median(warm), 0, hydra_compose_ms);
  row("orch compose cheetah (whole process)", compose_process, 20, hydra_compose_ms);
  row("orch plan, 1,000 jobs (whole process)", plan_process, 200, hydra_sweep_300_ms);
  row("orch plan --json, 1,000 jobs (whole process)", plan_json_process, 200, hydra_sweep_300_ms);
  row("orch plan SWEEP_FILE, 1,000 jobs (whole process)", plan_file_process, 200,
      hydra_sweep_300_ms);
  std::printf(
      "\nHydra references: ~500 ms per compose (hydra#1543); ~60 s to start a 300-job sweep"
      " (hydra#1324),\nso the last three ratios compare orch's 1,000 jobs with Hydra's 300.\n");
  return 0;
}
