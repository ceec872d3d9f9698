// Tests src/envs/env_checks.cpp.
#include "envs/env_checks.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <vector>

namespace orch::envs {
namespace {

ActionSpec TwoHeads() {
  ActionSpec spec;
  spec.kind = ActionSpec::Kind::kDiscrete;
  spec.head_names = {"first", "second"};
  spec.head_sizes = {3, 2};
  return spec;
}

TEST(EnvChecksTest, ObservationSizeMustMatch) {
  std::vector<float> obs(3);
  EXPECT_NO_THROW(CheckObsSize("test", obs, 3));
  EXPECT_THROW(CheckObsSize("test", obs, 4), std::runtime_error);
}

TEST(EnvChecksTest, StepsOnlyInsideAnEpisode) {
  EXPECT_NO_THROW(CheckInEpisode("test", true));
  EXPECT_THROW(CheckInEpisode("test", false), std::runtime_error);
}

TEST(EnvChecksTest, DiscreteActionsNeedOneValidIndexPerHead) {
  const ActionSpec spec = TwoHeads();
  const std::vector<int64_t> good = {2, 1}, short_action = {2}, outside = {3, 0},
                             negative = {0, -1};
  EXPECT_NO_THROW(CheckDiscreteAction("test", spec, Action{.discrete = good}));
  EXPECT_THROW(CheckDiscreteAction("test", spec, Action{.discrete = short_action}),
               std::runtime_error);
  EXPECT_THROW(CheckDiscreteAction("test", spec, Action{.discrete = outside}), std::runtime_error);
  EXPECT_THROW(CheckDiscreteAction("test", spec, Action{.discrete = negative}), std::runtime_error);
  // the second head's choice 1 is masked
  const std::vector<uint8_t> masks = {1, 1, 1, 1, 0};
  const std::vector<int64_t> masked = {0, 1}, allowed = {0, 0};
  EXPECT_THROW(CheckDiscreteAction("test", spec, Action{.discrete = masked}, masks),
               std::runtime_error);
  EXPECT_NO_THROW(CheckDiscreteAction("test", spec, Action{.discrete = allowed}, masks));
}

TEST(EnvChecksTest, ContinuousActionsNeedDimFiniteFloats) {
  ActionSpec spec;
  spec.dim = 2;
  const std::vector<float> good = {1.0f, -5.0f}, short_action = {1.0f},
                           nan = {std::numeric_limits<float>::quiet_NaN(), 0.0f},
                           inf = {0.0f, std::numeric_limits<float>::infinity()};
  EXPECT_NO_THROW(CheckContinuousAction("test", spec, Action{.continuous = good}));
  EXPECT_THROW(CheckContinuousAction("test", spec, Action{.continuous = short_action}),
               std::runtime_error);
  EXPECT_THROW(CheckContinuousAction("test", spec, Action{.continuous = nan}), std::runtime_error);
  EXPECT_THROW(CheckContinuousAction("test", spec, Action{.continuous = inf}), std::runtime_error);
}

}  // namespace
}  // namespace orch::envs
