// src/algos/tdmpc2/world_model.cpp
#include "algos/tdmpc2/world_model.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "rl/fast_mish.h"
#include "rl/layers.h"

namespace orch::tdmpc2 {

// the shared RL building blocks TD-MPC2 uses (src/rl/)
using rl::CountValues;
using rl::FastMish;

namespace {

constexpr double kInitStd = 0.02;
constexpr double kLayerNormEps = 1e-5;

}  // namespace

// --- QEnsemble

QEnsembleImpl::QEnsembleImpl(int64_t members, int64_t in, int64_t hidden, int64_t bins,
                             double dropout)
    : members_(members), hidden_(hidden), dropout_(dropout) {
  const std::vector<std::pair<int64_t, int64_t>> shapes = {
      {in, hidden}, {hidden, hidden}, {hidden, bins}};
  for (size_t index = 0; index < shapes.size(); ++index) {
    const auto [fan_in, fan_out] = shapes[index];
    const std::string suffix = std::to_string(index);
    Layer online;
    Layer target;
    online.weight = register_parameter("weight" + suffix, torch::zeros({members, fan_out, fan_in}));
    online.bias = register_parameter("bias" + suffix, torch::zeros({members, fan_out}));
    target.weight =
        register_buffer("target_weight" + suffix, torch::zeros({members, fan_out, fan_in}));
    target.bias = register_buffer("target_bias" + suffix, torch::zeros({members, fan_out}));
    if (index + 1 < shapes.size()) {
      online.norm_weight =
          register_parameter("norm_weight" + suffix, torch::ones({members, fan_out}));
      online.norm_bias = register_parameter("norm_bias" + suffix, torch::zeros({members, fan_out}));
      target.norm_weight =
          register_buffer("target_norm_weight" + suffix, torch::ones({members, fan_out}));
      target.norm_bias =
          register_buffer("target_norm_bias" + suffix, torch::zeros({members, fan_out}));
    }
    online_.push_back(online);
    target_.push_back(target);
  }
}

std::vector<QEnsembleImpl::Layer> QEnsembleImpl::Select(QView view,
                                                        const std::vector<int64_t>& members) const {
  const std::vector<Layer>& source = view == QView::kTarget ? target_ : online_;
  const bool all = members.empty() || static_cast<int64_t>(members.size()) == members_;
  bool in_order = all;
  for (size_t index = 0; in_order && index < members.size(); ++index) {
    in_order = members[index] == static_cast<int64_t>(index);
  }
  at::Tensor index_tensor;
  if (!in_order) index_tensor = torch::tensor(members, torch::kLong).to(source[0].weight.device());
  auto pick = [&](const at::Tensor& tensor) {
    if (!tensor.defined()) return tensor;
    at::Tensor viewed = view == QView::kDetached ? tensor.detach() : tensor;
    return in_order ? viewed : viewed.index_select(0, index_tensor);
  };
  std::vector<Layer> layers;
  for (const Layer& layer : source) {
    layers.push_back(
        {pick(layer.weight), pick(layer.bias), pick(layer.norm_weight), pick(layer.norm_bias)});
  }
  return layers;
}

at::Tensor QEnsembleImpl::forward(const at::Tensor& x, const std::vector<int64_t>& members,
                                  QView view, at::Generator* dropout_generator) {
  std::vector<Layer> layers = Select(view, members);
  const int64_t k = layers[0].weight.size(0);
  const int64_t in = x.size(-1);
  std::vector<int64_t> out_shape = {k};
  for (int64_t dim = 0; dim + 1 < x.dim(); ++dim) out_shape.push_back(x.size(dim));
  at::Tensor flat = x.reshape({-1, in});
  const int64_t rows = flat.size(0);

  // layer 0: the input is shared by the members, so one GEMM against all their weights
  // [N, in] x [in, k * M] → [N, k, M] → [k, N, M]
  at::Tensor h = torch::addmm(layers[0].bias.reshape({k * hidden_}), flat,
                              layers[0].weight.reshape({k * hidden_, in}).t())
                     .view({rows, k, hidden_})
                     .transpose(0, 1);
  if (dropout_generator != nullptr && view != QView::kTarget && dropout_ > 0.0) {
    // independent masks per member (decision D3), drawn from the run's dropout stream
    at::Tensor keep = torch::empty({k, rows, hidden_}, h.options().requires_grad(false))
                          .bernoulli_(1.0 - dropout_, *dropout_generator);
    h = h * keep.div_(1.0 - dropout_);
  }
  for (size_t index = 0; index < layers.size(); ++index) {
    const Layer& layer = layers[index];
    if (index > 0) h = torch::baddbmm(layer.bias.unsqueeze(1), h, layer.weight.transpose(1, 2));
    if (layer.norm_weight.defined()) {
      h = torch::layer_norm(h, {hidden_}, {}, {}, kLayerNormEps);
      h = FastMish(torch::addcmul(layer.norm_bias.unsqueeze(1), h, layer.norm_weight.unsqueeze(1)));
    }
  }
  out_shape.push_back(h.size(-1));
  return h.view(out_shape);
}

void QEnsembleImpl::Initialise(at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (size_t index = 0; index < online_.size(); ++index) {
    Layer& layer = online_[index];
    layer.weight.normal_(0.0, kInitStd, generator);
    // the output layer starts at zero: uniform logits, value 0 (tdmpc2.md §3)
    if (index + 1 == online_.size()) layer.weight.zero_();
    layer.bias.zero_();
    if (layer.norm_weight.defined()) {
      layer.norm_weight.fill_(1.0);
      layer.norm_bias.zero_();
    }
  }
  UpdateTarget(1.0);
}

void QEnsembleImpl::UpdateTarget(double tau) {
  torch::NoGradGuard no_grad;
  for (size_t index = 0; index < online_.size(); ++index) {
    target_[index].weight.lerp_(online_[index].weight, tau);
    target_[index].bias.lerp_(online_[index].bias, tau);
    if (online_[index].norm_weight.defined()) {
      target_[index].norm_weight.lerp_(online_[index].norm_weight, tau);
      target_[index].norm_bias.lerp_(online_[index].norm_bias, tau);
    }
  }
}

int64_t QEnsembleImpl::ParameterCount() const { return CountValues(parameters()); }

// --- AuxValueHeads

AuxValueHeadsImpl::AuxValueHeadsImpl(int64_t latent_dim, int64_t heads, int64_t bins,
                                     std::string kind)
    : heads_(heads), bins_(bins), kind_(std::move(kind)) {
  if (kind_ == "joint") {
    linears_.push_back(register_module("joint", torch::nn::Linear(latent_dim, heads * bins)));
  } else if (kind_ == "separate") {
    for (int64_t head = 0; head < heads; ++head) {
      linears_.push_back(
          register_module("head" + std::to_string(head), torch::nn::Linear(latent_dim, bins)));
    }
  } else {
    throw std::invalid_argument("multi_gamma.head must be joint or separate, got " + kind_);
  }
  torch::NoGradGuard no_grad;
  for (auto& linear : linears_) {
    linear->weight.zero_();
    linear->bias.zero_();
  }
}

at::Tensor AuxValueHeadsImpl::forward(const at::Tensor& z) {
  if (kind_ == "separate") {
    std::vector<at::Tensor> outputs;
    for (auto& linear : linears_) outputs.push_back(linear->forward(z));
    return torch::stack(outputs, 0);
  }
  // joint: [..., K * bins] read as [..., K, bins] (head i owns logits i*bins .. (i+1)*bins - 1),
  // then the head axis moved to the front: [K, ..., bins]
  std::vector<int64_t> split(z.sizes().begin(), z.sizes().end() - 1);
  split.push_back(heads_);
  split.push_back(bins_);
  return linears_[0]->forward(z).view(split).movedim(-2, 0);
}

int64_t AuxValueHeadsImpl::ParameterCount() const { return CountValues(parameters()); }

// --- WorldModel

WorldModelImpl::WorldModelImpl(const WorldModelSpec& spec) : spec_(spec) {
  const int64_t latent = spec.latent_dim;
  const int64_t mlp = spec.mlp_dim;
  std::vector<int64_t> encoder_hidden(std::max<int64_t>(spec.num_enc_layers - 1, 1), spec.enc_dim);
  encoder_ = register_module("encoder", Mlp(spec.obs_dim, encoder_hidden, latent,
                                            /*simnorm_output=*/true, spec.simnorm_dim));
  dynamics_ = register_module("dynamics",
                              Mlp(latent + spec.action_dim, std::vector<int64_t>{mlp, mlp}, latent,
                                  /*simnorm_output=*/true, spec.simnorm_dim));
  reward_ = register_module(
      "reward", Mlp(latent + spec.action_dim, std::vector<int64_t>{mlp, mlp}, spec.num_bins,
                    /*simnorm_output=*/false, spec.simnorm_dim));
  policy_ =
      register_module("policy", Mlp(latent, std::vector<int64_t>{mlp, mlp}, 2 * spec.action_dim,
                                    /*simnorm_output=*/false, spec.simnorm_dim));
  q_ = register_module(
      "q", QEnsemble(spec.num_q, latent + spec.action_dim, mlp, spec.num_bins, spec.q_dropout));
  // the auxiliary heads exist only when there are auxiliary discounts (§17.3)
  if (spec.aux_heads > 0) {
    aux_ = register_module(
        "aux", AuxValueHeads(latent, spec.aux_heads, spec.num_bins, spec.aux_head_kind));
  }
}

void WorldModelImpl::Initialise(at::Generator& generator) {
  encoder_->Initialise(generator);
  dynamics_->Initialise(generator);
  reward_->Initialise(generator);
  reward_->ZeroOutputWeight();
  policy_->Initialise(generator);
  q_->Initialise(generator);
}

at::Tensor WorldModelImpl::Encode(const at::Tensor& obs) { return encoder_->forward(obs); }

at::Tensor WorldModelImpl::Next(const at::Tensor& z, const at::Tensor& a) {
  return dynamics_->forward(torch::cat({z, a}, -1));
}

at::Tensor WorldModelImpl::RewardLogits(const at::Tensor& z, const at::Tensor& a) {
  return reward_->forward(torch::cat({z, a}, -1));
}

PolicySample WorldModelImpl::Pi(const at::Tensor& z, at::Generator& generator) {
  const int64_t actions = spec_.action_dim;
  std::vector<at::Tensor> parts = policy_->forward(z).chunk(2, -1);
  at::Tensor mean = parts[0];
  at::Tensor log_std = spec_.log_std_min + 0.5 * (spec_.log_std_max - spec_.log_std_min) *
                                               (torch::tanh(parts[1]) + 1.0);
  at::Tensor eps = torch::empty_like(mean).normal_(0.0, 1.0, generator);
  // Gaussian log-density of the pre-squash sample; 0.9189385 = log(2 pi) / 2
  at::Tensor gaussian_log_prob =
      (-0.5 * eps.square() - log_std - 0.9189385175704956).sum(-1, /*keepdim=*/true);
  at::Tensor action = torch::tanh(mean + eps * log_std.exp());
  at::Tensor squash_correction =
      torch::log(torch::relu(1.0 - action.square()) + 1e-6).sum(-1, /*keepdim=*/true);
  at::Tensor log_prob = gaussian_log_prob - squash_correction;
  PolicySample sample;
  sample.action = action;
  sample.mean = torch::tanh(mean);
  if (spec_.entropy_variant == "v2023") {
    // first commit: entropy_coef · log π with log π = A · gaussian − Σ log(1 − tanh² + 1e-6)
    sample.entropy_bonus = -(actions * gaussian_log_prob - squash_correction);
  } else {
    // HEAD: scaled_entropy = −log_prob · (A · gaussian / (log_prob + 1e-8))
    at::Tensor scale = (actions * gaussian_log_prob) / (log_prob + 1e-8);
    sample.entropy_bonus = -log_prob * scale;
  }
  return sample;
}

at::Tensor WorldModelImpl::QLogits(const at::Tensor& z, const at::Tensor& a,
                                   const std::vector<int64_t>& members, QView view,
                                   at::Generator* dropout_generator) {
  return q_->forward(torch::cat({z, a}, -1), members, view, dropout_generator);
}

at::Tensor WorldModelImpl::AuxLogits(const at::Tensor& z) { return aux_->forward(z); }

std::vector<at::Tensor> WorldModelImpl::EncoderParameters() const { return encoder_->parameters(); }

std::vector<at::Tensor> WorldModelImpl::ModelParameters() const {
  std::vector<at::Tensor> params;
  for (const auto* module :
       std::initializer_list<const torch::nn::Module*>{dynamics_.get(), reward_.get(), q_.get()}) {
    for (const auto& param : module->parameters()) params.push_back(param);
  }
  if (HasAuxHeads()) {
    for (const auto& param : aux_->parameters()) params.push_back(param);
  }
  return params;
}

std::vector<at::Tensor> WorldModelImpl::PolicyParameters() const { return policy_->parameters(); }

ComponentCounts WorldModelImpl::Counts() const {
  ComponentCounts counts;
  counts.encoder = encoder_->ParameterCount();
  counts.dynamics = dynamics_->ParameterCount();
  counts.reward = reward_->ParameterCount();
  counts.policy = policy_->ParameterCount();
  counts.q_ensemble = q_->ParameterCount();
  counts.aux_heads = HasAuxHeads() ? aux_->ParameterCount() : 0;
  return counts;
}

}  // namespace orch::tdmpc2
