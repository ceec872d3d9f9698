// tests/app/orch_process.h: runs the built `orch` binary for the CLI-level tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace orch::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `orch ARGS...` in `cwd` (default: the source root) and waits for it; `environment`
/// (`KEY=VALUE` entries) is added to the inherited environment.
ProcessResult RunOrch(const std::vector<std::string>& args,
                      const std::filesystem::path& cwd = ORCH_SOURCE_DIR,
                      const std::vector<std::string>& environment = {});

/// The whole file ("" when it does not exist).
std::string Slurp(const std::filesystem::path& path);

bool Contains(const std::string& text, const std::string& part);

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  /// Writes `content` to `relative` below the directory, creating parents.
  void Write(const std::string& relative, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace orch::testing
