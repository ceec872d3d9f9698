// src/sweep/worker_process.cpp
#include "sweep/worker_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "common/string_util.h"
#include "config/yaml_loader.h"

extern char** environ;

namespace orch::sweep {
namespace {

constexpr size_t kStderrTailBytes = 4096;

/// Splits complete lines off a buffer of bytes read from a pipe.
class LineBuffer {
 public:
  template <typename Visit>
  void Feed(const char* data, size_t size, Visit&& visit) {
    buffer_.append(data, size);
    size_t start = 0;
    for (size_t newline = buffer_.find('\n'); newline != std::string::npos;
         newline = buffer_.find('\n', start)) {
      visit(std::string_view(buffer_).substr(start, newline - start));
      start = newline + 1;
    }
    buffer_.erase(0, start);
  }
  template <typename Visit>
  void Finish(Visit&& visit) {
    if (!buffer_.empty()) visit(std::string_view(buffer_));
    buffer_.clear();
  }

 private:
  std::string buffer_;
};

std::string SignalName(int signal) {
  const char* name = sigabbrev_np(signal);
  return name != nullptr ? std::string("SIG") + name : std::to_string(signal);
}

}  // namespace

std::optional<ProgressUpdate> ParseProgressLine(std::string_view line) {
  constexpr std::string_view kPrefix = "@progress ";
  if (!StartsWith(line, kPrefix)) return std::nullopt;
  // the payload is JSON, which our YAML reader parses (finite numbers only: NaN reads as a string)
  config::Node node;
  try {
    node = config::ParseYamlValue(line.substr(kPrefix.size()), "progress");
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!node.IsMap()) return std::nullopt;
  ProgressUpdate update;
  const config::Node* done = node.Find("done");
  const config::Node* total = node.Find("total");
  if (done == nullptr || total == nullptr || !done->IsInt() || !total->IsInt()) return std::nullopt;
  update.done = done->AsInt();
  update.total = total->AsInt();
  if (const config::Node* headline = node.Find("headline"); headline && headline->IsMap()) {
    for (const auto& entry : headline->Entries()) {
      if (entry.value.IsNumber()) update.headline.emplace_back(entry.key, entry.value.AsDouble());
    }
  }
  return update;
}

std::string WorkerExit::Describe() const {
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, SignalName(signal));
  return fmt::format("exit code {}", exit_code);
}

std::filesystem::path WorkerExecutable() {
  if (const char* chosen = std::getenv("ORCH_WORKER"); chosen != nullptr && *chosen != '\0') {
    return chosen;
  }
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return self.parent_path() / "orch-worker";
}

WorkerExit RunWorkerProcess(const WorkerLaunch& launch,
                            const std::function<void(const ProgressUpdate&)>& on_progress,
                            const std::atomic<int>* stop_requests,
                            const std::function<void(pid_t)>& on_started) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create pipes: ") + strerror(errno));
  }

  // the worker: its own process group, stdout and stderr into our pipes
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // the worker unblocks the stop signals once its handlers are in place (worker_main.cpp)
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigmask(&attributes, &blocked);

  std::vector<std::string> argv_text = {launch.executable};
  argv_text.insert(argv_text.end(), launch.args.begin(), launch.args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) env_text.emplace_back(*entry);
  env_text.insert(env_text.end(), launch.environment.begin(), launch.environment.end());
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  int spawned =
      posix_spawn(&pid, launch.executable.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error(
        fmt::format("cannot start {}: {}", launch.executable, strerror(spawned)));
  }
  if (on_started) on_started(pid);

  std::ofstream stdout_log(launch.stdout_log, std::ios::app);
  std::ofstream stderr_log(launch.stderr_log, std::ios::app);
  WorkerExit result;
  result.pid = pid;
  LineBuffer out_lines;
  LineBuffer err_lines;
  auto on_out = [&](std::string_view line) {
    if (auto update = ParseProgressLine(line)) {
      if (on_progress) on_progress(*update);
      return;
    }
    constexpr std::string_view kEnding = "@ending ";
    if (StartsWith(line, kEnding)) {
      if (auto ending = store::ParseEndingJson(line.substr(kEnding.size()))) {
        result.ending = std::move(ending);
      }
    }
    stdout_log << line << '\n';
    stdout_log.flush();
  };
  auto on_err = [&](std::string_view line) {
    stderr_log << line << '\n';
    stderr_log.flush();
    if (launch.echo_stderr) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    }
    result.stderr_tail.append(line).append("\n");
    if (result.stderr_tail.size() > kStderrTailBytes) {
      result.stderr_tail.erase(0, result.stderr_tail.size() - kStderrTailBytes);
    }
  };

  // follow both pipes until the worker closes them; forward stop requests as they come
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_pipes = 2;
  int forwarded = 0;
  char buffer[8192];
  while (open_pipes > 0) {
    int requests = stop_requests != nullptr ? stop_requests->load() : 0;
    if (requests >= 1 && forwarded < 1) {
      kill(pid, SIGINT);
      forwarded = 1;
      result.stop_forwarded = true;
    }
    if (requests >= 2 && forwarded < 2) {
      kill(pid, SIGKILL);
      forwarded = 2;
    }
    int ready = poll(fds, 2, 200);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        if (i == 0) {
          out_lines.Feed(buffer, static_cast<size_t>(n), on_out);
        } else {
          err_lines.Feed(buffer, static_cast<size_t>(n), on_err);
        }
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  out_lines.Finish(on_out);
  err_lines.Finish(on_err);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace orch::sweep
