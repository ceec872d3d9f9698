// src/algos/ppo/policy/network_state.cpp
#include "algos/ppo/policy/network_state.h"

#include <fmt/format.h>
#include <torch/nn/init.h>
#include <torch/torch.h>

#include <map>
#include <stdexcept>

namespace orch::ppo {
namespace {

std::string Shape(const at::Tensor& tensor) {
  return fmt::format("{}", fmt::join(tensor.sizes(), "x"));
}

}  // namespace

torch::nn::Linear OrthogonalLinear(int64_t in, int64_t out, double gain) {
  torch::nn::Linear layer(in, out);
  torch::NoGradGuard no_grad;
  torch::nn::init::orthogonal_(layer->weight, gain);
  torch::nn::init::zeros_(layer->bias);
  return layer;
}

StateDict ModuleStateDict(const torch::nn::Module& module) {
  StateDict state;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    state.emplace_back(item.key(), item.value().detach());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    state.emplace_back(item.key(), item.value().detach());
  }
  return state;
}

void LoadModuleState(torch::nn::Module& module, const StateDict& state, bool strict,
                     const std::string& what) {
  std::map<std::string, at::Tensor> given(state.begin(), state.end());
  torch::NoGradGuard no_grad;
  size_t used = 0;
  for (const auto& [name, target] : ModuleStateDict(module)) {
    auto it = given.find(name);
    if (it == given.end()) {
      if (strict) {
        throw std::runtime_error(fmt::format("{}: the saved network has no tensor '{}' ({})", what,
                                             name, Shape(target)));
      }
      continue;
    }
    if (!it->second.sizes().equals(target.sizes())) {
      throw std::runtime_error(fmt::format("{}: tensor '{}' is {} in the saved network and {} here",
                                           what, name, Shape(it->second), Shape(target)));
    }
    target.copy_(it->second);
    ++used;
  }
  if (strict && used != given.size()) {
    for (const auto& [name, tensor] : given) {
      bool known = false;
      for (const auto& [module_name, unused] : ModuleStateDict(module))
        known |= module_name == name;
      if (!known) {
        throw std::runtime_error(
            fmt::format("{}: the saved network has a tensor '{}' this one lacks", what, name));
      }
    }
  }
}

}  // namespace orch::ppo
