// src/rl/seeding.cpp
#include "rl/seeding.h"

#include <cmath>
#include <numbers>
#include <sstream>

namespace orch::rl {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

uint64_t DeriveSeed(uint64_t run_seed, std::string_view name) {
  return SplitMix64(SplitMix64(run_seed) ^ Fnv1a(name));
}

RandomStream::RandomStream(uint64_t run_seed, std::string_view name)
    : engine_(DeriveSeed(run_seed, name)) {}

double RandomStream::Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double RandomStream::Normal(double mean, double stddev) {
  // Box-Muller; 1 - u keeps the logarithm finite
  double u1 = 1.0 - Uniform();
  double u2 = Uniform();
  double radius = std::sqrt(-2.0 * std::log(u1));
  return mean + stddev * radius * std::cos(2.0 * std::numbers::pi * u2);
}

uint64_t RandomStream::Below(uint64_t n) {
  // rejection sampling keeps every value equally likely
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t draw = engine_();
  while (draw >= limit) draw = engine_();
  return draw % n;
}

std::string RandomStream::SaveState() const {
  std::ostringstream out;
  out << engine_;
  return out.str();
}

void RandomStream::LoadState(const std::string& state) {
  std::istringstream in(state);
  in >> engine_;
}

}  // namespace orch::rl
