// Tests the readings of how a SLURM task ended (slurm_cli.h), on the texts scontrol and sacct
// print: the state, exit code and reason of a final state, nothing for a live one.
#include "sweep/slurm/slurm_cli.h"

#include <gtest/gtest.h>

namespace orch::sweep::slurm {
namespace {

TEST(SlurmCliTest, ScontrolNamesAFinalStateWithItsExitCodeAndReason) {
  const std::string timed_out =
      "JobId=125 ArrayJobId=123 ArrayTaskId=2 JobName=orch-mg UserId=root(0) Priority=1 "
      "JobState=TIMEOUT Reason=TimeLimit Dependency=(null) Requeue=1 Restarts=0 "
      "ExitCode=0:15 RunTime=00:10:01 TimeLimit=00:10:00\n";
  EXPECT_EQ(ParseScontrolEnd(timed_out), "TIMEOUT (exit code 0:15, reason TimeLimit)");
  const std::string out_of_memory =
      "JobId=7 JobName=w JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125";
  EXPECT_EQ(ParseScontrolEnd(out_of_memory), "OUT_OF_MEMORY (exit code 0:125, reason OutOfMemory)");
  // a reason of None is no reason
  EXPECT_EQ(ParseScontrolEnd("JobId=8 JobState=FAILED Reason=None ExitCode=1:0"),
            "FAILED (exit code 1:0)");
}

TEST(SlurmCliTest, ScontrolSaysNothingOfALiveOrUnknownJob) {
  EXPECT_EQ(ParseScontrolEnd("JobId=9 JobState=RUNNING Reason=None ExitCode=0:0"), std::nullopt);
  EXPECT_EQ(ParseScontrolEnd("JobId=9 JobState=PENDING Reason=BeginTime ExitCode=0:0"),
            std::nullopt);
  EXPECT_EQ(ParseScontrolEnd("slurm_load_jobs error: Invalid job id specified"), std::nullopt);
  EXPECT_EQ(ParseScontrolEnd(""), std::nullopt);
}

TEST(SlurmCliTest, SacctReadsTheLatestAllocationsState) {
  EXPECT_EQ(ParseSacctEnd("NODE_FAIL|0:0\n"), "NODE_FAIL (exit code 0:0)");
  EXPECT_EQ(ParseSacctEnd("CANCELLED by 0|0:15\n"), "CANCELLED by 0 (exit code 0:15)");
  // a requeued task lists each attempt; the last is the latest
  EXPECT_EQ(ParseSacctEnd("REQUEUED|0:15\nTIMEOUT|0:15\n"), "TIMEOUT (exit code 0:15)");
  EXPECT_EQ(ParseSacctEnd("REQUEUED|0:15\nRUNNING|0:0\n"), std::nullopt);
  EXPECT_EQ(ParseSacctEnd(""), std::nullopt);
}

}  // namespace
}  // namespace orch::sweep::slurm
