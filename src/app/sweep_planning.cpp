// src/app/sweep_planning.cpp
#include "app/sweep_planning.h"

#include <fmt/format.h>

#include "app/config_schema.h"
#include "app/run_recording.h"
#include "common/error.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

/// A diagnostic seen in one or more jobs.
struct JobProblem {
  Diagnostic diagnostic;
  std::vector<size_t> jobs;
};

void CollectJobProblems(const Diagnostics& diagnostics, size_t job,
                        std::vector<JobProblem>& problems) {
  for (const auto& diagnostic : diagnostics.Items()) {
    std::string text = diagnostic.Format();
    auto it = std::find_if(problems.begin(), problems.end(), [&](const JobProblem& problem) {
      return problem.diagnostic.Format() == text;
    });
    if (it == problems.end()) {
      problems.push_back({diagnostic, {job}});
    } else {
      it->jobs.push_back(job);
    }
  }
}

/// `in job #1 broken seed=0` or `in 3 of 6 jobs: #0 off seed=0, #2 ..., ...`.
std::string JobList(const std::vector<size_t>& jobs, const std::vector<PlannedJob>& planned) {
  std::vector<std::string> names;
  for (size_t i = 0; i < jobs.size() && i < 4; ++i) names.push_back(planned[jobs[i]].job.Label());
  if (jobs.size() > 4) names.push_back("...");
  if (jobs.size() == 1) return "in job " + names.front();
  return fmt::format("in {} of {} jobs: {}", jobs.size(), planned.size(), Join(names, ", "));
}

/// The base config's `hydra.sweeper.params` (Hydra 1.2+), composed with the sweep's plain
/// overrides so that a group chosen on the command line (`env=...`) is the one read. A base
/// that does not compose has none here: its jobs report why.
std::vector<config::Override> ConfigSweeperParams(const sweep::SweepSpec& spec,
                                                  ConfigPipeline& pipeline) {
  std::vector<config::Override> plain;
  try {
    std::vector<config::Override> all = spec.overrides;
    std::vector<config::Override> extra = sweep::CommandLineRunOverrides(spec);
    all.insert(all.end(), extra.begin(), extra.end());
    for (auto& ov : all) {
      if (!ov.IsSweep()) plain.push_back(std::move(ov));
    }
    return pipeline.Compose(plain).hydra.sweeper_params;
  } catch (const ConfigError&) {
    return {};
  }
}

/// A command-line value that every variant overrides is applied to no job, so no job's
/// validation sees it: `orch plan SWEEP_FILE tam.lr=fast` would pass. The plain command-line
/// values are composed on the base config once, without the variants, and a problem of one
/// of them is reported (unless a job already reported the same).
void CheckCommandLineValues(const sweep::SweepSpec& spec, ConfigPipeline& pipeline,
                            Diagnostics& problems) {
  if (spec.variants.empty()) return;  // every job applies every command-line value itself
  std::vector<config::Override> plain;
  for (auto& ov : sweep::CommandLineRunOverrides(spec)) {
    if (!ov.IsSweep()) plain.push_back(std::move(ov));
  }
  if (plain.empty()) return;
  Diagnostics found;
  try {
    found = pipeline.Compose(plain).diagnostics;
  } catch (const ConfigError& error) {
    found = error.diagnostics();
  }
  for (const auto& diagnostic : found.Items()) {
    if (diagnostic.severity != Severity::kError ||
        diagnostic.origin.kind != Origin::Kind::kOverride) {
      continue;
    }
    const bool known =
        std::any_of(problems.Items().begin(), problems.Items().end(), [&](const Diagnostic& other) {
          return other.key == diagnostic.key && other.message == diagnostic.message;
        });
    if (!known) {
      Diagnostic copy = diagnostic;
      copy.context.push_back("on the command line (every variant sets this key again)");
      problems.Add(std::move(copy));
    }
  }
}

}  // namespace

SweepPlan PlanSweep(const sweep::SweepSpec& given, ConfigPipeline& pipeline,
                    uint64_t shuffle_seed) {
  // the config's own sweep axes come first, then the sweep's (hydra-semantics.md §5.1)
  sweep::SweepSpec spec = given;
  std::vector<config::Override> params = ConfigSweeperParams(spec, pipeline);
  spec.overrides.insert(spec.overrides.begin(), params.begin(), params.end());

  SweepPlan plan;
  sweep::ExpandOptions options;
  options.shuffle_seed = shuffle_seed;
  options.group_options = [&](const std::string& group) {
    return pipeline.repository().GroupOptions(group);
  };
  std::vector<sweep::SweepJob> jobs = sweep::ExpandSweepJobs(spec, options, &plan.axes);

  // every job composed and validated before any is listed or run
  std::vector<JobProblem> problems;
  plan.jobs.reserve(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    PlannedJob planned;
    planned.job = std::move(jobs[i]);
    try {
      config::ComposedConfig composed = pipeline.Compose(planned.job.overrides);
      CollectJobProblems(composed.diagnostics, i, problems);
      planned.tree = std::move(composed.tree);
      if (!composed.diagnostics.HasErrors()) {
        std::tie(planned.config_json, planned.config_sha256) = ConfigIdentity(planned.tree);
      }
    } catch (const ConfigError& error) {
      CollectJobProblems(error.diagnostics(), i, problems);
    }
    plan.jobs.push_back(std::move(planned));
  }
  for (auto& problem : problems) {
    if (plan.jobs.size() > 1) {
      problem.diagnostic.context.push_back(JobList(problem.jobs, plan.jobs));
    }
    plan.problems.Add(problem.diagnostic);
  }
  CheckCommandLineValues(spec, pipeline, plan.problems);
  return plan;
}

}  // namespace orch::app
