// src/rl/seeding.h: named, independent random streams derived from the run seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace orch::rl {

/// A 64-bit seed for the stream `name` of a run: SplitMix64 of the run seed mixed with a hash
/// of the name. Streams are independent, and adding a stream never shifts another one's draws
/// (so turning a feature on does not change the baseline's randomness).
uint64_t DeriveSeed(uint64_t run_seed, std::string_view name);

/// One named random stream. Normal draws use Box-Muller without a cached second value, so the
/// whole state is the engine's and saves to, and restores from, a string exactly.
class RandomStream {
 public:
  RandomStream(uint64_t run_seed, std::string_view name);

  /// Uniform in [0, 1), from 53 random bits.
  double Uniform();
  /// Normal with the given mean and standard deviation.
  double Normal(double mean = 0.0, double stddev = 1.0);
  /// True with probability p.
  bool Bernoulli(double p) { return Uniform() < p; }
  /// Uniform integer in [0, n).
  uint64_t Below(uint64_t n);
  std::mt19937_64& engine() { return engine_; }

  /// The engine state as text (std::mt19937_64's stream form).
  std::string SaveState() const;
  void LoadState(const std::string& state);

 private:
  std::mt19937_64 engine_;
};

}  // namespace orch::rl
