// Tests the split of a sweep's job indices into SLURM job arrays (job_arrays.h): every task id
// below MaxArraySize, the fewest arrays, each job index once, and the --array lists.
#include "sweep/slurm/job_arrays.h"

#include <gtest/gtest.h>

#include <numeric>

namespace orch::sweep::slurm {
namespace {

TEST(JobArraysTest, ASweepBelowMaxArraySizeIsOneArray) {
  std::vector<JobArray> arrays = SplitIntoArrays({2, 0, 1, 3}, 1001);
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays[0].offset, 0);
  EXPECT_EQ(arrays[0].ranges, "0-3");
}

TEST(JobArraysTest, TaskIdsStayBelowMaxArraySize) {
  // MaxArraySize 4: task ids 0..3, so ten jobs make arrays at offsets 0, 4 and 8
  std::vector<int64_t> jobs(10);
  std::iota(jobs.begin(), jobs.end(), 0);
  std::vector<JobArray> arrays = SplitIntoArrays(jobs, 4);
  ASSERT_EQ(arrays.size(), 3u);
  EXPECT_EQ(arrays[0].offset, 0);
  EXPECT_EQ(arrays[0].ranges, "0-3");
  EXPECT_EQ(arrays[1].offset, 4);
  EXPECT_EQ(arrays[1].ranges, "0-3");
  EXPECT_EQ(arrays[2].offset, 8);
  EXPECT_EQ(arrays[2].ranges, "0-1");
  // each job exactly once: offset + task id
  std::vector<int64_t> covered;
  for (const auto& array : arrays) {
    for (int64_t id : array.task_ids) {
      EXPECT_LT(id, 4);
      covered.push_back(array.offset + id);
    }
  }
  EXPECT_EQ(covered, jobs);
}

TEST(JobArraysTest, GapsFromResumedSweepsAreListedAndStartTheNextArrayAtAJob) {
  // a resume submits only the jobs not completed: 1, 2, 5, 9, 10, 30
  std::vector<JobArray> arrays = SplitIntoArrays({30, 1, 2, 5, 9, 10}, 10);
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].offset, 1);
  EXPECT_EQ(arrays[0].ranges, "0-1,4,8-9");  // jobs 1, 2, 5, 9, 10
  EXPECT_EQ(arrays[1].offset, 30);
  EXPECT_EQ(arrays[1].ranges, "0");
}

TEST(JobArraysTest, AMaxArraySizeOfOneGivesOneTaskPerArray) {
  std::vector<JobArray> arrays = SplitIntoArrays({0, 1, 2}, 1);
  ASSERT_EQ(arrays.size(), 3u);
  for (size_t i = 0; i < arrays.size(); ++i) {
    EXPECT_EQ(arrays[i].offset, static_cast<int64_t>(i));
    EXPECT_EQ(arrays[i].ranges, "0");
  }
  EXPECT_TRUE(SplitIntoArrays({}, 1001).empty());
}

}  // namespace
}  // namespace orch::sweep::slurm
