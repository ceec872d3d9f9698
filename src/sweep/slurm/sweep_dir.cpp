// src/sweep/slurm/sweep_dir.cpp
#include "sweep/slurm/sweep_dir.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/file_io.h"
#include "common/json.h"
#include "common/string_util.h"
#include "config/yaml_loader.h"

namespace orch::sweep::slurm {
namespace {

namespace fs = std::filesystem;

/// The indices of an --array list: `3`, `0-7`, `1,4-6` (a `%N` throttle ignored).
std::vector<int64_t> ArrayIds(const std::string& list) {
  std::vector<int64_t> ids;
  std::string body = list.substr(0, list.find('%'));
  for (const auto& part : Split(body, ',')) {
    if (part.empty()) continue;
    size_t dash = part.find('-');
    int64_t first = std::stoll(part.substr(0, dash));
    int64_t last = dash == std::string::npos ? first : std::stoll(part.substr(dash + 1));
    for (int64_t id = first; id <= last; ++id) ids.push_back(id);
  }
  return ids;
}

}  // namespace

const TaskEntry* Manifest::Find(int64_t index) const {
  for (const auto& task : tasks) {
    if (task.index == index) return &task;
  }
  return nullptr;
}

fs::path DefaultSweepDir(const fs::path& store_path, const std::string& sweep_name) {
  return fs::absolute(store_path).parent_path() / "sweeps" / sweep_name;
}

void WriteManifest(const fs::path& sweep_dir, const Manifest& manifest) {
  JsonWriter json(2);
  json.BeginObject();
  json.Key("sweep").String(manifest.sweep);
  json.Key("store").String(manifest.store_path.string());
  json.Key("max_num_timeout").Int(manifest.max_num_timeout);
  json.Key("tasks").BeginArray();
  for (const auto& task : manifest.tasks) {
    json.BeginObject();
    json.Key("index").Int(task.index);
    json.Key("uuid").String(task.uuid);
    json.Key("label").String(task.label);
    json.Key("run_dir").String(task.run_dir.string());
    json.Key("threads").Int(task.threads);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  WriteFileAtomically(sweep_dir / kManifestName, json.Take() + "\n");
}

Manifest ReadManifest(const fs::path& sweep_dir) {
  const fs::path path = sweep_dir / kManifestName;
  std::ifstream in(path);
  if (!in) {
    throw OrchError(fmt::format("{} is not a SLURM sweep directory: it has no {}",
                                sweep_dir.string(), kManifestName));
  }
  std::stringstream text;
  text << in.rdbuf();
  // JSON is YAML: the config loader reads it
  config::Node root = config::ParseYamlValue(text.str(), path.string());
  auto field = [&](const config::Node& node, const char* key) -> const config::Node& {
    const config::Node* value = node.Find(key);
    if (value == nullptr) {
      throw OrchError(fmt::format("{}: no '{}' (the file is damaged)", path.string(), key));
    }
    return *value;
  };
  Manifest manifest;
  manifest.sweep = field(root, "sweep").AsString();
  manifest.store_path = field(root, "store").AsString();
  manifest.max_num_timeout = field(root, "max_num_timeout").AsInt();
  for (const auto& item : field(root, "tasks").AsList()) {
    TaskEntry task;
    task.index = field(item, "index").AsInt();
    task.uuid = field(item, "uuid").AsString();
    task.label = field(item, "label").AsString();
    task.run_dir = field(item, "run_dir").AsString();
    task.threads = static_cast<int>(field(item, "threads").AsInt());
    manifest.tasks.push_back(std::move(task));
  }
  return manifest;
}

void AppendSubmission(const fs::path& sweep_dir, const Submission& submission) {
  std::ofstream out(sweep_dir / kSubmissionsName, std::ios::app);
  out << submission.kind << '\t' << submission.job_id << '\t' << submission.offset << '\t'
      << submission.indices << '\n';
  if (!out.flush()) {
    throw OrchError(fmt::format("cannot write {}", (sweep_dir / kSubmissionsName).string()));
  }
}

std::vector<Submission> ReadSubmissions(const fs::path& sweep_dir) {
  std::vector<Submission> submissions;
  std::ifstream in(sweep_dir / kSubmissionsName);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields = Split(line, '\t');
    if (fields.size() != 4) continue;
    Submission submission;
    submission.kind = fields[0];
    submission.job_id = fields[1];
    try {
      submission.offset = std::stoll(fields[2]);
    } catch (const std::exception&) {
      continue;
    }
    submission.indices = fields[3];
    submissions.push_back(std::move(submission));
  }
  return submissions;
}

std::vector<std::string> SubmittedJobIds(const std::vector<Submission>& submissions) {
  std::vector<std::string> ids;
  for (const auto& submission : submissions) ids.push_back(submission.job_id);
  return ids;
}

std::optional<std::string> TaskJobId(const std::vector<Submission>& submissions, int64_t index) {
  std::optional<std::string> found;
  for (const auto& submission : submissions) {
    if (submission.kind != "array") continue;
    for (int64_t id : ArrayIds(submission.indices)) {
      if (id + submission.offset == index) found = fmt::format("{}_{}", submission.job_id, id);
    }
  }
  return found;
}

}  // namespace orch::sweep::slurm
