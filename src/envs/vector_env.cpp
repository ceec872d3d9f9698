// src/envs/vector_env.cpp
#include "envs/vector_env.h"

#include <fmt/format.h>

#include <cstring>
#include <sstream>
#include <stdexcept>

namespace orch::envs {
namespace {

constexpr char kStateTag[] = "vector-env-state-v1";

void CheckSize(size_t got, size_t expected, const char* what) {
  if (got != expected) {
    throw std::runtime_error(
        fmt::format("vector env: {} has {} entries, expected {}", what, got, expected));
  }
}

}  // namespace

VectorEnv::VectorEnv(std::vector<std::unique_ptr<Env>> envs) : envs_(std::move(envs)) {
  if (envs_.empty()) throw std::invalid_argument("a vector env needs at least one env");
  for (const auto& env : envs_) {
    if (env->obs_dim() != obs_dim() || env->action_spec().dim != action_spec().dim ||
        env->action_spec().head_sizes != action_spec().head_sizes) {
      throw std::invalid_argument("the envs of a vector env must share their shapes");
    }
  }
  final_obs_.assign(envs_.size() * obs_dim(), 0.0f);
  running_return_.assign(envs_.size(), 0.0);
  running_length_.assign(envs_.size(), 0);
}

void VectorEnv::Reset(std::span<float> obs) {
  CheckSize(obs.size(), envs_.size() * obs_dim(), "the observation buffer");
  for (size_t index = 0; index < envs_.size(); ++index) {
    envs_[index]->Reset(obs.subspan(index * obs_dim(), obs_dim()));
    running_return_[index] = 0.0;
    running_length_[index] = 0;
  }
}

void VectorEnv::Step(std::span<const int64_t> discrete, std::span<const float> continuous,
                     std::span<float> obs, std::span<float> rewards, std::span<uint8_t> terminated,
                     std::span<uint8_t> truncated) {
  const size_t count = envs_.size();
  const size_t heads = action_spec().head_sizes.size();
  const size_t dim = static_cast<size_t>(action_spec().dim);
  CheckSize(obs.size(), count * obs_dim(), "the observation buffer");
  CheckSize(rewards.size(), count, "the reward buffer");
  CheckSize(terminated.size(), count, "the terminated buffer");
  CheckSize(truncated.size(), count, "the truncated buffer");
  if (action_spec().IsDiscrete()) {
    CheckSize(discrete.size(), count * heads, "the discrete actions");
  } else {
    CheckSize(continuous.size(), count * dim, "the continuous actions");
  }
  for (size_t index = 0; index < count; ++index) {
    Action action;
    if (action_spec().IsDiscrete()) {
      action.discrete = discrete.subspan(index * heads, heads);
    } else {
      action.continuous = continuous.subspan(index * dim, dim);
    }
    std::span<float> row = obs.subspan(index * obs_dim(), obs_dim());
    const StepResult result = envs_[index]->Step(action, row);
    rewards[index] = static_cast<float>(result.reward);
    terminated[index] = result.terminated;
    truncated[index] = result.truncated;
    running_return_[index] += result.reward;
    ++running_length_[index];
    // the episode ended: keep its last observation, start the next one in the same row
    if (result.terminated || result.truncated) {
      std::memcpy(final_obs_.data() + index * obs_dim(), row.data(), row.size_bytes());
      finished_.push_back(
          {static_cast<int>(index), running_return_[index], running_length_[index]});
      running_return_[index] = 0.0;
      running_length_[index] = 0;
      envs_[index]->Reset(row);
    }
  }
}

void VectorEnv::WriteMasks(std::span<uint8_t> masks) const {
  const size_t size = static_cast<size_t>(action_spec().mask_size());
  CheckSize(masks.size(), envs_.size() * size, "the mask buffer");
  for (size_t index = 0; index < envs_.size(); ++index) {
    envs_[index]->WriteMasks(masks.subspan(index * size, size));
  }
}

void VectorEnv::WriteHeadRelevance(std::span<const int64_t> discrete,
                                   std::span<uint8_t> relevant) const {
  const size_t heads = action_spec().head_sizes.size();
  CheckSize(discrete.size(), envs_.size() * heads, "the discrete actions");
  CheckSize(relevant.size(), envs_.size() * heads, "the head relevance buffer");
  for (size_t index = 0; index < envs_.size(); ++index) {
    envs_[index]->WriteHeadRelevance(discrete.subspan(index * heads, heads),
                                     relevant.subspan(index * heads, heads));
  }
}

std::vector<VectorEnv::Episode> VectorEnv::TakeFinishedEpisodes() {
  std::vector<Episode> episodes;
  episodes.swap(finished_);
  return episodes;
}

std::string VectorEnv::SaveState() const {
  // a header line, then each env's running return and length and its state, length-prefixed
  std::ostringstream out;
  out << kStateTag << ' ' << envs_.size() << '\n';
  for (size_t index = 0; index < envs_.size(); ++index) {
    uint64_t bits = 0;
    std::memcpy(&bits, &running_return_[index], sizeof bits);
    const std::string state = envs_[index]->SaveState();
    out << bits << ' ' << running_length_[index] << ' ' << state.size() << '\n' << state << '\n';
  }
  return out.str();
}

void VectorEnv::LoadState(const std::string& state) {
  std::istringstream in(state);
  std::string tag;
  size_t count = 0;
  if (!(in >> tag >> count) || tag != kStateTag || count != envs_.size()) {
    throw std::runtime_error(fmt::format("not the saved state of a vector env of {} '{}' envs",
                                         envs_.size(), envs_[0]->name()));
  }
  in.get();
  std::vector<double> returns(count);
  std::vector<int64_t> lengths(count);
  std::vector<std::string> states(count);
  for (size_t index = 0; index < count; ++index) {
    uint64_t bits = 0;
    size_t size = 0;
    if (!(in >> bits >> lengths[index] >> size)) {
      throw std::runtime_error("a vector env state is cut short");
    }
    in.get();
    states[index].resize(size);
    if (!in.read(states[index].data(), static_cast<std::streamsize>(size))) {
      throw std::runtime_error("a vector env state is cut short");
    }
    in.get();
    std::memcpy(&returns[index], &bits, sizeof bits);
  }
  for (size_t index = 0; index < count; ++index) envs_[index]->LoadState(states[index]);
  running_return_ = returns;
  running_length_ = lengths;
  finished_.clear();
}

}  // namespace orch::envs
