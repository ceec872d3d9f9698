// Tests src/envs/invalid_action.cpp.
#include "envs/invalid_action.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "common/error.h"
#include "orch_error_message.h"

namespace orch::envs {
namespace {

InvalidActionOptions Multi(int64_t heads) {
  InvalidActionOptions options;
  options.dim = 10;
  options.num_invalid = 6;
  options.num_heads = heads;
  options.episode_length = 20;
  return options;
}

StepResult Choose(InvalidActionEnv& env, const std::vector<int64_t>& action, std::span<float> obs) {
  return env.Step(Action{.discrete = action}, obs);
}

// a valid action of each head that is not the state (the heads' first such choice)
std::vector<int64_t> ValidWrongAction(const InvalidActionEnv& env) {
  const int dim = env.action_spec().head_sizes[0];
  std::vector<uint8_t> masks(env.action_spec().mask_size());
  env.WriteMasks(masks);
  std::vector<int64_t> action;
  for (int head_idx = 0; head_idx < env.action_spec().num_heads(); ++head_idx) {
    for (int choice = 0; choice < dim; ++choice) {
      if (masks[head_idx * dim + choice] && choice != env.states()[head_idx]) {
        action.push_back(choice);
        break;
      }
    }
  }
  return action;
}

TEST(InvalidActionTest, SpecAndSizes) {
  InvalidActionEnv single(InvalidActionOptions{}, 1);
  EXPECT_EQ(single.name(), "invalid-action");
  EXPECT_EQ(single.obs_dim(), 80);
  EXPECT_EQ(single.max_episode_steps(), 100);
  EXPECT_TRUE(single.action_spec().IsDiscrete());
  EXPECT_TRUE(single.action_spec().masked);
  EXPECT_EQ(single.action_spec().head_names, std::vector<std::string>{"action"});
  EXPECT_EQ(single.action_spec().head_sizes, std::vector<int>{80});

  InvalidActionEnv multi(Multi(3), 1);
  EXPECT_EQ(multi.obs_dim(), 30);
  EXPECT_EQ(multi.action_spec().head_names, (std::vector<std::string>{"head0", "head1", "head2"}));
  EXPECT_EQ(multi.action_spec().head_sizes, (std::vector<int>{10, 10, 10}));
  EXPECT_EQ(multi.action_spec().mask_size(), 30);
}

TEST(InvalidActionTest, ObservationIsTheOneHotOfEachHeadsState) {
  InvalidActionEnv env(Multi(3), 2);
  std::vector<float> obs(30);
  env.Reset(obs);
  for (int step = 0; step < 10; ++step) {
    for (int head_idx = 0; head_idx < 3; ++head_idx) {
      for (int choice = 0; choice < 10; ++choice) {
        ASSERT_EQ(obs[head_idx * 10 + choice], choice == env.states()[head_idx] ? 1.0f : 0.0f);
      }
    }
    Choose(env, env.states(), obs);
  }
}

TEST(InvalidActionTest, MasksInvalidateExactlyNumInvalidOthers) {
  InvalidActionEnv env(InvalidActionOptions{}, 3);
  std::vector<float> obs(80);
  std::vector<uint8_t> masks(80);
  env.Reset(obs);
  for (int step = 0; step < 100; ++step) {
    env.WriteMasks(masks);
    EXPECT_EQ(std::count(masks.begin(), masks.end(), 0), 60);
    EXPECT_EQ(masks[env.states()[0]], 1) << "the correct action is always valid";
    Choose(env, env.states(), obs);
  }
}

TEST(InvalidActionTest, InvalidChoicesAreUniformOverTheOthers) {
  // each non-state choice is masked with probability num_invalid / (dim - 1) = 6 / 9
  InvalidActionOptions options = Multi(1);
  options.episode_length = 1'000'000;
  InvalidActionEnv env(options, 4);
  std::vector<float> obs(10);
  std::vector<uint8_t> masks(10);
  std::vector<int> masked(10, 0), others(10, 0);
  env.Reset(obs);
  const int steps = 30'000;
  for (int step = 0; step < steps; ++step) {
    env.WriteMasks(masks);
    for (int choice = 0; choice < 10; ++choice) {
      if (choice == env.states()[0]) continue;
      ++others[choice];
      masked[choice] += masks[choice] == 0;
    }
    Choose(env, env.states(), obs);
  }
  for (int choice = 0; choice < 10; ++choice) {
    EXPECT_NEAR(static_cast<double>(masked[choice]) / others[choice], 6.0 / 9.0, 0.02) << choice;
    // states are uniform too: each choice is the state a tenth of the time
    EXPECT_NEAR(1.0 - static_cast<double>(others[choice]) / steps, 0.1, 0.01) << choice;
  }
}

TEST(InvalidActionTest, RewardsOnePerCorrectHead) {
  InvalidActionEnv env(Multi(3), 5);
  std::vector<float> obs(30);
  env.Reset(obs);
  EXPECT_EQ(Choose(env, env.states(), obs).reward, 3.0);
  EXPECT_EQ(Choose(env, ValidWrongAction(env), obs).reward, 0.0);
  // right on head 1 only
  std::vector<int64_t> action = ValidWrongAction(env);
  action[1] = env.states()[1];
  EXPECT_EQ(Choose(env, action, obs).reward, 1.0);
}

TEST(InvalidActionTest, IdentityPolicyScoresTheMaximumAndTruncates) {
  // the default task: 100 steps, 1 per step for the right action
  InvalidActionEnv env(InvalidActionOptions{}, 6);
  std::vector<float> obs(80);
  env.Reset(obs);
  double episode_return = 0.0;
  for (int step = 1; step <= 100; ++step) {
    // the state is the observation's hot index
    const int64_t hot = std::max_element(obs.begin(), obs.end()) - obs.begin();
    const StepResult result = Choose(env, {hot}, obs);
    episode_return += result.reward;
    ASSERT_FALSE(result.terminated);
    ASSERT_EQ(result.truncated, step == 100) << step;
  }
  EXPECT_EQ(episode_return, 100.0);
  EXPECT_THROW(Choose(env, env.states(), obs), std::runtime_error);
  // eight heads: 100 * 8
  InvalidActionOptions options;
  options.num_heads = 8;
  InvalidActionEnv multi(options, 6);
  std::vector<float> multi_obs(640);
  multi.Reset(multi_obs);
  episode_return = 0.0;
  for (int step = 0; step < 100; ++step)
    episode_return += Choose(multi, multi.states(), multi_obs).reward;
  EXPECT_EQ(episode_return, 800.0);
}

TEST(InvalidActionTest, MaskedAndOutOfRangeActionsThrow) {
  InvalidActionEnv env(Multi(2), 7);
  std::vector<float> obs(20);
  std::vector<uint8_t> masks(20);
  env.Reset(obs);
  env.WriteMasks(masks);
  const int64_t masked = std::find(masks.begin(), masks.begin() + 10, 0) - masks.begin();
  ASSERT_LT(masked, 10);
  const std::vector<int64_t> states = env.states();
  EXPECT_THROW(Choose(env, {masked, states[1]}, obs), std::runtime_error);
  EXPECT_THROW(Choose(env, {10, states[1]}, obs), std::runtime_error);
  EXPECT_THROW(Choose(env, {-1, states[1]}, obs), std::runtime_error);
  EXPECT_THROW(Choose(env, {states[0]}, obs), std::runtime_error);
  // the refused steps changed nothing
  EXPECT_EQ(env.states(), states);
  EXPECT_EQ(Choose(env, states, obs).reward, 2.0);
}

TEST(InvalidActionTest, NoInvalidActionsLeavesEverythingValid) {
  InvalidActionOptions options = Multi(1);
  options.num_invalid = 0;
  InvalidActionEnv env(options, 8);
  std::vector<float> obs(10);
  std::vector<uint8_t> masks(10);
  env.Reset(obs);
  env.WriteMasks(masks);
  EXPECT_EQ(masks, std::vector<uint8_t>(10, 1));
  // the largest num_invalid leaves only the correct action
  options.num_invalid = 9;
  InvalidActionEnv narrow(options, 8);
  narrow.Reset(obs);
  narrow.WriteMasks(masks);
  EXPECT_EQ(std::count(masks.begin(), masks.end(), 1), 1);
  EXPECT_EQ(masks[narrow.states()[0]], 1);
}

TEST(InvalidActionTest, RejectsImpossibleOptions) {
  const auto message = [](InvalidActionOptions options) {
    return OrchErrorMessage([&] { InvalidActionEnv env(options, 1); });
  };
  InvalidActionOptions options;
  options.num_invalid = 80;
  EXPECT_THROW(InvalidActionEnv(options, 1), OrchError);
  EXPECT_NE(message(options).find("env.num_invalid"), std::string::npos);
  options.num_invalid = -1;
  EXPECT_NE(message(options).find("env.num_invalid"), std::string::npos);
  options = InvalidActionOptions{};
  options.dim = 0;
  EXPECT_NE(message(options).find("env.dim"), std::string::npos);
  options = InvalidActionOptions{};
  options.num_heads = 0;
  EXPECT_NE(message(options).find("env.num_heads"), std::string::npos);
  options = InvalidActionOptions{};
  options.episode_length = 0;
  EXPECT_NE(message(options).find("env.episode_length"), std::string::npos);
}

}  // namespace
}  // namespace orch::envs
