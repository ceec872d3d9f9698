// src/algos/tdmpc2/tdmpc2_agent.cpp
#include "algos/tdmpc2/tdmpc2_agent.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "algos/tdmpc2/running_scale.h"
#include "common/json.h"
#include "rl/discrete_regression.h"
#include "rl/seeding.h"
#include "rl/torch_compat.h"

namespace orch::tdmpc2 {

// the shared RL building blocks TD-MPC2 uses (src/rl/)
using rl::DiscreteRegression;
namespace {

// the random streams of the run (§16 D12), by name
constexpr const char* kUpdateStream = "tdmpc2/update";
constexpr const char* kDropoutStream = "tdmpc2/dropout";
constexpr const char* kPlanStream = "tdmpc2/plan";

at::Generator MakeGenerator(const torch::Device& device, uint64_t run_seed,
                            std::string_view stream) {
  return rl::MakeGenerator(device, rl::DeriveSeed(run_seed, stream));
}

/// Powers rho^0 .. rho^(n-1).
at::Tensor RhoWeights(double rho, int64_t n, const torch::TensorOptions& f32) {
  return torch::pow(torch::full({n}, rho, f32), torch::arange(n, f32));
}

/// Moves an optimiser's per-parameter state (Adam's moments) onto `device`: a loaded
/// checkpoint's state arrives on the CPU.
void MoveAdamState(torch::optim::Adam& optimizer, const torch::Device& device) {
  for (auto& [key, state] : optimizer.state()) {
    auto& adam = static_cast<torch::optim::AdamParamState&>(*state);
    adam.exp_avg(adam.exp_avg().to(device));
    adam.exp_avg_sq(adam.exp_avg_sq().to(device));
    if (adam.max_exp_avg_sq().defined()) adam.max_exp_avg_sq(adam.max_exp_avg_sq().to(device));
  }
}

}  // namespace

WorldModelSpec MakeWorldModelSpec(const TdMpc2Options& options,
                                  const MultiGammaOptions& multi_gamma, int64_t obs_dim,
                                  int64_t action_dim) {
  std::optional<ModelSizes> sizes = ResolveModelSizes(options);
  if (!sizes) {
    throw std::invalid_argument(fmt::format(
        "tdmpc2.model_size {} is not a preset (1, 5, 19, 48, 317)", options.model_size));
  }
  WorldModelSpec spec;
  spec.obs_dim = obs_dim;
  spec.action_dim = action_dim;
  spec.enc_dim = sizes->enc_dim;
  spec.mlp_dim = sizes->mlp_dim;
  spec.latent_dim = sizes->latent_dim;
  spec.num_enc_layers = sizes->num_enc_layers;
  spec.num_q = sizes->num_q;
  spec.simnorm_dim = options.simnorm_dim;
  spec.q_dropout = options.dropout;
  spec.num_bins = options.num_bins;
  spec.log_std_min = options.log_std_min;
  spec.log_std_max = options.log_std_max;
  spec.entropy_variant = options.entropy_variant;
  spec.aux_heads =
      AuxiliaryHeadsActive(multi_gamma) ? static_cast<int64_t>(multi_gamma.gammas.size()) - 1 : 0;
  spec.aux_head_kind = multi_gamma.head;
  return spec;
}

struct TdMpc2Agent::State {
  State(const AgentSpec& agent_spec, uint64_t seed)
      : spec(agent_spec),
        device(agent_spec.device),
        f32(torch::TensorOptions().dtype(torch::kFloat32).device(device)),
        run_seed(seed),
        model(agent_spec.model),
        regression(agent_spec.options.num_bins, agent_spec.options.vmin, agent_spec.options.vmax),
        scale(agent_spec.options.tau),
        init_generator(MakeGenerator(torch::kCPU, seed, "tdmpc2/init")),
        update_generator(MakeGenerator(device, seed, kUpdateStream)),
        dropout_generator(MakeGenerator(device, seed, kDropoutStream)),
        plan_generator(MakeGenerator(device, seed, kPlanStream)) {
    const TdMpc2Options& options = spec.options;
    if (spec.model.obs_dim <= 0 || spec.model.action_dim <= 0) {
      throw std::invalid_argument("tdmpc2: obs_dim and action_dim must be positive");
    }
    if (options.num_pi_trajs > options.num_samples || options.num_elites > options.num_samples) {
      throw std::invalid_argument(
          "tdmpc2: num_pi_trajs and num_elites must not exceed num_samples");
    }
    // initialised on the CPU, the same weights on every device, then moved (the optimisers
    // below must see the moved parameters)
    model->Initialise(init_generator);
    model->to(device);
    regression.To(device);
    scale.mutable_value() = scale.value().to(device);
    // the encoder learns at lr · enc_lr_scale; dynamics, reward, Q and the auxiliary heads at
    // lr (the auxiliary heads join the main group: a recorded choice, §17.5)
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(model->EncoderParameters(), std::make_unique<torch::optim::AdamOptions>(
                                                        options.lr * options.enc_lr_scale));
    groups.emplace_back(model->ModelParameters(),
                        std::make_unique<torch::optim::AdamOptions>(options.lr));
    model_optimizer = std::make_unique<torch::optim::Adam>(std::move(groups),
                                                           torch::optim::AdamOptions(options.lr));
    policy_optimizer = std::make_unique<torch::optim::Adam>(
        model->PolicyParameters(), torch::optim::AdamOptions(options.lr).eps(1e-5));
    world_parameters = model->EncoderParameters();
    for (const auto& param : model->ModelParameters()) world_parameters.push_back(param);
    for (size_t index = 1; index < spec.multi_gamma.gammas.size() && spec.model.aux_heads > 0;
         ++index) {
      aux_gammas.push_back(spec.multi_gamma.gammas[index]);
    }
    if (!aux_gammas.empty()) {
      aux_gamma_column = torch::tensor(aux_gammas, torch::kFloat32).view({-1, 1, 1, 1}).to(device);
    }
    prev_mean = torch::zeros({options.horizon, spec.model.action_dim}, f32);
    model->eval();
  }

  /// The batch on the device (the same tensors when they are there already).
  TrainingBatch OnDevice(const TrainingBatch& batch) const {
    return {batch.obs.to(device), batch.action.to(device), batch.reward.to(device)};
  }

  /// The random pair of Q members of one call (decision D2), in ascending order (min and mean
  /// do not depend on the order).
  std::vector<int64_t> DrawPair(at::Generator& generator) const {
    const int64_t members = spec.model.num_q;
    at::Tensor permutation = torch::randperm(
        members, generator, torch::TensorOptions().dtype(torch::kLong).device(device));
    std::vector<int64_t> pair = {permutation[0].item<int64_t>(),
                                 permutation[std::min<int64_t>(1, members - 1)].item<int64_t>()};
    std::sort(pair.begin(), pair.end());
    return pair;
  }

  /// Mean of the decoded values of two random online members: V [..., 1].
  at::Tensor QAverage(const at::Tensor& z, const at::Tensor& a, QView view, at::Generator& draw,
                      at::Generator* dropout) {
    at::Tensor logits = model->QLogits(z, a, DrawPair(draw), view, dropout);
    return regression.Decode(logits).mean(0);
  }

  /// The value of each sampled action sequence (tdmpc2.md §7): discounted decoded rewards of
  /// the latent rollout plus the discounted Q of the policy's action at the horizon.
  at::Tensor EstimateValue(const at::Tensor& z0, const at::Tensor& actions) {
    const int64_t horizon = actions.size(0);
    // every sample starts from the same latent z0 [1, L]
    at::Tensor value = regression.Decode(model->reward()->ForwardSharedLatent(z0, actions[0]));
    at::Tensor z = model->dynamics()->ForwardSharedLatent(z0, actions[0]);
    double discount = spec.discount;
    for (int64_t t = 1; t < horizon; ++t) {
      value = value + discount * regression.Decode(model->RewardLogits(z, actions[t]));
      z = model->Next(z, actions[t]);
      discount *= spec.discount;
    }
    PolicySample terminal = model->Pi(z, plan_generator);
    return value + discount * QAverage(z, terminal.action, QView::kOnline, plan_generator, nullptr);
  }

  AgentSpec spec;
  torch::Device device;
  torch::TensorOptions f32;  ///< float32 on the device
  uint64_t run_seed;
  WorldModel model;
  DiscreteRegression regression;
  RunningScale scale;
  at::Generator init_generator;
  at::Generator update_generator;
  at::Generator dropout_generator;
  at::Generator plan_generator;
  std::unique_ptr<torch::optim::Adam> model_optimizer;
  std::unique_ptr<torch::optim::Adam> policy_optimizer;
  std::vector<at::Tensor> world_parameters;  ///< encoder + model: what the world-model clip covers
  std::vector<double> aux_gammas;            ///< gammas[1:] when the auxiliary heads exist
  at::Tensor aux_gamma_column;               ///< aux_gammas as [K, 1, 1, 1] on the device
  at::Tensor prev_mean;                      ///< [H, A] MPPI mean of the previous decision
};

TdMpc2Agent::TdMpc2Agent(const AgentSpec& spec, uint64_t run_seed)
    : state_(std::make_unique<State>(spec, run_seed)) {}

TdMpc2Agent::~TdMpc2Agent() = default;

WorldModel& TdMpc2Agent::model() { return state_->model; }
const AgentSpec& TdMpc2Agent::spec() const { return state_->spec; }
ComponentCounts TdMpc2Agent::Counts() const { return state_->model->Counts(); }

WorldModelLoss TdMpc2Agent::ComputeWorldModelLoss(const TrainingBatch& given) {
  State& s = *state_;
  const TrainingBatch batch = s.OnDevice(given);
  const TdMpc2Options& options = s.spec.options;
  WorldModel& model = s.model;
  const int64_t horizon = batch.action.size(0);
  const int64_t members = s.spec.model.num_q;
  WorldModelLoss loss;

  // 1. TD targets, without gradient: the online encoder on the next observations, a' ~ π, and
  // the min of two random target members (§6.1); the auxiliary targets share that bootstrap
  at::Tensor next_z;
  {
    torch::NoGradGuard no_grad;
    next_z = model->Encode(batch.obs.slice(0, 1));
    PolicySample next = model->Pi(next_z, s.update_generator);
    at::Tensor bootstrap =
        std::get<0>(s.regression
                        .Decode(model->QLogits(next_z, next.action, s.DrawPair(s.update_generator),
                                               QView::kTarget, nullptr))
                        .min(0));
    loss.td_target = batch.reward + s.spec.discount * bootstrap;
    if (!s.aux_gammas.empty()) {
      // y_i = r + gamma_i · stopgrad(V_boot) (§17.4): [K, H, B, 1]
      loss.aux_targets = batch.reward.unsqueeze(0) + s.aux_gamma_column * bootstrap.unsqueeze(0);
    }
  }

  // 2. latent rollout with gradient (dropout on in the online Q)
  const at::Tensor rho = RhoWeights(options.rho, horizon, s.f32);
  std::vector<at::Tensor> latents = {model->Encode(batch.obs[0])};
  at::Tensor consistency = torch::zeros({}, s.f32);
  for (int64_t t = 0; t < horizon; ++t) {
    latents.push_back(model->Next(latents.back(), batch.action[t]));
    consistency = consistency + rho[t] * torch::mse_loss(latents.back(), next_z[t]);
  }
  loss.latents = torch::stack(latents, 0);  // [H+1, B, L]
  at::Tensor rollout = loss.latents.slice(0, 0, horizon);

  // 3-4. predictions on the rolled-out latents and the losses, each a rho-weighted mean over
  // the horizon of batch means
  at::Tensor q_logits =
      model->QLogits(rollout, batch.action, {}, QView::kOnline, &s.dropout_generator);
  at::Tensor reward_ce = s.regression.SoftCrossEntropy(model->RewardLogits(rollout, batch.action),
                                                       batch.reward);  // [H, B, 1]
  at::Tensor value_ce = s.regression.SoftCrossEntropy(
      q_logits, loss.td_target.unsqueeze(0).expand({members, -1, -1, -1}));  // [E, H, B, 1]
  loss.consistency = consistency / horizon;
  loss.reward = (reward_ce.mean({1, 2}) * rho).sum() / horizon;
  loss.value = (value_ce.mean({2, 3}) * rho).sum() / (horizon * members);
  loss.total = options.consistency_coef * loss.consistency + options.reward_coef * loss.reward +
               options.value_coef * loss.value;
  if (!s.aux_gammas.empty()) {
    // CE_i = (1/H) Σ_t rho^t mean_b soft_ce(head_i(z_t), y_i[t]); L_aux = w Σ_i CE_i (§17.5)
    loss.aux_logits = model->AuxLogits(rollout);  // [K, H, B, bins]
    loss.aux_ce =
        (s.regression.SoftCrossEntropy(loss.aux_logits, loss.aux_targets).mean({2, 3}) * rho)
            .sum(1) /
        horizon;
    loss.aux = s.spec.multi_gamma.loss_weight * loss.aux_ce.sum();
    loss.total = loss.total + loss.aux;
  }
  return loss;
}

PolicyLoss TdMpc2Agent::ComputePolicyLoss(const at::Tensor& latents) {
  State& s = *state_;
  const TdMpc2Options& options = s.spec.options;
  // the policy prior on detached latents (all H+1), Q parameters frozen, dropout on
  at::Tensor detached = latents.detach();
  PolicySample sample = s.model->Pi(detached, s.update_generator);
  at::Tensor q = s.QAverage(detached, sample.action, QView::kDetached, s.update_generator,
                            &s.dropout_generator);  // [H+1, B, 1]
  s.scale.Update(q[0]);
  q = q / s.scale.value();
  PolicyLoss loss;
  loss.total = (-(options.entropy_coef * sample.entropy_bonus + q).mean({1, 2}) *
                RhoWeights(options.rho, detached.size(0), s.f32))
                   .mean();
  loss.entropy_bonus = sample.entropy_bonus.detach().mean();
  return loss;
}

UpdateStats TdMpc2Agent::Update(const TrainingBatch& batch) {
  State& s = *state_;
  const TdMpc2Options& options = s.spec.options;
  WorldModel& model = s.model;
  UpdateStats stats;

  // 1-5. the world model: one backward, one clip over all its parameters, one Adam step
  model->train();
  WorldModelLoss world = ComputeWorldModelLoss(batch);
  s.model_optimizer->zero_grad();
  world.total.backward();
  stats.grad_norm = torch::nn::utils::clip_grad_norm_(s.world_parameters, options.grad_clip_norm);
  s.model_optimizer->step();

  // 6. the policy prior
  PolicyLoss policy = ComputePolicyLoss(world.latents);
  s.policy_optimizer->zero_grad();
  policy.total.backward();
  stats.pi_grad_norm =
      torch::nn::utils::clip_grad_norm_(model->PolicyParameters(), options.grad_clip_norm);
  s.policy_optimizer->step();

  // 7. Polyak averaging of the target Q
  model->q()->UpdateTarget(options.tau);
  model->eval();

  // the logged scalars, read from the device in one transfer
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> scalars = {
      world.consistency, world.reward,       world.value,          world.total,
      policy.total,      s.scale.value()[0], policy.entropy_bonus, world.td_target.mean()};
  at::Tensor predicted;
  at::Tensor error;
  if (!s.aux_gammas.empty()) {
    scalars.push_back(world.aux);
    predicted = s.regression.Decode(world.aux_logits.detach());  // [K, H, B, 1]
    error = predicted - world.aux_targets;
    for (size_t head = 0; head < s.aux_gammas.size(); ++head) {
      const auto index = static_cast<int64_t>(head);
      scalars.push_back(world.aux_ce[index]);
      scalars.push_back(predicted[index].mean());
      scalars.push_back(predicted[index].std());
      scalars.push_back(error[index].abs().mean());
      scalars.push_back(error[index].square().mean().sqrt());
    }
  }
  const at::Tensor read = torch::stack(scalars).detach().to(torch::kCPU);
  const auto values = read.accessor<float, 1>();
  int64_t next = 0;
  auto take = [&] { return static_cast<double>(values[next++]); };
  stats.consistency_loss = take();
  stats.reward_loss = take();
  stats.value_loss = take();
  stats.total_loss = take();
  stats.pi_loss = take();
  stats.pi_scale = take();
  stats.pi_entropy_bonus = take();
  stats.td_target_mean = take();
  if (!s.aux_gammas.empty()) {
    stats.aux_loss = take();
    for (size_t head = 0; head < s.aux_gammas.size(); ++head) {
      stats.aux.cross_entropy.push_back(take());
      stats.aux.pred_mean.push_back(take());
      stats.aux.pred_std.push_back(take());
      stats.aux.mae.push_back(take());
      stats.aux.rmse.push_back(take());
    }
  }
  return stats;
}

at::Tensor TdMpc2Agent::Act(const at::Tensor& obs, bool first_step, bool eval_mode) {
  State& s = *state_;
  const TdMpc2Options& options = s.spec.options;
  WorldModel& model = s.model;
  torch::NoGradGuard no_grad;
  at::Tensor z = model->Encode(obs.to(s.device).view({1, -1}));  // [1, L]
  if (!options.mpc) {
    PolicySample sample = model->Pi(z, s.plan_generator);
    return (eval_mode ? sample.mean : sample.action).view({-1});
  }
  const int64_t horizon = options.horizon;
  const int64_t samples = options.num_samples;
  const int64_t pi_trajs = options.num_pi_trajs;
  const int64_t action_dim = s.spec.model.action_dim;

  // sequences of the policy prior: drawn once per call, reused by every iteration
  at::Tensor actions = torch::empty({horizon, samples, action_dim}, s.f32);
  if (pi_trajs > 0) {
    at::Tensor zp = z.expand({pi_trajs, -1});
    for (int64_t t = 0; t < horizon; ++t) {
      at::Tensor a = model->Pi(zp, s.plan_generator).action;
      actions[t].slice(0, 0, pi_trajs).copy_(a);
      if (t + 1 < horizon) zp = model->Next(zp, a);
    }
  }
  // the sampling distribution: warm-started mean (not std) after the first step
  at::Tensor mean = torch::zeros({horizon, action_dim}, s.f32);
  at::Tensor std = torch::full({horizon, action_dim}, options.max_std, s.f32);
  if (!first_step && horizon > 1) mean.slice(0, 0, horizon - 1).copy_(s.prev_mean.slice(0, 1));

  at::Tensor elite_actions;
  at::Tensor score;
  for (int64_t iteration = 0; iteration < options.iterations; ++iteration) {
    at::Tensor noise = torch::empty({horizon, samples - pi_trajs, action_dim}, s.f32)
                           .normal_(0.0, 1.0, s.plan_generator);
    actions.slice(1, pi_trajs)
        .copy_((mean.unsqueeze(1) + std.unsqueeze(1) * noise).clamp(-1.0, 1.0));
    at::Tensor value = torch::nan_to_num(s.EstimateValue(z, actions), 0.0).view({-1});  // [N]
    at::Tensor elite_index = std::get<1>(torch::topk(value, options.num_elites, 0));
    at::Tensor elite_value = value.index_select(0, elite_index).unsqueeze(1);  // [E, 1]
    elite_actions = actions.index_select(1, elite_index);                      // [H, E, A]
    score = torch::exp(options.temperature * (elite_value - elite_value.max()));
    score = score / score.sum();
    const at::Tensor total = score.sum() + 1e-9;
    mean = (score.unsqueeze(0) * elite_actions).sum(1) / total;
    std = torch::sqrt((score.unsqueeze(0) * (elite_actions - mean.unsqueeze(1)).square()).sum(1) /
                      total)
              .clamp(options.min_std, options.max_std);
  }
  // one elite drawn with probability ∝ score (Gumbel-max), its first action
  at::Tensor gumbel =
      -torch::log(torch::empty({score.size(0)}, s.f32).exponential_(1.0, s.plan_generator));
  const int64_t pick = torch::argmax(torch::log(score.view({-1})) + gumbel).item<int64_t>();
  at::Tensor action = elite_actions[0][pick].clone();
  if (!eval_mode) {
    action =
        action + std[0] * torch::empty({action_dim}, s.f32).normal_(0.0, 1.0, s.plan_generator);
  }
  s.prev_mean.copy_(mean);
  return action.clamp(-1.0, 1.0);
}

std::string TdMpc2Agent::AuxSnapshotJson(const TrainingBatch& given, int64_t examples, bool debug) {
  State& s = *state_;
  const TrainingBatch batch = s.OnDevice(given);
  if (s.aux_gammas.empty()) throw std::logic_error("AuxSnapshotJson without auxiliary heads");
  WorldModel& model = s.model;
  torch::NoGradGuard no_grad;
  const int64_t horizon = batch.action.size(0);
  const int64_t count = std::min<int64_t>(examples, batch.obs.size(1));
  // the same targets as the update, without changing any random stream: a copy of the update
  // generator draws a' and the pair
  at::Generator draw = s.update_generator.clone();
  at::Tensor obs = batch.obs.slice(1, 0, count);
  at::Tensor action = batch.action.slice(1, 0, count);
  at::Tensor reward = batch.reward.slice(1, 0, count);
  at::Tensor next_z = model->Encode(obs.slice(0, 1));
  PolicySample next = model->Pi(next_z, draw);
  at::Tensor bootstrap =
      std::get<0>(s.regression
                      .Decode(model->QLogits(next_z, next.action, s.DrawPair(draw), QView::kTarget,
                                             nullptr))
                      .min(0));  // [H, n, 1]
  at::Tensor targets =
      reward.unsqueeze(0) + s.aux_gamma_column * bootstrap.unsqueeze(0);  // [K, H, n, 1]
  std::vector<at::Tensor> latents = {model->Encode(obs[0])};
  for (int64_t t = 0; t < horizon; ++t) latents.push_back(model->Next(latents.back(), action[t]));
  at::Tensor logits = model->AuxLogits(torch::stack(latents, 0).slice(0, 0, horizon));
  at::Tensor predicted = s.regression.Decode(logits);  // [K, H, n, 1]
  at::Tensor probabilities = torch::softmax(logits, -1);
  at::Tensor ce = s.regression.SoftCrossEntropy(logits, targets);  // [K, H, n, 1]

  JsonWriter json(1);
  json.BeginObject();
  json.Key("gammas").BeginArray();
  for (double gamma : s.aux_gammas) json.Double(gamma);
  json.EndArray();
  json.Key("debug").Bool(debug);
  json.Key("examples").BeginArray();
  for (int64_t example = 0; example < count; ++example) {
    json.BeginObject();
    json.Key("index").Int(example);
    json.Key("bootstrap").BeginArray();
    for (int64_t t = 0; t < horizon; ++t) json.Double(bootstrap[t][example][0].item<double>());
    json.EndArray();
    json.Key("heads").BeginArray();
    for (size_t head = 0; head < s.aux_gammas.size(); ++head) {
      const auto k = static_cast<int64_t>(head);
      json.BeginObject();
      json.Key("gamma").Double(s.aux_gammas[head]);
      json.Key("steps").BeginArray();
      for (int64_t t = 0; t < horizon; ++t) {
        const double target = targets[k][t][example][0].item<double>();
        const double prediction = predicted[k][t][example][0].item<double>();
        json.BeginObject();
        json.Key("t").Int(t);
        json.Key("target").Double(target);
        json.Key("predicted").Double(prediction);
        json.Key("abs_error").Double(std::abs(prediction - target));
        if (debug) {
          auto [top_p, top_i] = torch::topk(probabilities[k][t][example], 2);
          json.Key("top2_bins")
              .BeginArray()
              .Int(top_i[0].item<int64_t>())
              .Int(top_i[1].item<int64_t>())
              .EndArray();
          json.Key("top2_probs")
              .BeginArray()
              .Double(top_p[0].item<double>())
              .Double(top_p[1].item<double>())
              .EndArray();
          at::Tensor two_hot = s.regression.TwoHot(targets[k][t][example]);
          at::Tensor nonzero = torch::nonzero(two_hot).view({-1});
          json.Key("target_bins").BeginArray();
          for (int64_t i = 0; i < nonzero.size(0); ++i) json.Int(nonzero[i].item<int64_t>());
          json.EndArray();
          json.Key("cross_entropy").Double(ce[k][t][example][0].item<double>());
        }
        json.EndObject();
      }
      json.EndArray();
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  if (debug) {
    // per gamma, per step: CE averaged over the shown examples
    json.Key("cross_entropy_by_step").BeginArray();
    at::Tensor by_step = ce.mean({2, 3});  // [K, H]
    for (size_t head = 0; head < s.aux_gammas.size(); ++head) {
      json.BeginArray();
      for (int64_t t = 0; t < horizon; ++t)
        json.Double(by_step[static_cast<int64_t>(head)][t].item<double>());
      json.EndArray();
    }
    json.EndArray();
  }
  json.EndObject();
  return json.Take() + "\n";
}

void TdMpc2Agent::Save(torch::serialize::OutputArchive& archive) const {
  const State& s = *state_;
  torch::serialize::OutputArchive model_archive;
  s.model->save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive model_optimizer;
  s.model_optimizer->save(model_optimizer);
  archive.write("model_optimizer", model_optimizer);
  torch::serialize::OutputArchive policy_optimizer;
  s.policy_optimizer->save(policy_optimizer);
  archive.write("policy_optimizer", policy_optimizer);
  archive.write("scale", s.scale.value());
  archive.write("prev_mean", s.prev_mean);
  archive.write("generator/update", s.update_generator.get_state());
  archive.write("generator/dropout", s.dropout_generator.get_state());
  archive.write("generator/plan", s.plan_generator.get_state());
  // which kind of generator wrote those states (they differ between CPU and CUDA)
  archive.write("generator/device",
                c10::IValue(std::string(c10::DeviceTypeName(s.device.type(),
                                                            /*lower_case=*/true))));
}

std::string TdMpc2Agent::Load(torch::serialize::InputArchive& archive) {
  State& s = *state_;
  // the model's tensors are read into its own (set_data when the devices differ); the rest
  // arrive wherever the archive was loaded (the CPU, see tdmpc2_workload.cpp) and are moved
  torch::serialize::InputArchive model_archive;
  archive.read("model", model_archive);
  s.model->load(model_archive);
  s.model->to(s.device);
  torch::serialize::InputArchive model_optimizer;
  archive.read("model_optimizer", model_optimizer);
  s.model_optimizer->load(model_optimizer);
  MoveAdamState(*s.model_optimizer, s.device);
  torch::serialize::InputArchive policy_optimizer;
  archive.read("policy_optimizer", policy_optimizer);
  s.policy_optimizer->load(policy_optimizer);
  MoveAdamState(*s.policy_optimizer, s.device);
  // a fresh tensor per key: reading into a defined tensor would re-point it
  auto read = [&archive](const char* key) {
    at::Tensor tensor;
    archive.read(key, tensor);
    return tensor;
  };
  s.scale.mutable_value().copy_(read("scale"));
  s.prev_mean.copy_(read("prev_mean"));
  // checkpoints from before devices were CPU ones
  c10::IValue written_by;
  const std::string from =
      archive.try_read("generator/device", written_by) ? written_by.toStringRef() : "cpu";
  const std::string here = c10::DeviceTypeName(s.device.type(), /*lower_case=*/true);
  if (from == here) {
    s.update_generator.set_state(read("generator/update").to(torch::kCPU));
    s.dropout_generator.set_state(read("generator/dropout").to(torch::kCPU));
    s.plan_generator.set_state(read("generator/plan").to(torch::kCPU));
    return "";
  }
  // another kind of generator's state cannot be carried over: the streams restart from the
  // run seed, under names of their own so that they do not repeat the run's first draws
  const std::string suffix = "/after-" + from;
  s.update_generator = MakeGenerator(s.device, s.run_seed, kUpdateStream + suffix);
  s.dropout_generator = MakeGenerator(s.device, s.run_seed, kDropoutStream + suffix);
  s.plan_generator = MakeGenerator(s.device, s.run_seed, kPlanStream + suffix);
  return fmt::format(
      "the checkpoint's random streams come from a {} generator, which a {} run cannot carry "
      "over: the update, dropout and planning streams restart from the run seed (as "
      "'<stream>{}'); the model, optimiser, replay and environments continue exactly",
      from, here, suffix);
}

}  // namespace orch::tdmpc2
