// src/app/sweep_progress.cpp
#include "app/sweep_progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "app/progress_display.h"

namespace orch::app {

SweepProgress::SweepProgress(std::string name, size_t total_runs, int64_t total_work,
                             std::FILE* out)
    : name_(std::move(name)),
      total_runs_(total_runs),
      total_work_(total_work),
      out_(out),
      live_(isatty(fileno(out)) != 0),
      started_(std::chrono::steady_clock::now()) {}

double SweepProgress::WorkDone() const {
  double work = static_cast<double>(finished_work_);
  for (const auto& [index, run] : running_) work += static_cast<double>(run.update.done);
  return work;
}

std::string SweepProgress::CountsLine() const {
  size_t queued = total_runs_ - done_ - failed_ - interrupted_ - skipped_ - running_.size();
  // the pace of the last 30 s: a sweep's phases (seed steps, a pretraining burst, evaluations)
  // run at different paces, and the first seconds say nothing of the rest
  double eta = sweep_rate_.SecondsLeft(static_cast<double>(total_work_) - WorkDone());
  std::string line = fmt::format("{}/{} done, {} running, {} failed, {} queued", done_, total_runs_,
                                 running_.size(), failed_, queued);
  if (interrupted_ > 0) line += fmt::format(", {} interrupted", interrupted_);
  if (skipped_ > 0) line += fmt::format(", {} taken by another launcher", skipped_);
  return line + "  ETA " + ProgressDisplay::FormatDuration(eta);
}

void SweepProgress::Print(const std::string& line) {
  // an event line goes above the live block
  if (live_ && lines_drawn_ > 0) {
    std::fprintf(out_, "\033[%dA\033[J", lines_drawn_);
    lines_drawn_ = 0;
  }
  std::fprintf(out_, "%s\n",
               (live_ ? FitToWidth(fmt::format("[{}] {}", name_, line), TerminalColumns(out_))
                      : fmt::format("[{}] {}", name_, line))
                   .c_str());
  std::fflush(out_);
}

void SweepProgress::Redraw(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (live_) {
    if (!force && now - last_draw_ < std::chrono::milliseconds(250)) return;
    last_draw_ = now;
    // every line cut to the terminal's width (asked each time: a resize is followed), so
    // none wraps and moving the cursor up by the lines drawn lands on the block's first
    const int columns = TerminalColumns(out_);
    std::string block = FitToWidth(fmt::format("[{}] {}", name_, CountsLine()), columns) + "\n";
    int lines = 1;
    for (const auto& [index, run] : running_) {
      block +=
          FitToWidth(fmt::format("  {}  {}", run.label,
                                 ProgressDisplay::FormatLine("", run.update, run.rate.PerSecond())),
                     columns) +
          "\n";
      ++lines;
    }
    if (lines_drawn_ > 0) std::fprintf(out_, "\033[%dA\033[J", lines_drawn_);
    std::fputs(block.c_str(), out_);
    lines_drawn_ = lines;
    std::fflush(out_);
    return;
  }
  // plain lines: the counts every 10 s
  if (!force && now - last_draw_ < std::chrono::seconds(10)) return;
  last_draw_ = now;
  std::fprintf(out_, "[%s] %s\n", name_.c_str(), CountsLine().c_str());
  std::fflush(out_);
}

void SweepProgress::OnStarted(const sweep::LaunchItem& item, int attempt) {
  std::lock_guard<std::mutex> lock(mutex_);
  Running running;
  running.label = item.label;
  running.attempt = attempt;
  running.started = std::chrono::steady_clock::now();
  running_[item.job_index] = std::move(running);
  sweep_rate_.Add(std::chrono::steady_clock::now(), static_cast<double>(launch_work_));
  if (!live_ || attempt > 1) {
    Print(fmt::format("{} started{}", item.label,
                      attempt > 1 ? fmt::format(" (attempt {})", attempt) : ""));
  }
  Redraw(live_);
}

void SweepProgress::OnProgress(const sweep::LaunchItem& item, const sweep::ProgressUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = running_.find(item.job_index);
  if (it == running_.end()) return;
  const auto now = std::chrono::steady_clock::now();
  if (it->second.first_done < 0) {
    it->second.first_done = update.done;
    it->second.started = now;
    // a run continued from a checkpoint did its first steps in an earlier launch
    const bool continued = item.resume || it->second.attempt > 1;
    it->second.update.done = continued ? update.done : 0;
  }
  launch_work_ += std::max<int64_t>(0, update.done - it->second.update.done);
  it->second.update = update;
  it->second.rate.Add(now, static_cast<double>(update.done));
  sweep_rate_.Add(now, static_cast<double>(launch_work_));
  Redraw(false);
}

void SweepProgress::OnFinished(const sweep::LaunchItem& item, const sweep::RunOutcome& outcome,
                               bool will_retry) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = running_.find(item.job_index);
      it != running_.end() && outcome.status == "completed" && it->second.first_done >= 0) {
    // the steps after its last progress line
    launch_work_ += std::max<int64_t>(0, outcome.budget_steps - it->second.update.done);
  }
  running_.erase(item.job_index);
  std::string line = fmt::format("{} {} after {}", item.label, outcome.status,
                                 ProgressDisplay::FormatDuration(outcome.seconds));
  if (outcome.status == "failed") {
    line += fmt::format(" (worker {})", outcome.exit.Describe());
    if (will_retry) line += "; retrying from its newest checkpoint";
  }
  if (!will_retry) {
    if (outcome.status == "completed") ++done_;
    if (outcome.status == "failed") ++failed_;
    if (outcome.status == "interrupted") ++interrupted_;
    finished_work_ += outcome.budget_steps;
  }
  Print(line);
  Redraw(true);
}

void SweepProgress::OnSkipped(const sweep::LaunchItem& item, const std::string& why) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++skipped_;
  Print(fmt::format("{} skipped: {}", item.label, why));
  Redraw(true);
}

void SweepProgress::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (live_ && lines_drawn_ > 0) {
    std::fprintf(out_, "\033[%dA\033[J", lines_drawn_);
    lines_drawn_ = 0;
    std::fflush(out_);
  }
}

}  // namespace orch::app
