// tests/slurm/local_cluster.h: a throw-away single-node SLURM cluster for the SLURM tests
// (tools/local-slurm.sh, on its own directory and port), started once per test process and
// stopped at its end. Tests that need it skip, saying why, where it cannot start (not root,
// packages missing): they never pass silently.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace orch::testing {

class LocalCluster {
 public:
  /// Starts the cluster on first use; SLURM_CONF is set in this process so that every `orch`
  /// the tests start (and its sbatch) finds it.
  static LocalCluster& Get();

  bool up() const { return up_; }
  const std::string& why_not() const { return why_not_; }
  const std::filesystem::path& dir() const { return dir_; }

  /// Runs a shell command against the cluster; returns its stdout (stderr goes to ours).
  std::string Shell(const std::string& command) const;

  /// Kills slurmd (SIGKILL) and starts it again: the cluster's state and running job steps
  /// survive, as on a node whose daemon crashed and was restarted.
  void RestartSlurmdAfterKill() const;

  void Stop();

 private:
  LocalCluster();
  bool up_ = false;
  std::string why_not_;
  std::filesystem::path dir_;
};

}  // namespace orch::testing

/// Skips the test, with the reason, when the local cluster is not up.
#define REQUIRE_LOCAL_SLURM()                                                                   \
  do {                                                                                          \
    if (!::orch::testing::LocalCluster::Get().up()) {                                           \
      GTEST_SKIP() << "SLURM test skipped: " << ::orch::testing::LocalCluster::Get().why_not(); \
    }                                                                                           \
  } while (false)
