// src/common/origin.h: where a config value came from (file position, override, schema default).
#pragma once

#include <cstdint>
#include <string>

namespace orch {

/// Where a value was written: a position in a YAML file, a command-line override, a schema
/// default, or a value computed from other values. Carried by every config node so that errors,
/// `orch compose --explain` and the stored run can all name the source.
struct Origin {
  enum class Kind : uint8_t { kNone, kFile, kOverride, kSchemaDefault, kDerived };

  Kind kind = Kind::kNone;
  std::string file;        ///< kFile: the path as the user sees it (relative to the working dir)
  int line = 0;            ///< kFile: 1-based
  int column = 0;          ///< kFile: 1-based
  int override_index = 0;  ///< kOverride: 1-based position among the command-line overrides
  std::string text;        ///< kOverride: the override as typed; kSchemaDefault: the namespace;
                           ///< kDerived: how the value was derived

  static Origin File(std::string file, int line, int column);
  static Origin Override(int index, std::string text);
  static Origin SchemaDefault(std::string namespace_name);
  static Origin Derived(std::string how);

  bool IsKnown() const { return kind != Kind::kNone; }

  /// How directly the user chose the value, for blaming one of two conflicting values:
  /// an override (3) over a config file (2) over a derived value (1) over a default (0).
  int UserPrecedence() const;

  /// `file:line:col`, `override #N 'text'`, `default of <ns> schema` or `derived: how`.
  std::string ToString() const;

  /// Orders origins for sorted error listings: files by path and position, then overrides.
  bool operator<(const Origin& other) const;
};

}  // namespace orch
