// bench/store_bench.cpp: how fast the results store ingests metrics, against the 200,000 rows/s
// target.
//
// Measures, on a fresh store in a temporary directory, with the MetricWriter's default batching
// (1,000 rows or 500 ms per flush, one transaction each):
//   1. one writer: 4 runs one after the other, 15,000 steps of 20 keys each plus an evaluation
//      key every 10 steps (~1.2 M rows, the sizing of results-store.md);
//   2. two writers in parallel processes, each with its own connection, 2 runs each (the same
//      rows in total), as two workers of a sweep would write.
//
// Run: build/bench/store_bench [--keep]   (--keep leaves the temporary stores for inspection)
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/results_store.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using orch::store::NewRun;
using orch::store::ResultsStore;

constexpr int kRuns = 4;
constexpr int kStepsPerRun = 15'000;
constexpr int kKeysPerStep = 20;
constexpr int kEvalEvery = 10;
constexpr int64_t kStepSize = 1'000;
constexpr double kTargetRowsPerSecond = 200'000;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The names of the scalar keys a training run logs.
std::vector<std::string> KeyNames() {
  std::vector<std::string> names = {"train/loss",        "train/value_loss",
                                    "train/policy_loss", "train/entropy",
                                    "train/grad_norm",   "train/lr",
                                    "aux/mae/g0.97",     "aux_value_ce/g0.97",
                                    "system/rss_bytes",  "system/steps_per_second"};
  while (static_cast<int>(names.size()) < kKeysPerStep) {
    names.push_back(fmt::format("train/head{}", names.size()));
  }
  return names;
}

/// Records `count` runs (seeds from `first_seed`) and returns their ids.
std::vector<int64_t> CreateRuns(ResultsStore& store, int first_seed, int count) {
  std::vector<int64_t> ids;
  for (int seed = first_seed; seed < first_seed + count; ++seed) {
    NewRun run;
    run.uuid = fmt::format("bench-{:04d}-{}", seed, getpid());
    run.name = fmt::format("bench-{}", seed);
    run.algo = "ppo";
    run.task = "cheetah-run";
    run.seed = seed;
    run.config_yaml = fmt::format("seed: {}\n", seed);
    run.config_json = fmt::format(R"({{"seed":{}}})", seed);
    run.config_sha256 = fmt::format("{:064x}", seed);
    run.code.orch_version = "bench";
    run.host.hostname = "bench";
    run.budget_steps = kStepsPerRun * kStepSize;
    run.run_dir = "runs/" + run.uuid;
    ids.push_back(store.CreateRun(run));
  }
  return ids;
}

/// Writes one run's metrics with the default batching; returns the rows written.
int64_t WriteRun(ResultsStore& store, int64_t run_id, const std::vector<std::string>& keys) {
  std::mt19937_64 random(static_cast<uint64_t>(run_id));
  std::normal_distribution<double> noise(0.0, 1.0);
  auto writer = store.OpenMetricWriter(run_id);
  for (int step_idx = 0; step_idx < kStepsPerRun; ++step_idx) {
    const int64_t step = step_idx * kStepSize;
    for (const auto& key : keys) writer->Add(key, step, noise(random));
    if (step_idx % kEvalEvery == 0) writer->Add("eval/episode_return", step, noise(random));
  }
  writer->Flush();
  return writer->rows_written();
}

int64_t CountRows(const fs::path& path) {
  auto store = ResultsStore::Open(path, ResultsStore::Mode::kReadOnly);
  int64_t rows = 0;
  for (const auto& run : store->ListRuns()) {
    for (const auto& key : store->MetricKeys(run.run_id)) rows += key.points;
  }
  return rows;
}

struct Result {
  int64_t rows = 0;
  double seconds = 0;
  double RowsPerSecond() const { return static_cast<double>(rows) / seconds; }
};

/// One writer, the runs one after the other.
Result SingleWriter(const fs::path& path, const std::vector<std::string>& keys) {
  auto store = ResultsStore::Open(path);
  std::vector<int64_t> ids = CreateRuns(*store, 0, kRuns);
  Result result;
  auto start = Clock::now();
  for (int64_t run_id : ids) result.rows += WriteRun(*store, run_id, keys);
  result.seconds = SecondsSince(start);
  return result;
}

/// Two processes, each with its own connection and half of the runs, started together.
Result TwoWriters(const fs::path& path, const std::vector<std::string>& keys) {
  std::vector<int64_t> ids;
  {
    auto store = ResultsStore::Open(path);
    ids = CreateRuns(*store, 0, kRuns);
  }
  int start_pipe[2];
  int ready_pipe[2];
  if (pipe(start_pipe) != 0 || pipe(ready_pipe) != 0) {
    std::perror("pipe");
    std::exit(1);
  }
  std::vector<pid_t> children;
  for (int writer_idx = 0; writer_idx < 2; ++writer_idx) {
    pid_t pid = fork();
    if (pid < 0) {
      std::perror("fork");
      std::exit(1);
    }
    if (pid == 0) {
      // open, say ready, wait for the start, write half of the runs
      close(start_pipe[1]);
      close(ready_pipe[0]);
      try {
        auto store = ResultsStore::Open(path);
        char byte = 1;
        if (write(ready_pipe[1], &byte, 1) != 1 || read(start_pipe[0], &byte, 1) < 0) _exit(3);
        for (int run_idx = writer_idx; run_idx < kRuns; run_idx += 2) {
          WriteRun(*store, ids[static_cast<size_t>(run_idx)], keys);
        }
      } catch (const std::exception& error) {
        std::fprintf(stderr, "writer %d: %s\n", writer_idx, error.what());
        _exit(1);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  close(start_pipe[0]);
  close(ready_pipe[1]);
  for (size_t ready = 0; ready < children.size(); ++ready) {
    char byte = 0;
    if (read(ready_pipe[0], &byte, 1) != 1) {
      std::fprintf(stderr, "a writer did not start\n");
      std::exit(1);
    }
  }
  close(ready_pipe[0]);

  // closing the start pipe releases both writers at once
  Result result;
  auto start = Clock::now();
  close(start_pipe[1]);
  bool failed = false;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  }
  result.seconds = SecondsSince(start);
  if (failed) {
    std::fprintf(stderr, "a writer failed\n");
    std::exit(1);
  }
  result.rows = CountRows(path);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const bool keep = argc > 1 && std::strcmp(argv[1], "--keep") == 0;
  std::string pattern = (fs::temp_directory_path() / "orch-store-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path dir = pattern;
  const std::vector<std::string> keys = KeyNames();

  Result single = SingleWriter(dir / "single.db", keys);
  const int64_t single_rows = CountRows(dir / "single.db");
  const auto single_bytes = fs::file_size(dir / "single.db");
  Result two = TwoWriters(dir / "two.db", keys);
  const int64_t expected = int64_t{kRuns} * kStepsPerRun * kKeysPerStep +
                           int64_t{kRuns} * ((kStepsPerRun + kEvalEvery - 1) / kEvalEvery);

  std::printf(
      "metric ingestion (MetricWriter, default batching: 1,000 rows or 500 ms per flush; "
      "machine: %ld cores)\n",
      sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("%d runs x %d steps x %d keys + an eval key every %d steps = %lld rows per store\n\n",
              kRuns, kStepsPerRun, kKeysPerStep, kEvalEvery, static_cast<long long>(expected));
  std::printf("%-40s %12s %10s %14s\n", "measurement", "rows", "seconds", "rows/s");
  std::printf("%-40s %12lld %10.2f %14.0f\n", "1 writer", static_cast<long long>(single.rows),
              single.seconds, single.RowsPerSecond());
  std::printf("%-40s %12lld %10.2f %14.0f\n", "2 writers in parallel processes (total)",
              static_cast<long long>(two.rows), two.seconds, two.RowsPerSecond());
  std::printf("\nstore size after 1 writer: %.1f MB (%.1f bytes per row)\n",
              static_cast<double>(single_bytes) / 1e6,
              static_cast<double>(single_bytes) / static_cast<double>(single_rows));
  const bool rows_ok = single_rows == expected && two.rows == expected;
  std::printf("every row stored: %s\n", rows_ok ? "yes" : "NO");
  const bool single_ok = single.RowsPerSecond() >= kTargetRowsPerSecond;
  const bool two_ok = two.RowsPerSecond() >= kTargetRowsPerSecond;
  std::printf("target %.0f rows/s: 1 writer %s, 2 writers %s\n", kTargetRowsPerSecond,
              single_ok ? "meets it" : "MISSES it", two_ok ? "meet it" : "MISS it");

  if (keep) {
    std::printf("stores kept in %s\n", dir.c_str());
  } else {
    fs::remove_all(dir);
  }
  return rows_ok ? 0 : 1;
}
