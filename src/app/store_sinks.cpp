// src/app/store_sinks.cpp
#include "app/store_sinks.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "common/json.h"
#include "common/sha256.h"
#include "common/string_util.h"

namespace orch::app {

StoreMetricSink::StoreMetricSink(const std::filesystem::path& store_path, int64_t run_id)
    : store_(store::ResultsStore::Open(store_path)), writer_(store_->OpenMetricWriter(run_id)) {}

// the writer goes before its connection
StoreMetricSink::~StoreMetricSink() { writer_.reset(); }

void StoreMetricSink::Log(std::string_view key, int64_t step, double value) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (key == "system/param_count") param_count_ = static_cast<int64_t>(value);
  writer_->Add(key, step, value);
}

void StoreMetricSink::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  writer_->Flush();
}

std::optional<int64_t> StoreMetricSink::param_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return param_count_;
}

StoreCheckpointSink::StoreCheckpointSink(store::ResultsStore& store, int64_t run_id,
                                         std::filesystem::path run_dir, int64_t keep)
    : store_(store), run_id_(run_id), run_dir_(std::move(run_dir)), keep_(keep) {}

std::filesystem::path StoreCheckpointSink::Directory() const { return run_dir_ / "checkpoints"; }

void StoreCheckpointSink::Register(int64_t step, const std::filesystem::path& file, bool is_final) {
  store::CheckpointRecord record;
  record.step = step;
  record.path = std::filesystem::relative(std::filesystem::absolute(file),
                                          std::filesystem::absolute(store_.directory()))
                    .generic_string();
  record.sha256 = Sha256FileHex(file);
  record.bytes = static_cast<int64_t>(std::filesystem::file_size(file));
  record.is_final = is_final;
  record.created_at_ms = store::NowMs();
  store_.RegisterCheckpoint(run_id_, record);
  Prune();
}

void StoreCheckpointSink::Prune() {
  if (keep_ <= 0) return;
  // the store's records, oldest first, say which files are this run's checkpoints
  std::vector<store::CheckpointRecord> records = store_.Checkpoints(run_id_);
  for (size_t i = 0; i + static_cast<size_t>(keep_) < records.size(); ++i) {
    std::error_code error;
    std::filesystem::remove(store_.directory() / records[i].path, error);
    store_.ForgetCheckpoint(run_id_, records[i].step);
  }
}

void ProgressLineSink::Report(int64_t done, int64_t total,
                              const std::vector<std::pair<std::string, double>>& headline) {
  auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  JsonWriter json;
  json.BeginObject();
  json.Key("done").Int(done);
  json.Key("total").Int(total);
  json.Key("headline").BeginObject();
  for (const auto& [key, value] : headline) json.Key(key).Double(value);
  json.EndObject();
  json.EndObject();
  std::fprintf(out_, "@progress %s\n", json.str().c_str());
  std::fflush(out_);
}

std::vector<store::ArtifactRecord> CollectArtifacts(const std::filesystem::path& run_dir,
                                                    const std::filesystem::path& store_dir) {
  namespace fs = std::filesystem;
  static const std::vector<std::string> kOrchFiles = {
      "config.yaml", "overrides.yaml", "stdout.log", "stderr.log", "run.log", "ending.json"};
  std::vector<store::ArtifactRecord> artifacts;
  std::error_code error;
  if (!fs::is_directory(run_dir, error)) return artifacts;
  for (auto it = fs::recursive_directory_iterator(run_dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const fs::path relative = it->path().lexically_relative(run_dir);
    const std::string top = relative.begin()->string();
    if (it->is_directory(error)) {
      if (top == "checkpoints" || top == "plots" || StartsWith(top, ".")) {
        it.disable_recursion_pending();
      }
      continue;
    }
    const std::string name = relative.filename().string();
    if (relative == fs::path(name) &&
        std::find(kOrchFiles.begin(), kOrchFiles.end(), name) != kOrchFiles.end()) {
      continue;
    }
    if (StartsWith(name, ".") || name.find(".shard.db") != std::string::npos) continue;
    store::ArtifactRecord artifact;
    artifact.kind = relative == fs::path(name)
                        ? (relative.has_extension() ? relative.extension().string().substr(1)
                                                    : std::string("file"))
                        : top;
    artifact.path = fs::absolute(it->path()).lexically_relative(fs::absolute(store_dir)).string();
    artifact.bytes = static_cast<int64_t>(it->file_size(error));
    try {
      artifact.sha256 = Sha256FileHex(it->path());
    } catch (const std::exception&) {
      continue;  // gone meanwhile
    }
    artifact.created_at_ms = store::NowMs();
    artifacts.push_back(std::move(artifact));
  }
  std::sort(artifacts.begin(), artifacts.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return artifacts;
}

}  // namespace orch::app
