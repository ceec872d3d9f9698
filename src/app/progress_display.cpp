// src/app/progress_display.cpp
#include "app/progress_display.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

#include "app/terminal.h"

namespace orch::app {

ProgressDisplay::ProgressDisplay(std::string label, std::string unit, std::FILE* out)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      out_(out),
      live_(isatty(fileno(out)) != 0),
      started_(std::chrono::steady_clock::now()) {}

std::string ProgressDisplay::FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  int64_t total = static_cast<int64_t>(std::llround(seconds));
  int64_t hours = total / 3600;
  int64_t minutes = (total / 60) % 60;
  int64_t secs = total % 60;
  if (hours > 0) return fmt::format("{}:{:02}:{:02}", hours, minutes, secs);
  return fmt::format("{}:{:02}", minutes, secs);
}

std::string ProgressDisplay::FormatLine(const std::string& unit, const ProgressUpdate& update,
                                        double rate_per_second) {
  double percent = update.total > 0 ? 100.0 * update.done / update.total : 0.0;
  double remaining = rate_per_second > 0 ? (update.total - update.done) / rate_per_second : NAN;
  // no pace yet (the first report of a launch): "?", not a rate of 0
  std::string rate = rate_per_second > 0 ? fmt::format("{:.1f}", rate_per_second) : "?";
  std::string line = fmt::format("{}/{} {}  {:.1f}%  {}/s  ETA {}", update.done, update.total, unit,
                                 percent, rate, FormatDuration(remaining));
  for (const auto& [key, value] : update.headline) line += fmt::format("  {} {:.4g}", key, value);
  return line;
}

void ProgressDisplay::Update(const ProgressUpdate& update) {
  auto now = std::chrono::steady_clock::now();
  if (first_done_ < 0) first_done_ = update.done;  // a resumed run starts counting later
  rate_.Add(now, static_cast<double>(update.done));
  std::string line = FormatLine(unit_, update, rate_.PerSecond());
  if (live_) {
    // cut to the terminal's width: a wrapped line is not overwritten by \r
    std::fprintf(out_, "\r\033[K%s",
                 FitToWidth(fmt::format("[{}] {}", label_, line), TerminalColumns(out_)).c_str());
    std::fflush(out_);
    line_open_ = true;
    return;
  }
  // plain lines: every 10 s, or every 10% of the work
  double percent = update.total > 0 ? 100.0 * update.done / update.total : 0.0;
  bool due = now - last_plain_ >= std::chrono::seconds(10) ||
             std::floor(percent / 10) > std::floor(last_percent_printed_ / 10) ||
             update.done == update.total;
  if (!due) return;
  last_plain_ = now;
  last_percent_printed_ = percent;
  std::fprintf(out_, "[%s] %s\n", label_.c_str(), line.c_str());
  std::fflush(out_);
}

void ProgressDisplay::Finish() {
  if (line_open_) std::fprintf(out_, "\n");
  line_open_ = false;
}

}  // namespace orch::app
