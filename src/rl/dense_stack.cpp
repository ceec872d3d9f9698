// src/rl/dense_stack.cpp
#include "rl/dense_stack.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orch::rl {
namespace {

/// Four partial sums: independent chains the compiler can keep in one vector register.
float Dot(const float* a, const float* b, int64_t n) {
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

/// tanh to about 1e-7, without glibc's tanhf (built on expm1f, several times slower than expf;
/// acting on a few rows spends most of its time there): a short odd series near zero, where
/// 1 - e^{-2|x|} would cancel, and (1 - e^{-2|x|}) / (1 + e^{-2|x|}) elsewhere.
float Tanh(float x) {
  const float magnitude = std::fabs(x);
  if (magnitude < 0.0625f) {
    const float x2 = x * x;
    return x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315))));
  }
  const float t = std::exp(-2.0f * magnitude);
  return std::copysign((1.0f - t) / (1.0f + t), x);
}

void CheckLayers(const DenseLayers& layers) {
  if (layers.weights.empty() || layers.weights.size() != layers.biases.size()) {
    throw std::invalid_argument("a dense stack needs one bias per weight, and at least one layer");
  }
}

/// Applies the activation in place.
void Activate(HiddenActivation activation, at::Tensor& values) {
  if (activation == HiddenActivation::kTanh) {
    values.tanh_();
  } else {
    values.relu_();
  }
}

/// For the backward pass: `grad` times the activation's derivative, from its outputs.
void MultiplyByDerivative(HiddenActivation activation, at::Tensor& grad,
                          const at::Tensor& activated) {
  float* g = grad.data_ptr<float>();
  const float* a = activated.data_ptr<float>();
  const int64_t count = grad.numel();
  if (activation == HiddenActivation::kTanh) {
    for (int64_t i = 0; i < count; ++i) g[i] *= 1.0f - a[i] * a[i];
  } else {
    for (int64_t i = 0; i < count; ++i) g[i] = a[i] > 0.0f ? g[i] : 0.0f;
  }
}

/// x [N, in] through every layer with matrix products; `activations`, when given, receives each
/// hidden layer's output (what the backward pass needs).
at::Tensor ForwardProducts(const at::Tensor& x, const std::vector<at::Tensor>& weights,
                           const std::vector<at::Tensor>& biases, HiddenActivation activation,
                           std::vector<at::Tensor>* activations) {
  at::Tensor value = x;
  for (size_t layer = 0; layer < weights.size(); ++layer) {
    value = at::addmm(biases[layer], value, weights[layer].t());
    if (layer + 1 < weights.size()) {
      Activate(activation, value);
      if (activations != nullptr) activations->push_back(value);
    }
  }
  return value;
}

class DenseStackFunction : public torch::autograd::Function<DenseStackFunction> {
 public:
  /// inputs: x [N, in], then the weights, then the biases
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* context,
                                                at::TensorList inputs,
                                                HiddenActivation activation) {
    const size_t count = (inputs.size() - 1) / 2;
    std::vector<at::Tensor> weights(inputs.begin() + 1, inputs.begin() + 1 + count);
    std::vector<at::Tensor> biases(inputs.begin() + 1 + count, inputs.end());
    std::vector<at::Tensor> activations;
    at::Tensor out = ForwardProducts(inputs[0], weights, biases, activation, &activations);
    std::vector<at::Tensor> saved = {inputs[0]};
    saved.insert(saved.end(), weights.begin(), weights.end());
    saved.insert(saved.end(), activations.begin(), activations.end());
    context->save_for_backward(saved);
    context->saved_data["layers"] = static_cast<int64_t>(count);
    context->saved_data["tanh"] = activation == HiddenActivation::kTanh;
    context->saved_data["x_grad"] = inputs[0].requires_grad();
    return {out};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = context->get_saved_variables();
    const int64_t count = context->saved_data["layers"].toInt();
    const HiddenActivation activation =
        context->saved_data["tanh"].toBool() ? HiddenActivation::kTanh : HiddenActivation::kRelu;
    const at::Tensor& x = saved[0];
    auto weight = [&](int64_t layer) -> const at::Tensor& { return saved[1 + layer]; };
    auto activated = [&](int64_t layer) -> const at::Tensor& { return saved[1 + count + layer]; };
    std::vector<at::Tensor> grad_weights(count), grad_biases(count);
    at::Tensor grad = grad_outputs[0].contiguous();
    at::Tensor grad_x;
    for (int64_t layer = count - 1; layer >= 0; --layer) {
      const at::Tensor& input = layer == 0 ? x : activated(layer - 1);
      grad_weights[layer] = at::mm(grad.t(), input);
      grad_biases[layer] = grad.sum(0);
      if (layer > 0) {
        grad = at::mm(grad, weight(layer));
        MultiplyByDerivative(activation, grad, activated(layer - 1));
      } else if (context->saved_data["x_grad"].toBool()) {
        grad_x = at::mm(grad, weight(0));
      }
    }
    torch::autograd::variable_list grads = {grad_x};
    grads.insert(grads.end(), grad_weights.begin(), grad_weights.end());
    grads.insert(grads.end(), grad_biases.begin(), grad_biases.end());
    grads.push_back(at::Tensor());  // the activation
    return grads;
  }
};

}  // namespace

void DenseStackRows(const DenseLayers& layers, const float* x, int64_t rows, float* out) {
  CheckLayers(layers);
  thread_local std::vector<float> buffers[2];
  const float* source = x;
  int64_t width = layers.inputs();
  for (size_t layer = 0; layer < layers.weights.size(); ++layer) {
    const at::Tensor& weight = layers.weights[layer];
    const float* w = weight.data_ptr<float>();
    const float* b = layers.biases[layer].data_ptr<float>();
    const int64_t outputs = weight.size(0);
    const bool last = layer + 1 == layers.weights.size();
    float* target = out;
    if (!last) {
      auto& buffer = buffers[layer % 2];
      buffer.resize(static_cast<size_t>(rows * outputs));
      target = buffer.data();
    }
    for (int64_t row = 0; row < rows; ++row) {
      const float* in = source + row * width;
      float* result = target + row * outputs;
      for (int64_t j = 0; j < outputs; ++j) result[j] = b[j] + Dot(w + j * width, in, width);
      if (last) continue;
      if (layers.activation == HiddenActivation::kTanh) {
        for (int64_t j = 0; j < outputs; ++j) result[j] = Tanh(result[j]);
      } else {
        for (int64_t j = 0; j < outputs; ++j) result[j] = std::max(result[j], 0.0f);
      }
    }
    source = target;
    width = outputs;
  }
}

at::Tensor DenseStack(const at::Tensor& x, const DenseLayers& layers) {
  CheckLayers(layers);
  if (x.scalar_type() != at::kFloat || x.size(-1) != layers.inputs()) {
    throw std::invalid_argument("a dense stack takes float [..., " +
                                std::to_string(layers.inputs()) + "] inputs");
  }
  auto sizes = x.sizes().vec();
  const int64_t rows = x.numel() / sizes.back();
  sizes.back() = layers.outputs();
  at::Tensor flat = x.reshape({rows, layers.inputs()}).contiguous();
  bool needs_grad = at::GradMode::is_enabled() && x.requires_grad();
  for (size_t layer = 0; layer < layers.weights.size(); ++layer) {
    needs_grad = needs_grad ||
                 (at::GradMode::is_enabled() &&
                  (layers.weights[layer].requires_grad() || layers.biases[layer].requires_grad()));
  }
  bool direct = !needs_grad && rows <= kDirectRows && x.device().is_cpu();
  for (const auto& weight : layers.weights) direct = direct && weight.is_contiguous();
  if (direct) {
    at::Tensor out = at::empty({rows, layers.outputs()}, flat.options());
    DenseStackRows(layers, flat.data_ptr<float>(), rows, out.data_ptr<float>());
    return out.view(sizes);
  }
  if (!needs_grad || !x.device().is_cpu()) {
    // (off the CPU, LibTorch's own operations: their autograd records the graph)
    return ForwardProducts(flat, layers.weights, layers.biases, layers.activation, nullptr)
        .view(sizes);
  }
  std::vector<at::Tensor> inputs = {flat};
  inputs.insert(inputs.end(), layers.weights.begin(), layers.weights.end());
  inputs.insert(inputs.end(), layers.biases.begin(), layers.biases.end());
  return DenseStackFunction::apply(at::TensorList(inputs), layers.activation)[0].view(sizes);
}

}  // namespace orch::rl
