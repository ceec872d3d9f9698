// Tests src/envs/env.cpp.
#include "envs/env.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace orch::envs {
namespace {

// the smallest env that keeps the default WriteMasks
class StubEnv final : public Env {
 public:
  explicit StubEnv(std::vector<int> head_sizes) {
    spec_.kind = ActionSpec::Kind::kDiscrete;
    spec_.head_sizes = std::move(head_sizes);
    for (size_t head_idx = 0; head_idx < spec_.head_sizes.size(); ++head_idx) {
      spec_.head_names.push_back("head" + std::to_string(head_idx));
    }
  }
  const std::string& name() const override { return name_; }
  int obs_dim() const override { return 1; }
  const ActionSpec& action_spec() const override { return spec_; }
  int64_t max_episode_steps() const override { return 1; }
  void Reset(std::span<float>) override {}
  StepResult Step(const Action&, std::span<float>) override { return {}; }
  std::string SaveState() const override { return {}; }
  void LoadState(const std::string&) override {}

 private:
  std::string name_ = "stub";
  ActionSpec spec_;
};

TEST(EnvInterfaceTest, MaskSizeIsTheSumOfTheHeadSizes) {
  ActionSpec spec;
  EXPECT_EQ(spec.mask_size(), 0);
  spec.head_sizes = {2};
  EXPECT_EQ(spec.mask_size(), 2);
  // the seed garden's heads with 3 slots: 3 + 13 + 4 + 3 + 3 + 4 + 3 + 6
  spec.head_sizes = {3, 13, 4, 3, 3, 4, 3, 6};
  EXPECT_EQ(spec.mask_size(), 39);
}

TEST(EnvInterfaceTest, DefaultMasksAreAllOnes) {
  StubEnv env({3, 2});
  std::vector<uint8_t> masks(5, 0);
  env.WriteMasks(masks);
  EXPECT_EQ(masks, std::vector<uint8_t>(5, 1));
}

TEST(EnvInterfaceTest, DefaultMasksCheckTheSpanSize) {
  StubEnv env({3, 2});
  std::vector<uint8_t> short_masks(4), long_masks(6);
  EXPECT_THROW(env.WriteMasks(short_masks), std::runtime_error);
  EXPECT_THROW(env.WriteMasks(long_masks), std::runtime_error);
}

}  // namespace
}  // namespace orch::envs
