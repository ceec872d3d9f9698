// src/app/store_options.cpp
#include "app/store_options.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

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
  if ((probe.permissions() & std::filesystem::perms::owner_write) != std::filesystem::perms::none) {
    return OpenStoreForWriting(path);
  }
  return store::ResultsStore::Open(path, store::ResultsStore::Mode::kReadOnly);
}

std::unique_ptr<store::ResultsStore> OpenStoreForWriting(const std::filesystem::path& path) {
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
