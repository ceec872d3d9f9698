// src/app/run_filter_options.cpp
#include "app/run_filter_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "common/error.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

/// Every status a run can have (results-store.md): a misspelt one would match nothing and
/// look like an empty store.
const std::vector<std::string>& RunStatuses() {
  static const std::vector<std::string> statuses = {"queued", "running", "completed", "failed",
                                                    "interrupted"};
  return statuses;
}

std::vector<OptionSpec> RunFilterOptions() {
  return {
      {"status", "S", "only runs with this status (" + Join(RunStatuses(), ", ") + ")"},
      {"algo", "A", "only runs of this algorithm"},
      {"name", "TEXT", "only runs whose name contains TEXT"},
      {"tag", "TAG", "only runs with this tag (repeatable: every one)"},
      {"where", "KEY=VALUE",
       "only runs whose stored parameter KEY is VALUE (repeatable: every one)"},
  };
}

}  // namespace

std::vector<OptionSpec> WithRunFilterOptions(std::vector<OptionSpec> options) {
  for (auto& option : RunFilterOptions()) options.push_back(std::move(option));
  return options;
}

bool HasRunFilter(const ParsedArgs& parsed) {
  for (const auto& option : RunFilterOptions()) {
    if (parsed.all_values.count(option.name) > 0) return true;
  }
  return false;
}

store::RunFilter RunFilterFrom(const ParsedArgs& parsed) {
  store::RunFilter filter;
  filter.status = parsed.Value("status");
  if (filter.status && std::find(RunStatuses().begin(), RunStatuses().end(), *filter.status) ==
                           RunStatuses().end()) {
    std::string suggestion = DidYouMeanSentence(*filter.status, RunStatuses());
    throw UsageError(fmt::format("--status {}: no run has that status; a status is one of {}.{}{}",
                                 *filter.status, Join(RunStatuses(), ", "),
                                 suggestion.empty() ? "" : " ", suggestion));
  }
  filter.algo = parsed.Value("algo");
  filter.name_contains = parsed.Value("name");
  filter.tags = parsed.Values("tag");
  const auto where = parsed.all_values.find("where");
  if (where != parsed.all_values.end()) {
    for (const auto& condition : where->second) {
      size_t equals = condition.find('=');
      if (equals == std::string::npos || equals == 0) {
        throw UsageError(
            "--where takes KEY=VALUE (a stored parameter, e.g. "
            "'tam.memory.w_mem=0.02'), got '" +
            condition + "'");
      }
      filter.where.emplace_back(condition.substr(0, equals), condition.substr(equals + 1));
    }
  }
  return filter;
}

}  // namespace orch::app
