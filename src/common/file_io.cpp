// src/common/file_io.cpp
#include "common/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace orch {
namespace {

[[noreturn]] void Fail(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

void SyncDirectory(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) Fail("cannot open directory", directory);
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path directory = path.parent_path();
  if (directory.empty()) directory = ".";
  std::filesystem::create_directories(directory);
  std::filesystem::path temporary = path;
  temporary += ".tmp." + std::to_string(::getpid());

  // a write that fails (a full disk) leaves no temporary behind: the cause goes up, the file
  // stays as it was
  auto fail = [&](const std::string& what, const std::filesystem::path& subject, int fd) {
    const int cause = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(temporary.c_str());
    errno = cause;
    Fail(what, subject);
  };
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", temporary, -1);
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", temporary, fd);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot sync", temporary, fd);
  if (::close(fd) != 0) fail("cannot close", temporary, -1);
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail("cannot rename into", path, -1);
  SyncDirectory(directory);
}

size_t RemoveTemporaryFiles(const std::filesystem::path& directory) {
  size_t removed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().filename().string().find(".tmp.") == std::string::npos) continue;
    if (std::filesystem::remove(entry.path(), error)) ++removed;
  }
  return removed;
}

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

}  // namespace orch
