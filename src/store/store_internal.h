// src/store/store_internal.h: helpers shared by the store's sources (not a public API): SQLite
// errors as StoreErrors, write transactions with busy retries, nullable columns, time text.
#pragma once

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/results_store.h"

namespace orch::store::internal {

/// How long a writer keeps retrying a busy store before it gives up (ms).
constexpr int64_t kBusyRetryMs = 10'000;

/// True for SQLITE_BUSY and SQLITE_LOCKED (another connection holds the lock).
bool IsBusy(const SQLite::Exception& error);

/// `file:/abs/path` (`?immutable=1` when `immutable`), the path percent-encoded where a URI
/// needs it: for opening a snapshot and for ATTACHing a shard.
std::string FileUri(const std::filesystem::path& path, bool immutable);

/// A scalar subquery over the metric `key` that the run `run_id_sql` (an SQL expression) logged:
/// `aggregate` of its values, or the newest one when `aggregate` is "latest". How the store
/// recovers a figure a run logged but its row lacks (a run resumed after a kill).
std::string LoggedMetricSql(std::string_view run_id_sql, std::string_view key,
                            std::string_view aggregate);

/// A StoreError for a failed SQLite call: names the file and what orch was doing, says the cause
/// in words and what to do, and ends with SQLite's own message.
StoreError TranslateError(const std::filesystem::path& path, std::string_view action,
                          const SQLite::Exception& error);

/// Runs `body` inside BEGIN IMMEDIATE ... COMMIT. On SQLITE_BUSY rolls back, sleeps 5-50 ms
/// with jitter and runs it again, for up to kBusyRetryMs in total; `body` must therefore keep
/// no state of its own until the commit. A failing body rolls back; SQLite errors become
/// StoreError (naming `action`), other exceptions pass through.
void WriteTransaction(SQLite::Database& db, const std::filesystem::path& path,
                      std::string_view action, const std::function<void()>& body);

/// Runs `body` with the same busy retries but no transaction of its own (for statements that
/// may not run inside one, such as PRAGMA journal_mode).
void RetryBusy(const std::filesystem::path& path, std::string_view action,
               const std::function<void()>& body);

/// Runs a read, turning SQLite errors into StoreError.
template <typename Fn>
auto Guarded(const std::filesystem::path& path, std::string_view action, Fn&& body)
    -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& error) {
    throw TranslateError(path, action, error);
  }
}

std::optional<int64_t> OptionalInt(const SQLite::Column& column);
std::optional<double> OptionalDouble(const SQLite::Column& column);
std::optional<std::string> OptionalText(const SQLite::Column& column);
/// The text of a column, "" for NULL.
std::string TextOrEmpty(const SQLite::Column& column);

/// Binds the value, or NULL when there is none.
template <typename T>
void BindOptional(SQLite::Statement& statement, const char* name, const std::optional<T>& value) {
  if (value) {
    statement.bind(name, *value);
  } else {
    statement.bind(name);
  }
}
/// Binds NULL for an empty string.
void BindTextOrNull(SQLite::Statement& statement, const char* name, const std::string& value);

/// `2025-11-22 23:57:01 UTC` for milliseconds since the epoch.
std::string FormatUtc(int64_t ms);

}  // namespace orch::store::internal
