// src/algos/tdmpc2/tdmpc2_workload.cpp
#include "algos/tdmpc2/tdmpc2_workload.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "algos/tdmpc2/representation_diagnostics.h"
#include "algos/tdmpc2/tdmpc2_agent.h"
#include "common/json.h"
#include "config/schema.h"
#include "envs/dmc_env.h"
#include "rl/checkpoint_io.h"
#include "rl/replay_buffer.h"
#include "rl/seeding.h"

namespace orch::tdmpc2 {

// the shared RL building blocks TD-MPC2 uses (src/rl/)
using rl::Episode;
using rl::EpisodeReplayBuffer;
namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// `g0.97`: the suffix of a per-discount metric key.
std::string GammaKey(double gamma) { return "g" + FormatDouble(gamma); }

/// Means of the update statistics since the last training episode ended.
class UpdateAverages {
 public:
  void Add(const UpdateStats& stats, double milliseconds) {
    const std::vector<double> values = {
        stats.consistency_loss, stats.reward_loss, stats.value_loss, stats.aux_loss,
        stats.total_loss, stats.grad_norm, stats.pi_loss, stats.pi_grad_norm, stats.pi_scale,
        stats.pi_entropy_bonus, stats.td_target_mean, milliseconds,
        // the share of the world-model loss the auxiliary heads contribute (0 without them)
        stats.total_loss > 0 ? stats.aux_loss / stats.total_loss : 0.0};
    const auto& aux = stats.aux;
    std::vector<double> all = values;
    for (const auto* series :
         {&aux.cross_entropy, &aux.pred_mean, &aux.pred_std, &aux.mae, &aux.rmse}) {
      all.insert(all.end(), series->begin(), series->end());
    }
    if (sums_.empty()) sums_.assign(all.size(), 0.0);
    for (size_t index = 0; index < all.size(); ++index) sums_[index] += all[index];
    ++count_;
  }

  /// Logs the means at `step` and starts over.
  void LogAndReset(rl::MetricSink& metrics, int64_t step, const std::vector<double>& gammas) {
    if (count_ == 0) return;
    static const std::vector<std::string> kKeys = {
        "train/consistency_loss", "train/reward_loss", "train/value_loss", "train/aux_loss",
        "train/total_loss",       "train/grad_norm",   "train/pi_loss",    "train/pi_grad_norm",
        "train/pi_scale",         "train/pi_entropy",  "train/td_target",  "system/ms_per_update",
        "diag/aux_loss_share"};
    auto mean = [&](size_t index) { return sums_[index] / static_cast<double>(count_); };
    for (size_t index = 0; index < kKeys.size(); ++index) {
      if ((kKeys[index] == "train/aux_loss" || kKeys[index] == "diag/aux_loss_share") &&
          gammas.empty()) {
        continue;
      }
      metrics.Log(kKeys[index], step, mean(index));
    }
    const size_t k = gammas.size();
    if (k > 0) {
      const std::vector<std::string> families = {"aux_value_ce/", "aux/pred_mean/", "aux/pred_std/",
                                                 "aux/mae/", "aux/rmse/"};
      double ce_sum = 0.0;
      for (size_t family = 0; family < families.size(); ++family) {
        for (size_t head = 0; head < k; ++head) {
          const double value = mean(kKeys.size() + family * k + head);
          metrics.Log(families[family] + GammaKey(gammas[head]), step, value);
          if (family == 0) ce_sum += value;
        }
      }
      metrics.Log("aux_value_ce/mean", step, ce_sum / static_cast<double>(k));
    }
    sums_.assign(sums_.size(), 0.0);
    count_ = 0;
  }

  std::vector<double> Save() const {
    std::vector<double> state = {static_cast<double>(count_)};
    state.insert(state.end(), sums_.begin(), sums_.end());
    return state;
  }
  void Load(const std::vector<double>& state) {
    count_ = static_cast<int64_t>(state.at(0));
    sums_.assign(state.begin() + 1, state.end());
  }
  double MeanOf(size_t index) const {
    return count_ > 0 && index < sums_.size() ? sums_[index] / static_cast<double>(count_) : NAN;
  }

 private:
  std::vector<double> sums_;
  int64_t count_ = 0;
};

at::Tensor FloatTensor(const std::vector<float>& values) {
  return torch::tensor(values, torch::kFloat32);
}
std::vector<float> FloatVector(const at::Tensor& tensor) {
  at::Tensor flat = tensor.to(torch::kCPU).contiguous().view({-1});
  return {flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel()};
}
at::Tensor DoubleTensor(const std::vector<double>& values) {
  return torch::tensor(values, torch::kFloat64);
}
std::vector<double> DoubleVector(const at::Tensor& tensor) {
  at::Tensor flat = tensor.contiguous().view({-1});
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}
at::Tensor BytesTensor(const std::string& bytes) {
  at::Tensor tensor = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::memcpy(tensor.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  return tensor;
}
std::string BytesString(const at::Tensor& tensor) {
  at::Tensor flat = tensor.contiguous();
  return {reinterpret_cast<const char*>(flat.data_ptr<uint8_t>()),
          static_cast<size_t>(flat.numel())};
}

/// The online training loop of one run (tdmpc2.md §8, trainer/online_trainer.py).
class Trainer {
 public:
  Trainer(const TdMpc2Options& options, const MultiGammaOptions& multi_gamma,
          const envs::DmcTaskOptions& env_options, uint64_t seed, rl::RunContext& context)
      : options_(options),
        multi_gamma_(multi_gamma),
        env_options_(env_options),
        seed_(seed),
        context_(context),
        env_(envs::MakeDmcTask(env_options, seed, "tdmpc2/env")),
        eval_env_(envs::MakeDmcTask(env_options, seed, "tdmpc2/eval_env")),
        explore_(seed, "tdmpc2/explore"),
        replay_(seed, "tdmpc2/replay"),
        snapshot_(seed, "tdmpc2/snapshot"),
        probe_env_(envs::MakeDmcTask(env_options, seed, "tdmpc2/probe_env")),
        probe_stream_(seed, "tdmpc2/probe"),
        buffer_(std::max<int64_t>(
                    2, std::min(options.buffer_size, options.steps + options.steps / 100 + 2)),
                env_->obs_dim(), env_->action_dim()) {
    episode_steps_ = env_->agent_steps_per_episode();
    AgentSpec spec;
    spec.options = options_;
    spec.multi_gamma = multi_gamma_;
    spec.discount = PrimaryDiscount(static_cast<double>(episode_steps_), options_.discount_denom,
                                    options_.discount_min, options_.discount_max);
    spec.model = MakeWorldModelSpec(options_, multi_gamma_, env_->obs_dim(), env_->action_dim());
    spec.device = context.device;
    agent_ = std::make_unique<TdMpc2Agent>(spec, seed);
    seed_steps_ = SeedSteps(options_, episode_steps_);
    if (spec.model.aux_heads > 0) {
      for (size_t index = 1; index < multi_gamma_.gammas.size(); ++index) {
        aux_gammas_.push_back(multi_gamma_.gammas[index]);
      }
    }
    obs_.assign(static_cast<size_t>(env_->obs_dim()), 0.0f);
    MakeProbe();
  }

  rl::WorkloadOutcome Run() {
    const auto started = Clock::now();
    const int64_t total = options_.steps;
    if (context_.resume_from) {
      Restore(*context_.resume_from);
      Log(fmt::format("tdmpc2: resumed from {} at agent step {}", context_.resume_from->string(),
                      step_));
    } else {
      LogSetup();
    }
    const int64_t first_step = step_;
    while (step_ < total) {
      if (context_.stop.StopRequested()) {
        Checkpoint(/*is_final=*/false);
        return Stopped("");
      }
      // an evaluation already run at this step (the run resumed after it) is not due again
      if (step_ % options_.eval_freq == 0 && last_eval_step_ != step_) eval_due_ = true;
      if (need_reset_ && !BeginEpisode()) return Stopped("during the evaluation");
      // the pretraining burst on the seed data, before this step's action (the seed phase's
      // actions are random, so the order changes nothing), then one update per agent step
      const bool can_train = buffer_.Windows(options_.horizon) > 0;
      if (step_ == seed_steps_ && can_train && !Pretrain()) {
        return Stopped(
            fmt::format("after {} of {} pretraining updates", pretrain_done_, seed_steps_));
      }
      Act();
      if (step_ > seed_steps_ && can_train) Train(1);
      ++step_;
      ReportProgress(total);
    }
    if (need_reset_) EndEpisode();  // the last episode ended with the budget
    bool evaluated_now = false;
    if (last_eval_step_ != total) {
      if (!EvaluateOrRollBack()) return Stopped("during the final evaluation");
      evaluated_now = true;
    }
    if (first_step < total || evaluated_now || !context_.resume_from) {
      Checkpoint(/*is_final=*/true);
    }
    Log(fmt::format("tdmpc2: {} agent steps ({} env steps) in {:.1f} s", total - first_step,
                    (total - first_step) * env_options_.action_repeat,
                    std::chrono::duration<double>(Clock::now() - started).count()));
    return rl::WorkloadOutcome::kCompleted;
  }

 private:
  int64_t EnvStep() const { return step_ * env_options_.action_repeat; }

  void Log(const std::string& line) {
    if (context_.log != nullptr) *context_.log << line << '\n' << std::flush;
  }

  void Metric(const std::string& key, double value) {
    if (context_.metrics != nullptr) context_.metrics->Log(key, EnvStep(), value);
  }

  /// Parameter counts per component, once (§17.8), and the derived settings.
  void LogSetup() {
    const ComponentCounts counts = agent_->Counts();
    Metric("system/param_count", static_cast<double>(counts.Total()));
    Metric("params/encoder", static_cast<double>(counts.encoder));
    Metric("params/dynamics", static_cast<double>(counts.dynamics));
    Metric("params/reward", static_cast<double>(counts.reward));
    Metric("params/policy", static_cast<double>(counts.policy));
    Metric("params/q_ensemble", static_cast<double>(counts.q_ensemble));
    if (counts.aux_heads > 0) Metric("params/aux_heads", static_cast<double>(counts.aux_heads));
    const AgentSpec& spec = agent_->spec();
    Log(fmt::format(
        "tdmpc2: {} on {}, seed {}: obs {}, action {}, {} agent steps per episode, discount {}, "
        "seed steps {}, {} agent steps ({} env steps), eval every {} agent steps",
        spec.options.model_size, env_options_.name, seed_, spec.model.obs_dim,
        spec.model.action_dim, episode_steps_, FormatDouble(spec.discount), seed_steps_,
        options_.steps, options_.steps * env_options_.action_repeat, options_.eval_freq));
    Log(
        fmt::format("tdmpc2: parameters: encoder {}, dynamics {}, reward {}, policy {}, Q ensemble "
                    "{} ({} members), auxiliary heads {}, total {}",
                    counts.encoder, counts.dynamics, counts.reward, counts.policy,
                    counts.q_ensemble, spec.model.num_q, counts.aux_heads, counts.Total()));
    if (!aux_gammas_.empty()) {
      Log(fmt::format("tdmpc2: multi-gamma: {} head(s) '{}', gammas [{}], loss_weight {}",
                      aux_gammas_.size(), multi_gamma_.head, fmt::join(multi_gamma_.gammas, ", "),
                      multi_gamma_.loss_weight));
    }
  }

  /// Interrupted, after the caller wrote the checkpoint to resume from: logs where.
  rl::WorkloadOutcome Stopped(const std::string& where) {
    Log(fmt::format("tdmpc2: stopped at agent step {}{}{} (checkpoint written)", step_,
                    where.empty() ? "" : " ", where));
    return rl::WorkloadOutcome::kInterrupted;
  }

  /// At an episode boundary: the due evaluation, the finished episode into the buffer, a reset.
  /// False when a stop interrupted the evaluation.
  bool BeginEpisode() {
    if (eval_due_) {
      if (!EvaluateOrRollBack()) return false;
      eval_due_ = false;
      if (step_ > 0) Checkpoint(/*is_final=*/false);
    }
    if (step_ > 0) EndEpisode();
    env_->Reset(obs_);
    current_ = Episode{};
    current_.obs = obs_;
    episode_return_ = 0.0;
    first_step_ = true;
    need_reset_ = false;
    return true;
  }

  void EndEpisode() {
    if (current_.transitions() == 0) return;
    Metric("train/episode_return", episode_return_);
    if (plan_calls_ > 0) Metric("system/ms_per_plan", plan_ms_ / static_cast<double>(plan_calls_));
    const double ms_per_iter =
        (update_averages_.MeanOf(11) > 0 ? update_averages_.MeanOf(11) : 0.0) +
        (plan_calls_ > 0 ? plan_ms_ / static_cast<double>(plan_calls_) : 0.0);
    if (plan_calls_ > 0 && !std::isnan(ms_per_iter)) Metric("system/ms_per_iter", ms_per_iter);
    plan_ms_ = 0.0;
    plan_calls_ = 0;
    if (context_.metrics != nullptr) {
      update_averages_.LogAndReset(*context_.metrics, EnvStep(), aux_gammas_);
    }
    last_train_return_ = episode_return_;
    buffer_.Add(std::move(current_));
    current_ = Episode{};
  }

  void Act() {
    std::vector<float> action(static_cast<size_t>(env_->action_dim()));
    if (step_ > seed_steps_) {
      const auto started = Clock::now();
      at::Tensor chosen = agent_->Act(FloatTensor(obs_), first_step_, /*eval_mode=*/false);
      plan_ms_ += MillisecondsSince(started);
      ++plan_calls_;
      action = FloatVector(chosen);
    } else {
      for (auto& value : action) value = static_cast<float>(2.0 * explore_.Uniform() - 1.0);
    }
    std::vector<float> next(obs_.size());
    const envs::StepResult result = env_->Step(action, next);
    current_.actions.insert(current_.actions.end(), action.begin(), action.end());
    current_.rewards.push_back(static_cast<float>(result.reward));
    current_.obs.insert(current_.obs.end(), next.begin(), next.end());
    episode_return_ += result.reward;
    obs_ = std::move(next);
    first_step_ = false;
    if (result.truncated || result.terminated) need_reset_ = true;
  }

  TrainingBatch SampleBatch(rl::RandomStream& random, int64_t batch) {
    const int64_t horizon = options_.horizon;
    const int64_t obs_dim = env_->obs_dim();
    const int64_t action_dim = env_->action_dim();
    TrainingBatch sample;
    sample.obs = torch::empty({horizon + 1, batch, obs_dim});
    sample.action = torch::empty({horizon, batch, action_dim});
    sample.reward = torch::empty({horizon, batch, 1});
    buffer_.Sample(batch, horizon, random, sample.obs.data_ptr<float>(),
                   sample.action.data_ptr<float>(), sample.reward.data_ptr<float>());
    return sample;
  }

  /// The pretraining burst: seed_steps updates, one at a time so that a stop can come between
  /// two of them (it takes minutes at the paper budget). False when stopped, after checkpointing
  /// the updates done so far.
  bool Pretrain() {
    while (pretrain_done_ < seed_steps_) {
      if (context_.stop.StopRequested()) {
        Checkpoint(/*is_final=*/false);
        return false;
      }
      Train(1);
      ++pretrain_done_;
      ReportPhase("pretrain_update", pretrain_done_, seed_steps_);
    }
    return true;
  }

  void Train(int64_t updates) {
    for (int64_t index = 0; index < updates; ++index) {
      TrainingBatch batch = SampleBatch(replay_, options_.batch_size);
      const auto started = Clock::now();
      const UpdateStats stats = agent_->Update(batch);
      if (!std::isfinite(stats.total_loss)) {
        throw std::runtime_error(fmt::format(
            "tdmpc2: the world-model loss is {} at agent step {} (consistency {}, reward {}, value "
            "{}); if the value loss explodes with multi_gamma, try multi_gamma.loss_weight=0.25",
            stats.total_loss, step_, stats.consistency_loss, stats.reward_loss, stats.value_loss));
      }
      update_averages_.Add(stats, MillisecondsSince(started));
      last_value_loss_ = stats.value_loss;
      last_aux_ce_ = stats.aux.cross_entropy.empty() ? NAN : stats.aux.cross_entropy.front();
    }
  }

  /// Evaluate(); when a stop interrupts it, writes the checkpoint of the state just before it
  /// (kept in memory meanwhile: the evaluation moves the planner's random stream and the
  /// evaluation env), so that the resumed run evaluates from the same state. False when stopped.
  bool EvaluateOrRollBack() {
    const std::string before = context_.checkpoints != nullptr ? CheckpointBytes() : std::string();
    if (Evaluate()) return true;
    if (context_.checkpoints != nullptr) WriteCheckpoint(before, /*is_final=*/false);
    return false;
  }

  /// eval_episodes episodes of the planner without added noise on the evaluation env. Returns
  /// false, logging nothing, when a stop comes in the middle.
  bool Evaluate() {
    const auto started = Clock::now();
    std::vector<double> returns;
    std::vector<float> obs(obs_.size());
    std::vector<float> next(obs_.size());
    for (int64_t episode = 0; episode < options_.eval_episodes; ++episode) {
      eval_env_->Reset(obs);
      double episode_return = 0.0;
      bool first = true;
      for (int64_t t = 0;; ++t) {
        if (context_.stop.StopRequested()) return false;
        if (t % 25 == 0) ReportPhase("eval_episode", episode + 1, options_.eval_episodes);
        std::vector<float> action = FloatVector(agent_->Act(FloatTensor(obs), first, true));
        const envs::StepResult result = eval_env_->Step(action, next);
        episode_return += result.reward;
        obs.swap(next);
        first = false;
        if (result.truncated || result.terminated) break;
      }
      returns.push_back(episode_return);
    }
    double mean = 0.0;
    for (double value : returns) mean += value;
    mean /= static_cast<double>(returns.size());
    double variance = 0.0;
    for (double value : returns) variance += (value - mean) * (value - mean);
    const double sd =
        returns.size() > 1 ? std::sqrt(variance / static_cast<double>(returns.size() - 1)) : 0.0;
    Metric("eval/episode_return", mean);
    Metric("eval/episode_return_sd", sd);
    LogDiagnostics();
    last_eval_return_ = mean;
    last_eval_step_ = step_;
    Log(fmt::format(
        "tdmpc2: eval at env step {}: return {:.1f} ± {:.1f} over {} episodes ({:.1f} s)",
        EnvStep(), mean, sd, returns.size(),
        std::chrono::duration<double>(Clock::now() - started).count()));
    if (!aux_gammas_.empty() && buffer_.Windows(options_.horizon) > 0) WriteAuxSnapshot();
    return true;
  }

  /// The probe of the representation diagnostics: kProbeStates states of random-action
  /// episodes on a copy of the task, and two random actions per state, from streams of their
  /// own (the training's streams never move for them, so every other metric is unchanged).
  /// The states are those of the replay buffer's seed phase in distribution, fixed for the
  /// whole run, there from the first evaluation on, and rebuilt alike on resume.
  void MakeProbe() {
    constexpr int64_t kProbeStates = 256;
    constexpr int64_t kEvery = 2;  // every other agent step: states further apart
    const int64_t obs_dim = probe_env_->obs_dim();
    const int64_t action_dim = probe_env_->action_dim();
    std::vector<float> states;
    std::vector<float> obs(static_cast<size_t>(obs_dim));
    std::vector<float> next(static_cast<size_t>(obs_dim));
    std::vector<float> action(static_cast<size_t>(action_dim));
    auto random_action = [&] {
      for (auto& value : action) value = static_cast<float>(2.0 * probe_stream_.Uniform() - 1.0);
    };
    probe_env_->Reset(obs);
    for (int64_t t = 0; static_cast<int64_t>(states.size()) < kProbeStates * obs_dim; ++t) {
      if (t % kEvery == 0) states.insert(states.end(), obs.begin(), obs.end());
      random_action();
      const envs::StepResult result = probe_env_->Step(action, next);
      obs.swap(next);
      if (result.truncated || result.terminated) probe_env_->Reset(obs);
    }
    probe_obs_ = torch::tensor(states, torch::kFloat32).view({kProbeStates, obs_dim});
    std::vector<float> actions(static_cast<size_t>(2 * kProbeStates * action_dim));
    for (auto& value : actions) value = static_cast<float>(2.0 * probe_stream_.Uniform() - 1.0);
    at::Tensor both = torch::tensor(actions, torch::kFloat32).view({2, kProbeStates, action_dim});
    // where the model is: the diagnostics run there
    const torch::Device device(context_.device);
    probe_obs_ = probe_obs_.to(device);
    probe_action_a_ = both[0].clone().to(device);
    probe_action_b_ = both[1].clone().to(device);
  }

  /// The diag/* metrics on the probe (representation_diagnostics.h), and how long they took.
  void LogDiagnostics() {
    const auto started = Clock::now();
    torch::NoGradGuard no_grad;
    WorldModel& model = agent_->model();
    const at::Tensor z = model->Encode(probe_obs_);
    const LatentDiagnostics latents = DiagnoseLatents(z, options_.simnorm_dim);
    const double sensitivity =
        ActionSensitivity(model->Next(z, probe_action_a_), model->Next(z, probe_action_b_));
    Metric("diag/effective_rank", latents.effective_rank);
    Metric("diag/simnorm_saturation", latents.saturation);
    Metric("diag/distinct_codes", latents.distinct_codes);
    Metric("diag/latent_spread", latents.spread);
    Metric("diag/action_sensitivity", sensitivity);
    Metric("system/ms_per_diag", MillisecondsSince(started));
  }

  /// The auxiliary heads on a few replay windows, as a run artifact (§17.8).
  void WriteAuxSnapshot() {
    const int64_t examples = multi_gamma_.debug_logging
                                 ? multi_gamma_.log_num_examples
                                 : std::min<int64_t>(4, multi_gamma_.log_num_examples);
    TrainingBatch batch = SampleBatch(snapshot_, examples);
    const std::string json = agent_->AuxSnapshotJson(batch, examples, multi_gamma_.debug_logging);
    rl::WriteFileAtomically(
        context_.run_dir / "multi_gamma" / fmt::format("snapshot-{:010d}.json", EnvStep()), json);
  }

  void ReportProgress(int64_t total) {
    if (context_.progress == nullptr || (step_ % 25 != 0 && step_ != total)) return;
    std::vector<std::pair<std::string, double>> headline = {{"eval_return", last_eval_return_},
                                                            {"train_return", last_train_return_}};
    if (!std::isnan(last_value_loss_)) headline.emplace_back("value_loss", last_value_loss_);
    if (!std::isnan(last_aux_ce_)) headline.emplace_back("aux_ce", last_aux_ce_);
    context_.progress->Report(EnvStep(), total * env_options_.action_repeat, headline);
  }

  /// Progress inside a long phase that does not advance the step (an evaluation, the
  /// pretraining burst): `name done  of total` on the live line.
  void ReportPhase(const char* name, int64_t done, int64_t total) {
    if (context_.progress == nullptr) return;
    context_.progress->Report(
        EnvStep(), options_.steps * env_options_.action_repeat,
        {{name, static_cast<double>(done)}, {"of", static_cast<double>(total)}});
  }

  /// What the checkpoint says about the run, readable without LibTorch (§17.10).
  std::string MetadataJson() const {
    JsonWriter json(1);
    json.BeginObject();
    json.Key("algo").String("tdmpc2");
    json.Key("agent_step").Int(step_);
    json.Key("env_step").Int(EnvStep());
    json.Key("env").String(env_options_.name);
    json.Key("model_size").Int(options_.model_size);
    json.Key("multi_gamma").BeginObject();
    json.Key("enabled").Bool(multi_gamma_.enabled);
    json.Key("gammas").BeginArray();
    for (double gamma : multi_gamma_.gammas) json.Double(gamma);
    json.EndArray();
    json.Key("head").String(multi_gamma_.head);
    json.Key("loss_weight").Double(multi_gamma_.loss_weight);
    json.Key("aux_heads").Int(static_cast<int64_t>(aux_gammas_.size()));
    json.EndObject();
    json.EndObject();
    return json.Take();
  }

  void Checkpoint(bool is_final) {
    if (context_.checkpoints == nullptr) {
      if (context_.metrics != nullptr) context_.metrics->Flush();
      return;
    }
    WriteCheckpoint(CheckpointBytes(), is_final);
  }

  /// Flushes the metrics, then writes and registers a checkpoint of `bytes` at this step.
  void WriteCheckpoint(const std::string& bytes, bool is_final) {
    if (context_.metrics != nullptr) context_.metrics->Flush();
    const auto path =
        context_.checkpoints->Directory() / fmt::format("tdmpc2-{:010d}.ckpt", EnvStep());
    rl::WriteFileAtomically(path, bytes);
    context_.checkpoints->Register(EnvStep(), path, is_final);
  }

  /// The whole state of the run, as a checkpoint file's bytes.
  std::string CheckpointBytes() const {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive agent_archive;
    agent_->Save(agent_archive);
    archive.write("agent", agent_archive);
    archive.write("metadata", c10::IValue(MetadataJson()));
    archive.write("buffer", BytesTensor(buffer_.Serialize()));
    archive.write("env/state", c10::IValue(env_->SaveState()));
    archive.write("eval_env/state", c10::IValue(eval_env_->SaveState()));
    archive.write("stream/explore", c10::IValue(explore_.SaveState()));
    archive.write("stream/replay", c10::IValue(replay_.SaveState()));
    archive.write("stream/snapshot", c10::IValue(snapshot_.SaveState()));
    archive.write(
        "counters",
        torch::tensor({step_, static_cast<int64_t>(need_reset_), static_cast<int64_t>(eval_due_),
                       static_cast<int64_t>(first_step_), last_eval_step_, pretrain_done_},
                      torch::kLong));
    archive.write("episode/obs", FloatTensor(current_.obs));
    archive.write("episode/actions", FloatTensor(current_.actions));
    archive.write("episode/rewards", FloatTensor(current_.rewards));
    archive.write("obs", FloatTensor(obs_));
    archive.write("values", DoubleTensor({episode_return_, last_eval_return_, last_train_return_,
                                          last_value_loss_, last_aux_ce_, plan_ms_,
                                          static_cast<double>(plan_calls_)}));
    archive.write("update_averages", DoubleTensor(update_averages_.Save()));
    std::ostringstream bytes;
    archive.save_to(bytes);
    return bytes.str();
  }

  void Restore(const std::filesystem::path& file) {
    std::istringstream bytes(rl::ReadWholeFile(file));
    // every tensor onto the CPU, whichever device wrote it: checkpoints are device-independent
    // and the agent moves its own onto its device
    torch::serialize::InputArchive archive;
    archive.load_from(bytes, torch::Device(torch::kCPU));
    torch::serialize::InputArchive agent_archive;
    archive.read("agent", agent_archive);
    if (std::string note = agent_->Load(agent_archive); !note.empty()) Log("tdmpc2: " + note);
    // a fresh tensor per key: reading into a defined tensor would re-point it
    auto read = [&archive](const char* key) {
      at::Tensor tensor;
      archive.read(key, tensor);
      return tensor;
    };
    c10::IValue value;
    buffer_.Deserialize(BytesString(read("buffer")));
    archive.read("env/state", value);
    env_->LoadState(value.toStringRef());
    archive.read("eval_env/state", value);
    eval_env_->LoadState(value.toStringRef());
    archive.read("stream/explore", value);
    explore_.LoadState(value.toStringRef());
    archive.read("stream/replay", value);
    replay_.LoadState(value.toStringRef());
    archive.read("stream/snapshot", value);
    snapshot_.LoadState(value.toStringRef());
    at::Tensor tensor = read("counters");
    step_ = tensor[0].item<int64_t>();
    need_reset_ = tensor[1].item<int64_t>() != 0;
    eval_due_ = tensor[2].item<int64_t>() != 0;
    first_step_ = tensor[3].item<int64_t>() != 0;
    last_eval_step_ = tensor[4].item<int64_t>();
    // checkpoints from before the burst could be interrupted: it is done once the step passed it
    pretrain_done_ =
        tensor.numel() > 5 ? tensor[5].item<int64_t>() : (step_ > seed_steps_ ? seed_steps_ : 0);
    tensor = read("episode/obs");
    current_.obs = FloatVector(tensor);
    tensor = read("episode/actions");
    current_.actions = FloatVector(tensor);
    tensor = read("episode/rewards");
    current_.rewards = FloatVector(tensor);
    tensor = read("obs");
    obs_ = FloatVector(tensor);
    tensor = read("values");
    const std::vector<double> values = DoubleVector(tensor);
    episode_return_ = values.at(0);
    last_eval_return_ = values.at(1);
    last_train_return_ = values.at(2);
    last_value_loss_ = values.at(3);
    last_aux_ce_ = values.at(4);
    plan_ms_ = values.at(5);
    plan_calls_ = static_cast<int64_t>(values.at(6));
    tensor = read("update_averages");
    update_averages_.Load(DoubleVector(tensor));
    if (step_ > options_.steps) {
      throw std::runtime_error(
          fmt::format("tdmpc2: the checkpoint is at agent step {}, beyond tdmpc2.steps = {}", step_,
                      options_.steps));
    }
  }

  TdMpc2Options options_;
  MultiGammaOptions multi_gamma_;
  envs::DmcTaskOptions env_options_;
  uint64_t seed_;
  rl::RunContext& context_;
  std::unique_ptr<envs::DmcTask> env_;
  std::unique_ptr<envs::DmcTask> eval_env_;
  rl::RandomStream explore_;   ///< uniform actions of the seed phase
  rl::RandomStream replay_;    ///< the update batches
  rl::RandomStream snapshot_;  ///< the auxiliary snapshots' windows (never shifts replay_)
  std::unique_ptr<envs::DmcTask> probe_env_;  ///< the diagnostics' probe states come from it
  rl::RandomStream probe_stream_;             ///< the probe's random actions
  at::Tensor probe_obs_;                      ///< [256, obs_dim], fixed for the run
  at::Tensor probe_action_a_;                 ///< [256, action_dim]
  at::Tensor probe_action_b_;
  EpisodeReplayBuffer buffer_;
  std::unique_ptr<TdMpc2Agent> agent_;
  std::vector<double> aux_gammas_;
  int64_t episode_steps_ = 0;
  int64_t seed_steps_ = 0;

  int64_t step_ = 0;  ///< agent steps taken
  bool need_reset_ = true;
  bool eval_due_ = false;
  bool first_step_ = true;
  int64_t last_eval_step_ = -1;
  int64_t pretrain_done_ = 0;  ///< updates of the pretraining burst done
  Episode current_;
  std::vector<float> obs_;
  double episode_return_ = 0.0;
  double last_eval_return_ = NAN;
  double last_train_return_ = NAN;
  double last_value_loss_ = NAN;
  double last_aux_ce_ = NAN;
  double plan_ms_ = 0.0;
  int64_t plan_calls_ = 0;
  UpdateAverages update_averages_;
};

}  // namespace

TdMpc2Workload::TdMpc2Workload(const TdMpc2Options& options, const MultiGammaOptions& multi_gamma,
                               const envs::DmcTaskOptions& env_options)
    : options_(options), multi_gamma_(multi_gamma), env_options_(env_options) {
  if (options_.eval_freq < 1 || options_.steps < 1) {
    throw std::invalid_argument("tdmpc2: steps and eval_freq must be positive");
  }
}

std::unique_ptr<TdMpc2Workload> TdMpc2Workload::FromConfig(const config::Node& config) {
  const config::Node* env = config.Find("env");
  const config::Node* name = env != nullptr ? env->Find("name") : nullptr;
  if (name == nullptr || !name->IsString()) {
    throw std::invalid_argument("tdmpc2 needs env.name, one of the DMControl tasks");
  }
  return std::make_unique<TdMpc2Workload>(
      config::BindSection<TdMpc2Options>(config, "tdmpc2", TdMpc2Schema()),
      config::BindSection<MultiGammaOptions>(config, "multi_gamma", MultiGammaSchema()),
      config::BindSection<envs::DmcTaskOptions>(config, "env", envs::DmcTaskSchema()));
}

rl::WorkloadOutcome TdMpc2Workload::Run(rl::RunContext& context) {
  // the run's seed is the context's (the worker sets it from the config's `seed`)
  Trainer trainer(options_, multi_gamma_, env_options_, context.seed, context);
  return trainer.Run();
}

void RegisterWorkload(rl::WorkloadRegistry& registry) {
  registry.Register("tdmpc2", "TD-MPC2 (with multi-gamma auxiliary value heads) on DMControl tasks",
                    [](const config::Node& config) -> std::unique_ptr<rl::Workload> {
                      return TdMpc2Workload::FromConfig(config);
                    });
}

}  // namespace orch::tdmpc2
