// Tests the sweep's counts line (src/app/sweep_progress.cpp): the ETA follows the steps run in
// this launch, so a run continued from a late checkpoint does not make a sweep look nearly done.
// Real time: the pace needs 3 s of samples before it gives an estimate.
#include "app/sweep_progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "app/progress_display.h"
#include "orch_process.h"

namespace orch::app {
namespace {

using orch::testing::Contains;

TEST(SweepProgressTest, AContinuedRunsEarlierStepsAreNoPaceOfThisLaunch) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  // two runs of 50,000 steps; the first continues from a checkpoint at 47,000
  SweepProgress progress("s", 2, 100'000, out);
  sweep::LaunchItem continued;
  continued.job_index = 0;
  continued.label = "#0";
  continued.resume = true;
  progress.OnStarted(continued, 1);
  progress.OnProgress(continued, {47'000, 50'000, {}});
  // 100 steps every 1.6 s
  for (int64_t done : {47'100, 47'200}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1600));
    progress.OnProgress(continued, {done, 50'000, {}});
  }
  // 52,800 steps left at 62.5 steps/s: some 14 minutes, not the seconds that counting the
  // checkpoint's 47,000 steps as this launch's work would give
  const std::string line = progress.CountsLine();
  ASSERT_TRUE(Contains(line, "0/2 done, 1 running, 0 failed, 1 queued  ETA ")) << line;
  int minutes = -1;
  int seconds = -1;
  ASSERT_EQ(std::sscanf(line.c_str() + line.find("ETA ") + 4, "%d:%d", &minutes, &seconds), 2)
      << line;
  EXPECT_GE(minutes * 60 + seconds, 780) << line;
  EXPECT_LE(minutes * 60 + seconds, 900) << line;
  std::fclose(out);
}

// a run's line before its pace is known: no rate of 0, no ETA
TEST(ProgressLineTest, NoPaceYetIsAQuestionMark) {
  EXPECT_EQ(ProgressDisplay::FormatLine("env steps", {512, 20'000, {{"return", 52.5}}}, 0.0),
            "512/20000 env steps  2.6%  ?/s  ETA ?  return 52.5");
  EXPECT_EQ(ProgressDisplay::FormatLine("env steps", {10'000, 20'000, {}}, 2'500.0),
            "10000/20000 env steps  50.0%  2500.0/s  ETA 0:04");
}

}  // namespace
}  // namespace orch::app
