// src/app/run_record.h: what the store records about a new run, from its composed config.
#pragma once

#include <string>
#include <vector>

#include "config/node.h"
#include "store/results_store.h"

namespace orch::app {

/// Every leaf of a config as `key = value` (lists as one flow-style value), for filters and
/// diffs in the store.
std::vector<store::FlatParam> FlattenParams(const config::Node& tree);

/// The x-axis budget of a run, as its algorithm's descriptor counts it: environment steps
/// (TD-MPC2: agent steps x action repeat; PPO: total steps), or episodes for TAM.
int64_t BudgetSteps(const config::Node& tree);

/// What a run counts on its x-axis: "episodes" or "env steps".
std::string ProgressUnit(const config::Node& tree);

/// `run.name` when set, else `<algo>-<env>-<first 8 of the uuid>`.
std::string DefaultRunName(const config::Node& tree, const std::string& uuid);

/// The headline metric keys `orch ls` shows: every algorithm's, in the order of the list.
std::vector<std::string> HeadlineMetricKeys();

}  // namespace orch::app
