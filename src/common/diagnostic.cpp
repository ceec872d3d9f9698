// src/common/diagnostic.cpp
#include "common/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json.h"

namespace orch {

std::string Diagnostic::Format() const {
  std::string out = origin.IsKnown() ? origin.ToString() + ": " : std::string();
  if (severity == Severity::kWarning) out += "warning: ";
  if (!key.empty()) out += key + ": ";
  out += message;
  if (!suggestion.empty()) out += ". " + suggestion;
  for (const auto& line : details) out += "\n    " + line;
  for (const auto& line : context) out += "\n  " + line;
  return out;
}

std::string Diagnostic::ToJson() const {
  JsonWriter json;
  json.BeginObject();
  json.Key("severity").String(severity == Severity::kError ? "error" : "warning");
  json.Key("origin").String(origin.ToString());
  if (origin.kind == Origin::Kind::kFile) {
    json.Key("file").String(origin.file);
    json.Key("line").Int(origin.line);
    json.Key("column").Int(origin.column);
  } else if (origin.kind == Origin::Kind::kOverride) {
    json.Key("override_index").Int(origin.override_index);
    json.Key("override").String(origin.text);
  }
  json.Key("key").String(key);
  json.Key("kind").String(kind);
  json.Key("message").String(message);
  json.Key("suggestion").String(suggestion);
  json.Key("candidates").BeginArray();
  for (const auto& candidate : candidates) json.String(candidate);
  json.EndArray();
  json.Key("context").BeginArray();
  for (const auto& line : context) json.String(line);
  json.EndArray();
  json.EndObject();
  return json.Take();
}

namespace {

Diagnostic Make(Severity severity, Origin origin, std::string key, std::string message,
                std::string suggestion, std::string kind) {
  Diagnostic d;
  d.severity = severity;
  d.origin = std::move(origin);
  d.key = std::move(key);
  d.message = std::move(message);
  d.suggestion = std::move(suggestion);
  d.kind = std::move(kind);
  return d;
}

}  // namespace

void Diagnostics::Error(Origin origin, std::string key, std::string message, std::string suggestion,
                        std::string kind) {
  items_.push_back(Make(Severity::kError, std::move(origin), std::move(key), std::move(message),
                        std::move(suggestion), std::move(kind)));
}

void Diagnostics::Warning(Origin origin, std::string key, std::string message,
                          std::string suggestion, std::string kind) {
  items_.push_back(Make(Severity::kWarning, std::move(origin), std::move(key), std::move(message),
                        std::move(suggestion), std::move(kind)));
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

size_t Diagnostics::ErrorCount() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

size_t Diagnostics::WarningCount() const { return items_.size() - ErrorCount(); }

void Diagnostics::SortByOrigin() {
  std::stable_sort(items_.begin(), items_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.origin < b.origin; });
}

std::string Diagnostics::Format() const {
  std::string out;
  for (const auto& d : items_) {
    if (!out.empty()) out += "\n";
    out += d.Format();
  }
  return out;
}

}  // namespace orch
