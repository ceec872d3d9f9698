// src/common/json.h: a small streaming JSON writer (compact or indented) and number formatting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orch {

/// Shortest text that reads back as exactly `value` (like Python's repr): always contains a `.`
/// or an exponent so that it stays a float (`1.0`, `0.99`, `1e-05`). Non-finite values are written
/// as `.inf`, `-.inf`, `.nan` (YAML) or `Infinity`, `-Infinity`, `NaN` (JSON) as asked.
std::string FormatDouble(double value, bool json_non_finite = false);

/// `text` as a JSON string literal, with quotes.
std::string JsonQuote(std::string_view text);

/// Writes JSON incrementally. Compact (no whitespace) by default, which is the canonical form used
/// for hashing when keys are written in sorted order; `indent > 0` pretty-prints.
class JsonWriter {
 public:
  explicit JsonWriter(int indent = 0) : indent_(indent) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  /// Non-finite values are written as `Infinity`, `-Infinity`, `NaN` (JSON5 / Python style).
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  /// Inserts an already-serialised JSON value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  void NewLine();

  struct Level {
    bool is_object;
    bool empty = true;
  };
  int indent_;
  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace orch
