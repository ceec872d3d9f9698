// src/algos/ppo/ppo_workload.cpp
#include "algos/ppo/ppo_workload.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/serialize/archive.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "algos/ppo/policy/policy_registry.h"
#include "algos/ppo/ppo_agent.h"
#include "algos/ppo/rollout.h"
#include "algos/ppo/rollout_collector.h"
#include "common/json.h"
#include "envs/env_registry.h"
#include "envs/vector_env.h"
#include "rl/checkpoint_io.h"
#include "rl/seeding.h"

namespace orch::ppo {
namespace {

constexpr char kCheckpointFormat[] = "orch-ppo-checkpoint";
constexpr int64_t kCheckpointVersion = 1;
constexpr size_t kReturnWindow = 20;         // training episodes in the headline mean
constexpr int64_t kEvalStepCap = 1'000'000;  // an evaluation episode that never ends

at::Generator MakeGenerator(uint64_t run_seed, std::string_view stream) {
  return at::make_generator<at::CPUGeneratorImpl>(rl::DeriveSeed(run_seed, stream));
}

/// "3,13,4" for the head sizes (or "continuous:1").
std::string ActionSignature(const envs::ActionSpec& action) {
  if (action.IsContinuous()) return fmt::format("continuous:{}", action.dim);
  return fmt::format("{}", fmt::join(action.head_sizes, ","));
}

c10::IValue ReadValue(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  if (!archive.try_read(key, value)) {
    throw std::runtime_error("ppo checkpoint: it has no '" + key + "'");
  }
  return value;
}

at::Tensor ReadTensor(torch::serialize::InputArchive& archive, const std::string& key) {
  at::Tensor tensor;
  if (!archive.try_read(key, tensor)) {
    throw std::runtime_error("ppo checkpoint: it has no tensor '" + key + "'");
  }
  return tensor;
}

/// The training loop of one run.
class Trainer {
 public:
  Trainer(const PpoOptions& options, const config::Node& env_config, rl::RunContext& context)
      : options_(options),
        env_config_(env_config),
        context_(context),
        seed_(context.seed),
        action_generator_(MakeGenerator(seed_, "ppo/actions")),
        minibatch_generator_(MakeGenerator(seed_, "ppo/minibatches")),
        eval_generator_(MakeGenerator(seed_, "ppo/eval_actions")) {
    // the envs, each with a stream of its own
    std::vector<std::unique_ptr<envs::Env>> batch;
    for (int64_t index = 0; index < options_.num_envs; ++index) {
      batch.push_back(envs::MakeEnv(env_config_, seed_, fmt::format("ppo/env/{}", index)));
    }
    auto vector_env = std::make_unique<envs::VectorEnv>(std::move(batch));
    obs_dim_ = vector_env->obs_dim();
    action_spec_ = vector_env->action_spec();
    env_name_ = vector_env->env(0).name();
    collector_ = std::make_unique<RolloutCollector>(
        std::move(vector_env), options_.bootstrap, options_.gamma,
        NormalizationOptions{options_.norm_obs, options_.clip_obs, options_.norm_reward,
                             options_.clip_reward});

    // the policy: built, placed and compiled by the factory, then injected into the agent
    torch::manual_seed(rl::DeriveSeed(seed_, "ppo/init"));
    PolicySpec spec{options_.policy, obs_dim_, action_spec_};
    policy_ = CreatePolicy(options_.policy.type, spec, c10::Device(c10::kCPU));
    agent_ = std::make_unique<PpoAgent>(policy_, options_);

    batch_size_ = options_.num_envs * options_.num_steps;
    num_updates_ = std::max<int64_t>(1, options_.total_steps / batch_size_);
  }

  rl::WorkloadOutcome Run() {
    int64_t params = 0;
    for (const auto& parameter : policy_->Network().parameters()) params += parameter.numel();
    Log("system/param_count", 0, static_cast<double>(params));
    if (context_.resume_from) {
      Load(rl::ReadWholeFile(*context_.resume_from));
      Say(fmt::format("ppo: resumed from {} after update {} ({} env steps)",
                      context_.resume_from->string(), update_, global_step_));
    } else {
      collector_->Reset(*policy_);
      next_eval_step_ = 0;
      next_checkpoint_step_ = options_.checkpoint_every;
    }
    Say(
        fmt::format("ppo: {} policy ({} parameters) on {} x {}, obs {}, actions {}; {} updates of "
                    "{} env steps, seed {}",
                    policy_->type(), params, options_.num_envs, env_name_, obs_dim_,
                    ActionSignature(action_spec_), num_updates_, batch_size_, seed_));

    started_ = std::chrono::steady_clock::now();
    started_step_ = global_step_;
    Rollout rollout(options_.num_steps, options_.num_envs, obs_dim_, action_spec_);
    while (update_ < num_updates_) {
      // evaluations fall on update boundaries at or after each eval_every
      if (global_step_ >= next_eval_step_) {
        Evaluate();
        next_eval_step_ += options_.eval_every;
      }
      if (context_.stop.StopRequested()) {
        WriteCheckpoint(false);
        Say(fmt::format("ppo: stopped after update {} ({} env steps)", update_, global_step_));
        return rl::WorkloadOutcome::kInterrupted;
      }
      ++update_;
      const UpdateRates rates = RatesAt(options_, update_, num_updates_);
      collector_->Collect(rollout, *policy_, action_generator_, options_.gae_lambda,
                          [this](const envs::VectorEnv::Episode& episode, int64_t step) {
                            Log("episode_return", step, episode.episode_return);
                            Log("episode_length", step, static_cast<double>(episode.length));
                            train_returns_.push_back(episode.episode_return);
                            if (train_returns_.size() > kReturnWindow) train_returns_.pop_front();
                          });
      global_step_ = collector_->env_steps();
      UpdateStats stats = agent_->Update(rollout, rates, minibatch_generator_);
      LogUpdate(stats);
      ReportProgress();
      if (options_.checkpoint_every > 0 && global_step_ >= next_checkpoint_step_ &&
          update_ < num_updates_) {
        WriteCheckpoint(false);
        next_checkpoint_step_ += options_.checkpoint_every;
      }
    }
    Evaluate();
    if (!train_returns_.empty()) {
      const double mean = std::accumulate(train_returns_.begin(), train_returns_.end(), 0.0) /
                          static_cast<double>(train_returns_.size());
      Log("summary/episode_return_last20", global_step_, mean);
      Say(fmt::format("ppo: mean return of the last {} training episodes {:.2f}",
                      train_returns_.size(), mean));
    }
    WriteCheckpoint(true);
    return rl::WorkloadOutcome::kCompleted;
  }

 private:
  static std::span<float> Span(at::Tensor& tensor) {
    return {tensor.data_ptr<float>(), static_cast<size_t>(tensor.numel())};
  }

  void Log(std::string_view key, int64_t step, double value) {
    if (context_.metrics != nullptr) context_.metrics->Log(key, step, value);
  }

  void Say(const std::string& line) {
    if (context_.log != nullptr) *context_.log << line << '\n' << std::flush;
  }

  void LogUpdate(const UpdateStats& stats) {
    Log("losses/policy_loss", global_step_, stats.policy_loss);
    Log("losses/value_loss", global_step_, stats.value_loss);
    Log("losses/entropy", global_step_, stats.entropy);
    if (stats.head_entropy.size() > 1) {
      for (const auto& [head, entropy] : stats.head_entropy) {
        Log("losses/entropy/" + head, global_step_, entropy);
      }
    }
    Log("losses/approx_kl", global_step_, stats.approx_kl);
    Log("losses/clip_fraction", global_step_, stats.clip_fraction);
    Log("losses/explained_variance", global_step_, stats.explained_variance);
    Log("losses/grad_norm", global_step_, stats.grad_norm);
    Log("charts/learning_rate", global_step_, stats.learning_rate);
    if (options_.ent_coef_final) Log("charts/ent_coef", global_step_, stats.ent_coef);
    Log("charts/epochs", global_step_, static_cast<double>(stats.epochs));
    if (options_.target_kl) Log("charts/kl_stopped", global_step_, stats.kl_stopped ? 1.0 : 0.0);
    if (options_.norm_reward)
      Log("charts/reward_divisor", global_step_, collector_->reward_divisor());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (seconds > 0) {
      Log("system/steps_per_second", global_step_,
          static_cast<double>(global_step_ - started_step_) / seconds);
    }
  }

  void ReportProgress() {
    if (context_.progress == nullptr) return;
    std::vector<std::pair<std::string, double>> headline;
    if (!train_returns_.empty()) {
      headline.emplace_back("return",
                            std::accumulate(train_returns_.begin(), train_returns_.end(), 0.0) /
                                static_cast<double>(train_returns_.size()));
    }
    if (last_eval_) headline.emplace_back("eval", *last_eval_);
    context_.progress->Report(global_step_, num_updates_ * batch_size_, headline);
  }

  /// eval_episodes episodes, the same at every evaluation, so that evaluations compare. They come
  /// from one env of the stream "ppo/eval", or with eval_seed from a fresh env per episode seeded
  /// eval_seed + i (stream "eval"), the same for every run and for a baseline evaluated outside
  /// (e.g. envs::EvaluateGardenPolicy).
  void Evaluate() {
    const auto episode_env = [&](int64_t episode) {
      return options_.eval_seed
                 ? envs::MakeEnv(env_config_, static_cast<uint64_t>(*options_.eval_seed + episode),
                                 "eval")
                 : envs::MakeEnv(env_config_, seed_, "ppo/eval");
    };
    std::unique_ptr<envs::Env> env = episode_env(0);
    const envs::ActionSpec spec = env->action_spec();  // a copy: eval_seed replaces the env
    at::Tensor obs = at::zeros({1, env->obs_dim()}, at::kFloat);
    std::vector<uint8_t> mask_bytes(static_cast<size_t>(spec.mask_size()), 1);
    std::vector<double> returns;
    std::vector<double> lengths;
    for (int64_t episode = 0; episode < options_.eval_episodes; ++episode) {
      if (options_.eval_seed && episode > 0) env = episode_env(episode);
      env->Reset(Span(obs));
      collector_->NormalizeForEvaluation(Span(obs));
      RecurrentState hidden = policy_->InitialHidden(1);
      double episode_return = 0.0;
      int64_t length = 0;
      while (length < kEvalStepCap) {
        HeadTensors masks;
        if (spec.masked) {
          env->WriteMasks(mask_bytes);
          masks = SplitMasks(
              spec,
              at::from_blob(mask_bytes.data(), {1, spec.mask_size()}, at::kByte).to(at::kBool));
        }
        ActionResult result =
            policy_->GetAction(obs, masks, hidden, options_.eval_deterministic, eval_generator_);
        hidden = result.hidden;
        envs::Action action;
        at::Tensor chosen;
        if (spec.IsContinuous()) {
          chosen = result.action.at("action").contiguous();
          action.continuous = {chosen.data_ptr<float>(), static_cast<size_t>(chosen.numel())};
        } else {
          std::vector<at::Tensor> columns;
          for (const auto& name : spec.head_names) columns.push_back(result.action.at(name));
          chosen = at::cat(columns).contiguous();
          action.discrete = {chosen.data_ptr<int64_t>(), static_cast<size_t>(chosen.numel())};
        }
        const envs::StepResult step = env->Step(action, Span(obs));
        collector_->NormalizeForEvaluation(Span(obs));
        episode_return += step.reward;
        ++length;
        if (step.terminated || step.truncated) break;
      }
      returns.push_back(episode_return);
      lengths.push_back(static_cast<double>(length));
    }
    const double count = static_cast<double>(returns.size());
    const double mean = std::accumulate(returns.begin(), returns.end(), 0.0) / count;
    double squares = 0.0;
    for (double value : returns) squares += (value - mean) * (value - mean);
    const double sd = count > 1 ? std::sqrt(squares / (count - 1)) : 0.0;
    Log("eval/episode_return", global_step_, mean);
    Log("eval/episode_return_sd", global_step_, sd);
    Log("eval/episode_length", global_step_,
        std::accumulate(lengths.begin(), lengths.end(), 0.0) / count);
    last_eval_ = mean;
    // every episode's return, for confidence intervals against baselines
    std::ofstream csv(context_.run_dir / "eval_returns.csv", std::ios::app);
    if (csv.tellp() == 0) csv << "env_step,episode,return\n";
    for (size_t episode = 0; episode < returns.size(); ++episode) {
      csv << global_step_ << ',' << episode << ',' << fmt::format("{:.17g}", returns[episode])
          << '\n';
    }
    Say(fmt::format("ppo: evaluation at {} env steps: return {:.3f} +- {:.3f} over {} episodes",
                    global_step_, mean, sd, returns.size()));
  }

  // --- checkpoints

  void WriteCheckpoint(bool is_final) {
    if (context_.metrics != nullptr) context_.metrics->Flush();
    if (context_.checkpoints == nullptr) return;
    const auto path =
        context_.checkpoints->Directory() / fmt::format("ppo-{:010d}.ckpt", global_step_);
    rl::WriteFileAtomically(path, Save());
    context_.checkpoints->Register(global_step_, path, is_final);
  }

  std::string Save() const {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
    archive.write("checkpoint_version", c10::IValue(kCheckpointVersion));
    // the architecture the loader checks against its own
    archive.write("architecture/type", c10::IValue(policy_->type()));
    archive.write("architecture/state_dim", c10::IValue(obs_dim_));
    archive.write("architecture/actions", c10::IValue(ActionSignature(action_spec_)));
    archive.write("config", c10::IValue(ConfigJson()));
    // the network, through the bundle's raw state dict, and the optimiser
    torch::serialize::OutputArchive network;
    for (const auto& [name, tensor] : policy_->GetStateDict()) network.write(name, tensor);
    archive.write("network", network);
    torch::serialize::OutputArchive optimizer;
    agent_->SaveOptimizer(optimizer);
    archive.write("optimizer", optimizer);
    // where the loop stands: envs, observations, recurrent state, random streams, counters
    torch::serialize::OutputArchive collector;
    collector_->Save(collector);
    archive.write("collector", collector);
    archive.write("generator/actions", action_generator_.get_state());
    archive.write("generator/minibatches", minibatch_generator_.get_state());
    archive.write("generator/eval", eval_generator_.get_state());
    archive.write("update", c10::IValue(update_));
    archive.write("next_eval_step", c10::IValue(next_eval_step_));
    archive.write("next_checkpoint_step", c10::IValue(next_checkpoint_step_));
    std::vector<double> window(train_returns_.begin(), train_returns_.end());
    archive.write("train_returns", at::tensor(window, at::kDouble));
    archive.write("last_eval", c10::IValue(last_eval_.value_or(std::nan(""))));
    std::ostringstream out;
    archive.save_to(out);
    return out.str();
  }

  /// The settings a checkpoint's training depended on (ppo-policy.md §5), as JSON.
  std::string ConfigJson() const {
    JsonWriter json;
    json.BeginObject();
    json.Key("gamma").Double(options_.gamma);
    json.Key("gae_lambda").Double(options_.gae_lambda);
    json.Key("clip_coef").Double(options_.clip_coef);
    json.Key("ent_coef").Double(options_.ent_coef);
    if (options_.ent_coef_final) {
      json.Key("ent_coef_final").Double(*options_.ent_coef_final);
      json.Key("ent_anneal_fraction").Double(options_.ent_anneal_fraction);
    }
    json.Key("normalize_entropy").Bool(options_.normalize_entropy);
    json.Key("vf_coef").Double(options_.vf_coef);
    json.Key("num_envs").Int(options_.num_envs);
    json.Key("num_steps").Int(options_.num_steps);
    json.Key("lstm_hidden_dim").Int(options_.policy.lstm_hidden_dim);
    json.Key("compile_mode").String(options_.policy.compile_mode);
    json.EndObject();
    return json.Take();
  }

  void Load(const std::string& bytes) {
    torch::serialize::InputArchive archive;
    try {
      std::istringstream in(bytes);
      archive.load_from(in);
    } catch (const c10::Error& error) {
      throw std::runtime_error(std::string("ppo checkpoint: not a LibTorch archive: ") +
                               error.what_without_backtrace());
    }
    if (ReadValue(archive, "format").toStringRef() != kCheckpointFormat) {
      throw std::runtime_error("ppo checkpoint: not a ppo checkpoint");
    }
    const int64_t version = ReadValue(archive, "checkpoint_version").toInt();
    if (version != kCheckpointVersion) {
      throw std::runtime_error(
          fmt::format("ppo checkpoint: version {}, and this orch reads version {}", version,
                      kCheckpointVersion));
    }
    const std::string type = ReadValue(archive, "architecture/type").toStringRef();
    if (type != policy_->type()) {
      throw std::runtime_error(
          fmt::format("ppo checkpoint: written by the '{}' policy, this run "
                      "has '{}'",
                      type, policy_->type()));
    }
    const std::string actions = ReadValue(archive, "architecture/actions").toStringRef();
    if (actions != ActionSignature(action_spec_)) {
      throw std::runtime_error(
          fmt::format("ppo checkpoint: written for action heads [{}], this "
                      "env has [{}] (a different slot count?)",
                      actions, ActionSignature(action_spec_)));
    }
    const int64_t state_dim = ReadValue(archive, "architecture/state_dim").toInt();
    if (state_dim != obs_dim_) {
      throw std::runtime_error(fmt::format(
          "ppo checkpoint: written for observations of {}, this env has {}", state_dim, obs_dim_));
    }
    torch::serialize::InputArchive network;
    archive.read("network", network);
    StateDict state;
    for (const auto& [name, tensor] : policy_->GetStateDict()) {
      at::Tensor saved;
      if (!network.try_read(name, saved)) {
        throw std::runtime_error("ppo checkpoint: the network has no tensor '" + name + "'");
      }
      state.emplace_back(name, saved);
    }
    policy_->LoadStateDict(state, /*strict=*/true);
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    agent_->LoadOptimizer(optimizer);
    torch::serialize::InputArchive collector;
    archive.read("collector", collector);
    collector_->Load(collector, *policy_);
    action_generator_.set_state(ReadTensor(archive, "generator/actions"));
    minibatch_generator_.set_state(ReadTensor(archive, "generator/minibatches"));
    eval_generator_.set_state(ReadTensor(archive, "generator/eval"));
    update_ = ReadValue(archive, "update").toInt();
    global_step_ = collector_->env_steps();
    next_eval_step_ = ReadValue(archive, "next_eval_step").toInt();
    next_checkpoint_step_ = ReadValue(archive, "next_checkpoint_step").toInt();
    at::Tensor window = ReadTensor(archive, "train_returns").contiguous();
    train_returns_.assign(window.data_ptr<double>(), window.data_ptr<double>() + window.numel());
    const double last_eval = ReadValue(archive, "last_eval").toDouble();
    if (!std::isnan(last_eval)) last_eval_ = last_eval;
    if (update_ > num_updates_) {
      throw std::runtime_error(fmt::format(
          "ppo checkpoint: it is after update {}, more than this run's {}", update_, num_updates_));
    }
  }

  PpoOptions options_;
  const config::Node& env_config_;
  rl::RunContext& context_;
  uint64_t seed_;
  at::Generator action_generator_;
  at::Generator minibatch_generator_;
  at::Generator eval_generator_;
  std::unique_ptr<RolloutCollector> collector_;
  int64_t obs_dim_ = 0;
  envs::ActionSpec action_spec_;
  std::string env_name_;
  std::shared_ptr<PolicyBundle> policy_;
  std::unique_ptr<PpoAgent> agent_;

  int64_t batch_size_ = 0;
  int64_t num_updates_ = 0;
  int64_t update_ = 0;
  int64_t global_step_ = 0;
  int64_t next_eval_step_ = 0;
  int64_t next_checkpoint_step_ = 0;
  std::deque<double> train_returns_;
  std::optional<double> last_eval_;
  std::chrono::steady_clock::time_point started_;
  int64_t started_step_ = 0;
};

}  // namespace

PpoWorkload::PpoWorkload(const PpoOptions& options, config::Node env_config)
    : options_(options), env_config_(std::move(env_config)) {
  if (options_.total_steps < options_.num_envs * options_.num_steps) {
    throw std::invalid_argument(
        fmt::format("ppo: total_steps ({}) is less than one rollout (num_envs x num_steps = {})",
                    options_.total_steps, options_.num_envs * options_.num_steps));
  }
}

std::unique_ptr<PpoWorkload> PpoWorkload::FromConfig(const config::Node& config) {
  const config::Node* env = config.Find("env");
  if (env == nullptr || !env->IsMap()) throw std::invalid_argument("ppo needs an env section");
  return std::make_unique<PpoWorkload>(config::BindSection<PpoOptions>(config, "ppo", PpoSchema()),
                                       *env);
}

rl::WorkloadOutcome PpoWorkload::Run(rl::RunContext& context) {
  Trainer trainer(options_, env_config_, context);
  return trainer.Run();
}

void RegisterWorkload(rl::WorkloadRegistry& registry) {
  registry.Register("ppo", "PPO with a registry-built PolicyBundle",
                    [](const config::Node& config) -> std::unique_ptr<rl::Workload> {
                      return PpoWorkload::FromConfig(config);
                    });
}

}  // namespace orch::ppo
