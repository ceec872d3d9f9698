// bench/sweep_bench.cpp: how much faster a sweep finishes with two workers than with one.
//
// Runs the same sweep of 8 short TAM runs (seeds 0-7, tam.episodes=N) into a fresh store with
// --jobs 1 and with --jobs 2 and prints the throughput (runs per minute) of each and their
// ratio, against the target of at least 1.7 on 2 cores (issue 4). Each run has one intra-op
// thread, so two workers fill two cores; the gap to 2.0 is worker start-up, the store's
// serialised writes and the front end.
//
// Run from the repository root: build/bench/sweep_bench [EPISODES] [REPEATS]
//   (default 2000 episodes per run, 1 repeat per setting; the median is printed)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_process.h"

namespace {

namespace fs = std::filesystem;
constexpr int kRuns = 8;

/// Wall milliseconds of the whole sweep with `jobs` workers, each time into a fresh store.
double SweepMs(const std::string& orch, int episodes, int jobs, int repeats) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    fs::path dir = fs::temp_directory_path() /
                   ("orch-sweep-bench-" + std::to_string(getpid()) + "-" + std::to_string(jobs));
    fs::remove_all(dir);
    times.push_back(orch::bench::RunProcessMs(
        {orch, "sweep", "configs/tam/pendulum.yaml", "seed=range(" + std::to_string(kRuns) + ")",
         "tam.episodes=" + std::to_string(episodes), "--jobs", std::to_string(jobs), "--store",
         (dir / "orch.db").string()}));
    fs::remove_all(dir);
  }
  return orch::bench::Median(times);
}

}  // namespace

int main(int argc, char** argv) {
  const int episodes = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 1;
  const std::string orch = "build/src/app/orch";
  std::printf("sweep of %d TAM runs x %d episodes (machine: %ld cores)\n\n", kRuns, episodes,
              sysconf(_SC_NPROCESSORS_ONLN));
  double one = SweepMs(orch, episodes, 1, repeats);
  double two = SweepMs(orch, episodes, 2, repeats);
  auto per_minute = [](double ms) { return kRuns / (ms / 60'000.0); };
  std::printf("%-10s %10s %14s\n", "workers", "wall s", "runs / minute");
  std::printf("%-10s %10.2f %14.1f\n", "--jobs 1", one / 1000, per_minute(one));
  std::printf("%-10s %10.2f %14.1f\n", "--jobs 2", two / 1000, per_minute(two));
  std::printf("\nthroughput ratio --jobs 2 / --jobs 1: %.2f (target >= 1.70)\n", one / two);
  return 0;
}
