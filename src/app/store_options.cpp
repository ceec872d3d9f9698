// src/app/store_options.cpp
#include "app/store_options.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace orch::app {

/// A worker counts as dead without a word when its heartbeat is older than this.
constexpr int64_t kStaleAfterMs = 60'000;

OptionSpec StoreOption() {
  return {"store", "PATH", "results store (default: $ORCH_RESULTS_DB, else results/orch.db)"};
}

std::filesystem::path StorePath(const ParsedArgs& parsed) {
  if (auto store = parsed.Value("store")) return *store;
  if (const char* env = std::getenv("ORCH_RESULTS_DB"); env != nullptr && *env != '\0') {
    return env;
  }
  return "results/orch.db";
}

std::unique_ptr<store::ResultsStore> OpenStoreForReading(const ParsedArgs& parsed) {
  std::filesystem::path path = StorePath(parsed);
  // stale runs are marked when the store is writable; a read-only reader leaves it as it is
  std::error_code error;
  auto probe = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(probe)) {
    throw store::StoreError(
        fmt::format("no results store at {}: run something with 'orch run' "
                    "first, or pass --store PATH",
                    path.string()));
  }
  if ((probe.permissions() & std::filesystem::perms::owner_write) == std::filesystem::perms::none) {
    return store::ResultsStore::Open(path, store::ResultsStore::Mode::kReadOnly);
  }
  std::unique_ptr<store::ResultsStore> store;
  try {
    store = store::ResultsStore::Open(path);
  } catch (const store::StoreError& error) {
    if (!error.io()) throw;
    // a disk too full for SQLite's shared memory: read what the file itself holds, and say so
    store = store::ResultsStore::Open(path, store::ResultsStore::Mode::kSnapshot);
    std::fprintf(stderr,
                 "orch: warning: reading results store %s without its write-ahead log (%s); the "
                 "newest writes may be missing until there is space again\n",
                 path.string().c_str(), error.what());
    return store;
  }
  // a reader marks what is stale when it can; a full disk must not stop it from reading
  try {
    store->MarkStaleRuns(store::NowMs(), kStaleAfterMs);
  } catch (const store::StoreError& error) {
    std::fprintf(stderr, "orch: warning: stale runs stay marked running for now: %s\n",
                 error.what());
  }
  return store;
}

std::unique_ptr<store::ResultsStore> OpenStoreForWriting(const std::filesystem::path& path) {
  // a new store is said out loud: a typo in --store must not pass for an empty store
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    const std::filesystem::path parent = path.parent_path();
    const bool new_directory = !parent.empty() && !std::filesystem::exists(parent, error);
    std::fprintf(
        stderr, "orch: new results store %s%s\n", path.string().c_str(),
        new_directory ? fmt::format(" (and its directory {})", parent.string()).c_str() : "");
  }
  auto store = store::ResultsStore::Open(path);
  store->MarkStaleRuns(store::NowMs(), kStaleAfterMs);
  return store;
}

std::string FormatTimestamp(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", local);
}

}  // namespace orch::app
