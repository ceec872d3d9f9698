// src/app/terminal.cpp
#include "app/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace orch::app {

int TerminalColumns(std::FILE* out) {
  winsize size{};
  if (isatty(fileno(out)) != 0 && ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  if (const char* columns = std::getenv("COLUMNS")) {
    int value = std::atoi(columns);
    if (value > 0) return value;
  }
  return 80;
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
  return width;
}

std::string FitToWidth(std::string_view text, int columns) {
  const size_t limit = columns > 1 ? static_cast<size_t>(columns - 1) : 1;
  if (DisplayWidth(text) <= limit) return std::string(text);
  // keep limit - 1 characters, then the ellipsis
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (width + 1 > limit - 1) break;
      ++width;
    }
    out += text[i];
  }
  return out + "\u2026";
}

void RecentRate::Add(std::chrono::steady_clock::time_point now, double work) {
  if (!started_) {
    first_ = now;
    start_ = {now, work};
    started_ = true;
  }
  samples_.emplace_back(now, work);
  while (samples_.size() > 2 && samples_.front().first < now - window_) samples_.pop_front();
}

double RecentRate::PerSecond() const {
  if (samples_.size() < 2 || samples_.back().first - first_ < warmup_) return 0.0;
  auto rate = [](const auto& from, const auto& to) {
    const double seconds = std::chrono::duration<double>(to.first - from.first).count();
    const double work = to.second - from.second;
    return seconds > 0 && work > 0 ? work / seconds : 0.0;
  };
  // the recent pace, but never below the average since the start: a phase that does not
  // advance the step (TD-MPC2's pretraining burst, an evaluation) would read as hours left
  return std::max(rate(samples_.front(), samples_.back()), rate(start_, samples_.back()));
}

double RecentRate::SecondsLeft(double remaining) const {
  const double rate = PerSecond();
  return rate > 0 ? remaining / rate : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace orch::app
