// src/store/store_internal.cpp
#include "store/store_internal.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <random>
#include <thread>

namespace orch::store::internal {
namespace {

int PrimaryCode(const SQLite::Exception& error) { return error.getErrorCode() & 0xff; }

/// Sleeps 5-50 ms; the jitter keeps competing writers from retrying in lockstep.
void SleepWithJitter() {
  thread_local std::minstd_rand random(
      static_cast<unsigned>(std::random_device{}()) ^ static_cast<unsigned>(getpid()) ^
      static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  std::uniform_int_distribution<int> ms(5, 50);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(random)));
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool IsBusy(const SQLite::Exception& error) {
  int code = PrimaryCode(error);
  return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

StoreError TranslateError(const std::filesystem::path& path, std::string_view action,
                          const SQLite::Exception& error) {
  const std::string file = path.string();
  const std::string cause = error.what();
  switch (PrimaryCode(error)) {
    case SQLITE_NOTADB:
      return StoreError(fmt::format(
          "'{}' is not a SQLite database (SQLite: {}; while {}), so it is not an orch results "
          "store. Point --store or ORCH_RESULTS_DB at your results store (default "
          "results/orch.db), or move the file aside to start a new store at this path.",
          file, cause, action));
    case SQLITE_CORRUPT:
      return StoreError(fmt::format(
          "results store '{}' is corrupt (SQLite: {}; while {}). Salvage what is left with "
          "`sqlite3 '{}' .recover | sqlite3 recovered.db`, or move the file aside to start a new "
          "store at this path.",
          file, cause, action, file));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreError(fmt::format(
          "results store '{}' stayed locked by another writer for more than {} s while {} "
          "(SQLite: {}). Retry; if it persists, look for a stuck process holding the store.",
          file, kBusyRetryMs / 1000, action, cause));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      return StoreError(fmt::format(
          "cannot open or write results store '{}' while {} (SQLite: {}). Check that the file "
          "and its directory exist and that you may write to both.",
          file, action, cause));
    case SQLITE_FULL:
      return StoreError(
          fmt::format("the disk holding results store '{}' is full while {} (SQLite: {}). "
                      "Free some space and retry.",
                      file, action, cause),
          StoreError::Cause::kDiskFull);
    case SQLITE_IOERR:
      return StoreError(
          fmt::format("I/O error on results store '{}' while {} (SQLite: {}). Check that its "
                      "disk has free space, and keep the store on a local disk: SQLite's WAL "
                      "mode does not work over network filesystems.",
                      file, action, cause),
          StoreError::Cause::kIo);
    case SQLITE_CONSTRAINT:
      return StoreError(fmt::format(
          "results store '{}': {} was refused by the schema (SQLite: {}).", file, action, cause));
    default:
      return StoreError(
          fmt::format("results store '{}': {} failed (SQLite: {}).", file, action, cause));
  }
}

void RetryBusy(const std::filesystem::path& path, std::string_view action,
               const std::function<void()>& body) {
  const int64_t start = SteadyMs();
  while (true) {
    try {
      body();
      return;
    } catch (const SQLite::Exception& error) {
      if (!IsBusy(error) || SteadyMs() - start >= kBusyRetryMs) {
        throw TranslateError(path, action, error);
      }
    }
    SleepWithJitter();
  }
}

void WriteTransaction(SQLite::Database& db, const std::filesystem::path& path,
                      std::string_view action, const std::function<void()>& body) {
  const int64_t start = SteadyMs();
  while (true) {
    try {
      db.exec("BEGIN IMMEDIATE");
      body();
      db.exec("COMMIT");
      return;
    } catch (const SQLite::Exception& error) {
      // roll back whatever part ran; a failed BEGIN leaves nothing to roll back
      if (sqlite3_get_autocommit(db.getHandle()) == 0) db.tryExec("ROLLBACK");
      if (!IsBusy(error) || SteadyMs() - start >= kBusyRetryMs) {
        throw TranslateError(path, action, error);
      }
    } catch (...) {
      if (sqlite3_get_autocommit(db.getHandle()) == 0) db.tryExec("ROLLBACK");
      throw;
    }
    SleepWithJitter();
  }
}

std::optional<int64_t> OptionalInt(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

std::optional<double> OptionalDouble(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getDouble();
}

std::optional<std::string> OptionalText(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

std::string TextOrEmpty(const SQLite::Column& column) {
  return column.isNull() ? std::string() : column.getString();
}

void BindTextOrNull(SQLite::Statement& statement, const char* name, const std::string& value) {
  if (value.empty()) {
    statement.bind(name);
  } else {
    statement.bind(name, value);
  }
}

std::string FormatUtc(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &utc);
  return std::string(text) + " UTC";
}

std::string LoggedMetricSql(std::string_view run_id_sql, std::string_view key,
                            std::string_view aggregate) {
  const bool latest = aggregate == "latest";
  return fmt::format(
      "(SELECT {} FROM metric m JOIN metric_key k ON k.key_id = m.key_id "
      "WHERE m.run_id = {} AND k.name = '{}'{})",
      latest ? "m.value" : fmt::format("{}(m.value)", aggregate), run_id_sql, key,
      latest ? " ORDER BY m.step DESC LIMIT 1" : "");
}

std::string FileUri(const std::filesystem::path& path, bool immutable) {
  std::string uri = "file:";
  for (char c : std::filesystem::absolute(path).lexically_normal().string()) {
    if (c == '%' || c == '?' || c == '#' || c == ' ' || c == '\'') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  return immutable ? uri + "?immutable=1" : uri;
}

}  // namespace orch::store::internal
