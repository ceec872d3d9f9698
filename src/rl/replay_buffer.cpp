// src/rl/replay_buffer.cpp
#include "rl/replay_buffer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace orch::rl {
namespace {

template <typename T>
void Append(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void AppendFloats(std::string& out, const std::vector<float>& values) {
  Append(out, static_cast<int64_t>(values.size()));
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  template <typename T>
  T Read() {
    Need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }
  std::vector<float> ReadFloats() {
    const auto count = Read<int64_t>();
    if (count < 0) throw std::runtime_error("replay buffer checkpoint: negative length");
    Need(static_cast<size_t>(count) * sizeof(float));
    std::vector<float> values(static_cast<size_t>(count));
    std::memcpy(values.data(), bytes_.data() + offset_, values.size() * sizeof(float));
    offset_ += values.size() * sizeof(float);
    return values;
  }
  bool AtEnd() const { return offset_ == bytes_.size(); }

 private:
  void Need(size_t size) const {
    if (offset_ + size > bytes_.size()) {
      throw std::runtime_error("replay buffer checkpoint is truncated");
    }
  }
  const std::string& bytes_;
  size_t offset_ = 0;
};

constexpr uint32_t kMagic = 0x31425052;  // "RPB1"

}  // namespace

EpisodeReplayBuffer::EpisodeReplayBuffer(int64_t capacity, int64_t obs_dim, int64_t action_dim)
    : capacity_(capacity), obs_dim_(obs_dim), action_dim_(action_dim) {
  if (capacity < 2 || obs_dim < 1 || action_dim < 1) {
    throw std::invalid_argument("replay buffer: capacity >= 2 and positive dimensions needed");
  }
}

void EpisodeReplayBuffer::Add(Episode episode) {
  const int64_t n = episode.transitions();
  if (static_cast<int64_t>(episode.obs.size()) != (n + 1) * obs_dim_ ||
      static_cast<int64_t>(episode.actions.size()) != n * action_dim_) {
    throw std::invalid_argument(
        "replay buffer: an episode's observations, actions and rewards "
        "do not fit together");
  }
  if (n == 0) return;
  entries_ += n + 1;
  episodes_.push_back(std::move(episode));
  while (entries_ > capacity_ && episodes_.size() > 1) {
    entries_ -= episodes_.front().transitions() + 1;
    episodes_.pop_front();
  }
}

int64_t EpisodeReplayBuffer::Windows(int64_t horizon) const {
  int64_t windows = 0;
  for (const auto& episode : episodes_) {
    windows += std::max<int64_t>(0, episode.transitions() - horizon + 1);
  }
  return windows;
}

void EpisodeReplayBuffer::Sample(int64_t batch, int64_t horizon, rl::RandomStream& random,
                                 float* obs, float* action, float* reward) const {
  // cumulative window counts: a uniform window index → (episode, start)
  std::vector<int64_t> cumulative;
  cumulative.reserve(episodes_.size());
  int64_t total = 0;
  for (const auto& episode : episodes_) {
    total += std::max<int64_t>(0, episode.transitions() - horizon + 1);
    cumulative.push_back(total);
  }
  if (total == 0) throw std::logic_error("replay buffer: no window to sample");
  for (int64_t b = 0; b < batch; ++b) {
    const auto window = static_cast<int64_t>(random.Below(static_cast<uint64_t>(total)));
    const auto found = std::upper_bound(cumulative.begin(), cumulative.end(), window);
    const auto index = static_cast<size_t>(found - cumulative.begin());
    const Episode& episode = episodes_[index];
    const int64_t start = window - (index == 0 ? 0 : cumulative[index - 1]);
    for (int64_t t = 0; t <= horizon; ++t) {
      std::memcpy(obs + (t * batch + b) * obs_dim_, episode.obs.data() + (start + t) * obs_dim_,
                  obs_dim_ * sizeof(float));
    }
    for (int64_t t = 0; t < horizon; ++t) {
      std::memcpy(action + (t * batch + b) * action_dim_,
                  episode.actions.data() + (start + t) * action_dim_, action_dim_ * sizeof(float));
      reward[t * batch + b] = episode.rewards[static_cast<size_t>(start + t)];
    }
  }
}

std::string EpisodeReplayBuffer::Serialize() const {
  std::string out;
  Append(out, kMagic);
  Append(out, obs_dim_);
  Append(out, action_dim_);
  Append(out, static_cast<int64_t>(episodes_.size()));
  for (const auto& episode : episodes_) {
    AppendFloats(out, episode.obs);
    AppendFloats(out, episode.actions);
    AppendFloats(out, episode.rewards);
  }
  return out;
}

void EpisodeReplayBuffer::Deserialize(const std::string& bytes) {
  Reader reader(bytes);
  if (reader.Read<uint32_t>() != kMagic) {
    throw std::runtime_error("not a replay buffer checkpoint");
  }
  if (reader.Read<int64_t>() != obs_dim_ || reader.Read<int64_t>() != action_dim_) {
    throw std::runtime_error("replay buffer checkpoint: other observation or action sizes");
  }
  const auto count = reader.Read<int64_t>();
  episodes_.clear();
  entries_ = 0;
  for (int64_t index = 0; index < count; ++index) {
    Episode episode;
    episode.obs = reader.ReadFloats();
    episode.actions = reader.ReadFloats();
    episode.rewards = reader.ReadFloats();
    Add(std::move(episode));
  }
  if (!reader.AtEnd()) throw std::runtime_error("replay buffer checkpoint: trailing bytes");
}

}  // namespace orch::rl
