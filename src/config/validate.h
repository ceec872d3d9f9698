// src/config/validate.h: checks a composed tree against its schema, all errors at once.
#pragma once

#include <string>

#include "common/diagnostic.h"
#include "config/node.h"
#include "config/schema.h"

namespace orch::config {

/// Lays each schema default under `root` where the key is absent, recursing into sections that
/// apply. Checks nothing. Composition runs it before the value overrides, so that `k=v` can set
/// a key that no config file mentions.
void FillSchemaDefaults(const Schema& schema, Node& root);

/// Validates `root` against `schema` and normalises it in place: absent keys get their
/// defaults, ints in float fields become floats, ints in string fields become strings. Reports
/// every problem (unknown key with a "did you mean", wrong type, out of range, not a choice,
/// too many items, missing mandatory value, a key that does not apply) with the full key path
/// and the value's origin, then runs the schemas' cross-field rules.
void ValidateConfig(const Schema& schema, Node& root, Diagnostics& diagnostics);

/// `string 'fast'`, `float 1.5`, `int 3`, `bool true`, `null`, `list [1, 2]`: how messages show a
/// value that was found.
std::string DescribeFound(const Node& value);

/// Checks one value against one field (type, range, choices, list items); `key` is its display
/// path. Used by ValidateConfig and by rules that check values of their own.
void CheckField(const FieldSpec& field, Node& value, const std::string& key,
                Diagnostics& diagnostics);

}  // namespace orch::config
