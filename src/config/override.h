// src/config/override.h: one parsed command-line override (`+a.b=1`, `~k`, `env=walker`, sweeps).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/node.h"

namespace orch::config {

enum class OverrideType {
  kChange,    ///< key=value: change an existing key, or select a group option
  kAdd,       ///< +key=value: add a key that does not exist (or append a group)
  kForceAdd,  ///< ++key=value: set, creating the key if needed
  kDelete,    ///< ~key or ~key=value: delete (only if the value matches, when given)
};

/// A sweep written on the command line: `a,b,c`, `choice(...)`, `range(...)`, `interval(...)`,
/// `glob(...)`, possibly wrapped in `sort(...)`, `shuffle(...)`, `tag(...)` and casts. Elements
/// keep their parsed types (quirk Q2: `choice('1','2')` sweeps two strings, not two ints).
struct Sweep {
  enum class Kind { kChoice, kRange, kInterval, kGlob };

  Kind kind = Kind::kChoice;
  /// kChoice: the elements, in order (already sorted when `sort()` was applied).
  std::vector<Node> items;
  /// kChoice: written as `a,b,c` rather than `choice(a,b,c)`.
  bool simple_form = false;
  /// kRange: start, stop (exclusive), step; all ints, or floats when any was a float.
  Node start;
  Node stop;
  Node step;
  /// kInterval: the continuous interval [start, end); a grid sweep cannot expand it.
  double interval_start = 0.0;
  double interval_end = 0.0;
  /// kGlob: patterns over the options of a config group (`*`, `?`), matched at expansion.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  /// `shuffle(...)`: the expansion shuffles with the plan's seeded generator (quirk Q12).
  bool shuffle = false;
  /// `sort(...)` on a glob or range: the expansion sorts; `sort_reverse` for `reverse=true`.
  bool sort = false;
  bool sort_reverse = false;
  /// `tag(t1, ..., sweep)`: carried along; the grid sweeper ignores tags.
  std::vector<std::string> tags;
};

/// One command-line override, parsed by the hand-written grammar of hydra-semantics.md §1.
struct Override {
  OverrideType type = OverrideType::kChange;
  /// The key or group path as written, without prefix and package: `a.b`, `db/mysql`, `list.0`.
  std::string key;
  /// The package after `@` when given: `pkg`, or "" for `group@=option` (the global package).
  std::optional<std::string> package;
  /// The value when one was given (absent only for `~key`). Strings that contain `${...}` are
  /// interpolations, resolved after composition. Every node's origin is this override.
  std::optional<Node> value;
  /// Set instead of `value` when the value is a sweep.
  std::optional<Sweep> sweep;
  /// The override exactly as typed.
  std::string text;
  /// 1-based position among the command-line overrides (`override #N`).
  int index = 0;
  /// Where the override was written when not on the command line (a sweep file's line); its
  /// nodes and every message about it carry this origin then.
  std::optional<Origin> source;

  bool IsSweep() const { return sweep.has_value(); }
  bool IsDelete() const { return type == OverrideType::kDelete; }
  bool IsAdd() const { return type == OverrideType::kAdd; }
  bool IsForceAdd() const { return type == OverrideType::kForceAdd; }
  /// True when the key has the shape of a group path (`a/b`), which only a config group can be.
  bool HasGroupPath() const { return key.find('/') != std::string::npos; }
  /// The key element as written: prefix, key and package (`+k`, `~k`, `db@backup`); sweeps are
  /// ordered by it (a later override of the same key element replaces the earlier value).
  std::string KeyElement() const;
  /// The origin every node of this override carries.
  Origin MakeOrigin() const { return source ? *source : Origin::Override(index, text); }
  /// Sets `source` and stamps it on every node of the value or sweep.
  void SetSource(const Origin& origin);
};

/// Parses one override. `index` is its 1-based position on the command line. Throws ConfigError
/// whose diagnostic quotes the override and puts a caret under the offending character.
Override ParseOverride(std::string_view text, int index);

/// Renders a parsed element back as override text that parses to the same typed value:
/// strings that would be inferred as another type are quoted (`'1'`, `'true'`), floats keep a
/// `.`, lists and dicts use `[...]` / `{...}`. Used for job override lists in `orch plan`.
std::string FormatOverrideValue(const Node& value);

/// `key=value` for a non-sweep override with a single value (prefix and package kept).
std::string FormatOverride(const Override& override_value, const Node& value);

/// The largest number of values `ExpandRange` materialises before refusing (a sweep holds at
/// most 100,000 jobs; see sweep/expand.h).
inline constexpr size_t kMaxRangeValues = 100'000;

/// The values of a `range(...)` sweep in order (sorted when `sort` was applied, descending for
/// `sort_reverse`; shuffling is left to the caller). Ints stay ints; floats are computed in
/// decimal arithmetic on the shortest decimal forms of start and step, so `range(0,1,0.1)` yields
/// exactly 0.0, 0.1, ..., 0.9. Throws ConfigError past kMaxRangeValues values.
std::vector<Node> ExpandRange(const Sweep& range_sweep);

/// True when `name` matches the glob `pattern` as a whole: `*` matches any run of characters
/// (also empty), `?` exactly one character, every other character itself.
bool GlobMatch(std::string_view pattern, std::string_view name);

/// The options of a config group selected by a `glob(...)` sweep: those matching an include
/// pattern and no exclude pattern, in the order of `options` (sorted when `sort` was applied,
/// descending for `sort_reverse`).
std::vector<std::string> ExpandGlob(const Sweep& glob_sweep,
                                    const std::vector<std::string>& options);

}  // namespace orch::config
