// src/app/provenance.cpp
#include "app/provenance.h"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <thread>

#include "common/json.h"
#include "common/sha256.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

std::optional<std::string> Git(const std::filesystem::path& directory, const std::string& args) {
  return CommandOutput("git -C " + ShellQuote(directory.string()) + " " + args + " 2>/dev/null");
}

std::string Trimmed(const std::optional<std::string>& text) {
  return text ? std::string(Trim(*text)) : std::string();
}

constexpr size_t kMaxStoredDiff = 1 << 20;

}  // namespace

std::optional<std::string> CommandOutput(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0) return std::nullopt;
  return output;
}

store::CodeVersion CollectCodeVersion(const std::filesystem::path& directory) {
  store::CodeVersion code;
  code.orch_version = ORCH_VERSION;
  JsonWriter build;
  build.BeginObject();
  build.Key("compiler")
      .String(fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
  build.Key("build_type").String(ORCH_BUILD_TYPE);
  build.Key("cpp_standard").Int(__cplusplus);
  build.EndObject();
  code.build_info_json = build.Take();

  std::string head = Trimmed(Git(directory, "rev-parse HEAD"));
  if (head.empty()) return code;  // not a repository, or no commit yet
  code.git_sha = head;
  std::string branch = Trimmed(Git(directory, "rev-parse --abbrev-ref HEAD"));
  if (!branch.empty()) code.branch = branch;
  std::string remote = Trimmed(Git(directory, "config --get remote.origin.url"));
  if (!remote.empty()) code.remote_url = remote;

  // uncommitted state: the diff against HEAD plus the names of untracked files
  std::string diff = Git(directory, "diff HEAD --no-color").value_or("");
  std::string untracked = Git(directory, "ls-files --others --exclude-standard").value_or("");
  code.dirty = !diff.empty() || !untracked.empty();
  if (code.dirty) {
    Sha256 hasher;
    hasher.Update(diff);
    hasher.Update("\nuntracked:\n");
    hasher.Update(untracked);
    code.diff_sha256 = hasher.FinishHex();
    std::string text = diff;
    if (!untracked.empty()) text += "\n# untracked files:\n" + untracked;
    if (text.size() <= kMaxStoredDiff) code.diff_text = text;
  }
  return code;
}

store::HostInfo CollectHostInfo() {
  store::HostInfo host;
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) == 0) host.hostname = name;
  host.cpus = static_cast<int64_t>(std::thread::hardware_concurrency());
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (StartsWith(line, "model name")) {
      host.cpu_model = std::string(Trim(line.substr(line.find(':') + 1)));
      break;
    }
  }
  std::ifstream meminfo("/proc/meminfo");
  while (std::getline(meminfo, line)) {
    if (StartsWith(line, "MemTotal:")) {
      host.memory_bytes = std::stoll(std::string(Trim(line.substr(9)))) * 1024;
      break;
    }
  }
  utsname uts;
  if (uname(&uts) == 0) host.os = fmt::format("{} {} {}", uts.sysname, uts.release, uts.machine);
  return host;
}

}  // namespace orch::app
