// src/app/sweep_planning.h: every job of a sweep, composed and validated before anything runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/config_pipeline.h"
#include "common/diagnostic.h"
#include "config/node.h"
#include "sweep/sweep_spec.h"

namespace orch::app {

struct PlannedJob {
  sweep::SweepJob job;
  config::Node tree;          ///< composed, validated, normalised
  std::string config_json;    ///< canonical
  std::string config_sha256;  ///< the config half of the run's identity
};

struct SweepPlan {
  std::vector<PlannedJob> jobs;
  std::vector<sweep::Axis> axes;
  /// Every problem of every job; a problem shared by several jobs appears once, with a
  /// `in 2 of 6 jobs: #2 on seed=0, #3 on seed=1` line.
  Diagnostics problems;
};

/// Expands `spec` into jobs and composes each with `pipeline` (whose primary config is the
/// sweep's base config). The base config's `hydra.sweeper.params` are axes before the spec's.
/// Expansion errors (an interval axis, a bad glob) are thrown as ConfigError; composition and
/// validation problems are collected in the plan.
SweepPlan PlanSweep(const sweep::SweepSpec& spec, ConfigPipeline& pipeline, uint64_t shuffle_seed);

}  // namespace orch::app
