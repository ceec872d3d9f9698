// src/algos/tam/tam_agent.cpp
#include "algos/tam/tam_agent.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>
// clip_grad.h is not self-contained: it needs torch::Tensor from the headers above
#include <torch/nn/utils/clip_grad.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "algos/tam/dual_controllers.h"
#include "algos/tam/tam_losses.h"
#include "algos/tam/tam_networks.h"
#include "algos/tam/tube.h"
#include "rl/seeding.h"

namespace orch::tam {
namespace {

constexpr int64_t kStateDim = 2;  // (theta, omega)
constexpr char kCheckpointFormat[] = "orch-tam-checkpoint-v1";
constexpr int64_t kOutcomeFields = 6;

/// The sizes a checkpoint must agree on, as one comparable string.
std::string ShapeSignature(const TamOptions& options) {
  std::ostringstream out;
  out << "state_dim=" << kStateDim << " z_dim=" << options.z_dim
      << " hidden_dim=" << options.hidden_dim << " knots=" << options.knots
      << " memory=" << (options.memory.enabled ? options.memory.size : 0);
  return out.str();
}

}  // namespace

void ValidateTamOptions(const TamOptions& options) {
  if (options.policy_objective != "frozen") {
    throw std::invalid_argument("tam.policy_objective '" + options.policy_objective +
                                "' is not implemented; only 'frozen' (tam.md §11) is");
  }
  if (options.memory.enabled && !options.memory.detach_targets) {
    throw std::invalid_argument(
        "tam.memory.detach_targets=false is not supported: stored outcomes are numbers from "
        "past episodes, there is no graph to keep");
  }
  if (options.min_horizon > options.max_horizon) {
    throw std::invalid_argument("tam.min_horizon must be at most tam.max_horizon");
  }
}

namespace {

/// A float tensor owning a copy of `values`, shaped `shape`.
torch::Tensor FloatTensor(const std::vector<float>& values, at::IntArrayRef shape) {
  return torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat).clone();
}

torch::Tensor DoubleTensor(const std::vector<double>& values, at::IntArrayRef shape) {
  return torch::from_blob(const_cast<double*>(values.data()), shape, torch::kDouble).clone();
}

c10::IValue ReadValue(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  if (!archive.try_read(key, value)) {
    throw std::runtime_error("tam checkpoint: missing '" + key + "'");
  }
  return value;
}

torch::Tensor ReadTensor(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor tensor;
  if (!archive.try_read(key, tensor)) {
    throw std::runtime_error("tam checkpoint: missing tensor '" + key + "'");
  }
  return tensor.contiguous();
}

}  // namespace

struct TamAgent::Impl {
  Impl(const TamOptions& tam_options, const envs::ControlledPendulumOptions& env_opts,
       uint64_t run_seed);

  EpisodeRecord RunEpisode();
  std::string Save() const;
  void Load(std::string_view bytes);

  TamOptions options;
  uint64_t seed;
  envs::ControlledPendulumEnv env;
  rl::RandomStream exploration;
  rl::RandomStream z_noise;
  rl::RandomStream horizon_draws;
  ActorNet actor;
  SharedPolicy policy;
  SharedTube tube;
  std::vector<torch::Tensor> parameters;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::vector<torch::Tensor> initial_policy;
  DualState duals;
  std::unique_ptr<ZMemory> memory;
  TamHistory history;
};

TamAgent::Impl::Impl(const TamOptions& tam_options, const envs::ControlledPendulumOptions& env_opts,
                     uint64_t run_seed)
    : options(tam_options),
      seed(run_seed),
      env(env_opts, run_seed),
      exploration(run_seed, "tam/exploration"),
      z_noise(run_seed, "tam/z"),
      horizon_draws(run_seed, "tam/horizon"),
      actor(kStateDim, tam_options.z_dim, tam_options.hidden_dim, tam_options.z_logstd_min,
            tam_options.z_logstd_max),
      policy(kStateDim, tam_options.z_dim, tam_options.hidden_dim, tam_options.amax),
      tube(kStateDim, tam_options.z_dim, tam_options.hidden_dim, tam_options.knots,
           tam_options.halt_bias) {
  ValidateTamOptions(options);
  // initialisation from a generator of the run seed only, network by network
  at::Generator generator = at::detail::createCPUGenerator(rl::DeriveSeed(seed, "tam/init"));
  ResetLinearParameters(*actor, generator);
  ResetLinearParameters(*policy, generator);
  tube->ResetParameters(generator);
  // one Adam over all three networks; the policy's parameters are in it but get no gradient
  for (const auto& module :
       std::vector<torch::nn::Module*>{actor.get(), policy.get(), tube.get()}) {
    for (const auto& parameter : module->parameters()) parameters.push_back(parameter);
  }
  optimizer =
      std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(options.lr));
  for (const auto& parameter : policy->parameters()) initial_policy.push_back(parameter.clone());
  if (options.memory.enabled) memory = std::make_unique<ZMemory>(options.memory, options.z_dim);
  history.z_dim = options.z_dim;
}

EpisodeRecord TamAgent::Impl::RunEpisode() {
  // training needs autograd whatever the caller's mode
  torch::AutoGradMode enable_grad(true);
  const int64_t episode = static_cast<int64_t>(history.rows.size());
  const int64_t z_dim = options.z_dim;
  EpisodeRecord record;
  record.step = episode;

  // the episode starts where the last one ended, in its scheduled regime
  env.BeginEpisode(episode);
  record.regime = env.regime();
  const auto s0 = env.state();
  torch::Tensor s0_t = torch::tensor({static_cast<float>(s0[0]), static_cast<float>(s0[1])})
                           .view({1, kStateDim});  // [D] -> [1, D]

  // commitment: z = mu + exp(logstd) eps, reparameterised
  auto [z_mu, z_logstd] = actor->Forward(s0_t);
  std::vector<float> eps(static_cast<size_t>(z_dim));
  for (float& value : eps) value = static_cast<float>(z_noise.Normal());
  torch::Tensor z = z_mu + z_logstd.exp() * FloatTensor(eps, {1, z_dim});  // eps as [1, z_dim]

  // tube and halting of (s0, z); the same forward pass serves sampling and training
  TubeKnots knots = tube->Forward(s0_t, z);
  const double p_stop = knots.p_stop.item<double>();
  record.horizon =
      SampleHorizon(HorizonProbabilities(p_stop, options.max_horizon, options.min_horizon),
                    horizon_draws.Uniform());
  {
    torch::NoGradGuard no_grad;
    record.e_t = TruncatedGeometricWeights(knots.p_stop.detach(), options.max_horizon)
                     .expected_t.item<double>();
  }
  const int64_t horizon = record.horizon;

  // rollout: pi(x, z) without gradient, plus exploration noise, clipped to the action bound
  std::vector<float> realised(static_cast<size_t>(horizon * kStateDim));
  std::vector<float> executed(static_cast<size_t>(horizon));
  double abs_action_sum = 0.0;
  {
    torch::NoGradGuard no_grad;
    torch::Tensor z_fixed = z.detach();
    const double bound = env.options().max_action;
    for (int64_t t = 0; t < horizon; ++t) {
      const auto& x = env.state();
      torch::Tensor x_t = torch::tensor({static_cast<float>(x[0]), static_cast<float>(x[1])})
                              .view({1, kStateDim});  // [D] -> [1, D]
      const double mean_action = policy->Forward(x_t, z_fixed).item<float>();
      const double action =
          std::clamp(mean_action + exploration.Normal(0.0, options.explore_std), -bound, bound);
      const auto& next = env.Step(action);
      realised[t * kStateDim] = static_cast<float>(next[0]);
      realised[t * kStateDim + 1] = static_cast<float>(next[1]);
      executed[t] = static_cast<float>(action);
      abs_action_sum += std::abs(action);
    }
  }
  record.avg_abs_action = abs_action_sum / static_cast<double>(horizon);

  // every loss term on the realised trajectory x_1..x_T (flat buffers as [T, D] and [T, 1])
  torch::Tensor y = FloatTensor(realised, {horizon, kStateDim});
  torch::Tensor actions = FloatTensor(executed, {horizon, 1});
  TubeTrajectory trajectory = EvaluateTube(knots.mu_knots, knots.logsig_knots, horizon,
                                           options.tube_logstd_min, options.tube_logstd_max);
  HaltingWeights halting = TruncatedGeometricWeights(knots.p_stop, horizon);
  LossTerms terms = ComputeLossTerms(trajectory, halting, y, actions, z_mu, z_logstd, options,
                                     duals.lambda_bind, duals.lambda_t);
  torch::Tensor loss = terms.total;

  // the memory regulariser on the sampled z, before backward
  torch::Tensor mem_risk;
  if (memory != nullptr) {
    record.mem_n = memory->size();
    mem_risk = memory->KernelRisk(z);
    loss = loss + options.memory.w_mem * mem_risk;
  }
  const double loss_value = loss.item<double>();
  if (!std::isfinite(loss_value)) {
    std::ostringstream message;
    message << "tam: non-finite loss " << loss_value << " at episode " << episode << " (exp_nll "
            << terms.exp_nll.item<double>() << ", kl " << terms.kl.item<double>() << ", cone_vol "
            << terms.cone_vol_w.item<double>() << ", lambda_bind " << duals.lambda_bind
            << ", lambda_T " << duals.lambda_t << ")";
    throw std::runtime_error(message.str());
  }

  // one optimiser step: fresh gradients, backward, global-norm clip, Adam
  for (auto& parameter : parameters) parameter.mutable_grad() = torch::Tensor();
  loss.backward();
  torch::nn::utils::clip_grad_norm_(parameters, options.grad_clip);
  optimizer->step();

  // the episode's numbers
  record.soft_bind = terms.soft_bind.item<double>();
  record.e_t_train = halting.expected_t.item<double>();
  record.exp_nll = terms.exp_nll.item<double>();
  record.cone_volume = terms.cone_vol_w.item<double>();
  record.cone_vol = record.cone_volume;
  record.kl = terms.kl.item<double>();
  record.z_norm = z.detach().norm().item<double>();
  record.bind_success = HardInsideFraction(trajectory.mu.detach(), trajectory.logvar.detach(), y,
                                           options.k_sigma) >= options.bind_success_frac
                            ? 1.0
                            : 0.0;
  if (memory != nullptr) {
    record.mem_risk = mem_risk.item<double>();
    record.mem_loss = options.memory.w_mem * record.mem_risk;
  }

  // dual updates after the step
  UpdateDuals(options, record.soft_bind, record.e_t_train, duals);
  record.lambda_bind = duals.lambda_bind;
  record.lambda_t = duals.lambda_t;

  // the episode's z and outcome join the memory and the history
  torch::Tensor z_values = z.detach().reshape({z_dim}).contiguous();  // [1, z_dim] -> [z_dim]
  std::span<const float> z_span(z_values.data_ptr<float>(), static_cast<size_t>(z_dim));
  if (memory != nullptr) {
    memory->Append(z_span, ZOutcome{record.soft_bind, record.cone_vol, record.e_t_train,
                                    duals.lambda_bind, duals.lambda_t, episode});
  }
  history.z_samples.insert(history.z_samples.end(), z_span.begin(), z_span.end());
  history.rows.push_back(record);
  return record;
}

std::string TamAgent::Impl::Save() const {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
  archive.write("seed", c10::IValue(std::bit_cast<int64_t>(seed)));
  archive.write("shape", c10::IValue(ShapeSignature(options)));
  // networks and optimiser
  torch::serialize::OutputArchive actor_archive, policy_archive, tube_archive, optimizer_archive;
  actor->save(actor_archive);
  policy->save(policy_archive);
  tube->save(tube_archive);
  optimizer->save(optimizer_archive);
  archive.write("actor", actor_archive);
  archive.write("policy", policy_archive);
  archive.write("tube", tube_archive);
  archive.write("optimizer", optimizer_archive);
  torch::serialize::OutputArchive initial_archive;
  for (size_t index = 0; index < initial_policy.size(); ++index) {
    initial_archive.write(std::to_string(index), initial_policy[index]);
  }
  archive.write("policy_init", initial_archive);
  // multipliers, env and random streams
  archive.write("lambda_bind", c10::IValue(duals.lambda_bind));
  archive.write("lambda_t", c10::IValue(duals.lambda_t));
  archive.write("lambda_t/integral", c10::IValue(duals.integral));
  archive.write("lambda_t/error_ema", c10::IValue(duals.error_ema));
  archive.write("env", c10::IValue(env.SaveState()));
  archive.write("stream/exploration", c10::IValue(exploration.SaveState()));
  archive.write("stream/z", c10::IValue(z_noise.SaveState()));
  archive.write("stream/horizon", c10::IValue(horizon_draws.SaveState()));
  // history: one row of kHistoryKeyCount doubles per episode, and the sampled z's
  const auto rows = static_cast<int64_t>(history.rows.size());
  std::vector<double> row_values;
  row_values.reserve(static_cast<size_t>(rows) * kHistoryKeyCount);
  for (const auto& row : history.rows) {
    for (double value : HistoryValues(row)) row_values.push_back(value);
  }
  archive.write("history/rows",
                DoubleTensor(row_values, {rows, static_cast<int64_t>(kHistoryKeyCount)}));
  archive.write("history/z", FloatTensor(history.z_samples, {rows, options.z_dim}));
  // z-memory: the filled slots in ring order and the write position
  if (memory != nullptr) {
    std::vector<float> slot_z(memory->SlotZ().begin(), memory->SlotZ().end());
    std::vector<double> outcomes;
    for (const auto& outcome : memory->SlotOutcomes()) {
      outcomes.insert(outcomes.end(),
                      {outcome.soft_bind, outcome.cone_vol, outcome.e_t, outcome.lambda_bind,
                       outcome.lambda_t, static_cast<double>(outcome.episode)});
    }
    archive.write("memory/z", FloatTensor(slot_z, {memory->size(), options.z_dim}));
    archive.write("memory/outcomes", DoubleTensor(outcomes, {memory->size(), kOutcomeFields}));
    archive.write("memory/head", c10::IValue(memory->head()));
    archive.write("memory/count", c10::IValue(memory->size()));
  }
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void TamAgent::Impl::Load(std::string_view bytes) {
  torch::serialize::InputArchive archive;
  try {
    std::istringstream in{std::string(bytes)};
    archive.load_from(in);
  } catch (const c10::Error& error) {
    throw std::runtime_error("tam checkpoint: not a LibTorch archive: " +
                             std::string(error.what_without_backtrace()));
  }
  if (ReadValue(archive, "format").toStringRef() != kCheckpointFormat) {
    throw std::runtime_error("tam checkpoint: unknown format");
  }
  if (std::bit_cast<uint64_t>(ReadValue(archive, "seed").toInt()) != seed) {
    throw std::runtime_error("tam checkpoint: written with another seed");
  }
  const std::string shape = ReadValue(archive, "shape").toStringRef();
  if (shape != ShapeSignature(options)) {
    throw std::runtime_error("tam checkpoint: written for " + shape + ", this run has " +
                             ShapeSignature(options));
  }
  try {
    // networks and optimiser
    torch::serialize::InputArchive actor_archive, policy_archive, tube_archive, optimizer_archive,
        initial_archive;
    archive.read("actor", actor_archive);
    archive.read("policy", policy_archive);
    archive.read("tube", tube_archive);
    archive.read("optimizer", optimizer_archive);
    archive.read("policy_init", initial_archive);
    actor->load(actor_archive);
    policy->load(policy_archive);
    tube->load(tube_archive);
    optimizer->load(optimizer_archive);
    for (size_t index = 0; index < initial_policy.size(); ++index) {
      initial_policy[index] = ReadTensor(initial_archive, std::to_string(index));
    }
  } catch (const c10::Error& error) {
    throw std::runtime_error("tam checkpoint: cannot restore the networks: " +
                             std::string(error.what_without_backtrace()));
  }
  // multipliers, env and random streams
  duals.lambda_bind = ReadValue(archive, "lambda_bind").toDouble();
  duals.lambda_t = ReadValue(archive, "lambda_t").toDouble();
  // checkpoints from before compute_dual=pi hold no controller memory: there it equals lambda_T
  c10::IValue value;
  duals.integral = archive.try_read("lambda_t/integral", value) ? value.toDouble() : duals.lambda_t;
  duals.error_ema = archive.try_read("lambda_t/error_ema", value) ? value.toDouble() : 0.0;
  env.LoadState(ReadValue(archive, "env").toStringRef());
  exploration.LoadState(ReadValue(archive, "stream/exploration").toStringRef());
  z_noise.LoadState(ReadValue(archive, "stream/z").toStringRef());
  horizon_draws.LoadState(ReadValue(archive, "stream/horizon").toStringRef());
  // history
  torch::Tensor rows = ReadTensor(archive, "history/rows");
  torch::Tensor z_samples = ReadTensor(archive, "history/z");
  const int64_t count = rows.size(0);
  if (rows.dim() != 2 || rows.size(1) != static_cast<int64_t>(kHistoryKeyCount) ||
      z_samples.size(0) != count || z_samples.size(1) != options.z_dim) {
    throw std::runtime_error("tam checkpoint: malformed history");
  }
  history = TamHistory{};
  history.z_dim = options.z_dim;
  const double* row_data = rows.data_ptr<double>();
  for (int64_t row = 0; row < count; ++row) {
    history.rows.push_back(HistoryRecordFromValues(
        std::span<const double>(row_data + row * kHistoryKeyCount, kHistoryKeyCount)));
  }
  history.z_samples.assign(z_samples.data_ptr<float>(),
                           z_samples.data_ptr<float>() + z_samples.numel());
  // z-memory
  if (memory != nullptr) {
    torch::Tensor slot_z = ReadTensor(archive, "memory/z");
    torch::Tensor outcome_values = ReadTensor(archive, "memory/outcomes");
    const int64_t records = ReadValue(archive, "memory/count").toInt();
    if (outcome_values.numel() != records * kOutcomeFields) {
      throw std::runtime_error("tam checkpoint: malformed z-memory");
    }
    std::vector<ZOutcome> outcomes;
    const double* values = outcome_values.data_ptr<double>();
    for (int64_t record = 0; record < records; ++record) {
      const double* v = values + record * kOutcomeFields;
      outcomes.push_back({v[0], v[1], v[2], v[3], v[4], static_cast<int64_t>(v[5])});
    }
    memory->Restore(std::span<const float>(slot_z.data_ptr<float>(), slot_z.numel()), outcomes,
                    ReadValue(archive, "memory/head").toInt(), records);
  }
}

TamAgent::TamAgent(const TamOptions& options, const envs::ControlledPendulumOptions& env_options,
                   uint64_t seed)
    : impl_(std::make_unique<Impl>(options, env_options, seed)) {}

TamAgent::~TamAgent() = default;

const EpisodeRecord& TamAgent::RunEpisode() {
  try {
    impl_->RunEpisode();
  } catch (const c10::Error& error) {
    throw std::runtime_error("tam: episode " + std::to_string(episodes_done()) +
                             " failed in LibTorch: " + error.what_without_backtrace());
  }
  return impl_->history.rows.back();
}

int64_t TamAgent::episodes_done() const { return static_cast<int64_t>(impl_->history.rows.size()); }

const TamHistory& TamAgent::history() const { return impl_->history; }

const ZMemory* TamAgent::memory() const { return impl_->memory.get(); }

const envs::ControlledPendulumEnv& TamAgent::env() const { return impl_->env; }

double TamAgent::lambda_bind() const { return impl_->duals.lambda_bind; }

double TamAgent::lambda_t() const { return impl_->duals.lambda_t; }

int64_t TamAgent::ParameterCount() const {
  int64_t count = 0;
  for (const auto& parameter : impl_->parameters) count += parameter.numel();
  return count;
}

std::vector<float> TamAgent::PolicyParameters() const {
  std::vector<float> values;
  for (const auto& parameter : impl_->policy->parameters()) {
    torch::Tensor flat = parameter.detach().reshape({-1}).contiguous();  // any shape -> [n]
    values.insert(values.end(), flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  }
  return values;
}

double TamAgent::PolicyDrift() const {
  double drift = 0.0;
  const auto current = impl_->policy->parameters();
  for (size_t index = 0; index < current.size(); ++index) {
    drift = std::max(
        drift, (current[index].detach() - impl_->initial_policy[index]).abs().max().item<double>());
  }
  return drift;
}

std::string TamAgent::SaveCheckpoint() const { return impl_->Save(); }

void TamAgent::LoadCheckpoint(std::string_view bytes) { impl_->Load(bytes); }

}  // namespace orch::tam
