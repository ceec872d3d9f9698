// Tests src/rl/seeding.cpp and src/rl/checkpoint_io.cpp.
#include "rl/seeding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "rl/checkpoint_io.h"

namespace orch::rl {
namespace {

TEST(SeedingTest, StreamsAreIndependentAndReproducible) {
  EXPECT_EQ(DeriveSeed(1, "env"), DeriveSeed(1, "env"));
  EXPECT_NE(DeriveSeed(1, "env"), DeriveSeed(1, "policy"));
  EXPECT_NE(DeriveSeed(1, "env"), DeriveSeed(2, "env"));
  RandomStream a(7, "noise");
  RandomStream b(7, "noise");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Uniform(), b.Uniform());
}

TEST(SeedingTest, StateRoundTripsExactly) {
  RandomStream stream(3, "x");
  for (int i = 0; i < 10; ++i) stream.Normal();
  std::string state = stream.SaveState();
  std::vector<double> expected;
  for (int i = 0; i < 50; ++i) expected.push_back(stream.Normal(1.0, 2.0));
  RandomStream restored(99, "other");
  restored.LoadState(state);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(restored.Normal(1.0, 2.0), expected[i]);
}

TEST(SeedingTest, DistributionsHaveTheirMoments) {
  RandomStream stream(11, "moments");
  const int n = 200'000;
  double sum = 0, sum_sq = 0, uniform_sum = 0;
  int heads = 0;
  std::set<uint64_t> below;
  for (int i = 0; i < n; ++i) {
    double x = stream.Normal(2.0, 3.0);
    sum += x;
    sum_sq += x * x;
    double u = stream.Uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    uniform_sum += u;
    heads += stream.Bernoulli(0.15) ? 1 : 0;
    below.insert(stream.Below(5));
  }
  double mean = sum / n;
  double variance = sum_sq / n - mean * mean;
  EXPECT_NEAR(mean, 2.0, 0.03);
  EXPECT_NEAR(std::sqrt(variance), 3.0, 0.03);
  EXPECT_NEAR(uniform_sum / n, 0.5, 0.005);
  EXPECT_NEAR(heads / static_cast<double>(n), 0.15, 0.005);
  EXPECT_EQ(below, (std::set<uint64_t>{0, 1, 2, 3, 4}));
}

TEST(CheckpointIoTest, AtomicWriteReplacesTheFile) {
  auto dir = std::filesystem::temp_directory_path() / "orch-ckpt-io";
  std::filesystem::remove_all(dir);
  auto path = dir / "sub" / "a.bin";
  WriteFileAtomically(path, "first");
  EXPECT_EQ(ReadWholeFile(path), "first");
  WriteFileAtomically(path, std::string("sec\0ond", 7));
  EXPECT_EQ(ReadWholeFile(path), std::string("sec\0ond", 7));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "sub")) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);  // no temporary left behind
  EXPECT_THROW(ReadWholeFile(dir / "missing"), std::runtime_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace orch::rl
