// tests/slurm/local_cluster.cpp
#include "local_cluster.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace orch::testing {
namespace {

namespace fs = std::filesystem;

std::string Capture(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  *status = pclose(pipe);
  return out;
}

std::string Prefix(const fs::path& dir) {
  return fmt::format("LOCAL_SLURM_DIR='{}' LOCAL_SLURM_PORT=6917 '{}/tools/local-slurm.sh'",
                     dir.string(), ORCH_SOURCE_DIR);
}

/// Stops the cluster when the test program ends.
class StopAtExit : public ::testing::Environment {
 public:
  void TearDown() override { LocalCluster::Get().Stop(); }
};

}  // namespace

LocalCluster& LocalCluster::Get() {
  static LocalCluster* cluster = [] {
    ::testing::AddGlobalTestEnvironment(new StopAtExit);
    return new LocalCluster;
  }();
  return *cluster;
}

LocalCluster::LocalCluster() {
  dir_ = fs::temp_directory_path() / fmt::format("orch-slurm-tests-{}", getuid());
  if (geteuid() != 0) {
    why_not_ = "the local cluster needs root (slurmd runs jobs as their user); run as root";
    return;
  }
  int status = 0;
  Capture("command -v slurmctld slurmd munged sbatch >/dev/null 2>&1", &status);
  if (status != 0) {
    why_not_ = "SLURM is not installed (slurmctld, slurmd, slurm-client, munge: tools/setup.sh)";
    return;
  }
  std::string out = Capture(Prefix(dir_) + " start 2>&1", &status);
  if (status != 0) {
    why_not_ = "tools/local-slurm.sh start failed:\n" + out;
    return;
  }
  setenv("SLURM_CONF", (dir_ / "etc" / "slurm.conf").c_str(), 1);
  up_ = true;
}

std::string LocalCluster::Shell(const std::string& command) const {
  int status = 0;
  return Capture(command, &status);
}

void LocalCluster::RestartSlurmdAfterKill() const {
  const fs::path pid_file = dir_ / "run" / "slurmd.pid";
  std::string old_pid;
  std::ifstream(pid_file) >> old_pid;
  Shell("kill -9 " + old_pid);
  for (int i = 0; i < 50 && fs::exists("/proc/" + old_pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fs::remove(pid_file);
  Shell(fmt::format("slurmd -f '{}' -N localhost", (dir_ / "etc" / "slurm.conf").string()));
  std::string new_pid;
  for (int i = 0; i < 100 && new_pid.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream(pid_file) >> new_pid;
  }
  // the pid file of local-slurm.sh names the new daemon, so that stop stops it
  Shell(fmt::format("sed -i 's/^slurmd .*/slurmd {}/' '{}'", new_pid, (dir_ / "pids").string()));
}

void LocalCluster::Stop() {
  if (!up_) return;
  int status = 0;
  Capture(Prefix(dir_) + " stop >/dev/null 2>&1", &status);
  up_ = false;
  why_not_ = "the local cluster was stopped";
}

}  // namespace orch::testing
