// src/store/run_ending.cpp
#include "store/run_ending.h"

#include <fstream>
#include <sstream>

#include "common/json.h"
#include "config/yaml_loader.h"

namespace orch::store {

std::string EndingJson(const RecordedEnding& ending) {
  JsonWriter json;
  json.BeginObject();
  json.Key("status").String(ending.status);
  json.Key("exit_code");
  if (ending.exit_code) {
    json.Int(*ending.exit_code);
  } else {
    json.Null();
  }
  json.Key("error").String(ending.error);
  json.EndObject();
  return json.Take();
}

std::optional<RecordedEnding> ParseEndingJson(std::string_view text) {
  // JSON is YAML, which the config reader parses
  config::Node node;
  try {
    node = config::ParseYamlValue(text, "ending");
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!node.IsMap()) return std::nullopt;
  const config::Node* status = node.Find("status");
  if (status == nullptr || !status->IsString()) return std::nullopt;
  const std::string& name = status->AsString();
  if (name != "completed" && name != "failed" && name != "interrupted") return std::nullopt;
  RecordedEnding ending;
  ending.status = name;
  if (const config::Node* code = node.Find("exit_code"); code != nullptr && code->IsInt()) {
    ending.exit_code = code->AsInt();
  }
  if (const config::Node* error = node.Find("error"); error != nullptr && error->IsString()) {
    ending.error = error->AsString();
  }
  return ending;
}

std::optional<RecordedEnding> ReadEndingFile(const std::filesystem::path& run_dir) {
  std::ifstream file(run_dir / kEndingFileName, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return ParseEndingJson(text.str());
}

}  // namespace orch::store
