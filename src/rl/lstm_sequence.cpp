// src/rl/lstm_sequence.cpp
#include "rl/lstm_sequence.h"

#include <torch/torch.h>

#include <cstring>
#include <stdexcept>

namespace orch::rl {
namespace {

/// What the forward pass leaves for the backward pass, [S, B, ...] step-major.
struct Trace {
  at::Tensor activations;  ///< [S, B, 4H]: i, f, g, o after their nonlinearities
  at::Tensor c_before;     ///< [S, B, H]: the cell state each step started from (after a reset)
  at::Tensor h_before;     ///< [S, B, H]: the hidden state each step started from
  at::Tensor tanh_c;       ///< [S, B, H]: tanh of each step's new cell state
};

/// The recurrence; with `trace`, keeps what the backward pass needs.
std::tuple<at::Tensor, at::Tensor, at::Tensor> Forward(const at::Tensor& x, const at::Tensor& h0,
                                                       const at::Tensor& c0,
                                                       const LstmWeights& weights,
                                                       const at::Tensor& keep, Trace* trace) {
  const int64_t batch = x.size(0);
  const int64_t steps = x.size(1);
  const int64_t features = x.size(2);
  const int64_t hidden = weights.weight_hh.size(1);
  const int64_t gates = 4 * hidden;
  // every step's input projection at once, with both biases
  at::Tensor projected = at::addmm(weights.bias_ih + weights.bias_hh,
                                   x.reshape({batch * steps, features}), weights.weight_ih.t())
                             .view({batch, steps, gates});
  at::Tensor h = h0.reshape({batch, hidden}).contiguous().clone();
  at::Tensor c = c0.reshape({batch, hidden}).contiguous().clone();
  at::Tensor outputs = at::empty({batch, steps, hidden}, x.options());
  if (trace != nullptr) {
    trace->activations = at::empty({steps, batch, gates}, x.options());
    trace->c_before = at::empty({steps, batch, hidden}, x.options());
    trace->h_before = at::empty({steps, batch, hidden}, x.options());
    trace->tanh_c = at::empty({steps, batch, hidden}, x.options());
  }
  const at::Tensor w_hh_t = weights.weight_hh.t();
  const float* keep_data = keep.defined() ? keep.data_ptr<float>() : nullptr;
  for (int64_t t = 0; t < steps; ++t) {
    float* hp = h.data_ptr<float>();
    float* cp = c.data_ptr<float>();
    // an episode that starts here starts from the zero state
    if (keep_data != nullptr) {
      for (int64_t b = 0; b < batch; ++b) {
        const float k = keep_data[b * steps + t];
        if (k == 1.0f) continue;
        for (int64_t j = 0; j < hidden; ++j) {
          hp[b * hidden + j] *= k;
          cp[b * hidden + j] *= k;
        }
      }
    }
    if (trace != nullptr) {
      std::memcpy(trace->h_before[t].data_ptr<float>(), hp, batch * hidden * sizeof(float));
      std::memcpy(trace->c_before[t].data_ptr<float>(), cp, batch * hidden * sizeof(float));
    }
    // gates: the step's projection plus the recurrent product, then their nonlinearities
    at::Tensor pre = at::addmm(projected.select(1, t), h, w_hh_t);
    at::Tensor act = at::sigmoid(pre);
    act.narrow(1, 2 * hidden, hidden).copy_(at::tanh(pre.narrow(1, 2 * hidden, hidden)));
    const float* a = act.data_ptr<float>();
    for (int64_t b = 0; b < batch; ++b) {
      const float* row = a + b * gates;
      for (int64_t j = 0; j < hidden; ++j) {
        const int64_t at_bj = b * hidden + j;
        cp[at_bj] = row[hidden + j] * cp[at_bj] + row[j] * row[2 * hidden + j];
      }
    }
    at::Tensor tanh_c = at::tanh(c);
    const float* tc = tanh_c.data_ptr<float>();
    float* out = outputs.data_ptr<float>();
    for (int64_t b = 0; b < batch; ++b) {
      const float* row = a + b * gates;
      for (int64_t j = 0; j < hidden; ++j) {
        const float value = row[3 * hidden + j] * tc[b * hidden + j];
        hp[b * hidden + j] = value;
        out[(b * steps + t) * hidden + j] = value;
      }
    }
    if (trace != nullptr) {
      trace->activations[t].copy_(act);
      trace->tanh_c[t].copy_(tanh_c);
    }
  }
  return {outputs, h.unsqueeze(0), c.unsqueeze(0)};
}

class LstmSequenceFunction : public torch::autograd::Function<LstmSequenceFunction> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* context,
                                                const at::Tensor& x, const at::Tensor& h0,
                                                const at::Tensor& c0, const at::Tensor& weight_ih,
                                                const at::Tensor& weight_hh,
                                                const at::Tensor& bias_ih,
                                                const at::Tensor& bias_hh, const at::Tensor& keep) {
    // an empty `keep` stands for "no starts": autograd cannot take an undefined input
    const bool has_keep = keep.numel() > 0;
    Trace trace;
    auto [outputs, h, c] = Forward(x, h0, c0, {weight_ih, weight_hh, bias_ih, bias_hh},
                                   has_keep ? keep : at::Tensor(), &trace);
    context->save_for_backward({x, weight_ih, weight_hh, keep, trace.activations, trace.c_before,
                                trace.h_before, trace.tanh_c});
    context->saved_data["has_keep"] = has_keep;
    return {outputs, h, c};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grads) {
    const auto saved = context->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& weight_ih = saved[1];
    const at::Tensor& weight_hh = saved[2];
    const bool has_keep = context->saved_data["has_keep"].toBool();
    const at::Tensor keep = has_keep ? saved[3] : at::Tensor();
    const at::Tensor& activations = saved[4];
    const at::Tensor& c_before = saved[5];
    const at::Tensor& h_before = saved[6];
    const at::Tensor& tanh_c = saved[7];
    const int64_t batch = x.size(0);
    const int64_t steps = x.size(1);
    const int64_t features = x.size(2);
    const int64_t hidden = weight_hh.size(1);
    const int64_t gates = 4 * hidden;

    at::Tensor grad_out =
        grads[0].defined() ? grads[0].contiguous() : at::zeros({batch, steps, hidden}, x.options());
    at::Tensor dh = grads[1].defined() ? grads[1].reshape({batch, hidden}).contiguous().clone()
                                       : at::zeros({batch, hidden}, x.options());
    at::Tensor dc = grads[2].defined() ? grads[2].reshape({batch, hidden}).contiguous().clone()
                                       : at::zeros({batch, hidden}, x.options());
    at::Tensor d_gates = at::empty({steps, batch, gates}, x.options());
    const float* go = grad_out.data_ptr<float>();
    const float* keep_data = has_keep ? keep.data_ptr<float>() : nullptr;
    for (int64_t t = steps - 1; t >= 0; --t) {
      float* dhp = dh.data_ptr<float>();
      float* dcp = dc.data_ptr<float>();
      const float* a = activations[t].data_ptr<float>();
      const float* cb = c_before[t].data_ptr<float>();
      const float* tc = tanh_c[t].data_ptr<float>();
      float* dg = d_gates[t].data_ptr<float>();
      // h = o tanh(c), c = f c_prev + i g: the gates' pre-activation gradients
      for (int64_t b = 0; b < batch; ++b) {
        const float* row = a + b * gates;
        float* drow = dg + b * gates;
        for (int64_t j = 0; j < hidden; ++j) {
          const int64_t at_bj = b * hidden + j;
          const float dh_total = dhp[at_bj] + go[(b * steps + t) * hidden + j];
          const float i = row[j], f = row[hidden + j], g = row[2 * hidden + j],
                      o = row[3 * hidden + j];
          const float tcv = tc[at_bj];
          const float dct = dcp[at_bj] + dh_total * o * (1.0f - tcv * tcv);
          drow[j] = dct * g * i * (1.0f - i);
          drow[hidden + j] = dct * cb[at_bj] * f * (1.0f - f);
          drow[2 * hidden + j] = dct * i * (1.0f - g * g);
          drow[3 * hidden + j] = dh_total * tcv * o * (1.0f - o);
          dcp[at_bj] = dct * f;
        }
      }
      // back through the recurrent product, and through the reset at this step
      dh = at::mm(d_gates[t], weight_hh);
      if (keep_data != nullptr) {
        float* dhn = dh.data_ptr<float>();
        for (int64_t b = 0; b < batch; ++b) {
          const float k = keep_data[b * steps + t];
          if (k == 1.0f) continue;
          for (int64_t j = 0; j < hidden; ++j) {
            dhn[b * hidden + j] *= k;
            dcp[b * hidden + j] *= k;
          }
        }
      }
    }
    // the weights' gradients over the whole sequence at once
    at::Tensor flat_gates = d_gates.reshape({steps * batch, gates});
    at::Tensor grad_weight_hh = at::mm(flat_gates.t(), h_before.reshape({steps * batch, hidden}));
    at::Tensor gates_by_batch = d_gates.transpose(0, 1).reshape({batch * steps, gates});
    at::Tensor grad_weight_ih = at::mm(gates_by_batch.t(), x.reshape({batch * steps, features}));
    at::Tensor grad_x = at::mm(gates_by_batch, weight_ih).view({batch, steps, features});
    at::Tensor grad_bias = flat_gates.sum(0);
    return {grad_x,         dh.unsqueeze(0), dc.unsqueeze(0), grad_weight_ih,
            grad_weight_hh, grad_bias,       grad_bias,       at::Tensor()};
  }
};

}  // namespace

std::tuple<at::Tensor, at::Tensor, at::Tensor> LstmSequence(const at::Tensor& x,
                                                            const at::Tensor& h0,
                                                            const at::Tensor& c0,
                                                            const LstmWeights& weights,
                                                            const at::Tensor& starts) {
  if (x.dim() != 3 || x.scalar_type() != at::kFloat || !x.device().is_cpu()) {
    throw std::invalid_argument("LstmSequence takes a float [B, S, F] CPU tensor");
  }
  at::Tensor keep;
  if (starts.defined()) keep = starts.logical_not().to(at::kFloat).contiguous();
  const bool needs_grad = at::GradMode::is_enabled() &&
                          (x.requires_grad() || h0.requires_grad() || c0.requires_grad() ||
                           weights.weight_ih.requires_grad() || weights.weight_hh.requires_grad() ||
                           weights.bias_ih.requires_grad() || weights.bias_hh.requires_grad());
  if (!needs_grad) return Forward(x, h0, c0, weights, keep, nullptr);
  auto outputs = LstmSequenceFunction::apply(x, h0, c0, weights.weight_ih, weights.weight_hh,
                                             weights.bias_ih, weights.bias_hh,
                                             keep.defined() ? keep : at::empty({0}, x.options()));
  return {outputs[0], outputs[1], outputs[2]};
}

}  // namespace orch::rl
