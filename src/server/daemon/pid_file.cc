// SPDX-License-Identifier: GPL-2.0-or-later
// PidFile: flock(2) on the pid file itself, so the kernel releases it however the daemon ends.
#include "server/daemon/pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace sesame::server::daemon {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

std::optional<pid_t> read_pid(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return std::nullopt;
  char* end = nullptr;
  const long pid = std::strtol(text, &end, 10);
  if (end == text || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace

Result<PidFile, std::string> PidFile::acquire(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!parent.empty() && !std::filesystem::exists(parent, ignored)) {
    std::filesystem::create_directories(parent, ignored);
    ::chmod(parent.c_str(), 0755);
  }
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.is_valid()) return fail(path + ": cannot open the pid file: " + errno_text(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error != EWOULDBLOCK) return fail(path + ": cannot lock the pid file: " + errno_text(error));
    const auto other = read_pid(fd.get());
    return fail("another sesamed is running" + (other ? " (pid " + std::to_string(*other) + ")" : std::string()) +
                ": " + path + " is locked");
  }
  PidFile file(path, std::move(fd));
  if (auto written = file.write_own_pid(); !written) return fail(written.error());
  return file;
}

PidFile::~PidFile() {
  // Only the process that wrote the pid removes the file: a parent exiting after a fork must leave it.
  if (fd_.is_valid() && read_pid(fd_.get()) == ::getpid()) ::unlink(path_.c_str());
}

Result<Ok, std::string> PidFile::write_own_pid() {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_.get(), 0) != 0 || ::pwrite(fd_.get(), text.data(), text.size(), 0) != ssize_t(text.size()))
    return fail(path_ + ": cannot write the pid file: " + errno_text(errno));
  return Ok{};
}

std::optional<pid_t> running_daemon_pid(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.is_valid()) return std::nullopt;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return std::nullopt;  // nobody holds it: a stale file
  return read_pid(fd.get());
}

}  // namespace sesame::server::daemon
