// src/app/run_filter_options.h: the options that pick runs by what they are (status, algo,
// name, tags, stored parameters), one set for every command that selects runs (ls, rm).
#pragma once

#include <vector>

#include "app/cli.h"
#include "store/results_store.h"

namespace orch::app {

/// `options` followed by --status, --algo, --name, --tag (repeatable) and --where KEY=VALUE
/// (repeatable).
std::vector<OptionSpec> WithRunFilterOptions(std::vector<OptionSpec> options);

/// Whether any of those filter options was given.
bool HasRunFilter(const ParsedArgs& parsed);

/// The filter those options describe; the sweep and the limit are the command's to set.
/// Throws UsageError for an unknown status (with a suggestion) or a --where without KEY=VALUE.
store::RunFilter RunFilterFrom(const ParsedArgs& parsed);

}  // namespace orch::app
