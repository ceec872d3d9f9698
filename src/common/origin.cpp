// src/common/origin.cpp
#include "common/origin.h"

#include <fmt/format.h>

#include <tuple>

namespace orch {

Origin Origin::File(std::string file, int line, int column) {
  Origin origin;
  origin.kind = Kind::kFile;
  origin.file = std::move(file);
  origin.line = line;
  origin.column = column;
  return origin;
}

Origin Origin::Override(int index, std::string text) {
  Origin origin;
  origin.kind = Kind::kOverride;
  origin.override_index = index;
  origin.text = std::move(text);
  return origin;
}

Origin Origin::SchemaDefault(std::string namespace_name) {
  Origin origin;
  origin.kind = Kind::kSchemaDefault;
  origin.text = std::move(namespace_name);
  return origin;
}

Origin Origin::Derived(std::string how) {
  Origin origin;
  origin.kind = Kind::kDerived;
  origin.text = std::move(how);
  return origin;
}

std::string Origin::ToString() const {
  switch (kind) {
    case Kind::kFile:
      if (line <= 0) return file;
      return fmt::format("{}:{}:{}", file, line, column);
    case Kind::kOverride:
      return fmt::format("override #{} '{}'", override_index, text);
    case Kind::kSchemaDefault:
      return text.empty() ? "schema default" : fmt::format("default of the '{}' schema", text);
    case Kind::kDerived:
      return fmt::format("derived ({})", text);
    case Kind::kNone:
      break;
  }
  return "<unknown origin>";
}

bool Origin::operator<(const Origin& other) const {
  // files first (by path, then position), then overrides in command-line order, then the rest
  auto rank = [](Kind k) {
    switch (k) {
      case Kind::kFile:
        return 0;
      case Kind::kOverride:
        return 1;
      case Kind::kSchemaDefault:
        return 2;
      case Kind::kDerived:
        return 3;
      case Kind::kNone:
        return 4;
    }
    return 4;
  };
  return std::forward_as_tuple(rank(kind), file, line, column, override_index, text) <
         std::forward_as_tuple(rank(other.kind), other.file, other.line, other.column,
                               other.override_index, other.text);
}

int Origin::UserPrecedence() const {
  switch (kind) {
    case Kind::kOverride:
      return 3;
    case Kind::kFile:
      return 2;
    case Kind::kDerived:
      return 1;
    case Kind::kSchemaDefault:
    case Kind::kNone:
      return 0;
  }
  return 0;
}

}  // namespace orch
