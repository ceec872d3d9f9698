// src/sweep/expand.h: command-line sweep overrides → the list of jobs (Hydra's basic sweeper).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/override.h"

namespace orch::sweep {

/// One job of a sweep: the overrides that make it, each with a single value.
struct Job {
  size_t index = 0;                         ///< 0-based, in expansion order
  std::vector<config::Override> overrides;  ///< in axis order, none of them a sweep
  /// `key=value` texts of the overrides (what `orch plan` prints and a run records).
  std::vector<std::string> OverrideTexts() const;
};

/// One axis: the key element and its values in order.
struct Axis {
  std::string key_element;
  std::vector<config::Override> values;
  bool IsSwept() const { return values.size() > 1; }
};

struct ExpandOptions {
  /// Seed of `shuffle(...)`, so that a plan is reproducible (quirk Q12).
  uint64_t shuffle_seed = 0;
  /// The options of a config group, for `glob(...)`.
  std::function<std::vector<std::string>(const std::string& group)> group_options;
};

/// The axes of `overrides` (Hydra: an ordered map keyed by the key element; a later override of
/// the same key element replaces the values but keeps the first position; a plain override is a
/// one-value axis). Throws ConfigError for a sweep a grid cannot expand (`interval`), an empty
/// sweep, or a glob without group options.
std::vector<Axis> BuildAxes(const std::vector<config::Override>& overrides,
                            const ExpandOptions& options);

/// The cartesian product of the axes, the last axis varying fastest, numbered from 0.
std::vector<Job> ExpandJobs(const std::vector<Axis>& axes);

/// Number of jobs without building them.
size_t CountJobs(const std::vector<Axis>& axes);

/// The most jobs one sweep expands to. Every job is composed, validated and held in memory
/// before anything runs (about 10 KB each), and no study needs more at once.
inline constexpr size_t kMaxJobs = 100'000;

/// Throws ConfigError, naming the axes and their sizes, when the axes times `variants` make
/// more than kMaxJobs jobs (counted without overflow, before any job is built).
void CheckJobCount(const std::vector<Axis>& axes, size_t variants);

}  // namespace orch::sweep
