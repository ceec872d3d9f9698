// src/sweep/sweep_spec.h: a sweep definition (a sweeps/*.yaml file, or a command line) and its
// expansion into jobs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/node.h"
#include "config/override.h"
#include "sweep/expand.h"

namespace orch::sweep {

/// A named variant: a set of overrides that together make one arm of a study (`A0`, ...).
struct Variant {
  std::string name;
  std::vector<config::Override> overrides;
};

/// What a sweep runs. A sweep file reads:
///
///   name: tam_memory                      # default: the file's name
///   description: z-memory off vs on
///   config: ../configs/tam/pendulum.yaml  # the base config, relative to this file
///   overrides: [tam.episodes=8000]        # for every job
///   axes:                                 # grid axes, in order
///     seed: [0, 1, 2]                     # a list of values, or a sweep: range(3), a,b,c, glob(*)
///   variants:                             # named variants, in order
///     memory_off: [tam.memory.enabled=false]     # a list of overrides,
///     memory_on: {tam.memory.enabled: true}      # or a mapping key: value
///   baseline: memory_off                  # the variant `orch compare` measures against
///   experiment: default
///   launcher: {kind: slurm, timeout_min: 60}  # where the runs execute (launcher.h)
///
/// The jobs are the cartesian product of the axes and the variants (variants varying fastest,
/// so the variants of one seed run side by side). A job's overrides apply in this order:
/// `overrides`, the axis values, command-line overrides, then the variant's (a variant defines
/// its arm of the study, so it has the last word).
struct SweepSpec {
  std::string name;
  std::string description;
  std::string experiment = "default";
  std::filesystem::path config;                 ///< the base config file
  std::optional<std::filesystem::path> source;  ///< the sweep file, when there is one
  std::string text;                             ///< the sweep file's text ("" for a command line)
  std::vector<config::Override> overrides;      ///< common overrides and axes, in order
  std::vector<Variant> variants;                ///< empty: one unnamed variant
  std::string baseline;                         ///< "" when there are no variants
  /// The command-line overrides given with the sweep (a sweep file's extras; the whole sweep for
  /// a command-line sweep), as typed.
  std::vector<std::string> command_line;
  /// The sweep file's `launcher:` block, as written (launcher.h reads it).
  std::optional<config::Node> launcher;
};

/// `launcher=KIND` or `launcher.KEY=VALUE`: a command-line override that chooses where the runs
/// execute (launcher.h), which is no part of any run's config.
bool IsLauncherOverride(std::string_view text);

/// The command-line overrides of `spec` that apply to its runs (the launcher's left out), parsed.
std::vector<config::Override> CommandLineRunOverrides(const SweepSpec& spec);

/// What the store records as the sweep's definition (and `orch sweep --resume NAME` reads back):
/// `# orch sweep:` header lines naming the sweep file (absolute) or the base config, and the
/// command-line overrides, then the sweep file's text.
std::string RecordedText(const SweepSpec& spec);

/// Rebuilds a sweep from its recorded text, re-reading the sweep file it names. Throws
/// ConfigError when that file is gone or no longer valid.
SweepSpec LoadRecordedSweep(const std::string& text, const std::string& name);

/// True when `path` is a sweep file (a YAML mapping with a `config` key and no `algo` or
/// `defaults`) rather than a config.
bool IsSweepFile(const std::filesystem::path& path);

/// Reads and checks a sweep file. Every problem (unknown key, wrong type, an override that does
/// not parse, a sweep inside a variant, an unknown baseline, a missing config file) is reported
/// at once with its file:line:col, as a ConfigError.
SweepSpec LoadSweepFile(const std::filesystem::path& path);

/// A sweep written on the command line: `orch sweep CONFIG a=1,2 b=x,y`. Named `name`, or after
/// the config file and a hash of the overrides. (A sweep file's own command-line extras go to
/// `command_line` of the loaded spec.)
SweepSpec SweepFromCommandLine(const std::filesystem::path& config,
                               const std::vector<std::string>& override_texts,
                               const std::string& name);

/// True for `seed` and the task (`env`, `env.name`): axes that replicate a run or change its
/// task rather than make an arm of the study.
bool IsReplicateOrTaskAxis(std::string_view key_element);

/// One job of a sweep.
struct SweepJob {
  size_t index = 0;
  /// The arm of the study: the named variant, then `key=value` of each other swept axis but
  /// the seed and the task (`memory_on,tam.lr=0.001`); "" when there is neither.
  std::string variant;
  std::string variant_name;                 ///< the sweep file's variant; "" without
  std::vector<config::Override> overrides;  ///< in application order, none a sweep
  /// The swept axes' values of this job (`seed` → `2`), for the store and the listing.
  std::vector<std::pair<std::string, std::string>> axis_values;
  /// `key=value` texts, the variant's included.
  std::vector<std::string> OverrideTexts() const;
  /// `#3 memory_on seed=1`: how progress lines and errors name the job.
  std::string Label() const;
};

/// The jobs of `spec`, its command-line overrides included (they may be sweeps too; one of the
/// same key as a spec axis replaces it). Throws ConfigError like BuildAxes.
/// `axes`, when given, receives the grid's axes (variants not included).
std::vector<SweepJob> ExpandSweepJobs(const SweepSpec& spec, const ExpandOptions& options,
                                      std::vector<Axis>* axes = nullptr);

}  // namespace orch::sweep
