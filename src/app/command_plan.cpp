// src/app/command_plan.cpp: `orch plan`, the jobs of a sweep, each composed and validated.
#include <fmt/format.h>

#include <cstdio>
#include <map>

#include "app/commands.h"
#include "app/config_pipeline.h"
#include "common/error.h"
#include "common/json.h"
#include "common/sha256.h"
#include "common/string_util.h"
#include "config/json_writer.h"
#include "sweep/expand.h"

namespace orch::app {
namespace {

/// A diagnostic seen in one or more jobs.
struct JobProblem {
  Diagnostic diagnostic;
  std::vector<size_t> jobs;
};

/// Adds the diagnostics of one job, merging those already seen in other jobs.
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

std::string JobList(const std::vector<size_t>& jobs, size_t total) {
  std::vector<std::string> names;
  for (size_t i = 0; i < jobs.size() && i < 8; ++i) names.push_back(fmt::format("#{}", jobs[i]));
  if (jobs.size() > 8) names.push_back("...");
  return fmt::format("in job{} {} ({} of {})", jobs.size() == 1 ? "" : "s", Join(names, ", "),
                     jobs.size(), total);
}

}  // namespace

const CommandSpec& PlanSpec() {
  static const CommandSpec spec = {
      "plan",
      "CONFIG [OVERRIDE...] [--json] [--no-schema] [--config-dir DIR] [--shuffle-seed N]",
      "list the jobs of a sweep without running them",
      "Expands the sweep overrides (a,b,c  choice(...)  range(...)  glob(...)  sort/shuffle/tag\n"
      "and the casts) into jobs: the cartesian product of the axes, the last swept key varying\n"
      "fastest, numbered from 0. Every job is composed and validated before anything is listed,\n"
      "so a bad job fails the plan (exit code 2) with the jobs it affects.",
      {
          {"json", "", "print an array of {index, overrides, config, config_sha256}"},
          {"no-schema", "", "compose any Hydra-style tree; skip orch's namespace validation"},
          {"config-dir", "DIR", "config root (default: nearest ancestor named 'configs')"},
          {"shuffle-seed", "N", "seed of shuffle(...) (default 0), so plans are reproducible"},
      },
      "  orch plan configs/tdmpc2/cheetah.yaml seed=range(3) multi_gamma.enabled=false,true\n"
      "  orch plan configs/tdmpc2/cheetah.yaml env=glob(*-run) seed=0,1 --json\n"};
  return spec;
}

int RunPlan(const std::vector<std::string>& args) {
  std::optional<ParsedArgs> maybe_parsed = ParseCommand(PlanSpec(), args, 1);
  if (!maybe_parsed) return kExitOk;
  const ParsedArgs& parsed = *maybe_parsed;
  uint64_t shuffle_seed = 0;
  if (auto text = parsed.Value("shuffle-seed")) {
    try {
      shuffle_seed = std::stoull(*text);
    } catch (const std::exception&) {
      throw UsageError(fmt::format("--shuffle-seed needs a non-negative integer, got '{}'", *text));
    }
  }
  ConfigSource source{parsed.positional[0], parsed.Value("config-dir"),
                      !parsed.Flag("no-schema")};
  std::vector<std::string> texts(parsed.positional.begin() + 1, parsed.positional.end());

  ConfigPipeline pipeline(source);
  sweep::ExpandOptions expand_options;
  expand_options.shuffle_seed = shuffle_seed;
  expand_options.group_options = [&](const std::string& group) {
    return pipeline.repository().GroupOptions(group);
  };
  std::vector<sweep::Axis> axes =
      sweep::BuildAxes(config::ParseOverrides(texts), expand_options);
  std::vector<sweep::Job> jobs = sweep::ExpandJobs(axes);

  // compose and validate every job before listing any
  std::vector<config::Node> configs(jobs.size());
  std::vector<JobProblem> problems;
  for (size_t i = 0; i < jobs.size(); ++i) {
    try {
      config::ComposedConfig composed = pipeline.Compose(jobs[i].overrides);
      CollectJobProblems(composed.diagnostics, i, problems);
      configs[i] = std::move(composed.tree);
    } catch (const ConfigError& error) {
      CollectJobProblems(error.diagnostics(), i, problems);
    }
  }
  if (!problems.empty()) {
    Diagnostics all;
    for (auto& problem : problems) {
      if (jobs.size() > 1) problem.diagnostic.context.push_back(JobList(problem.jobs, jobs.size()));
      all.Add(problem.diagnostic);
    }
    int status = ReportDiagnostics(all, "sweep");
    if (status != kExitOk) {
      if (parsed.Flag("json")) std::printf("{\"errors\":%s}\n", DiagnosticsJson(all).c_str());
      return status;
    }
  }

  if (parsed.Flag("json")) {
    JsonWriter json(0);
    json.BeginArray();
    for (size_t i = 0; i < jobs.size(); ++i) {
      json.BeginObject();
      json.Key("index").Int(static_cast<int64_t>(i));
      json.Key("overrides").BeginArray();
      for (const auto& text : jobs[i].OverrideTexts()) json.String(text);
      json.EndArray();
      json.Key("config_sha256").String(Sha256Hex(config::CanonicalJson(configs[i])));
      json.Key("config");
      config::WriteJson(json, configs[i]);
      json.EndObject();
    }
    json.EndArray();
    std::printf("%s\n", json.str().c_str());
    return kExitOk;
  }

  std::vector<std::string> swept;
  std::vector<std::string> fixed;
  for (const auto& axis : axes) {
    if (axis.IsSwept()) {
      swept.push_back(fmt::format("{}[{}]", axis.key_element, axis.values.size()));
    } else {
      fixed.push_back(axis.values.front().text);
    }
  }
  std::string out = fmt::format("{} job{} from {}", jobs.size(), jobs.size() == 1 ? "" : "s",
                                source.primary_file);
  if (!swept.empty()) out += " (axes: " + Join(swept, " x ") + ")";
  out += "\n";
  if (!fixed.empty()) out += "every job: " + Join(fixed, " ") + "\n";
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::vector<std::string> varying;
    for (size_t a = 0; a < axes.size(); ++a) {
      if (axes[a].IsSwept()) varying.push_back(jobs[i].overrides[a].text);
    }
    out += fmt::format("  #{:<4} config {}  {}\n", i,
                       Sha256Hex(config::CanonicalJson(configs[i])).substr(0, 12),
                       Join(varying, " "));
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace orch::app
