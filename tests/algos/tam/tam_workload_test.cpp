// Tests src/algos/tam/tam_workload.cpp with in-memory sinks.
#include "algos/tam/tam_workload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "algos/tam/tam_history.h"
#include "rl/checkpoint_io.h"

namespace orch::tam {
namespace {

using Series = std::map<std::string, std::map<int64_t, double>>;

class FakeMetrics : public rl::MetricSink {
 public:
  void Log(std::string_view key, int64_t step, double value) override {
    values[std::string(key)][step] = value;
    max_step = std::max(max_step, step);
  }
  void Flush() override { flushed_max_step = max_step; }

  Series values;
  int64_t max_step = -1;
  int64_t flushed_max_step = -1;
};

class FakeCheckpoints : public rl::CheckpointSink {
 public:
  FakeCheckpoints(std::filesystem::path directory, const FakeMetrics* metrics)
      : directory_(std::move(directory)), metrics_(metrics) {}
  std::filesystem::path Directory() const override { return directory_; }
  void Register(int64_t step, const std::filesystem::path& file, bool is_final) override {
    registered.emplace_back(step, file, is_final, metrics_->flushed_max_step);
  }

  /// (step, file, is_final, the largest metric step flushed before it)
  std::vector<std::tuple<int64_t, std::filesystem::path, bool, int64_t>> registered;

 private:
  std::filesystem::path directory_;
  const FakeMetrics* metrics_;
};

class FakeProgress : public rl::ProgressSink {
 public:
  void Report(int64_t done, int64_t total,
              const std::vector<std::pair<std::string, double>>& headline) override {
    reports.push_back(done);
    last_total = total;
    last_headline = headline;
    if (stop_flag != nullptr && done == stop_at) stop_flag->store(true);
  }

  std::vector<int64_t> reports;
  int64_t last_total = 0;
  std::vector<std::pair<std::string, double>> last_headline;
  std::atomic<bool>* stop_flag = nullptr;
  int64_t stop_at = -1;
};

config::Node ShortConfig(int64_t episodes) {
  config::Node root = config::Node::MakeMap();
  root.Set("algo", config::Node::String("tam"));
  root.Set("seed", config::Node::Int(21));
  root.Set("env", envs::ControlledPendulumSchema().Defaults());
  config::Node tam = TamSchema().Defaults();
  tam.Set("episodes", config::Node::Int(episodes));
  tam.Set("checkpoint_every", config::Node::Int(100));
  config::Node* memory = tam.FindMutable("memory");
  memory->Set("enabled", config::Node::Bool(true));
  memory->Set("min_records", config::Node::Int(50));
  memory->Set("size", config::Node::Int(128));
  memory->Set("map_points", config::Node::Int(100));
  memory->Set("trail_length", config::Node::Int(50));
  root.Set("tam", tam);
  return root;
}

/// A run directory with its sinks.
struct FakeRun {
  explicit FakeRun(const std::string& name)
      : run_dir(std::filesystem::path(::testing::TempDir()) / ("tam_workload_" + name)),
        checkpoints(run_dir / "checkpoints", &metrics) {
    std::filesystem::remove_all(run_dir);
    std::filesystem::create_directories(run_dir);
    context.seed = 21;
    context.metrics = &metrics;
    context.checkpoints = &checkpoints;
    context.progress = &progress;
    context.run_dir = run_dir;
    context.log = &log;
    context.stop = rl::StopToken(&stop);
  }

  std::filesystem::path run_dir;
  FakeMetrics metrics;
  FakeCheckpoints checkpoints;
  FakeProgress progress;
  std::ostringstream log;
  std::atomic<bool> stop{false};
  rl::RunContext context;
};

TEST(TamWorkloadTest, RunsEndToEnd) {
  FakeRun run("end_to_end");
  auto workload = TamWorkload::FromConfig(ShortConfig(300));
  EXPECT_EQ(workload->Run(run.context), rl::WorkloadOutcome::kCompleted);

  // every history key at every episode, and the acceptance numbers at the end
  for (std::string_view key : HistoryKeys()) {
    const auto& series = run.metrics.values[std::string(key)];
    ASSERT_EQ(series.size(), 300u) << key;
    EXPECT_EQ(series.begin()->first, 0);
    EXPECT_EQ(series.rbegin()->first, 299);
  }
  EXPECT_EQ(run.metrics.values["step"][42], 42.0);
  EXPECT_EQ(run.metrics.values["regime"][299], 0.0);
  EXPECT_GT(run.metrics.values["mem_n"][299], 0.0);
  EXPECT_EQ(run.metrics.values["system/param_count"][0], 19410.0);
  EXPECT_EQ(run.metrics.values["acceptance/soft_bind_mean_last1000"].count(300), 1u);
  EXPECT_EQ(run.metrics.values["acceptance/policy_param_drift"][300], 0.0);
  EXPECT_EQ(run.metrics.values["acceptance/passed"].count(300), 1u);

  // checkpoints every 100 episodes, each after its metrics were flushed; the last is final
  ASSERT_EQ(run.checkpoints.registered.size(), 3u);
  for (size_t index = 0; index < 3; ++index) {
    const auto& [step, file, is_final, flushed] = run.checkpoints.registered[index];
    EXPECT_EQ(step, 100 * static_cast<int64_t>(index + 1));
    EXPECT_EQ(is_final, index == 2);
    EXPECT_EQ(flushed, step - 1);
    EXPECT_TRUE(std::filesystem::exists(file));
    EXPECT_EQ(file.parent_path(), run.run_dir / "checkpoints");
  }

  // progress per episode with the headline numbers
  EXPECT_EQ(run.progress.reports.size(), 300u);
  EXPECT_EQ(run.progress.reports.back(), 300);
  EXPECT_EQ(run.progress.last_total, 300);
  ASSERT_EQ(run.progress.last_headline.size(), 4u);
  EXPECT_EQ(run.progress.last_headline[0].first, "soft_bind");
  EXPECT_EQ(run.progress.last_headline[3].first, "lambda_bind");

  // the artifacts and the report
  const std::string json = rl::ReadWholeFile(run.run_dir / "analysis.json");
  EXPECT_NE(json.find("\"checks\""), std::string::npos);
  EXPECT_NE(json.find("\"threshold\""), std::string::npos);
  const std::string zmap = rl::ReadWholeFile(run.run_dir / "zmap.csv");
  EXPECT_EQ(std::count(zmap.begin(), zmap.end(), '\n'), 101);
  const std::string trail = rl::ReadWholeFile(run.run_dir / "trail.csv");
  EXPECT_EQ(std::count(trail.begin(), trail.end(), '\n'), 51);
  EXPECT_NE(run.log.str().find("TAM acceptance"), std::string::npos);
}

TEST(TamWorkloadTest, StopsWithACheckpointAndResumesToTheSameMetrics) {
  FakeRun whole("whole");
  ASSERT_EQ(TamWorkload::FromConfig(ShortConfig(300))->Run(whole.context),
            rl::WorkloadOutcome::kCompleted);

  // stopped after 150 episodes: a non-final checkpoint at 150
  FakeRun first("first_half");
  first.progress.stop_flag = &first.stop;
  first.progress.stop_at = 150;
  ASSERT_EQ(TamWorkload::FromConfig(ShortConfig(300))->Run(first.context),
            rl::WorkloadOutcome::kInterrupted);
  ASSERT_FALSE(first.checkpoints.registered.empty());
  const auto& [step, file, is_final, flushed] = first.checkpoints.registered.back();
  EXPECT_EQ(step, 150);
  EXPECT_FALSE(is_final);
  EXPECT_EQ(flushed, 149);
  EXPECT_EQ(first.metrics.max_step, 149);
  EXPECT_FALSE(std::filesystem::exists(first.run_dir / "analysis.json"));

  // resumed from it: the same metrics, bit for bit, as the uninterrupted run
  FakeRun second("second_half");
  second.context.resume_from = file;
  ASSERT_EQ(TamWorkload::FromConfig(ShortConfig(300))->Run(second.context),
            rl::WorkloadOutcome::kCompleted);
  Series merged = first.metrics.values;
  for (const auto& [key, series] : second.metrics.values) {
    for (const auto& [at, value] : series) merged[key][at] = value;
  }
  EXPECT_EQ(merged, whole.metrics.values);
  EXPECT_EQ(second.metrics.values["step"].begin()->first, 150);
  EXPECT_EQ(rl::ReadWholeFile(second.run_dir / "analysis.json"),
            rl::ReadWholeFile(whole.run_dir / "analysis.json"));
  EXPECT_EQ(rl::ReadWholeFile(second.run_dir / "zmap.csv"),
            rl::ReadWholeFile(whole.run_dir / "zmap.csv"));
  ASSERT_EQ(second.checkpoints.registered.size(), 2u);
  EXPECT_EQ(std::get<0>(second.checkpoints.registered[0]), 200);
  EXPECT_TRUE(std::get<2>(second.checkpoints.registered[1]));
}

TEST(TamWorkloadTest, StopBeforeTheFirstEpisodeStillCheckpoints) {
  FakeRun run("stop_at_once");
  run.stop = true;
  EXPECT_EQ(TamWorkload::FromConfig(ShortConfig(300))->Run(run.context),
            rl::WorkloadOutcome::kInterrupted);
  ASSERT_EQ(run.checkpoints.registered.size(), 1u);
  EXPECT_EQ(std::get<0>(run.checkpoints.registered[0]), 0);
}

TEST(TamWorkloadTest, RejectsOtherEnvsAndRegistersAsTam) {
  config::Node config = ShortConfig(10);
  config.FindMutable("env")->Set("name", config::Node::String("cartpole"));
  EXPECT_THROW(TamWorkload::FromConfig(config), std::invalid_argument);
  rl::WorkloadRegistry registry;
  RegisterWorkload(registry);
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"tam"}));
  EXPECT_NE(registry.Get("tam").factory(ShortConfig(10)), nullptr);
}

}  // namespace
}  // namespace orch::tam
