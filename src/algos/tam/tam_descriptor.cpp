// src/algos/tam/tam_descriptor.cpp: TAM as the front end knows it (algos/algorithm.h).
#include "algos/algorithm.h"
#include "algos/tam/tam_options.h"

namespace orch::tam {

const algos::AlgorithmDescriptor& Descriptor() {
  static const algos::AlgorithmDescriptor descriptor = [] {
    algos::AlgorithmDescriptor d;
    d.name = "tam";
    d.description = "TAM action-binding agent with z-memory on the controlled pendulum";
    d.example_config = "configs/tam/pendulum.yaml";
    d.namespaces = {{"tam", &TamSchema()}};
    d.schema_pages = {{"tam", &TamSchema()}, {"tam.memory", &TamMemorySchema()}};
    d.envs = {"controlled-pendulum"};
    d.budget = [](const config::Node& root) { return algos::IntAt(root, "tam.episodes"); };
    d.progress_unit = "episodes";
    d.headline_metrics = {"soft_bind", "E_T_train", "exp_nll"};
    return d;
  }();
  return descriptor;
}

}  // namespace orch::tam
