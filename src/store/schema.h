// src/store/schema.h: the results store's schema versions, forward-only migrations, and how a
// file is recognised as an orch store (internal to the store; tests use it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace orch::store::internal {

/// PRAGMA application_id of every orch results store: "ORCH" in ASCII.
constexpr int32_t kApplicationId = 0x4F524348;

/// The schema version this code creates and understands (PRAGMA user_version).
constexpr int kSchemaVersion = 3;

/// One step of the schema: `sql` takes a store from `version - 1` to `version`.
struct Migration {
  int version;
  std::string_view sql;
};

/// Every migration, oldest first; version 1 creates the schema of results-store.md §3 adapted
/// to orch's run model, version 2 adds sweep membership (sweep_run).
const std::vector<Migration>& Migrations();

/// What a SQLite file says about itself.
struct FileIdentity {
  int32_t application_id = 0;
  int user_version = 0;
  int64_t schema_objects = 0;  ///< tables, indexes, views and triggers
};

/// Reads the identity of an open database (throws SQLite::Exception on a non-database).
FileIdentity Identify(SQLite::Database& db);

/// Throws StoreError unless `identity` is an empty file or an orch store whose schema is not
/// newer than `latest_version`.
void CheckIdentity(const FileIdentity& identity, const std::filesystem::path& path,
                   int latest_version);

/// Brings the store up to the last of `migrations` (forward only) in one BEGIN IMMEDIATE
/// transaction, re-checking the identity inside it, and marks the file with kApplicationId.
/// A no-op when the store is current. A failing migration leaves the file as it was and
/// throws StoreError.
void Migrate(SQLite::Database& db, const std::filesystem::path& path,
             const std::vector<Migration>& migrations);

}  // namespace orch::store::internal
