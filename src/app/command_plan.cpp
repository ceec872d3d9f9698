// src/app/command_plan.cpp: `orch plan`, the jobs of a sweep, each composed and validated.
#include <fmt/format.h>

#include <cstdio>

#include "app/commands.h"
#include "app/config_pipeline.h"
#include "app/sweep_planning.h"
#include "common/error.h"
#include "common/json.h"
#include "common/string_util.h"
#include "config/json_writer.h"
#include "sweep/sweep_spec.h"

namespace orch::app {

const CommandSpec& PlanSpec() {
  static const CommandSpec spec = {
      "plan",
      "CONFIG|SWEEP_FILE [OVERRIDE...]",
      "list the jobs of a sweep without running them",
      "Expands a sweep file (sweeps/*.yaml: base config, axes, named variants) or the sweep\n"
      "overrides of a command line (a,b,c  choice(...)  range(...)  glob(...)  sort/shuffle/tag\n"
      "and the casts) into jobs: the cartesian product of the axes, the last varying fastest\n"
      "(a sweep file's variants faster still), numbered from 0. Every job is composed and\n"
      "validated before anything is listed, so a bad job fails the plan (exit code 2) with the\n"
      "jobs it affects.",
      {
          {"json", "", "print an array of {index, variant, overrides, config, config_sha256}"},
          {"no-schema", "", "compose any Hydra-style tree; skip orch's namespace validation"},
          {"config-dir", "DIR", "config root (default: nearest ancestor named 'configs')"},
          {"shuffle-seed", "N", "seed of shuffle(...) (default 0), so plans are reproducible"},
      },
      "  orch plan configs/tdmpc2/cheetah.yaml seed=range(3) multi_gamma.enabled=false,true\n"
      "  orch plan sweeps/multi_gamma_ablations.yaml --json\n"};
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
  const std::string& target = parsed.positional[0];
  std::vector<std::string> texts(parsed.positional.begin() + 1, parsed.positional.end());
  sweep::SweepSpec spec;
  if (sweep::IsSweepFile(target)) {
    spec = sweep::LoadSweepFile(target);
    spec.command_line = texts;
  } else {
    spec = sweep::SweepFromCommandLine(target, texts, "");
  }

  ConfigSource source{spec.config.string(), parsed.Value("config-dir"), !parsed.Flag("no-schema")};
  ConfigPipeline pipeline(source);
  SweepPlan plan = PlanSweep(spec, pipeline, shuffle_seed);
  int status = ReportDiagnostics(plan.problems, "sweep");
  if (status != kExitOk) {
    if (parsed.Flag("json"))
      std::printf("{\"errors\":%s}\n", DiagnosticsJson(plan.problems).c_str());
    return status;
  }

  if (parsed.Flag("json")) {
    JsonWriter json(0);
    json.BeginArray();
    for (const auto& planned : plan.jobs) {
      json.BeginObject();
      json.Key("index").Int(static_cast<int64_t>(planned.job.index));
      if (!planned.job.variant.empty()) json.Key("variant").String(planned.job.variant);
      json.Key("overrides").BeginArray();
      for (const auto& text : planned.job.OverrideTexts()) json.String(text);
      json.EndArray();
      json.Key("config_sha256").String(planned.config_sha256);
      json.Key("config");
      config::WriteJson(json, planned.tree);
      json.EndObject();
    }
    json.EndArray();
    std::printf("%s\n", json.str().c_str());
    return kExitOk;
  }

  // the header: what varies and what every job shares
  std::vector<std::string> swept;
  std::vector<std::string> fixed;
  for (const auto& axis : plan.axes) {
    if (axis.IsSwept()) {
      swept.push_back(fmt::format("{}[{}]", axis.key_element, axis.values.size()));
    } else {
      fixed.push_back(axis.values.front().text);
    }
  }
  if (!spec.variants.empty()) swept.push_back(fmt::format("variant[{}]", spec.variants.size()));
  std::string out =
      fmt::format("{} job{} from {}", plan.jobs.size(), plan.jobs.size() == 1 ? "" : "s",
                  spec.source ? spec.source->string() : spec.config.string());
  if (!swept.empty()) out += " (axes: " + Join(swept, " x ") + ")";
  out += "\n";
  if (!fixed.empty()) out += "every job: " + Join(fixed, " ") + "\n";
  size_t variant_width = 0;
  for (const auto& planned : plan.jobs) {
    variant_width = std::max(variant_width, planned.job.variant.size());
  }
  for (const auto& planned : plan.jobs) {
    std::vector<std::string> varying;
    for (const auto& [key, value] : planned.job.axis_values) varying.push_back(key + "=" + value);
    std::string variant =
        variant_width > 0 ? fmt::format("{:<{}}  ", planned.job.variant, variant_width) : "";
    out += fmt::format("  #{:<4} config {}  {}{}\n", planned.job.index,
                       planned.config_sha256.substr(0, 12), variant, Join(varying, " "));
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace orch::app
