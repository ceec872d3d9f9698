// src/envs/state_text.cpp
#include "envs/state_text.h"

#include <bit>
#include <random>
#include <stdexcept>

namespace orch::envs {

StateWriter::StateWriter(std::string_view tag) { scalars_ << tag; }

StateWriter& StateWriter::Double(double value) {
  scalars_ << ' ' << std::bit_cast<uint64_t>(value);
  return *this;
}

StateWriter& StateWriter::Int(int64_t value) {
  scalars_ << ' ' << value;
  return *this;
}

StateWriter& StateWriter::Stream(const rl::RandomStream& stream) {
  streams_ << stream.SaveState() << '\n';
  return *this;
}

std::string StateWriter::str() const { return scalars_.str() + '\n' + streams_.str(); }

StateReader::StateReader(const std::string& text, std::string_view tag, std::string env_name)
    : lines_(text), env_name_(std::move(env_name)) {
  // the first line holds the tag and the scalars
  std::string line;
  if (!std::getline(lines_, line)) Fail("empty text");
  scalars_.str(line);
  std::string found;
  if (!(scalars_ >> found) || found != tag) Fail("expected the tag " + std::string(tag));
}

double StateReader::Double() {
  uint64_t bits = 0;
  if (!(scalars_ >> bits)) Fail("a value is missing");
  return std::bit_cast<double>(bits);
}

int64_t StateReader::Int(int64_t low, int64_t high) {
  int64_t value = 0;
  if (!(scalars_ >> value)) Fail("a value is missing");
  if (value < low || value > high) Fail("a value is out of range");
  return value;
}

std::string StateReader::Stream() {
  // parse into a scratch engine: the caller's stream is only touched once all is read
  std::string line;
  if (!std::getline(lines_, line) || line.empty()) Fail("a random stream is missing");
  std::istringstream in(line);
  std::mt19937_64 scratch;
  in >> scratch;
  if (in.fail()) Fail("a random stream is malformed");
  in >> std::ws;
  if (!in.eof()) Fail("a random stream has extra text");
  return line;
}

void StateReader::Finish() {
  std::string rest;
  if (scalars_ >> rest) Fail("extra values");
  if (lines_ >> rest) Fail("extra lines");
}

void StateReader::Fail(const std::string& why) const {
  throw std::runtime_error(env_name_ + ": not a saved env state (" + why + ")");
}

}  // namespace orch::envs
