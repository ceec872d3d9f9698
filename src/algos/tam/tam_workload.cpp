// src/algos/tam/tam_workload.cpp
#include "algos/tam/tam_workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "algos/tam/tam_agent.h"
#include "algos/tam/tam_analysis.h"
#include "config/schema.h"
#include "rl/checkpoint_io.h"

namespace orch::tam {
namespace {

constexpr int64_t kHeadlineWindow = 100;  // episodes averaged on the progress line

/// Flushes the metrics, writes the agent's checkpoint atomically and registers it.
void WriteCheckpoint(rl::RunContext& context, const TamAgent& agent, bool is_final) {
  if (context.metrics != nullptr) context.metrics->Flush();
  if (context.checkpoints == nullptr) return;
  const int64_t step = agent.episodes_done();
  const auto path = context.checkpoints->Directory() / fmt::format("tam-{:08d}.ckpt", step);
  rl::WriteFileAtomically(path, agent.SaveCheckpoint());
  context.checkpoints->Register(step, path, is_final);
}

void ReportProgress(rl::RunContext& context, const TamAgent& agent, int64_t total) {
  if (context.progress == nullptr) return;
  const auto& rows = agent.history().rows;
  const auto count = static_cast<int64_t>(rows.size());
  const int64_t begin = std::max<int64_t>(0, count - kHeadlineWindow);
  double soft_bind = 0.0, e_t_train = 0.0, exp_nll = 0.0;
  for (int64_t index = begin; index < count; ++index) {
    soft_bind += rows[index].soft_bind;
    e_t_train += rows[index].e_t_train;
    exp_nll += rows[index].exp_nll;
  }
  const auto window = static_cast<double>(count - begin);
  context.progress->Report(count, total,
                           {{"soft_bind", soft_bind / window},
                            {"E_T_train", e_t_train / window},
                            {"exp_nll", exp_nll / window},
                            {"lambda_bind", rows.back().lambda_bind}});
}

}  // namespace

TamWorkload::TamWorkload(const TamOptions& options,
                         const envs::ControlledPendulumOptions& env_options)
    : options_(options), env_options_(env_options) {
  ValidateTamOptions(options_);
}

std::unique_ptr<TamWorkload> TamWorkload::FromConfig(const config::Node& config) {
  const config::Node* env = config.Find("env");
  const config::Node* env_name = env != nullptr ? env->Find("name") : nullptr;
  if (env_name != nullptr &&
      (!env_name->IsString() || env_name->AsString() != "controlled-pendulum")) {
    throw std::invalid_argument("tam runs on env 'controlled-pendulum', not '" +
                                env_name->Describe() + "'");
  }
  return std::make_unique<TamWorkload>(config::BindSection<TamOptions>(config, "tam", TamSchema()),
                                       config::BindSection<envs::ControlledPendulumOptions>(
                                           config, "env", envs::ControlledPendulumSchema()));
}

rl::WorkloadOutcome TamWorkload::Run(rl::RunContext& context) {
  auto log = [&context](const std::string& line) {
    if (context.log != nullptr) *context.log << line << '\n' << std::flush;
  };
  const auto started = std::chrono::steady_clock::now();
  // the run's seed is the context's (the worker sets it from the config's `seed`)
  const uint64_t seed = context.seed;
  TamAgent agent(options_, env_options_, seed);
  const int64_t total = options_.episodes;

  // a fresh start, or the state of a checkpoint
  if (context.resume_from) {
    agent.LoadCheckpoint(rl::ReadWholeFile(*context.resume_from));
    log(fmt::format("tam: resumed from {} after {} episodes", context.resume_from->string(),
                    agent.episodes_done()));
    if (agent.episodes_done() > total) {
      throw std::runtime_error(
          fmt::format("tam: the checkpoint has {} episodes, more than tam.episodes = {}",
                      agent.episodes_done(), total));
    }
  }
  const int64_t first_episode = agent.episodes_done();
  if (context.metrics != nullptr) {
    context.metrics->Log("system/param_count", 0, static_cast<double>(agent.ParameterCount()));
  }
  log(fmt::format("tam: episodes {}..{} of {}, seed {}, z-memory {}, {} parameters", first_episode,
                  total, total, seed, options_.memory.enabled ? "on" : "off",
                  agent.ParameterCount()));

  // one update per episode; checkpoints on schedule and when asked to stop
  while (agent.episodes_done() < total) {
    if (context.stop.StopRequested()) {
      WriteCheckpoint(context, agent, /*is_final=*/false);
      log(fmt::format("tam: stopped after {} episodes (checkpoint written)",
                      agent.episodes_done()));
      return rl::WorkloadOutcome::kInterrupted;
    }
    const EpisodeRecord& record = agent.RunEpisode();
    if (context.metrics != nullptr) {
      const auto values = HistoryValues(record);
      for (size_t key = 0; key < kHistoryKeyCount; ++key) {
        context.metrics->Log(HistoryKeys()[key], record.step, values[key]);
      }
    }
    ReportProgress(context, agent, total);
    const int64_t done = agent.episodes_done();
    if (options_.checkpoint_every > 0 && done % options_.checkpoint_every == 0 && done < total) {
      WriteCheckpoint(context, agent, /*is_final=*/false);
    }
  }
  if (first_episode < total) WriteCheckpoint(context, agent, /*is_final=*/true);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log(fmt::format("tam: trained {} episodes in {:.1f} s", total - first_episode, seconds));

  // the acceptance numbers and the plot data
  const TamAnalysis analysis =
      AnalyzeTamRun(agent.history(), agent.memory(), options_, agent.PolicyDrift(), seed);
  rl::WriteFileAtomically(context.run_dir / "analysis.json", AnalysisJson(analysis));
  rl::WriteFileAtomically(context.run_dir / "zmap.csv", ZMapCsv(analysis));
  rl::WriteFileAtomically(context.run_dir / "trail.csv", TrailCsv(analysis));
  if (context.metrics != nullptr) {
    for (const auto& check : analysis.checks) {
      if (check.value) context.metrics->Log("acceptance/" + check.name, total, *check.value);
    }
    context.metrics->Log("acceptance/passed", total, static_cast<double>(analysis.Passed()));
    context.metrics->Log("acceptance/failed", total, static_cast<double>(analysis.Failed()));
    context.metrics->Flush();
  }
  log(FormatAcceptanceReport(analysis));
  return rl::WorkloadOutcome::kCompleted;
}

void RegisterWorkload(rl::WorkloadRegistry& registry) {
  registry.Register("tam", "TAM action-binding agent with z-memory on the controlled pendulum",
                    [](const config::Node& config) -> std::unique_ptr<rl::Workload> {
                      return TamWorkload::FromConfig(config);
                    });
}

}  // namespace orch::tam
