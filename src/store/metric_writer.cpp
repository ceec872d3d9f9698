// src/store/metric_writer.cpp: the batching metric writer (results-store.md §4, W4 and W5).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "common/string_util.h"
#include "store/results_store.h"
#include "store/store_internal.h"

namespace orch::store {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// The kind of a new key, from its name.
const char* KindOf(std::string_view name) {
  if (StartsWith(name, "eval/")) return "eval";
  if (StartsWith(name, "aux")) return "aux";
  if (StartsWith(name, "system/")) return "system";
  return "train";
}

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace

struct MetricWriter::State {
  explicit State(SQLite::Database& db)
      : insert_key(db, R"sql(
          INSERT INTO metric_key(name, kind) VALUES (:name, :kind) ON CONFLICT(name) DO NOTHING
        )sql"),
        select_key(db, "SELECT key_id FROM metric_key WHERE name = :name"),
        upsert_point(db, R"sql(
          INSERT INTO metric(run_id, key_id, step, value, wall_ms)
          VALUES (:run_id, :key_id, :step, :value, :wall_ms)
          ON CONFLICT(run_id, key_id, step) DO UPDATE
            SET value = excluded.value, wall_ms = excluded.wall_ms
        )sql"),
        upsert_latest(db, R"sql(
          INSERT INTO metric_latest(run_id, key_id, step, value, wall_ms)
          VALUES (:run_id, :key_id, :step, :value, :wall_ms)
          ON CONFLICT(run_id, key_id) DO UPDATE
            SET step = excluded.step, value = excluded.value, wall_ms = excluded.wall_ms
            WHERE excluded.step >= metric_latest.step
        )sql"),
        beat(db, R"sql(
          UPDATE run SET heartbeat_at_ms = :now, last_env_step = max(last_env_step, :step)
          WHERE run_id = :run_id
        )sql") {}

  /// A key this writer has seen; `id` is 0 until a committed flush has stored it.
  struct Key {
    std::string name;
    const char* kind;
    int64_t id = 0;
  };
  std::vector<Key> keys;
  std::unordered_map<std::string, size_t, TransparentHash, std::equal_to<>> slots;

  // prepared once, reused by every flush; the points bind by position (the order of the
  // named parameters: run_id, key_id, step, value, wall_ms)
  SQLite::Statement insert_key;
  SQLite::Statement select_key;
  SQLite::Statement upsert_point;
  SQLite::Statement upsert_latest;
  SQLite::Statement beat;

  // per-flush scratch: the newest pending point of each key, and ids found in this flush
  std::vector<int64_t> newest;
  std::vector<int64_t> new_ids;
};

MetricWriter::MetricWriter(ResultsStore& store, int64_t run_id, int64_t flush_rows,
                           int64_t flush_interval_ms)
    : store_(store),
      run_id_(run_id),
      flush_rows_(std::max<int64_t>(1, flush_rows)),
      flush_interval_ms_(flush_interval_ms),
      last_flush_ms_(SteadyMs()) {
  state_ = internal::Guarded(store.path(), "preparing the metric writer",
                             [&] { return std::make_unique<State>(store.database()); });
  pending_.reserve(static_cast<size_t>(std::min<int64_t>(flush_rows_, 100'000)));
}

MetricWriter::~MetricWriter() {
  try {
    Flush();
  } catch (...) {
    // a destructor must not throw; the points of a failed last flush are lost
  }
}

void MetricWriter::Add(std::string_view key, int64_t step, double value) {
  // the key's slot, created on first use
  auto found = state_->slots.find(key);
  size_t slot = 0;
  if (found != state_->slots.end()) {
    slot = found->second;
  } else {
    slot = state_->keys.size();
    state_->keys.push_back({std::string(key), KindOf(key), 0});
    state_->slots.emplace(std::string(key), slot);
  }
  pending_.push_back({slot, step, value, NowMs()});

  // flush at the row threshold or when the interval has passed
  if (static_cast<int64_t>(pending_.size()) >= flush_rows_ ||
      SteadyMs() - last_flush_ms_ >= flush_interval_ms_) {
    Flush();
  }
}

void MetricWriter::Flush() {
  if (!pending_.empty()) {
    FlushPending();
    rows_written_ += static_cast<int64_t>(pending_.size());
    pending_.clear();
  }
  last_flush_ms_ = SteadyMs();
}

int64_t MetricWriter::rows_pending() const { return static_cast<int64_t>(pending_.size()); }

void MetricWriter::FlushPending() {
  State& state = *state_;
  // the newest pending point of each key (the last added wins a tie) and the furthest step
  state.newest.assign(state.keys.size(), -1);
  int64_t max_step = std::numeric_limits<int64_t>::min();
  for (size_t row = 0; row < pending_.size(); ++row) {
    const Pending& point = pending_[row];
    int64_t& newest = state.newest[point.key];
    if (newest < 0 || point.step >= pending_[static_cast<size_t>(newest)].step) {
      newest = static_cast<int64_t>(row);
    }
    max_step = std::max(max_step, point.step);
  }

  auto bind_point = [](SQLite::Statement& statement, int64_t run_id, int64_t key_id,
                       const Pending& point) {
    statement.reset();
    statement.bind(1, run_id);
    statement.bind(2, key_id);
    statement.bind(3, point.step);
    if (std::isnan(point.value)) {
      statement.bind(4);
    } else {
      statement.bind(4, point.value);
    }
    statement.bind(5, point.wall_ms);
    statement.exec();
  };

  const int64_t now = NowMs();
  store_.Write(fmt::format("writing metrics of run #{}", run_id_), [&] {
    // ids of the keys this writer has not stored yet (W4)
    state.new_ids.assign(state.keys.size(), 0);
    for (size_t slot = 0; slot < state.keys.size(); ++slot) {
      if (state.keys[slot].id != 0 || state.newest[slot] < 0) continue;
      state.insert_key.reset();
      state.insert_key.bind(":name", state.keys[slot].name);
      state.insert_key.bind(":kind", state.keys[slot].kind);
      state.insert_key.exec();
      state.select_key.reset();
      state.select_key.bind(":name", state.keys[slot].name);
      state.select_key.executeStep();
      state.new_ids[slot] = state.select_key.getColumn(0).getInt64();
      state.select_key.reset();
    }
    auto key_id = [&](size_t slot) {
      return state.keys[slot].id != 0 ? state.keys[slot].id : state.new_ids[slot];
    };

    // the points, upserted (W5)
    for (const Pending& point : pending_) {
      bind_point(state.upsert_point, run_id_, key_id(point.key), point);
    }
    // the latest value of each key the batch touched
    for (size_t slot = 0; slot < state.keys.size(); ++slot) {
      if (state.newest[slot] < 0) continue;
      bind_point(state.upsert_latest, run_id_, key_id(slot),
                 pending_[static_cast<size_t>(state.newest[slot])]);
    }
    // the run's heartbeat and furthest step
    state.beat.reset();
    state.beat.bind(":now", now);
    state.beat.bind(":step", max_step);
    state.beat.bind(":run_id", run_id_);
    state.beat.exec();
  });

  // key ids become known only once their transaction has committed
  for (size_t slot = 0; slot < state.keys.size(); ++slot) {
    if (state.new_ids[slot] != 0) state.keys[slot].id = state.new_ids[slot];
  }
}

}  // namespace orch::store
