// src/store/results_store_queries.cpp: the store's read path (results-store.md §5): listings,
// run references, one run's details, metric series.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "common/string_util.h"
#include "store/results_store.h"
#include "store/store_internal.h"

namespace orch::store {
namespace {

using internal::OptionalDouble;
using internal::OptionalInt;
using internal::OptionalText;
using internal::TextOrEmpty;

/// The columns ReadSummary expects first, in order; `r` is the run, `c` its code version and
/// `f` its config.
constexpr std::string_view kSummaryColumns = R"sql(
  r.run_id, r.run_uuid, r.name, r.status, r.algo, r.task, r.variant, r.seed, c.git_sha,
  c.git_dirty, f.config_sha256, r.created_at_ms, r.started_at_ms, r.ended_at_ms,
  r.heartbeat_at_ms, r.last_env_step, r.budget_env_steps, r.attempt, r.exit_code, r.error_text
)sql";
constexpr int kSummaryColumnCount = 20;

constexpr std::string_view kRunJoins = R"sql(
  FROM run r
  JOIN code_version c ON c.code_id = r.code_id
  JOIN config f ON f.config_id = r.config_id
)sql";

RunSummary ReadSummary(SQLite::Statement& query) {
  RunSummary run;
  run.run_id = query.getColumn(0).getInt64();
  run.uuid = query.getColumn(1).getString();
  run.name = query.getColumn(2).getString();
  run.status = query.getColumn(3).getString();
  run.algo = query.getColumn(4).getString();
  run.task = query.getColumn(5).getString();
  run.variant = query.getColumn(6).getString();
  run.seed = query.getColumn(7).getInt64();
  run.git_sha = OptionalText(query.getColumn(8));
  run.dirty = query.getColumn(9).getInt() != 0;
  run.config_sha256 = query.getColumn(10).getString();
  run.created_at_ms = query.getColumn(11).getInt64();
  run.started_at_ms = OptionalInt(query.getColumn(12));
  run.ended_at_ms = OptionalInt(query.getColumn(13));
  run.heartbeat_at_ms = OptionalInt(query.getColumn(14));
  run.last_step = query.getColumn(15).getInt64();
  run.budget_steps = query.getColumn(16).getInt64();
  run.attempt = query.getColumn(17).getInt64();
  run.exit_code = OptionalInt(query.getColumn(18));
  run.error_text = TextOrEmpty(query.getColumn(19));
  return run;
}

/// `3f2a9c1e 'name' (#12, completed, created 2025-11-22 23:57:01 UTC)`, one candidate line.
std::string DescribeRun(const RunSummary& run) {
  return fmt::format("  {} '{}' (#{}, {}, created {})", run.uuid.substr(0, 8),
                     PrintableText(run.name), run.run_id, run.status,
                     internal::FormatUtc(run.created_at_ms));
}

std::optional<int64_t> KeyIdOf(SQLite::Database& db, std::string_view key) {
  SQLite::Statement query(db, "SELECT key_id FROM metric_key WHERE name = :name");
  query.bind(":name", std::string(key));
  if (!query.executeStep()) return std::nullopt;
  return query.getColumn(0).getInt64();
}

bool AllDigits(std::string_view text) {
  return !text.empty() && text.size() <= 18 &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(c) != 0; });
}

/// The run's tags and note (run_tag `tag:NAME` and `note`).
void ReadLabels(SQLite::Database& db, RunSummary& run) {
  SQLite::Statement labels(db, "SELECT key, value FROM run_tag WHERE run_id = ? ORDER BY key");
  labels.bind(1, run.run_id);
  while (labels.executeStep()) {
    const std::string key = labels.getColumn(0).getString();
    if (StartsWith(key, "tag:")) run.tags.push_back(key.substr(4));
    if (key == "note") run.note = labels.getColumn(1).getString();
    if (key == "device") run.device = labels.getColumn(1).getString();
  }
}

void RequireRun(SQLite::Database& db, const std::filesystem::path& path, int64_t run_id) {
  SQLite::Statement query(db, "SELECT 1 FROM run WHERE run_id = ?");
  query.bind(1, run_id);
  if (!query.executeStep()) {
    throw StoreError(fmt::format("results store '{}' has no run #{}.", path.string(), run_id));
  }
}

/// The SQL conditions of a filter's tags and parameter values (bound as :tagN, :where_keyN,
/// :where_valueN).
std::string ExtraFilters(const RunFilter& filter) {
  std::string sql;
  for (size_t i = 0; i < filter.tags.size(); ++i) {
    sql += fmt::format(
        " AND EXISTS (SELECT 1 FROM run_tag t WHERE t.run_id = r.run_id AND t.key = :tag{})", i);
  }
  for (size_t i = 0; i < filter.where.size(); ++i) {
    sql += fmt::format(
        " AND EXISTS (SELECT 1 FROM run_param p WHERE p.run_id = r.run_id AND p.key = "
        ":where_key{0} AND (p.value_text = :where_value{0} OR (:where_number{0} IS NOT NULL "
        "AND p.value_num = :where_number{0})))",
        i);
  }
  return sql;
}

}  // namespace

void ResultsStore::TagRun(int64_t run_id, const std::vector<std::string>& add,
                          const std::vector<std::string>& remove) {
  Write(fmt::format("tagging run #{}", run_id), [&] {
    RequireRun(*db_, path_, run_id);
    SQLite::Statement insert(*db_,
                             "INSERT OR IGNORE INTO run_tag(run_id, key, value) VALUES (?, ?, '')");
    for (const auto& tag : add) {
      insert.reset();
      insert.bind(1, run_id);
      insert.bind(2, "tag:" + tag);
      insert.exec();
    }
    SQLite::Statement drop(*db_, "DELETE FROM run_tag WHERE run_id = ? AND key = ?");
    for (const auto& tag : remove) {
      drop.reset();
      drop.bind(1, run_id);
      drop.bind(2, "tag:" + tag);
      drop.exec();
    }
  });
}

void ResultsStore::SetArtifacts(int64_t run_id, const std::vector<ArtifactRecord>& artifacts) {
  Write(fmt::format("recording the artifacts of run #{}", run_id), [&] {
    RequireRun(*db_, path_, run_id);
    SQLite::Statement drop(*db_, "DELETE FROM artifact WHERE run_id = ?");
    drop.bind(1, run_id);
    drop.exec();
    SQLite::Statement insert(*db_, R"sql(
      INSERT INTO artifact(run_id, kind, path, sha256, bytes, created_at_ms)
      VALUES (?, ?, ?, ?, ?, ?)
    )sql");
    for (const auto& artifact : artifacts) {
      insert.reset();
      insert.bind(1, run_id);
      insert.bind(2, artifact.kind);
      insert.bind(3, artifact.path);
      insert.bind(4, artifact.sha256);
      insert.bind(5, artifact.bytes);
      insert.bind(6, artifact.created_at_ms);
      insert.exec();
    }
  });
}

void ResultsStore::RecordDevice(int64_t run_id, const std::string& device) {
  Write(fmt::format("recording the device of run #{}", run_id), [&] {
    RequireRun(*db_, path_, run_id);
    SQLite::Statement upsert(
        *db_, "INSERT OR REPLACE INTO run_tag(run_id, key, value) VALUES (?, 'device', ?)");
    upsert.bind(1, run_id);
    upsert.bind(2, device);
    upsert.exec();
  });
}

void ResultsStore::NoteRun(int64_t run_id, const std::string& note) {
  Write(fmt::format("noting run #{}", run_id), [&] {
    RequireRun(*db_, path_, run_id);
    SQLite::Statement drop(*db_, "DELETE FROM run_tag WHERE run_id = ? AND key = 'note'");
    drop.bind(1, run_id);
    drop.exec();
    if (note.empty()) return;
    SQLite::Statement insert(*db_, "INSERT INTO run_tag(run_id, key, value) VALUES (?, 'note', ?)");
    insert.bind(1, run_id);
    insert.bind(2, note);
    insert.exec();
  });
}

std::vector<RunSummary> ResultsStore::ListRuns(const RunFilter& filter,
                                               const std::vector<std::string>& headline_keys) {
  if (filter.status && !ParseStatus(*filter.status)) {
    throw StoreError(fmt::format(
        "unknown run status '{}'; the statuses are queued, running, completed, failed and "
        "interrupted.",
        *filter.status));
  }
  return internal::Guarded(path_, "listing runs", [&] {
    // the runs, newest first
    SQLite::Statement query(*db_, fmt::format(R"sql(
      SELECT {} {}
      WHERE (:status IS NULL OR r.status = :status)
        AND (:algo IS NULL OR r.algo = :algo)
        AND (:name IS NULL OR instr(r.name, :name) > 0)
        AND (:sweep_id IS NULL OR EXISTS (SELECT 1 FROM sweep_run m
                                          WHERE m.sweep_id = :sweep_id AND m.run_id = r.run_id))
        {}
      ORDER BY r.created_at_ms DESC, r.run_id DESC
      LIMIT :limit
    )sql",
                                              kSummaryColumns, kRunJoins, ExtraFilters(filter)));
    for (size_t i = 0; i < filter.tags.size(); ++i) {
      query.bind(fmt::format(":tag{}", i), "tag:" + filter.tags[i]);
    }
    for (size_t i = 0; i < filter.where.size(); ++i) {
      query.bind(fmt::format(":where_key{}", i), filter.where[i].first);
      query.bind(fmt::format(":where_value{}", i), filter.where[i].second);
      // `0.02` also matches a stored 0.020, `1` a stored 1.0
      const std::string& text = filter.where[i].second;
      double number = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      const std::string number_name = fmt::format(":where_number{}", i);
      if (error == std::errc() && end == text.data() + text.size()) {
        query.bind(number_name, number);
      } else {
        query.bind(number_name);
      }
    }
    internal::BindOptional(query, ":status", filter.status);
    internal::BindOptional(query, ":algo", filter.algo);
    internal::BindOptional(query, ":name", filter.name_contains);
    internal::BindOptional(query, ":sweep_id", filter.sweep_id);
    query.bind(":limit", filter.limit > 0 ? filter.limit : int64_t{-1});
    std::vector<RunSummary> runs;
    while (query.executeStep()) runs.push_back(ReadSummary(query));

    for (RunSummary& run : runs) ReadLabels(*db_, run);

    // each headline key a run has, smoothed: one noisy point is no headline. The mean over
    // the steps in the last 10% of the run's own range of that key (the index on (run, key,
    // step) makes it a range scan)
    std::vector<std::pair<std::string, int64_t>> keys;
    for (const auto& name : headline_keys) {
      if (auto key_id = KeyIdOf(*db_, name)) keys.emplace_back(name, *key_id);
    }
    if (keys.empty()) return runs;
    SQLite::Statement latest(*db_, R"sql(
      SELECT avg(m.value) FROM metric m, metric_latest ml
      WHERE ml.run_id = :run_id AND ml.key_id = :key_id
        AND m.run_id = ml.run_id AND m.key_id = ml.key_id
        AND m.step >= ml.step - (ml.step - (SELECT min(step) FROM metric
                                             WHERE run_id = :run_id AND key_id = :key_id)) / 10
      HAVING count(*) > 0
    )sql");
    for (RunSummary& run : runs) {
      for (const auto& [name, key_id] : keys) {
        latest.reset();
        latest.bind(":run_id", run.run_id);
        latest.bind(":key_id", key_id);
        if (!latest.executeStep()) continue;
        run.headline.emplace_back(
            name,
            OptionalDouble(latest.getColumn(0)).value_or(std::numeric_limits<double>::quiet_NaN()));
      }
    }
    latest.reset();
    return runs;
  });
}

int64_t ResultsStore::ResolveRun(std::string_view reference) {
  const std::string text(Trim(reference));
  if (text.empty()) {
    throw StoreError("an empty run reference; give a run id, uuid, uuid prefix or name.");
  }
  return internal::Guarded(path_, fmt::format("looking up run '{}'", text), [&]() -> int64_t {
    auto single = [&](const char* sql, auto value) -> std::optional<int64_t> {
      SQLite::Statement query(*db_, sql);
      query.bind(1, value);
      if (!query.executeStep()) return std::nullopt;
      return query.getColumn(0).getInt64();
    };
    // a run id, then a full uuid
    if (AllDigits(text)) {
      if (auto id = single("SELECT run_id FROM run WHERE run_id = ?",
                           static_cast<int64_t>(std::stoll(text)))) {
        return *id;
      }
    }
    if (auto id = single("SELECT run_id FROM run WHERE run_uuid = ?", text)) return *id;

    // uuid prefixes (4+ characters) and the newest run with the name: one match or an error
    std::vector<int64_t> matches;
    if (text.size() >= 4) {
      SQLite::Statement query(*db_, R"sql(
        SELECT run_id FROM run WHERE substr(run_uuid, 1, length(:prefix)) = :prefix
        ORDER BY created_at_ms DESC, run_id DESC LIMIT 10
      )sql");
      query.bind(":prefix", text);
      while (query.executeStep()) matches.push_back(query.getColumn(0).getInt64());
    }
    // every run with the name: a name used twice names no run by itself
    SQLite::Statement named(*db_, R"sql(
      SELECT run_id FROM run WHERE name = ? ORDER BY created_at_ms DESC, run_id DESC LIMIT 10
    )sql");
    named.bind(1, text);
    while (named.executeStep()) {
      int64_t id = named.getColumn(0).getInt64();
      if (std::find(matches.begin(), matches.end(), id) == matches.end()) matches.push_back(id);
    }
    if (matches.size() == 1) return matches[0];

    // several: list them
    if (!matches.empty()) {
      std::vector<std::string> lines;
      for (int64_t id : matches) lines.push_back(DescribeRun(GetRun(id).summary));
      throw StoreError(fmt::format(
          "run reference '{}' is ambiguous in results store '{}'; it matches:\n{}\nGive the "
          "run id, or enough characters of the uuid to tell them apart.",
          PrintableText(text), path_.string(), Join(lines, "\n")));
    }

    // none: suggest names close to it, else the newest runs
    std::vector<std::string> names;
    SQLite::Statement all_names(*db_, "SELECT DISTINCT name FROM run");
    while (all_names.executeStep()) names.push_back(all_names.getColumn(0).getString());
    std::string hint = DidYouMeanSentence(text, names);
    if (hint.empty()) {
      RunFilter newest;
      newest.limit = 5;
      std::vector<std::string> lines;
      for (const auto& run : ListRuns(newest)) lines.push_back(DescribeRun(run));
      hint = lines.empty() ? "The store has no runs yet."
                           : "The newest runs are:\n" + Join(lines, "\n");
    }
    throw StoreError(fmt::format(
        "no run matches '{}' in results store '{}' (by id, uuid, uuid prefix of 4+ characters, "
        "or name). {}",
        text, path_.string(), hint));
  });
}

RunDetails ResultsStore::GetRun(int64_t run_id) {
  return internal::Guarded(path_, fmt::format("reading run #{}", run_id), [&] {
    // the run row with its experiment, config, code version and host
    SQLite::Statement query(*db_, fmt::format(R"sql(
      SELECT {},
             e.name, r.config_path, ifnull(r.config_yaml, f.resolved_yaml), f.resolved_json,
             r.thread_budget, r.pid, r.run_dir, r.param_count, r.peak_rss_bytes, r.ms_per_iter,
             c.diff_sha256, c.diff_text, c.branch, c.remote_url, c.orch_version, c.build_info,
             h.hostname, h.cpu_model, h.n_cpus, h.mem_bytes, h.os
      {}
      JOIN experiment e ON e.experiment_id = r.experiment_id
      LEFT JOIN host h ON h.host_id = r.host_id
      WHERE r.run_id = :run_id
    )sql",
                                              kSummaryColumns, kRunJoins));
    query.bind(":run_id", run_id);
    if (!query.executeStep()) {
      throw StoreError(
          fmt::format("results store '{}' has no run #{}. List the runs with `orch ls`.",
                      path_.string(), run_id));
    }
    RunDetails details;
    details.summary = ReadSummary(query);
    ReadLabels(*db_, details.summary);
    int column = kSummaryColumnCount;
    auto next = [&]() { return query.getColumn(column++); };
    details.experiment = next().getString();
    details.config_path = next().getString();
    details.config_yaml = next().getString();
    details.config_json = next().getString();
    details.thread_budget = next().getInt64();
    details.pid = OptionalInt(next());
    details.run_dir = next().getString();
    details.param_count = OptionalInt(next());
    details.peak_rss_bytes = OptionalInt(next());
    details.ms_per_iter = OptionalDouble(next());
    details.code.git_sha = details.summary.git_sha;
    details.code.dirty = details.summary.dirty;
    details.code.diff_sha256 = next().getString();
    details.code.diff_text = OptionalText(next());
    details.code.branch = OptionalText(next());
    details.code.remote_url = OptionalText(next());
    details.code.orch_version = next().getString();
    details.code.build_info_json = TextOrEmpty(next());
    details.host.hostname = TextOrEmpty(next());
    details.host.cpu_model = TextOrEmpty(next());
    details.host.cpus = OptionalInt(next()).value_or(0);
    details.host.memory_bytes = OptionalInt(next()).value_or(0);
    details.host.os = TextOrEmpty(next());
    query.reset();

    // the overrides, in command-line order
    SQLite::Statement overrides(*db_, R"sql(
      SELECT j.value FROM run r, json_each(r.overrides_json) j
      WHERE r.run_id = :run_id ORDER BY j.key
    )sql");
    overrides.bind(":run_id", run_id);
    while (overrides.executeStep()) details.overrides.push_back(overrides.getColumn(0).getString());

    // the flattened params
    SQLite::Statement params(*db_, R"sql(
      SELECT key, value_text, value_num FROM run_param WHERE run_id = :run_id ORDER BY key
    )sql");
    params.bind(":run_id", run_id);
    while (params.executeStep()) {
      details.params.push_back({params.getColumn(0).getString(), params.getColumn(1).getString(),
                                OptionalDouble(params.getColumn(2))});
    }

    // metric keys, checkpoints and the event trail (in the order it was written)
    details.metrics = MetricKeys(run_id);
    SQLite::Statement checkpoints(*db_, R"sql(
      SELECT step, path, sha256, bytes, is_final, created_at_ms FROM checkpoint
      WHERE run_id = :run_id ORDER BY step
    )sql");
    checkpoints.bind(":run_id", run_id);
    while (checkpoints.executeStep()) {
      CheckpointRecord record;
      record.step = checkpoints.getColumn(0).getInt64();
      record.path = checkpoints.getColumn(1).getString();
      record.sha256 = checkpoints.getColumn(2).getString();
      record.bytes = checkpoints.getColumn(3).getInt64();
      record.is_final = checkpoints.getColumn(4).getInt() != 0;
      record.created_at_ms = checkpoints.getColumn(5).getInt64();
      details.checkpoints.push_back(record);
    }
    SQLite::Statement artifacts(*db_, R"sql(
      SELECT kind, path, ifnull(sha256, ''), ifnull(bytes, 0), created_at_ms FROM artifact
      WHERE run_id = :run_id ORDER BY path
    )sql");
    artifacts.bind(":run_id", run_id);
    while (artifacts.executeStep()) {
      details.artifacts.push_back(
          {artifacts.getColumn(0).getString(), artifacts.getColumn(1).getString(),
           artifacts.getColumn(2).getString(), artifacts.getColumn(3).getInt64(),
           artifacts.getColumn(4).getInt64()});
    }
    SQLite::Statement events(*db_, R"sql(
      SELECT ts_ms, kind, detail FROM run_event WHERE run_id = :run_id ORDER BY event_id
    )sql");
    events.bind(":run_id", run_id);
    while (events.executeStep()) {
      details.events.push_back({events.getColumn(0).getInt64(), events.getColumn(1).getString(),
                                TextOrEmpty(events.getColumn(2))});
    }
    return details;
  });
}

std::vector<MetricPoint> ResultsStore::Series(int64_t run_id, std::string_view key) {
  return internal::Guarded(path_, fmt::format("reading metric '{}' of run #{}", key, run_id), [&] {
    std::vector<MetricPoint> points;
    std::optional<int64_t> key_id = KeyIdOf(*db_, key);
    if (!key_id) return points;
    // R2: one curve
    SQLite::Statement query(*db_, R"sql(
      SELECT step, value, wall_ms FROM metric
      WHERE run_id = :run_id AND key_id = :key_id ORDER BY step
    )sql");
    query.bind(":run_id", run_id);
    query.bind(":key_id", *key_id);
    while (query.executeStep()) {
      points.push_back({query.getColumn(0).getInt64(), OptionalDouble(query.getColumn(1)),
                        query.getColumn(2).getInt64()});
    }
    return points;
  });
}

std::vector<MetricKeySummary> ResultsStore::MetricKeys(int64_t run_id) {
  return internal::Guarded(path_, fmt::format("reading the metric keys of run #{}", run_id), [&] {
    // one row per key the run has (metric_latest), counted over its points
    SQLite::Statement query(*db_, R"sql(
      SELECT k.name, k.kind, ml.value,
             (SELECT count(*) FROM metric m WHERE m.run_id = ml.run_id AND m.key_id = ml.key_id),
             (SELECT min(step) FROM metric m WHERE m.run_id = ml.run_id AND m.key_id = ml.key_id),
             (SELECT max(step) FROM metric m WHERE m.run_id = ml.run_id AND m.key_id = ml.key_id)
      FROM metric_latest ml JOIN metric_key k ON k.key_id = ml.key_id
      WHERE ml.run_id = :run_id
      ORDER BY k.name
    )sql");
    query.bind(":run_id", run_id);
    std::vector<MetricKeySummary> keys;
    while (query.executeStep()) {
      MetricKeySummary key;
      key.name = query.getColumn(0).getString();
      key.kind = query.getColumn(1).getString();
      key.last_value = OptionalDouble(query.getColumn(2));
      key.points = query.getColumn(3).getInt64();
      key.first_step = OptionalInt(query.getColumn(4)).value_or(0);
      key.last_step = OptionalInt(query.getColumn(5)).value_or(0);
      keys.push_back(key);
    }
    return keys;
  });
}

void ResultsStore::ForEachMetric(
    int64_t run_id, const std::function<void(const std::string& key, const MetricPoint&)>& visit) {
  internal::Guarded(path_, fmt::format("reading the metrics of run #{}", run_id), [&] {
    // the run's keys by name, then each key's curve in step order (the primary key's order)
    std::vector<std::pair<std::string, int64_t>> keys;
    SQLite::Statement key_query(*db_, R"sql(
      SELECT k.name, k.key_id FROM metric_latest ml JOIN metric_key k ON k.key_id = ml.key_id
      WHERE ml.run_id = :run_id ORDER BY k.name
    )sql");
    key_query.bind(":run_id", run_id);
    while (key_query.executeStep()) {
      keys.emplace_back(key_query.getColumn(0).getString(), key_query.getColumn(1).getInt64());
    }
    SQLite::Statement query(*db_, R"sql(
      SELECT step, value, wall_ms FROM metric
      WHERE run_id = :run_id AND key_id = :key_id ORDER BY step
    )sql");
    for (const auto& [name, key_id] : keys) {
      query.reset();
      query.bind(":run_id", run_id);
      query.bind(":key_id", key_id);
      while (query.executeStep()) {
        visit(name, {query.getColumn(0).getInt64(), OptionalDouble(query.getColumn(1)),
                     query.getColumn(2).getInt64()});
      }
    }
  });
}

std::vector<RunSummary> ResultsStore::FindRunsByIdentity(const std::string& config_sha256,
                                                         const CodeVersion& code) {
  return internal::Guarded(path_, "looking up runs by identity", [&] {
    SQLite::Statement query(*db_, fmt::format(R"sql(
      SELECT {} {}
      WHERE f.config_sha256 = :config_sha256
        AND ifnull(c.git_sha, '') = ifnull(:git_sha, '') AND c.diff_sha256 = :diff_sha256
        AND c.orch_version = :orch_version
      ORDER BY r.created_at_ms DESC, r.run_id DESC
    )sql",
                                              kSummaryColumns, kRunJoins));
    query.bind(":config_sha256", config_sha256);
    internal::BindOptional(query, ":git_sha", code.git_sha);
    query.bind(":diff_sha256", code.diff_sha256);
    query.bind(":orch_version", code.orch_version);
    std::vector<RunSummary> runs;
    while (query.executeStep()) runs.push_back(ReadSummary(query));
    return runs;
  });
}

}  // namespace orch::store
