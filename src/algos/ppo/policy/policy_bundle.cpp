// src/algos/ppo/policy/policy_bundle.cpp: what every bundle shares.
#include "algos/ppo/policy/policy_bundle.h"

#include <stdexcept>

namespace orch::ppo {

void PolicyBundle::Compile(const std::string& mode) {
  if (mode != "off") {
    throw std::invalid_argument("ppo.policy.compile_mode '" + mode +
                                "': LibTorch 1.13 has no graph compiler; only 'off' is available");
  }
}

HeadTensors PolicyBundle::GetQValues(const at::Tensor&, const RecurrentState&) {
  throw std::logic_error("the '" + type() +
                         "' policy bundle is on-policy: GetQValues is not available");
}

void PolicyBundle::SyncFrom(const PolicyBundle&, double) {
  throw std::logic_error("the '" + type() +
                         "' policy bundle is on-policy: SyncFrom (target networks) is not "
                         "available");
}

}  // namespace orch::ppo
