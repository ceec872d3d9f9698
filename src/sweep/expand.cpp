// src/sweep/expand.cpp
#include "sweep/expand.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "common/error.h"
#include "common/string_util.h"

namespace orch::sweep {
namespace {

using config::Node;
using config::Override;
using config::Sweep;

/// One override per value, with the value's text as its own.
std::vector<Override> SplitSweep(const Override& sweep_override, std::vector<Node> values) {
  std::vector<Override> split;
  split.reserve(values.size());
  for (Node& value : values) {
    Override single = sweep_override;
    single.sweep.reset();
    single.text = config::FormatOverride(sweep_override, value);
    value.SetOriginRecursive(sweep_override.source
                                 ? *sweep_override.source
                                 : Origin::Override(sweep_override.index, single.text));
    single.value = std::move(value);
    split.push_back(std::move(single));
  }
  return split;
}

std::vector<Node> SweepValues(const Override& ov, const ExpandOptions& options,
                              std::mt19937_64& shuffle_rng) {
  const Sweep& sweep = *ov.sweep;
  std::vector<Node> values;
  switch (sweep.kind) {
    case Sweep::Kind::kChoice:
      values = sweep.items;
      break;
    case Sweep::Kind::kRange:
      values = config::ExpandRange(sweep);
      break;
    case Sweep::Kind::kInterval:
      throw ConfigError(ov.MakeOrigin(), ov.key,
                        "interval() is a continuous range; a grid sweep cannot list its values",
                        "Use range(start, stop, step) or choice(...) for a grid", "sweep");
    case Sweep::Kind::kGlob: {
      if (!options.group_options) {
        throw ConfigError(ov.MakeOrigin(), ov.key, "glob() needs a config group to match", {},
                          "sweep");
      }
      std::vector<std::string> names = config::ExpandGlob(sweep, options.group_options(ov.key));
      for (auto& name : names) values.push_back(Node::String(std::move(name)));
      break;
    }
  }
  if (sweep.kind == Sweep::Kind::kRange && sweep.sort) {
    std::stable_sort(values.begin(), values.end(),
                     [](const Node& a, const Node& b) { return a.AsDouble() < b.AsDouble(); });
    if (sweep.sort_reverse) std::reverse(values.begin(), values.end());
  }
  if (sweep.shuffle) std::shuffle(values.begin(), values.end(), shuffle_rng);
  if (values.empty()) {
    throw ConfigError(ov.MakeOrigin(), ov.key, "the sweep has no values", {}, "sweep");
  }
  return values;
}

}  // namespace

std::vector<std::string> Job::OverrideTexts() const {
  std::vector<std::string> texts;
  texts.reserve(overrides.size());
  for (const auto& ov : overrides) texts.push_back(ov.text);
  return texts;
}

std::vector<Axis> BuildAxes(const std::vector<Override>& overrides, const ExpandOptions& options) {
  std::vector<Axis> axes;
  std::mt19937_64 shuffle_rng(options.shuffle_seed);
  for (const Override& ov : overrides) {
    std::vector<Override> values = ov.IsSweep()
                                       ? SplitSweep(ov, SweepValues(ov, options, shuffle_rng))
                                       : std::vector<Override>{ov};
    const std::string key = ov.KeyElement();
    auto existing = std::find_if(axes.begin(), axes.end(),
                                 [&](const Axis& axis) { return axis.key_element == key; });
    if (existing != axes.end()) {
      existing->values = std::move(values);  // the later value wins, the first position stays
    } else {
      axes.push_back(Axis{key, std::move(values)});
    }
  }
  return axes;
}

size_t CountJobs(const std::vector<Axis>& axes) {
  size_t count = 1;
  for (const auto& axis : axes) count *= axis.values.size();
  return count;
}

void CheckJobCount(const std::vector<Axis>& axes, size_t variants) {
  // saturating product: a 1e6 x 1e6 grid must not wrap around to a small number
  size_t count = std::max<size_t>(variants, 1);
  std::vector<std::string> sizes;
  for (const auto& axis : axes) {
    if (!axis.IsSwept()) continue;
    sizes.push_back(fmt::format("{}[{}]", axis.key_element, axis.values.size()));
    count = count > kMaxJobs / axis.values.size() ? kMaxJobs + 1 : count * axis.values.size();
  }
  if (count <= kMaxJobs) return;
  if (variants > 1) sizes.push_back(fmt::format("variants[{}]", variants));
  const Axis* largest = nullptr;
  for (const auto& axis : axes) {
    if (largest == nullptr || axis.values.size() > largest->values.size()) largest = &axis;
  }
  throw ConfigError(
      largest != nullptr && !largest->values.empty() ? largest->values.front().MakeOrigin()
                                                     : Origin(),
      "",
      fmt::format("the sweep expands to more than {} jobs ({}); orch plans at most "
                  "{} at once",
                  kMaxJobs, Join(sizes, " x "), kMaxJobs),
      "Split it into several sweeps (by seed, or by variant), or sweep fewer values", "sweep");
}

std::vector<Job> ExpandJobs(const std::vector<Axis>& axes) {
  const size_t count = CountJobs(axes);
  std::vector<Job> jobs(count);
  for (size_t index = 0; index < count; ++index) {
    Job& job = jobs[index];
    job.index = index;
    job.overrides.reserve(axes.size());
    // mixed-radix digits of the index, the last axis least significant
    size_t stride = count;
    size_t remainder = index;
    for (const auto& axis : axes) {
      stride /= axis.values.size();
      job.overrides.push_back(axis.values[remainder / stride]);
      remainder %= stride;
    }
  }
  return jobs;
}

}  // namespace orch::sweep
