// Tests src/store/compare.cpp (and `orch compare`, src/app/command_compare.cpp): a synthetic
// study of 2 variants x 2 tasks x 3 seeds, written through the store's public API, whose AUCs
// are known, plus a failed and an incomplete run that the comparison must leave out.
#include "store/compare.h"

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "../app/orch_process.h"
#include "common/error.h"
#include "store/results_store.h"

namespace orch::store {
namespace {

namespace fs = std::filesystem;

constexpr double kTight = 1e-9;
constexpr const char* kMetric = "eval/episode_return";
constexpr int64_t kBudget = 1000;

/// Curve of a run that reaches `plateau` at step 500: (0, 0), (500, c), (900, c), (1000, c).
/// AUC = [500 (0 + c)/2 + 400 c + 100 c] / 1000 = 0.75 c; final value (x in [900, 1000]) = c.
struct Spec {
  std::string variant;
  std::string task;
  int64_t seed = 0;
  double plateau = 0.0;
  double ms_per_iter = 0.0;
  int64_t params = 0;
  int64_t rss = 0;
};

class CompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("orch-compare-") + info->name() + "-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    path_ = dir_ / "orch.db";
    store_ = ResultsStore::Open(path_);
    sweep_id_ = store_->RecordSweep("study", "ablation", "variants: [A0, A1]\n", "sha-study");
    adding_to_ = sweep_id_;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  /// A run of the sweep, queued; `index` makes its config unique.
  int64_t AddRun(const std::string& variant, const std::string& task, int64_t seed) {
    const int64_t index = next_job_++;
    NewRun run;
    run.uuid = fmt::format("{:08x}-1111-4222-8333-{:012x}", 0xc0de0000 + index, index);
    run.name = fmt::format("{}-{}-{}", variant, task, seed);
    run.experiment = "ablation";
    run.algo = "ppo";
    run.task = task;
    run.variant = variant;
    run.seed = seed;
    run.config_path = "configs/ppo.yaml";
    run.config_yaml = fmt::format("seed: {}\n", seed);
    run.config_json = fmt::format(R"({{"seed":{}}})", seed);
    run.config_sha256 = fmt::format("{:064x}", index + 1);
    run.code.git_sha = std::string(40, 'a');
    run.code.orch_version = "0.1.0";
    run.code.build_info_json = "{}";
    run.host = {"node", "cpu", 2, 1 << 30, "linux"};
    run.budget_steps = kBudget;
    run.run_dir = "runs/" + run.uuid;
    run.sweep_id = adding_to_;
    // a stored parameter that follows the variant, and one that does not, for --by
    run.params = {{"algo.lr", variant == "A0" ? "0.001" : "0.003", std::nullopt},
                  {"algo.clip", "0.2", 0.2}};
    const int64_t run_id = store_->CreateRun(run);
    store_->AddSweepMember(adding_to_, {run_id, index, variant, task, "{}"});
    return run_id;
  }

  /// A completed run with the plateau curve up to `last_step`.
  int64_t AddCompletedRun(const Spec& spec, int64_t last_step = kBudget) {
    const int64_t run_id = AddRun(spec.variant, spec.task, spec.seed);
    store_->MarkRunning(run_id, 100);
    {
      auto writer = store_->OpenMetricWriter(run_id);
      for (int64_t step : {0, 500, 900, 1000}) {
        if (step <= last_step) writer->Add(kMetric, step, step == 0 ? 0.0 : spec.plateau);
      }
      writer->Add("train/loss", 0, 1.0);
    }
    store_->Heartbeat(run_id, last_step);
    store_->SetRunStats(run_id, spec.params, spec.rss, spec.ms_per_iter);
    store_->FinishRun(run_id, RunStatus::kCompleted, 0, "");
    return run_id;
  }

  /// The study: cheetah-run plateaus A0 100, 120, 140 (AUC 75, 90, 105) and A1 120, 140, 160
  /// (AUC 90, 105, 120); walker-walk A0 200 x 3 (AUC 150) and A1 204, 208, 212 (AUC 153, 156,
  /// 159). A0 takes 10 ms per iteration, 1000 params, 100 MB; A1 11 ms, 1100 params, 150 MB.
  /// Then a failed A1 walker-walk run and an A0 cheetah-run run whose curve stops at 500.
  void FillStudy() {
    const double cheetah[2][3] = {{100, 120, 140}, {120, 140, 160}};
    const double walker[2][3] = {{200, 200, 200}, {204, 208, 212}};
    for (int variant_idx = 0; variant_idx < 2; ++variant_idx) {
      const std::string variant = variant_idx == 0 ? "A0" : "A1";
      const double ms = variant_idx == 0 ? 10.0 : 11.0;
      const int64_t params = variant_idx == 0 ? 1000 : 1100;
      const int64_t rss = (variant_idx == 0 ? 100 : 150) << 20;
      for (int seed = 0; seed < 3; ++seed) {
        AddCompletedRun(
            {variant, "cheetah-run", seed, cheetah[variant_idx][seed], ms, params, rss});
        AddCompletedRun({variant, "walker-walk", seed, walker[variant_idx][seed], ms, params, rss});
      }
    }
    failed_id_ = AddRun("A1", "walker-walk", 3);
    store_->MarkRunning(failed_id_, 101);
    store_->Heartbeat(failed_id_, 400);
    store_->FinishRun(failed_id_, RunStatus::kFailed, 1, "RuntimeError: nan loss\nmore");
    incomplete_id_ = AddCompletedRun({"A0", "cheetah-run", 3, 500.0, 10.0, 1000, 100 << 20}, 500);
  }

  CompareOptions Options() const {
    CompareOptions options;
    options.sweep = "study";
    options.bootstrap.reps = 4000;
    return options;
  }

  fs::path dir_;
  fs::path path_;
  std::unique_ptr<ResultsStore> store_;
  int64_t sweep_id_ = 0;
  int64_t adding_to_ = 0;  ///< the sweep that AddRun's runs join
  int64_t next_job_ = 0;
  int64_t failed_id_ = 0;
  int64_t incomplete_id_ = 0;
};

TEST_F(CompareTest, CellsOfTheSyntheticStudy) {
  FillStudy();
  Comparison comparison = Compare(*store_, Options());
  EXPECT_EQ(comparison.budget, kBudget);
  EXPECT_EQ(comparison.baseline, "A0");
  EXPECT_EQ(comparison.variants, (std::vector<std::string>{"A0", "A1"}));
  EXPECT_EQ(comparison.tasks, (std::vector<std::string>{"cheetah-run", "walker-walk"}));
  ASSERT_EQ(comparison.runs.size(), 12u);

  // cheetah-run A0: AUC 75, 90, 105 -> mean 90, sd 15; final 100, 120, 140 -> mean 120
  const CellComparison* base = comparison.Cell("A0", "cheetah-run");
  ASSERT_NE(base, nullptr);
  EXPECT_EQ(base->auc.n, 3);
  EXPECT_NEAR(*base->auc.mean, 90.0, kTight);
  EXPECT_NEAR(*base->auc.sd, 15.0, kTight);
  EXPECT_NEAR(*base->auc.cv, 15.0 / 90.0, kTight);
  EXPECT_NEAR(*base->final_value.mean, 120.0, kTight);
  EXPECT_FALSE(base->relative.has_value());
  // cheetah-run A1: mean 105; Δ = (105 - 90) / 90; P: 90 -> 1 + 0.5, 105 -> 2 + 0.5, 120 -> 3
  const CellComparison* cheetah = comparison.Cell("A1", "cheetah-run");
  EXPECT_NEAR(*cheetah->auc.mean, 105.0, kTight);
  EXPECT_NEAR(*cheetah->relative, 15.0 / 90.0, kTight);
  EXPECT_NEAR(*cheetah->probability, 7.0 / 9.0, kTight);
  // walker-walk A1: mean 156 vs 150 -> Δ 0.04, P 1
  const CellComparison* walker = comparison.Cell("A1", "walker-walk");
  EXPECT_NEAR(*walker->auc.mean, 156.0, kTight);
  EXPECT_NEAR(*walker->relative, 0.04, kTight);
  EXPECT_NEAR(*walker->probability, 1.0, kTight);
  // the baseline's walker seeds are identical, so Δ only moves with A1's resampled mean:
  // 153 or 159 with probability 1/27 > 2.5% each -> CI [3/150, 9/150]
  EXPECT_NEAR(walker->relative_interval->low, 0.02, kTight);
  EXPECT_NEAR(walker->relative_interval->high, 0.06, kTight);
  // cheetah's CI crosses 0: P(A1 mean <= A0 mean) = 78 / 729 = 10.7% of replicates
  EXPECT_LT(cheetah->relative_interval->low, 0.0);
  EXPECT_GT(cheetah->relative_interval->high, 15.0 / 90.0);
}

TEST_F(CompareTest, PooledFiguresOverheadsAndVerdict) {
  FillStudy();
  Comparison comparison = Compare(*store_, Options());
  ASSERT_EQ(comparison.pooled.size(), 2u);
  const VariantComparison& base = comparison.pooled[0];
  const VariantComparison& a1 = comparison.pooled[1];
  EXPECT_TRUE(base.is_baseline);
  EXPECT_EQ(a1.runs, 6);
  // mean Δ (15/90 + 0.04) / 2; mean P (7/9 + 1) / 2
  EXPECT_NEAR(*a1.mean_relative, (15.0 / 90.0 + 0.04) / 2, kTight);
  EXPECT_NEAR(*a1.probability, (7.0 / 9.0 + 1.0) / 2, kTight);
  // observed normalisation: cheetah [75, 120] -> A0 0, 1/3, 2/3 and A1 1/3, 2/3, 1; walker
  // [150, 159] -> A0 0, 0, 0 and A1 1/3, 2/3, 1. IQM of 6 drops one from each end:
  // A0 sorted 0, 0, 0, 0, 1/3, 2/3 -> (0 + 0 + 0 + 1/3) / 4; A1 -> (1/3 + 2/3 + 2/3 + 1) / 4
  EXPECT_NEAR(*base.iqm, 1.0 / 12.0, kTight);
  EXPECT_NEAR(*a1.iqm, 2.0 / 3.0, kTight);
  ASSERT_EQ(comparison.normalisation.size(), 2u);
  EXPECT_FALSE(comparison.normalisation[0].from_task_ref);
  EXPECT_EQ(comparison.normalisation[0].min, 75.0);
  EXPECT_EQ(comparison.normalisation[0].max, 120.0);
  ASSERT_TRUE(a1.iqm_interval.has_value());
  EXPECT_LE(a1.iqm_interval->low, *a1.iqm);
  EXPECT_GE(a1.iqm_interval->high, *a1.iqm);

  // overheads: 11 / 10 - 1, 1100 / 1000 - 1, 150 / 100 - 1 on both tasks
  EXPECT_EQ(comparison.time_source, "ms_per_iter");
  EXPECT_NEAR(*a1.worst_overhead.time, 0.1, kTight);
  EXPECT_NEAR(*a1.worst_overhead.params, 0.1, kTight);
  EXPECT_NEAR(*a1.worst_overhead.memory, 0.5, kTight);
  EXPECT_NEAR(*comparison.Cell("A1", "walker-walk")->overhead.time, 0.1, kTight);

  // verdict: both tasks gain >= 3%, but only walker's CI excludes 0 -> FAIL with 2 tasks...
  EXPECT_FALSE(a1.verdict.pass);
  EXPECT_EQ(a1.verdict.tasks_confident, 1);
  EXPECT_EQ(a1.verdict.tasks_point, 2);
  EXPECT_TRUE(a1.verdict.overhead_ok);
  // ...and PASS when one task is enough
  CompareOptions options = Options();
  options.thresholds.min_tasks = 1;
  EXPECT_TRUE(Compare(*store_, options).pooled[1].verdict.pass);
  // the stamp: one clean code version for the 12 runs
  ASSERT_EQ(comparison.stamp.size(), 1u);
  EXPECT_EQ(comparison.stamp[0].runs, 12);
  EXPECT_FALSE(comparison.stamp[0].dirty);
}

TEST_F(CompareTest, FailedAndIncompleteRunsAreExcludedWithTheReason) {
  FillStudy();
  Comparison comparison = Compare(*store_, Options());
  ASSERT_EQ(comparison.excluded.size(), 2u);
  const ExcludedRun& failed = comparison.excluded[0];
  EXPECT_EQ(failed.run_id, failed_id_);
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.reason, "failed (exit code 1) at step 400 of 1000: RuntimeError: nan loss");
  const ExcludedRun& incomplete = comparison.excluded[1];
  EXPECT_EQ(incomplete.run_id, incomplete_id_);
  EXPECT_EQ(incomplete.status, "completed");
  EXPECT_EQ(incomplete.reason,
            "incomplete: last 'eval/episode_return' value at step 500, needs step 1000 (or 999)");
  for (int64_t id : comparison.RunIds()) {
    EXPECT_NE(id, failed_id_);
    EXPECT_NE(id, incomplete_id_);
  }
  // with T = 500 the short run is complete and joins the cheetah-run baseline cell
  CompareOptions options = Options();
  options.budget = 500;
  Comparison shorter = Compare(*store_, options);
  EXPECT_EQ(shorter.excluded.size(), 1u);
  EXPECT_EQ(shorter.Cell("A0", "cheetah-run")->auc.n, 4);
  // over [0, 500] a plateau c has AUC c / 2
  EXPECT_NEAR(*shorter.Cell("A0", "walker-walk")->auc.mean, 100.0, kTight);
}

// A sweep launched again (new code, or --rerun) has two runs of a job: the newest complete
// one is compared, the older one is listed as superseded.
TEST_F(CompareTest, TheNewestRunOfAJobIsCompared) {
  FillStudy();
  const int64_t newer = AddCompletedRun({"A0", "walker-walk", 1, 220.0, 10.0, 1000, 100 << 20});
  Comparison comparison = Compare(*store_, Options());
  std::vector<int64_t> ids = comparison.RunIds();
  EXPECT_NE(std::find(ids.begin(), ids.end(), newer), ids.end());
  EXPECT_EQ(ids.size(), 12u);
  ASSERT_EQ(comparison.excluded.size(), 3u);
  auto superseded = std::find_if(comparison.excluded.begin(), comparison.excluded.end(),
                                 [](const ExcludedRun& run) {
                                   return run.status == "completed" && run.task == "walker-walk";
                                 });
  ASSERT_NE(superseded, comparison.excluded.end());
  EXPECT_EQ(superseded->variant, "A0");
  EXPECT_EQ(superseded->seed, 1);
  EXPECT_EQ(superseded->reason, fmt::format("superseded by the newer run #{} of the same variant, "
                                            "task and seed",
                                            newer));
  // walker-walk A0 is now 200, 220, 200 (AUC 150, 165, 150)
  EXPECT_NEAR(*comparison.Cell("A0", "walker-walk")->auc.mean, 155.0, kTight);
}

TEST_F(CompareTest, CurvesIndexedFromZeroToTMinusOneAreComplete) {
  // TAM's per-episode metrics: budget T = 4 episodes, steps 0..3
  for (int seed = 0; seed < 2; ++seed) {
    const int64_t run_id = AddRun("A0", "pendulum", seed);
    store_->MarkRunning(run_id, 100);
    {
      auto writer = store_->OpenMetricWriter(run_id);
      for (int step = 0; step < 4; ++step) writer->Add("soft_bind", step, step + seed);
    }
    store_->FinishRun(run_id, RunStatus::kCompleted, 0, "");
  }
  store_->database().exec("UPDATE run SET budget_env_steps = 4");
  CompareOptions options = Options();
  options.metric = "soft_bind";
  Comparison comparison = Compare(*store_, options);
  EXPECT_TRUE(comparison.excluded.empty());
  // seed 0: 0, 1, 2, 3 -> AUC 1.5; seed 1: 1, 2, 3, 4 -> 2.5; final: x in [3.6, 4] holds none
  EXPECT_NEAR(*comparison.Cell("A0", "pendulum")->auc.mean, 2.0, kTight);
}

TEST_F(CompareTest, TaskRefNormalisesAndWallTimeIsTheFallback) {
  FillStudy();
  store_->database().exec(
      "INSERT INTO task_ref(task, score_min, score_max, source) VALUES "
      "('walker-walk', 0, 1000, 'dmc')");
  // one run without ms_per_iter: every run's time becomes wall ms per step
  store_->database().exec(
      "UPDATE run SET ms_per_iter = NULL WHERE run_id = (SELECT min(run_id) FROM run)");
  store_->database().exec(
      "UPDATE run SET started_at_ms = 0, ended_at_ms = CASE variant WHEN 'A0' THEN 2000 "
      "ELSE 2600 END");
  Comparison comparison = Compare(*store_, Options());
  EXPECT_TRUE(comparison.normalisation[1].from_task_ref);
  EXPECT_EQ(comparison.normalisation[1].source, "dmc");
  EXPECT_EQ(comparison.normalisation[1].max, 1000.0);
  // walker AUC 153 normalises to 0.153
  for (const auto& run : comparison.runs) {
    if (run.task == "walker-walk") {
      EXPECT_NEAR(run.normalised_auc, run.auc / 1000.0, kTight);
    }
  }
  // 2000 ms / 1000 steps vs 2600 ms / 1000 steps -> +30%
  EXPECT_EQ(comparison.time_source, "wall ms per step");
  EXPECT_NEAR(*comparison.pooled[1].worst_overhead.time, 0.3, kTight);
  EXPECT_FALSE(comparison.pooled[1].verdict.overhead_ok);
}

TEST_F(CompareTest, ALoggedMsPerIterStandsInForTheColumn) {
  FillStudy();
  // TD-MPC2 logs system/ms_per_iter per episode and leaves the column empty: A0 9 and 11
  // (mean 10), A1 13 and 14 (mean 13.5) -> +35%, not the columns' +10% nor any wall time
  store_->database().exec("UPDATE run SET ms_per_iter = NULL");
  for (const auto& member : store_->SweepMembers(sweep_id_)) {
    auto writer = store_->OpenMetricWriter(member.run_id);
    const bool base = member.variant == "A0";
    writer->Add("system/ms_per_iter", 500, base ? 9.0 : 13.0);
    writer->Add("system/ms_per_iter", 1000, base ? 11.0 : 14.0);
  }
  Comparison comparison = Compare(*store_, Options());
  EXPECT_EQ(comparison.time_source, "ms_per_iter");
  EXPECT_NEAR(*comparison.pooled[1].worst_overhead.time, 0.35, kTight);
}

TEST_F(CompareTest, GoalMinComparesTheFlippedValues) {
  FillStudy();
  CompareOptions options = Options();
  options.goal = Goal::kMin;
  Comparison comparison = Compare(*store_, options);
  // (90 - 105) / 90 and 1 - 7/9 (ties still count one half)
  EXPECT_NEAR(*comparison.Cell("A1", "cheetah-run")->relative, -15.0 / 90.0, kTight);
  EXPECT_NEAR(*comparison.Cell("A1", "cheetah-run")->probability, 2.0 / 9.0, kTight);
  EXPECT_NEAR(*comparison.Cell("A1", "cheetah-run")->auc.mean, 105.0, kTight);
  EXPECT_EQ(comparison.pooled[1].verdict.tasks_point, 0);
}

TEST_F(CompareTest, ByGroupsTheRunsByTheirStoredParameters) {
  FillStudy();
  CompareOptions options = Options();
  options.by = {"algo.lr", "algo.clip"};
  Comparison comparison = Compare(*store_, options);
  ASSERT_EQ(comparison.variants.size(), 2u);
  EXPECT_EQ(comparison.variants[0], "algo.lr=0.001,algo.clip=0.2");
  EXPECT_EQ(comparison.baseline, "algo.lr=0.001,algo.clip=0.2");
  // the same groups as A0 and A1, so the same figures: (105 - 90) / 90 on cheetah-run
  const auto* cell = comparison.Cell("algo.lr=0.003,algo.clip=0.2", "cheetah-run");
  ASSERT_NE(cell, nullptr);
  EXPECT_EQ(cell->auc.n, 3);
  EXPECT_NEAR(*cell->relative, 15.0 / 90.0, kTight);

  options.by = {"algo.lrr"};
  try {
    Compare(*store_, options);
    FAIL() << "an unknown --by key was accepted";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("Did you mean 'algo.lr'?"), std::string::npos)
        << error.what();
  }
}

TEST_F(CompareTest, ARelativeAucOfANearZeroOrOppositeSignBaselineIsACaution) {
  // A0 plateaus -1, 0, 1 (AUC -0.75, 0, 0.75: mean 0); A1 -100 x 3 on one task, then a task
  // where A0 is 100 x 3 and A1 -100 x 3
  for (int seed = 0; seed < 3; ++seed) {
    AddCompletedRun({"A0", "near-zero", seed, seed - 1.0, 10.0, 1000, 100 << 20});
    AddCompletedRun({"A1", "near-zero", seed, 40.0 + seed, 10.0, 1000, 100 << 20});
    AddCompletedRun({"A0", "sign", seed, 100.0 + seed, 10.0, 1000, 100 << 20});
    AddCompletedRun({"A1", "sign", seed, -100.0 - seed, 10.0, 1000, 100 << 20});
  }
  Comparison comparison = Compare(*store_, Options());
  const auto* near_zero = comparison.Cell("A1", "near-zero");
  ASSERT_NE(near_zero, nullptr);
  EXPECT_NE(near_zero->relative_caution.find("near zero"), std::string::npos)
      << near_zero->relative_caution;
  const auto* sign = comparison.Cell("A1", "sign");
  EXPECT_NE(sign->relative_caution.find("opposite signs"), std::string::npos)
      << sign->relative_caution;
  // a sound baseline gets none
  FillStudy();
  CompareOptions options = Options();
  Comparison study = Compare(*store_, options);
  EXPECT_EQ(study.Cell("A1", "cheetah-run")->relative_caution, "");
  EXPECT_EQ(study.Cell("A1", "walker-walk")->relative_caution, "");
}

TEST_F(CompareTest, SeveralSweepsAreOneStudy) {
  FillStudy();
  // a second sweep: three more cheetah-run seeds of A1 (plateaus 100, 120, 140: AUC 75, 90, 105)
  // and, as a member of both, a run of the first sweep, which counts once
  adding_to_ = store_->RecordSweep("more", "ablation", "variants: [A1]\n", "sha-more");
  for (int seed = 3; seed < 6; ++seed) {
    AddCompletedRun({"A1", "cheetah-run", seed, 100.0 + 20 * (seed - 3), 11.0, 1100, 150 << 20});
  }
  const int64_t shared = store_->SweepMembers(sweep_id_).front().run_id;
  store_->AddSweepMember(adding_to_, {shared, 99, "A0", "cheetah-run", "{}"});

  CompareOptions options = Options();
  options.sweep = "study,more";
  Comparison comparison = Compare(*store_, options);
  EXPECT_EQ(comparison.sweep, "study,more");
  EXPECT_EQ(comparison.variants, (std::vector<std::string>{"A0", "A1"}));
  ASSERT_EQ(comparison.runs.size(), 15u);
  // the first sweep's runs first, in job order
  EXPECT_EQ(comparison.runs.front().run_id, shared);
  EXPECT_EQ(comparison.runs.back().seed, 5);
  // cheetah-run A1: AUC 90, 105, 120, 75, 90, 105 -> mean 97.5 vs A0's 90 (n = 3, not 4)
  const CellComparison* base = comparison.Cell("A0", "cheetah-run");
  EXPECT_EQ(base->auc.n, 3);
  const CellComparison* cheetah = comparison.Cell("A1", "cheetah-run");
  EXPECT_EQ(cheetah->auc.n, 6);
  EXPECT_NEAR(*cheetah->auc.mean, 97.5, kTight);
  EXPECT_NEAR(*cheetah->relative, 7.5 / 90.0, kTight);
  // walker-walk is the first sweep's alone
  EXPECT_NEAR(*comparison.Cell("A1", "walker-walk")->auc.mean, 156.0, kTight);

  // a misspelt name among several is named alone
  options.sweep = "study,mroe";
  try {
    Compare(*store_, options);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("no sweep 'mroe'"), std::string::npos) << message;
    EXPECT_NE(message.find("Did you mean 'more'?"), std::string::npos) << message;
  }
}

TEST_F(CompareTest, ARunWithoutTheCountColumnUsesItsLoggedParameterCount) {
  FillStudy();
  // as a store written before SetRunStats looked at the metric: the column cleared
  const int64_t run_id = store_->SweepMembers(sweep_id_).front().run_id;
  store_->database().exec("UPDATE run SET param_count = NULL WHERE run_id = " +
                          std::to_string(run_id));
  {
    auto writer = store_->OpenMetricWriter(run_id);
    writer->Add("system/param_count", 0, 1234.0);
  }
  Comparison comparison = Compare(*store_, Options());
  for (const auto& run : comparison.runs) {
    if (run.run_id == run_id) {
      EXPECT_EQ(run.param_count, 1234);
    }
  }
}

TEST_F(CompareTest, UnknownNamesAreExplained) {
  FillStudy();
  auto message_of = [&](const CompareOptions& options) {
    try {
      Compare(*store_, options);
    } catch (const UsageError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CompareOptions options = Options();
  options.sweep = "stdy";
  std::string message = message_of(options);
  EXPECT_NE(message.find("no sweep 'stdy'"), std::string::npos) << message;
  EXPECT_NE(message.find("Did you mean 'study'?"), std::string::npos) << message;
  options = Options();
  options.metric = "eval/episode_retrun";
  message = message_of(options);
  EXPECT_NE(message.find("Did you mean 'eval/episode_return'?"), std::string::npos) << message;
  EXPECT_NE(message.find("train/loss"), std::string::npos) << message;
  options = Options();
  options.baseline = "B0";
  message = message_of(options);
  EXPECT_NE(message.find("no variant 'B0'"), std::string::npos) << message;
}

TEST_F(CompareTest, TheCommandPrintsTheComparison) {
  FillStudy();
  store_.reset();
  auto result = orch::testing::RunOrch(
      {"compare", "--sweep", "study", "--reps", "2000", "--store", path_.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(orch::testing::Contains(result.out, "task walker-walk")) << result.out;
  EXPECT_TRUE(orch::testing::Contains(result.out, "  A1       3  156 ± 3  ")) << result.out;
  EXPECT_TRUE(orch::testing::Contains(result.out,
                                      "  A1       FAIL     1 of 2 tasks (point "
                                      "estimate: 2), worst time overhead +10.0%"))
      << result.out;
  EXPECT_TRUE(orch::testing::Contains(result.out, "failed (exit code 1) at step 400 of 1000"))
      << result.out;
  auto unknown = orch::testing::RunOrch({"compare", "--sweep", "study", "--metric",
                                         "eval/episode_retrun", "--store", path_.string()});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(orch::testing::Contains(unknown.err, "Did you mean 'eval/episode_return'?"))
      << unknown.err;
}

}  // namespace
}  // namespace orch::store
