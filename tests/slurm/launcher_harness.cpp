// tests/slurm/launcher_harness.cpp
#include "launcher_harness.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "store/shard.h"

namespace orch::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

LauncherHarness::LauncherHarness(std::string launcher, const fs::path& dir)
    : launcher_(std::move(launcher)), store_(dir / "orch.db") {}

ProcessResult LauncherHarness::Sweep(std::vector<std::string> args,
                                     const std::vector<std::string>& environment) const {
  args.insert(args.begin(), "sweep");
  if (launcher_ == "slurm") {
    args.insert(args.end(), {"launcher=slurm", "launcher.timeout_min=10"});
  } else {
    args.insert(args.end(), {"--jobs", "2"});
  }
  args.insert(args.end(), {"--store", store_.string()});
  return RunOrch(args, ORCH_SOURCE_DIR, environment);
}

ProcessResult LauncherHarness::Resume(const std::string& name) const {
  return RunOrch({"sweep", "--resume", name, "--store", store_.string()});
}

void LauncherHarness::Settle(const std::string& name) const {
  if (launcher_ != "slurm") return;
  ProcessResult waited = RunOrch({"status", name, "--wait", "--store", store_.string()});
  EXPECT_EQ(waited.exit_code, 0) << waited.err;
  ProcessResult collected = RunOrch({"collect", name, "--store", store_.string()});
  EXPECT_EQ(collected.exit_code, 0) << collected.err;
}

std::string MetricDump(const fs::path& store) {
  SQLite::Database db(store.string(), SQLite::OPEN_READONLY);
  SQLite::Statement query(db, R"sql(
    SELECT r.variant, r.seed, k.name, m.step, quote(m.value)
    FROM metric m JOIN run r USING (run_id) JOIN metric_key k USING (key_id)
    WHERE k.name NOT LIKE 'system/%'
    ORDER BY r.variant, r.seed, k.name, m.step
  )sql");
  std::string out;
  while (query.executeStep()) {
    out += fmt::format("{} {} {} {} {}\n", query.getColumn(0).getString(),
                       query.getColumn(1).getInt64(), query.getColumn(2).getString(),
                       query.getColumn(3).getInt64(), query.getColumn(4).getString());
  }
  return out;
}

std::string DumpDifference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  size_t line_start = a.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  auto line_of = [&](const std::string& text) {
    return text.substr(line_start, text.find('\n', line_start) - line_start);
  };
  return fmt::format("dumps differ ({} vs {} bytes) at line '{}' vs '{}'", a.size(), b.size(),
                     line_of(a), line_of(b));
}

int64_t LastStep(const fs::path& store, const std::string& uuid) {
  try {
    const fs::path shard = store.parent_path() / "runs" / uuid / std::string(store::kRunShardName);
    const fs::path path = fs::exists(shard) ? shard : store;
    SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
    SQLite::Statement query(db, "SELECT last_env_step FROM run WHERE run_uuid = ?");
    query.bind(1, uuid);
    return query.executeStep() ? query.getColumn(0).getInt64() : -1;
  } catch (const std::exception&) {
    return -1;  // being created, or busy: ask again
  }
}

std::string WaitForStep(const fs::path& store, int64_t min_step, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::string> uuids;
    try {
      SQLite::Database db(store.string(), SQLite::OPEN_READONLY);
      SQLite::Statement query(db, "SELECT run_uuid FROM run");
      while (query.executeStep()) uuids.push_back(query.getColumn(0).getString());
    } catch (const std::exception&) {
    }
    for (const auto& uuid : uuids) {
      if (LastStep(store, uuid) >= min_step) return uuid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

fs::path FailingWorker(const fs::path& dir, int64_t run_id) {
  const fs::path path = dir / "failing-worker.sh";
  std::ofstream(path) << fmt::format(
      "#!/bin/sh\n"
      "# orch-worker --store PATH --run ID ...: run {} fails\n"
      "if [ \"$4\" = \"{}\" ]; then echo 'injected failure' >&2; exit 7; fi\n"
      "exec '{}/src/app/orch-worker' \"$@\"\n",
      run_id, run_id, ORCH_BUILD_DIR);
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return path;
}

}  // namespace orch::testing
