// Tests src/envs/env.h's contract on every plain-C++ env (cartpole.cpp, pendulum_v1.cpp,
// invalid_action.cpp, seed_garden.cpp): argument checks, episode ends, masks, exact save and
// load, reproducible seeds. Each instantiation is named after its env (CartPole/..., ...).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "envs/cartpole.h"
#include "envs/env.h"
#include "envs/invalid_action.h"
#include "envs/pendulum_v1.h"
#include "envs/seed_garden.h"

namespace orch::envs {
namespace {

struct CartPoleMaker {
  static std::unique_ptr<Env> Make(uint64_t seed) {
    return std::make_unique<CartPoleEnv>(CartPoleOptions{}, seed);
  }
};
struct CartPoleNoVelMaker {
  static std::unique_ptr<Env> Make(uint64_t seed) {
    CartPoleOptions options;
    options.hide_velocity = true;
    return std::make_unique<CartPoleEnv>(options, seed);
  }
};
struct PendulumMaker {
  static std::unique_ptr<Env> Make(uint64_t seed) {
    return std::make_unique<PendulumEnv>(PendulumOptions{}, seed);
  }
};
struct InvalidActionMaker {
  static std::unique_ptr<Env> Make(uint64_t seed) {
    return std::make_unique<InvalidActionEnv>(InvalidActionOptions{}, seed);
  }
};
struct InvalidActionMultiMaker {
  static std::unique_ptr<Env> Make(uint64_t seed) {
    InvalidActionOptions options;
    options.dim = 10;
    options.num_invalid = 6;
    options.num_heads = 8;
    options.episode_length = 30;
    return std::make_unique<InvalidActionEnv>(options, seed);
  }
};
struct SeedGardenMaker {
  static std::unique_ptr<Env> Make(uint64_t seed) {
    return std::make_unique<SeedGardenEnv>(SeedGardenOptions{}, seed);
  }
};

// a random valid action, drawn from `random`, with the storage its spans view
struct OwnedAction {
  std::vector<int64_t> discrete;
  std::vector<float> continuous;
  Action view() const { return Action{.continuous = continuous, .discrete = discrete}; }
};
OwnedAction RandomAction(const Env& env, rl::RandomStream& random) {
  const ActionSpec& spec = env.action_spec();
  OwnedAction action;
  if (spec.IsContinuous()) {
    for (int idx = 0; idx < spec.dim; ++idx) {
      action.continuous.push_back(
          static_cast<float>(spec.low[idx] + (spec.high[idx] - spec.low[idx]) * random.Uniform()));
    }
    return action;
  }
  std::vector<uint8_t> masks(spec.mask_size());
  env.WriteMasks(masks);
  action.discrete = RandomValidAction(spec, masks, random);
  return action;
}

// observations and rewards of `steps` random steps (resetting after an ending)
struct Trace {
  std::vector<float> obs;
  std::vector<double> rewards;
  std::vector<int> endings;
};
Trace Run(Env& env, int steps, uint64_t action_seed) {
  rl::RandomStream random(action_seed, "test/actions");
  std::vector<float> obs(env.obs_dim());
  Trace trace;
  for (int step = 0; step < steps; ++step) {
    const StepResult result = env.Step(RandomAction(env, random).view(), obs);
    trace.obs.insert(trace.obs.end(), obs.begin(), obs.end());
    trace.rewards.push_back(result.reward);
    trace.endings.push_back(result.terminated * 2 + result.truncated);
    if (result.terminated || result.truncated) {
      env.Reset(obs);
      trace.obs.insert(trace.obs.end(), obs.begin(), obs.end());
    }
  }
  return trace;
}

bool BitIdentical(const Trace& a, const Trace& b) {
  return a.obs.size() == b.obs.size() && a.rewards.size() == b.rewards.size() &&
         std::memcmp(a.obs.data(), b.obs.data(), a.obs.size() * sizeof(float)) == 0 &&
         std::memcmp(a.rewards.data(), b.rewards.data(), a.rewards.size() * sizeof(double)) == 0 &&
         a.endings == b.endings;
}

template <typename Maker>
class EnvConformanceTest : public ::testing::Test {};
TYPED_TEST_SUITE_P(EnvConformanceTest);

TYPED_TEST_P(EnvConformanceTest, ChecksObservationSpans) {
  auto env = TypeParam::Make(1);
  std::vector<float> small(env->obs_dim() - 1), large(env->obs_dim() + 1), obs(env->obs_dim());
  EXPECT_THROW(env->Reset(small), std::runtime_error);
  EXPECT_THROW(env->Reset(large), std::runtime_error);
  env->Reset(obs);
  rl::RandomStream random(1, "test/actions");
  const OwnedAction action = RandomAction(*env, random);
  EXPECT_THROW(env->Step(action.view(), small), std::runtime_error);
  EXPECT_NO_THROW(env->Step(action.view(), obs));
}

TYPED_TEST_P(EnvConformanceTest, StepsOnlyInsideAnEpisode) {
  auto env = TypeParam::Make(2);
  std::vector<float> obs(env->obs_dim());
  rl::RandomStream random(2, "test/actions");
  // before the first Reset the masks are those of an empty state; the step must still refuse
  EXPECT_THROW(env->Step(RandomAction(*env, random).view(), obs), std::runtime_error);
  env->Reset(obs);
  int64_t steps = 0;
  for (;;) {
    const StepResult result = env->Step(RandomAction(*env, random).view(), obs);
    ++steps;
    ASSERT_LE(steps, env->max_episode_steps());
    if (result.terminated || result.truncated) {
      EXPECT_FALSE(result.terminated && result.truncated);
      if (result.truncated) {
        EXPECT_EQ(steps, env->max_episode_steps());
      }
      break;
    }
  }
  EXPECT_THROW(env->Step(RandomAction(*env, random).view(), obs), std::runtime_error);
  env->Reset(obs);
  EXPECT_NO_THROW(env->Step(RandomAction(*env, random).view(), obs));
}

TYPED_TEST_P(EnvConformanceTest, MasksLeaveAValidChoicePerHead) {
  auto env = TypeParam::Make(3);
  const ActionSpec& spec = env->action_spec();
  std::vector<uint8_t> masks(spec.mask_size()), wrong(spec.mask_size() + 1);
  EXPECT_THROW(env->WriteMasks(wrong), std::runtime_error);
  if (spec.IsContinuous()) {
    EXPECT_EQ(spec.mask_size(), 0);
    return;
  }
  std::vector<float> obs(env->obs_dim());
  env->Reset(obs);
  rl::RandomStream random(3, "test/actions");
  for (int step = 0; step < 300; ++step) {
    env->WriteMasks(masks);
    int offset = 0;
    for (int head_idx = 0; head_idx < spec.num_heads(); ++head_idx) {
      int valid = 0;
      for (int choice = 0; choice < spec.head_sizes[head_idx]; ++choice) {
        ASSERT_LE(masks[offset + choice], 1);
        valid += masks[offset + choice];
      }
      ASSERT_GE(valid, 1) << "head " << spec.head_names[head_idx] << " at step " << step;
      offset += spec.head_sizes[head_idx];
    }
    const StepResult result = env->Step(RandomAction(*env, random).view(), obs);
    if (result.terminated || result.truncated) env->Reset(obs);
  }
}

TYPED_TEST_P(EnvConformanceTest, SavedStateContinuesBitIdentically) {
  auto env = TypeParam::Make(4);
  std::vector<float> obs(env->obs_dim());
  env->Reset(obs);
  Run(*env, 37, 11);
  const std::string saved = env->SaveState();
  const Trace expected = Run(*env, 300, 12);

  auto restored = TypeParam::Make(99);
  restored->LoadState(saved);
  const Trace replayed = Run(*restored, 300, 12);
  EXPECT_TRUE(BitIdentical(expected, replayed));
  // the same text loads into the env that wrote it, too
  env->LoadState(saved);
  EXPECT_TRUE(BitIdentical(expected, Run(*env, 300, 12)));
}

TYPED_TEST_P(EnvConformanceTest, LoadStateRefusesOtherText) {
  auto env = TypeParam::Make(5);
  std::vector<float> obs(env->obs_dim());
  env->Reset(obs);
  const std::string saved = env->SaveState();
  EXPECT_THROW(env->LoadState("garbage"), std::runtime_error);
  EXPECT_THROW(env->LoadState(""), std::runtime_error);
  EXPECT_THROW(env->LoadState(saved.substr(0, saved.size() / 2)), std::runtime_error);
  // another env's state
  const std::string cartpole = CartPoleMaker::Make(1)->SaveState();
  const std::string garden = SeedGardenMaker::Make(1)->SaveState();
  EXPECT_THROW(env->LoadState(env->name() == "cartpole" ? garden : cartpole), std::runtime_error);
  // a refused text changes nothing
  Trace before = Run(*env, 20, 6);
  env->LoadState(saved);
  EXPECT_THROW(env->LoadState("garbage"), std::runtime_error);
  EXPECT_TRUE(BitIdentical(before, Run(*env, 20, 6)));
}

TYPED_TEST_P(EnvConformanceTest, SameSeedSameEpisodesOtherSeedOthers) {
  const auto trace_of = [](uint64_t seed) {
    auto env = TypeParam::Make(seed);
    std::vector<float> obs(env->obs_dim());
    env->Reset(obs);
    Trace trace = Run(*env, 200, 8);
    trace.obs.insert(trace.obs.begin(), obs.begin(), obs.end());
    return trace;
  };
  EXPECT_TRUE(BitIdentical(trace_of(21), trace_of(21)));
  EXPECT_FALSE(BitIdentical(trace_of(21), trace_of(22)));
}

REGISTER_TYPED_TEST_SUITE_P(EnvConformanceTest, ChecksObservationSpans, StepsOnlyInsideAnEpisode,
                            MasksLeaveAValidChoicePerHead, SavedStateContinuesBitIdentically,
                            LoadStateRefusesOtherText, SameSeedSameEpisodesOtherSeedOthers);
INSTANTIATE_TYPED_TEST_SUITE_P(CartPole, EnvConformanceTest, CartPoleMaker);
INSTANTIATE_TYPED_TEST_SUITE_P(CartPoleNoVel, EnvConformanceTest, CartPoleNoVelMaker);
INSTANTIATE_TYPED_TEST_SUITE_P(Pendulum, EnvConformanceTest, PendulumMaker);
INSTANTIATE_TYPED_TEST_SUITE_P(InvalidAction, EnvConformanceTest, InvalidActionMaker);
INSTANTIATE_TYPED_TEST_SUITE_P(InvalidActionMulti, EnvConformanceTest, InvalidActionMultiMaker);
INSTANTIATE_TYPED_TEST_SUITE_P(SeedGarden, EnvConformanceTest, SeedGardenMaker);

}  // namespace
}  // namespace orch::envs
