// Tests the live progress of src/app/sweep_progress.cpp and progress_display.cpp on a real
// terminal (a pseudo-terminal of 80 and of 160 columns): no line is wider than the terminal,
// so none wraps, and the sweep block is redrawn in place (cursor up, clear) rather than
// scrolled. (The one-off `orch:` messages before and after the block may wrap.)
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "orch_process.h"

namespace orch::app {
namespace {

using orch::testing::TempDir;

/// Runs `orch ARGS...` on a pseudo-terminal `columns` wide; returns everything it wrote.
std::string RunOnTerminal(const std::vector<std::string>& args, int columns) {
  winsize size{};
  size.ws_row = 40;
  size.ws_col = static_cast<unsigned short>(columns);
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  if (pid == 0) {
    std::vector<std::string> argv_text = {std::string(ORCH_BUILD_DIR) + "/src/app/orch"};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    unsetenv("COLUMNS");
    if (chdir(ORCH_SOURCE_DIR) != 0) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::string out;
  char buffer[4096];
  while (true) {
    ssize_t n = read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has exited
    out.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  return out;
}

/// The visible text of each line as a terminal draws it: escape sequences removed, split at
/// newlines and carriage returns.
std::vector<std::string> VisibleLines(const std::string& raw) {
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\033' && i + 1 < raw.size() && raw[i + 1] == '[') {
      i += 2;
      while (i < raw.size() && !(raw[i] >= '@' && raw[i] <= '~')) ++i;
      continue;
    }
    if (c == '\n' || c == '\r') {
      lines.emplace_back();
      continue;
    }
    lines.back() += c;
  }
  return lines;
}

size_t Columns(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
  return width;
}

class ProgressTerminalTest : public ::testing::TestWithParam<int> {};

TEST_P(ProgressTerminalTest, TheSweepBlockFitsTheTerminalAndRedrawsInPlace) {
  const int columns = GetParam();
  TempDir dir("progress-terminal");
  const std::string raw =
      RunOnTerminal({"sweep", "configs/tam/pendulum.yaml", "seed=0,1", "tam.memory.w_mem=0,0.02",
                     "tam.episodes=1500", "--name", "a-long-sweep-name-that-takes-room", "--jobs",
                     "2", "--store", (dir.path() / "orch.db").string()},
                    columns);
  // the live block's lines ([name] counts, running runs, events above it); the one-off
  // `orch:` messages before and after it may wrap like any command's, since nothing redraws
  // over them
  size_t widest = 0;
  size_t block_lines = 0;
  for (const auto& line : VisibleLines(raw)) {
    if (line.rfind("orch:", 0) == 0) continue;
    ++block_lines;
    widest = std::max(widest, Columns(line));
    EXPECT_LT(Columns(line), static_cast<size_t>(columns)) << line;
  }
  EXPECT_GT(block_lines, 10u);
  // the block moved the cursor up to redraw itself, more than once
  size_t redraws = 0;
  for (size_t at = raw.find("\033[", 0); at != std::string::npos; at = raw.find("\033[", at + 1)) {
    if (raw.compare(at + 2, 1, "0") >= 0 && raw.find("A\033[J", at) == raw.find('A', at)) {
      ++redraws;
    }
  }
  EXPECT_GT(redraws, 2u) << raw.substr(0, 2000);
  // at 80 columns the long lines were cut; at 160 they had room
  if (columns == 80) {
    EXPECT_NE(raw.find("\u2026"), std::string::npos);
  }
  EXPECT_GT(widest, 40u);
}

INSTANTIATE_TEST_SUITE_P(Widths, ProgressTerminalTest, ::testing::Values(80, 160));

}  // namespace
}  // namespace orch::app
