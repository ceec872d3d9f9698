// Tests src/algos/tdmpc2/tdmpc2_workload.cpp in process, with in-memory sinks: a small run on
// pendulum-swingup logs its curves on the evaluation grid (0 and the budget included), and a run
// stopped mid-episode resumes to exactly the metrics of an uninterrupted one.
#include "algos/tdmpc2/tdmpc2_workload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>

#include "config/yaml_loader.h"

namespace orch::tdmpc2 {
namespace {

namespace fs = std::filesystem;

/// Every point, a later value at the same (key, step) replacing the earlier one (as the store).
class MemoryMetrics : public rl::MetricSink {
 public:
  void Log(std::string_view key, int64_t step, double value) override {
    points[{std::string(key), step}] = value;
  }
  void Flush() override {}
  std::map<std::pair<std::string, int64_t>, double> points;

  /// Points of every key except wall-time measurements.
  std::map<std::pair<std::string, int64_t>, double> Deterministic() const {
    std::map<std::pair<std::string, int64_t>, double> out;
    for (const auto& [key, value] : points) {
      if (key.first.rfind("system/ms_", 0) != 0) out[key] = value;
    }
    return out;
  }
  std::vector<int64_t> Steps(const std::string& key) const {
    std::vector<int64_t> steps;
    for (const auto& [point, value] : points) {
      if (point.first == key) steps.push_back(point.second);
    }
    return steps;
  }
};

class DirectoryCheckpoints : public rl::CheckpointSink {
 public:
  explicit DirectoryCheckpoints(fs::path directory) : directory_(std::move(directory)) {
    fs::create_directories(directory_);
  }
  fs::path Directory() const override { return directory_; }
  void Register(int64_t step, const fs::path& file, bool is_final) override {
    registered.push_back({step, file, is_final});
  }
  struct Entry {
    int64_t step;
    fs::path file;
    bool is_final;
  };
  std::vector<Entry> registered;

 private:
  fs::path directory_;
};

/// When the run should be asked to stop: at `env_step` environment steps, or, when `phase` is
/// set, once a progress report inside that phase (eval_episode, pretrain_update) at that step
/// reaches `phase_count`.
struct StopPoint {
  int64_t env_step = INT64_MAX;
  std::string phase;
  double phase_count = 0;
};

/// Asks the run to stop at a StopPoint, as Ctrl-C would.
class StopAt : public rl::ProgressSink {
 public:
  StopAt(std::atomic<bool>& flag, StopPoint point) : flag_(flag), point_(std::move(point)) {}
  void Report(int64_t done, int64_t,
              const std::vector<std::pair<std::string, double>>& headline) override {
    if (point_.phase.empty()) {
      if (done >= point_.env_step) flag_ = true;
      return;
    }
    if (done != point_.env_step) return;
    for (const auto& [key, value] : headline) {
      if (key == point_.phase && value >= point_.phase_count) flag_ = true;
    }
  }

 private:
  std::atomic<bool>& flag_;
  StopPoint point_;
};

/// A run small enough for a unit test: 50 agent steps per episode, tiny networks and planner.
config::Node SmallConfig(bool multi_gamma) {
  return config::ParseYamlValue(std::string(R"(
algo: tdmpc2
seed: 3
env: {name: pendulum-swingup, action_repeat: 2, episode_length: 100}
tdmpc2:
  model_size: 1
  enc_dim: 16
  mlp_dim: 32
  latent_dim: 16
  steps: 300
  seed_steps: 100
  eval_freq: 100
  eval_episodes: 1
  batch_size: 8
  num_samples: 16
  num_elites: 4
  num_pi_trajs: 2
  iterations: 1
multi_gamma:
  enabled: )") + (multi_gamma ? "true" : "false") +
                                    R"(
  gammas: [0.99, 0.97, 0.995]
)",
                                "small.yaml");
}

struct RunResult {
  rl::WorkloadOutcome outcome;
  MemoryMetrics metrics;
  std::vector<DirectoryCheckpoints::Entry> checkpoints;
};

RunResult RunWorkload(const config::Node& config, const fs::path& dir, StopPoint stop_at = {},
                      std::optional<fs::path> resume_from = std::nullopt,
                      MemoryMetrics metrics = {}) {
  std::atomic<bool> stop{false};
  StopAt progress(stop, std::move(stop_at));
  DirectoryCheckpoints checkpoints(dir / "checkpoints");
  rl::RunContext context;
  context.metrics = &metrics;
  context.checkpoints = &checkpoints;
  context.progress = &progress;
  context.stop = rl::StopToken(&stop);
  context.run_dir = dir;
  context.resume_from = resume_from;
  // as the worker does: the run's seed is the config's
  const config::Node* seed = config.Find("seed");
  context.seed = seed != nullptr && seed->IsInt() ? static_cast<uint64_t>(seed->AsInt()) : 0;
  auto workload = TdMpc2Workload::FromConfig(config);
  RunResult result{workload->Run(context), std::move(metrics), checkpoints.registered};
  return result;
}

class TdMpc2WorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("orch-tdmpc2-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TdMpc2WorkloadTest, ARunLogsItsCurvesOnTheEvaluationGrid) {
  RunResult run = RunWorkload(SmallConfig(true), dir_);
  EXPECT_EQ(run.outcome, rl::WorkloadOutcome::kCompleted);
  // agent steps 0, 100, 200, 300 → environment steps 0, 200, 400, 600 (0 and T included)
  EXPECT_EQ(run.metrics.Steps("eval/episode_return"), (std::vector<int64_t>{0, 200, 400, 600}));
  // training episodes end every 50 agent steps = 100 environment steps
  EXPECT_EQ(run.metrics.Steps("train/episode_return").size(), 6u);
  // updates start at the pretraining burst (agent step 100): losses from the episode ending at 300
  EXPECT_EQ(run.metrics.Steps("train/value_loss").front(), 300);
  for (const char* key : {"aux_value_ce/g0.97", "aux_value_ce/g0.995", "aux_value_ce/mean",
                          "aux/mae/g0.97", "aux/rmse/g0.995", "aux/pred_mean/g0.97",
                          "aux/pred_std/g0.995", "params/aux_heads", "system/param_count"}) {
    EXPECT_FALSE(run.metrics.Steps(key).empty()) << key;
  }
  ASSERT_FALSE(run.checkpoints.empty());
  EXPECT_TRUE(run.checkpoints.back().is_final);
  EXPECT_EQ(run.checkpoints.back().step, 600);
  // snapshots of the auxiliary heads at the evaluations after data exists
  EXPECT_TRUE(fs::exists(dir_ / "multi_gamma" / "snapshot-0000000600.json"));
}

TEST_F(TdMpc2WorkloadTest, WithoutTheExtensionNoAuxiliaryKeyIsWritten) {
  RunResult run = RunWorkload(SmallConfig(false), dir_);
  for (const auto& [point, value] : run.metrics.points) {
    EXPECT_EQ(point.first.rfind("aux", 0), std::string::npos) << point.first;
  }
  EXPECT_FALSE(fs::exists(dir_ / "multi_gamma"));
}

TEST_F(TdMpc2WorkloadTest, StoppedMidEpisodeAndResumedGivesTheSameMetrics) {
  RunResult whole = RunWorkload(SmallConfig(true), dir_ / "whole");
  // stop at environment step 350: agent step 175, in the middle of the fourth episode and after
  // the pretraining burst
  RunResult first = RunWorkload(SmallConfig(true), dir_ / "split", {.env_step = 350});
  ASSERT_EQ(first.outcome, rl::WorkloadOutcome::kInterrupted);
  ASSERT_FALSE(first.checkpoints.empty());
  const auto& checkpoint = first.checkpoints.back();
  EXPECT_FALSE(checkpoint.is_final);
  EXPECT_EQ(checkpoint.step % 100, 50) << "mid-episode";
  RunResult second =
      RunWorkload(SmallConfig(true), dir_ / "split", {}, checkpoint.file, first.metrics);
  ASSERT_EQ(second.outcome, rl::WorkloadOutcome::kCompleted);
  EXPECT_EQ(second.metrics.Deterministic(), whole.metrics.Deterministic());
}

// An evaluation or the pretraining burst takes minutes at the paper budget: a stop inside one is
// honoured there, and the resumed run ends with exactly the uninterrupted run's metrics.
TEST_F(TdMpc2WorkloadTest, StoppedInsideAnEvaluationOrThePretrainingBurstResumesExactly) {
  config::Node config = SmallConfig(true);
  config.FindMutable("tdmpc2")->Set("eval_episodes", config::Node::Int(2));
  RunResult whole = RunWorkload(config, dir_ / "whole");
  ASSERT_EQ(whole.metrics.Steps("eval/episode_return"), (std::vector<int64_t>{0, 200, 400, 600}));
  struct Case {
    const char* name;
    StopPoint point;
  };
  // the evaluation at environment step 400 (its second episode), the one at the end (600), and
  // the burst of 100 updates at agent step 100 (environment step 200), after 40 of them
  for (const Case& c :
       {Case{"eval", {400, "eval_episode", 2}}, Case{"final eval", {600, "eval_episode", 2}},
        Case{"burst", {200, "pretrain_update", 40}}}) {
    SCOPED_TRACE(c.name);
    const fs::path dir = dir_ / c.name;
    RunResult first = RunWorkload(config, dir, c.point);
    ASSERT_EQ(first.outcome, rl::WorkloadOutcome::kInterrupted);
    ASSERT_FALSE(first.checkpoints.empty());
    EXPECT_EQ(first.checkpoints.back().step, c.point.env_step);
    EXPECT_FALSE(first.checkpoints.back().is_final);
    if (c.point.phase == "eval_episode") {  // nothing of the interrupted evaluation was logged
      for (int64_t step : first.metrics.Steps("eval/episode_return")) {
        EXPECT_LT(step, c.point.env_step);
      }
    }
    RunResult second = RunWorkload(config, dir, {}, first.checkpoints.back().file, first.metrics);
    ASSERT_EQ(second.outcome, rl::WorkloadOutcome::kCompleted);
    ASSERT_FALSE(second.checkpoints.empty());
    EXPECT_TRUE(second.checkpoints.back().is_final);
    EXPECT_EQ(second.metrics.Deterministic(), whole.metrics.Deterministic());
  }
}

}  // namespace
}  // namespace orch::tdmpc2
