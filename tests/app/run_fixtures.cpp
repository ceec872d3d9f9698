// tests/app/run_fixtures.cpp
#include "run_fixtures.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "orch_process.h"

extern char** environ;

namespace orch::testing {

namespace fs = std::filesystem;

BackgroundOrch::BackgroundOrch(const std::vector<std::string>& args, const fs::path& err_path,
                               const std::vector<std::string>& environment) {
  std::vector<std::string> argv_text = {std::string(ORCH_BUILD_DIR) + "/src/app/orch"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addchdir_np(&actions, ORCH_SOURCE_DIR);
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) env_text.emplace_back(*entry);
  env_text.insert(env_text.end(), environment.begin(), environment.end());
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
}

int BackgroundOrch::Wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

store::RunDetails WaitForProgress(const fs::path& store_path, int64_t min_step,
                                  const std::vector<int64_t>& skip) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!fs::exists(store_path)) continue;
    try {
      auto store = store::ResultsStore::Open(store_path, store::ResultsStore::Mode::kReadOnly);
      for (const auto& summary : store->ListRuns()) {
        if (std::find(skip.begin(), skip.end(), summary.run_id) != skip.end()) continue;
        store::RunDetails details = store->GetRun(summary.run_id);
        if (details.summary.status == "running" && details.pid &&
            details.summary.last_step >= min_step) {
          return details;
        }
      }
    } catch (const store::StoreError&) {
      // the store is being created
    }
  }
  ADD_FAILURE() << "no run reached step " << min_step;
  return {};
}

std::string Series(const fs::path& store, const std::string& run) {
  auto result = RunOrch({"export", run, "--format", "csv", "--store", store.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::string out;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

int64_t CountRuns(const fs::path& store_path) {
  auto store = store::ResultsStore::Open(store_path, store::ResultsStore::Mode::kReadOnly);
  return static_cast<int64_t>(store->ListRuns().size());
}

}  // namespace orch::testing
