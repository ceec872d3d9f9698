// src/app/store_options.h: how commands find and open the results store.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "app/cli.h"
#include "store/results_store.h"

namespace orch::app {

/// The `--store PATH` option every store command takes.
OptionSpec StoreOption();

/// --store, else $ORCH_RESULTS_DB, else results/orch.db.
std::filesystem::path StorePath(const ParsedArgs& parsed);

/// Opens an existing store read-only (a missing file is a StoreError naming it).
std::unique_ptr<store::ResultsStore> OpenStoreForReading(const ParsedArgs& parsed);

/// Opens for writing and marks runs whose heartbeat is older than a minute as failed.
std::unique_ptr<store::ResultsStore> OpenStoreForWriting(const std::filesystem::path& path);

/// `2026-11-22 23:59:01` in local time.
std::string FormatTimestamp(int64_t ms);

}  // namespace orch::app
