// tests/fault/disk_full_preload.c: an LD_PRELOAD shim that makes a directory's disk "full" for
// the fault tests, in every process that inherits it (the front end and its workers), without
// root or a real filesystem to fill.
//
//   ORCH_FAULT_FULL_DIR=DIR       the disk holding DIR: writes to files under it can fail
//   ORCH_FAULT_FULL_FLAG=PATH     ... and do fail with ENOSPC while PATH exists
//   ORCH_FAULT_FULL_TRIGGER=TEXT  opening a file whose path holds TEXT for writing creates PATH
//                                 (the disk fills up at that moment, e.g. at a final checkpoint)
//
// A full disk still lets files be created and read; writes fail, as ext4 does when out of blocks.
// the build's -D_FILE_OFFSET_BITS=64 would turn pwrite and open into aliases of the 64-bit
// names this file defines too
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

// the libc function this one wraps
#define REAL(name)                             \
  static __typeof__(&name) real_##name = NULL; \
  if (real_##name == NULL) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

static int FlagSet(void) {
  const char* flag = getenv("ORCH_FAULT_FULL_FLAG");
  struct stat info;
  return flag != NULL && stat(flag, &info) == 0;
}

// whether `fd` is a regular file under ORCH_FAULT_FULL_DIR
static int OnFullDisk(int fd) {
  const char* dir = getenv("ORCH_FAULT_FULL_DIR");
  if (dir == NULL || !FlagSet()) return 0;
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return 0;
  char link[64];
  char path[PATH_MAX];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, path, sizeof(path) - 1);
  if (length < 0) return 0;
  path[length] = '\0';
  return strncmp(path, dir, strlen(dir)) == 0;
}

static void MaybeTrigger(const char* path, int flags) {
  const char* trigger = getenv("ORCH_FAULT_FULL_TRIGGER");
  const char* flag = getenv("ORCH_FAULT_FULL_FLAG");
  if (trigger == NULL || flag == NULL || path == NULL) return;
  if ((flags & (O_WRONLY | O_RDWR)) == 0 || strstr(path, trigger) == NULL) return;
  REAL(open);
  int fd = real_open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
}

ssize_t write(int fd, const void* buffer, size_t count) {
  REAL(write);
  if (count > 0 && OnFullDisk(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real_write(fd, buffer, count);
}

ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) {
  REAL(pwrite);
  if (count > 0 && OnFullDisk(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real_pwrite(fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void* buffer, size_t count, off64_t offset) {
  REAL(pwrite64);
  if (count > 0 && OnFullDisk(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real_pwrite64(fd, buffer, count, offset);
}

ssize_t writev(int fd, const struct iovec* vectors, int count) {
  REAL(writev);
  if (count > 0 && OnFullDisk(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real_writev(fd, vectors, count);
}

int open(const char* path, int flags, ...) {
  REAL(open);
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  MaybeTrigger(path, flags);
  return real_open(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  REAL(open64);
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  MaybeTrigger(path, flags);
  return real_open64(path, flags, mode);
}

int openat(int dir_fd, const char* path, int flags, ...) {
  REAL(openat);
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  MaybeTrigger(path, flags);
  return real_openat(dir_fd, path, flags, mode);
}
