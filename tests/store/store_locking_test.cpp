// Tests src/store/results_store.cpp against lost writes from POSIX lock cancellation: closing
// any descriptor of the database file drops every SQLite lock its process holds, so opening a
// store must never read the file outside SQLite while other connections of the same process
// write (a worker's heartbeat thread opens the store while its main thread writes metrics).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/results_store.h"

namespace orch::store {
namespace {

namespace fs = std::filesystem;

NewRun MakeRun(const std::string& uuid) {
  NewRun run;
  run.uuid = uuid;
  run.name = uuid;
  run.algo = "tam";
  run.task = "controlled-pendulum";
  run.config_path = "configs/tam/pendulum.yaml";
  run.config_yaml = "seed: " + uuid + "\n";
  run.config_json = "{\"seed\":\"" + uuid + "\"}";
  run.config_sha256 = std::string(64, uuid.back());
  run.run_dir = "runs/" + uuid;
  run.budget_steps = 1000;
  return run;
}

/// Writes `rows` metric points of its own run in small batches while another thread of the
/// same process opens and closes the store over and over. Returns 0 when it wrote them all.
int WriteWhileReopening(const fs::path& path, const std::string& uuid, int rows) {
  try {
    auto store = ResultsStore::Open(path);
    int64_t run_id = store->CreateRun(MakeRun(uuid));
    store->MarkRunning(run_id, getpid());
    std::atomic<bool> done{false};
    std::thread reopener([&] {
      while (!done.load()) {
        auto other = ResultsStore::Open(path);
        other->Heartbeat(run_id, -1);
      }
    });
    {
      auto writer = store->OpenMetricWriter(run_id, /*flush_rows=*/50, /*flush_interval_ms=*/5);
      for (int step = 0; step < rows; ++step) writer->Add("loss", step, step * 0.5);
      writer->Flush();
    }
    store->FinishRun(run_id, RunStatus::kCompleted, 0, "");
    done = true;
    reopener.join();
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "writer %s: %s\n", uuid.c_str(), error.what());
    return 1;
  }
}

/// Like the front end after each worker: open the store, write a little, close the only
/// connection of this process (the last close checkpoints the WAL and deletes it when no other
/// process holds a lock, which is exactly what lost locks make it believe).
int OpenWriteClose(const fs::path& path, const fs::path& stop_file) {
  try {
    int64_t run_id = 0;
    {
      auto store = ResultsStore::Open(path);
      run_id = store->CreateRun(MakeRun("closer"));
    }
    while (!fs::exists(stop_file)) {
      auto store = ResultsStore::Open(path);
      store->Heartbeat(run_id, -1);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "closer: %s\n", error.what());
    return 1;
  }
}

/// One race: two writers (each with a reopening thread) and a closer on a fresh store.
void RaceOnce(const fs::path& dir) {
  fs::remove_all(dir);
  fs::path path = dir / "orch.db";
  ResultsStore::Open(path);  // created before the writers race

  constexpr int kRows = 20000;
  const fs::path stop_file = dir / "stop";
  pid_t closer = fork();
  ASSERT_GE(closer, 0);
  if (closer == 0) _exit(OpenWriteClose(path, stop_file));
  std::vector<pid_t> writers;
  for (const char* uuid : {"writer-a", "writer-b"}) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(WriteWhileReopening(path, uuid, kRows));
    writers.push_back(pid);
  }
  for (pid_t pid : writers) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  { std::ofstream(stop_file) << "stop"; }
  int closer_status = 0;
  waitpid(closer, &closer_status, 0);
  EXPECT_TRUE(WIFEXITED(closer_status) && WEXITSTATUS(closer_status) == 0);

  auto store = ResultsStore::Open(path);
  EXPECT_TRUE(store->IntegrityCheck());
  std::vector<RunSummary> runs = store->ListRuns();
  ASSERT_EQ(runs.size(), 3u);
  for (const auto& run : runs) {
    if (run.name == "closer") continue;
    EXPECT_EQ(run.status, "completed") << run.name;
    EXPECT_EQ(store->Series(run.run_id, "loss").size(), static_cast<size_t>(kRows)) << run.name;
  }
}

// The race is timing-dependent, so it runs several times (about 0.2 s each).
TEST(StoreLockingTest, ReopeningInAnotherThreadLosesNoWrites) {
  fs::path dir = fs::temp_directory_path() / ("orch-locking-" + std::to_string(getpid()));
  for (int round = 0; round < 8 && !::testing::Test::HasFailure(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    RaceOnce(dir);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace orch::store
