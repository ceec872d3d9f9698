// src/algos/tdmpc2/tdmpc2_descriptor.cpp: TD-MPC2 as the front end knows it (algos/algorithm.h).
#include "algos/algorithm.h"
#include "algos/tdmpc2/multi_gamma_options.h"
#include "algos/tdmpc2/tdmpc2_options.h"
#include "envs/env_options.h"

namespace orch::tdmpc2 {

const algos::AlgorithmDescriptor& Descriptor() {
  static const algos::AlgorithmDescriptor descriptor = [] {
    algos::AlgorithmDescriptor d;
    d.name = "tdmpc2";
    d.description =
        "TD-MPC2 with multi-discount auxiliary value heads on DMControl-style MuJoCo tasks";
    d.example_config = "configs/tdmpc2/cheetah.yaml";
    d.namespaces = {{"tdmpc2", &TdMpc2Schema()}, {"multi_gamma", &MultiGammaSchema()}};
    d.schema_pages = d.namespaces;
    d.envs = envs::DmcTaskNames();
    d.rules = {CheckMultiGamma};
    d.computes_on_cuda = true;
    // agent steps x action repeat: the x-axis is environment steps
    d.budget = [](const config::Node& root) {
      return algos::IntAt(root, "tdmpc2.steps") * algos::IntAt(root, "env.action_repeat", 1);
    };
    d.headline_metrics = {"eval/episode_return"};
    d.derived_values = DescribeDerivedValues;
    return d;
  }();
  return descriptor;
}

}  // namespace orch::tdmpc2
