// src/config/json_writer.h: a config tree as JSON, plain or canonical (for hashing).
#pragma once

#include <string>

#include "common/json.h"
#include "config/node.h"

namespace orch::config {

/// Writes `node` into an open JsonWriter (so that it can be embedded in a larger document).
/// Non-finite floats become `Infinity`, `-Infinity`, `NaN`; a missing value becomes "???".
void WriteJson(JsonWriter& json, const Node& node, bool sort_keys = false);

/// One JSON document; `indent > 0` pretty-prints; keys keep their config order.
std::string ToJson(const Node& node, int indent = 0);

/// The canonical form used for the run identity: keys sorted bytewise, no whitespace, shortest
/// round-trip numbers, floats always with a `.` or exponent so that `1` and `1.0` differ.
std::string CanonicalJson(const Node& node);

}  // namespace orch::config
