// Tests src/rl/replay_buffer.cpp: windows inside one episode, the action/reward
// alignment of tdmpc2.md §8, uniform sampling, capacity, and exact checkpoints.
#include "rl/replay_buffer.h"

#include <gtest/gtest.h>

#include <map>

namespace orch::rl {
namespace {

/// Episode `id` with n transitions: obs i = id · 1000 + i (obs_dim 1), action i = id · 1000 +
/// i + 0.5 (action_dim 1), reward i = i.
Episode MakeEpisode(int id, int n) {
  Episode episode;
  for (int i = 0; i <= n; ++i) episode.obs.push_back(static_cast<float>(id * 1000 + i));
  for (int i = 0; i < n; ++i) {
    episode.actions.push_back(static_cast<float>(id * 1000 + i) + 0.5f);
    episode.rewards.push_back(static_cast<float>(i));
  }
  return episode;
}

TEST(ReplayBufferTest, WindowsStayInsideOneEpisodeWithAlignedActions) {
  EpisodeReplayBuffer buffer(10'000, 1, 1);
  buffer.Add(MakeEpisode(1, 10));
  buffer.Add(MakeEpisode(2, 4));
  // n − H + 1 windows per episode with H = 3: 8 + 2
  EXPECT_EQ(buffer.Windows(3), 10);
  EXPECT_EQ(buffer.entries(), 11 + 5);
  rl::RandomStream random(1, "test");
  const int batch = 500;
  std::vector<float> obs(4 * batch), action(3 * batch), reward(3 * batch);
  buffer.Sample(batch, 3, random, obs.data(), action.data(), reward.data());
  std::map<float, int> starts;
  for (int b = 0; b < batch; ++b) {
    const float first = obs[b];
    const int id = static_cast<int>(first) / 1000;
    for (int t = 0; t <= 3; ++t) ASSERT_EQ(obs[t * batch + b], first + t);
    for (int t = 0; t < 3; ++t) {
      // the action taken at obs t, and its reward
      ASSERT_EQ(action[t * batch + b], obs[t * batch + b] + 0.5f);
      ASSERT_EQ(reward[t * batch + b], obs[t * batch + b] - static_cast<float>(id * 1000));
    }
    ++starts[first];
  }
  // every window can be drawn, roughly uniformly (500 draws over 10 windows: 50 expected)
  EXPECT_EQ(starts.size(), 10u);
  for (const auto& [start, count] : starts) {
    EXPECT_GT(count, 20) << start;
    EXPECT_LT(count, 90) << start;
  }
}

TEST(ReplayBufferTest, OldestEpisodesLeaveWhenFull) {
  EpisodeReplayBuffer buffer(25, 1, 1);
  buffer.Add(MakeEpisode(1, 10));  // 11 entries
  buffer.Add(MakeEpisode(2, 10));  // 22
  buffer.Add(MakeEpisode(3, 10));  // 33 > 25: episode 1 leaves
  EXPECT_EQ(buffer.episodes(), 2);
  EXPECT_EQ(buffer.entries(), 22);
  rl::RandomStream random(2, "test");
  std::vector<float> obs(4 * 50), action(3 * 50), reward(3 * 50);
  buffer.Sample(50, 3, random, obs.data(), action.data(), reward.data());
  for (int b = 0; b < 50; ++b) EXPECT_GE(obs[b], 2000.0f);
}

TEST(ReplayBufferTest, SerializeRestoresEveryFloat) {
  EpisodeReplayBuffer buffer(1000, 1, 1);
  buffer.Add(MakeEpisode(1, 7));
  buffer.Add(MakeEpisode(2, 5));
  EpisodeReplayBuffer copy(1000, 1, 1);
  copy.Deserialize(buffer.Serialize());
  EXPECT_EQ(copy.Serialize(), buffer.Serialize());
  rl::RandomStream a(3, "test"), b(3, "test");
  std::vector<float> obs_a(40), obs_b(40), act_a(30), act_b(30), rew_a(30), rew_b(30);
  buffer.Sample(10, 3, a, obs_a.data(), act_a.data(), rew_a.data());
  copy.Sample(10, 3, b, obs_b.data(), act_b.data(), rew_b.data());
  EXPECT_EQ(obs_a, obs_b);
  EXPECT_THROW(copy.Deserialize("garbage"), std::runtime_error);
  EpisodeReplayBuffer other_shape(1000, 2, 1);
  EXPECT_THROW(other_shape.Deserialize(buffer.Serialize()), std::runtime_error);
}

TEST(ReplayBufferTest, MismatchedEpisodeIsRejected) {
  EpisodeReplayBuffer buffer(100, 2, 1);
  Episode bad = MakeEpisode(1, 3);  // obs_dim 1, not 2
  EXPECT_THROW(buffer.Add(bad), std::invalid_argument);
}

}  // namespace
}  // namespace orch::rl
