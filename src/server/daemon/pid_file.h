// SPDX-License-Identifier: GPL-2.0-or-later
// The pid file: its lock is what makes a second sesamed refuse to start, and what -K, -R and -S look for.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace sesame::server::daemon {

class PidFile {
 public:
  // Opens or creates `path` (mode 0644; its directory is created 0755 if missing), takes an exclusive lock and
  // writes this process's pid. Fails, naming the other pid, while another process holds the lock.
  static Result<PidFile, std::string> acquire(const std::string& path);

  PidFile(PidFile&&) noexcept = default;
  PidFile& operator=(PidFile&&) noexcept = default;
  // Removes the file on a clean exit; a crash leaves it unlocked, which the next start takes over.
  ~PidFile();

  // After daemonizing: the lock is shared with the parent's description, the pid is not.
  Result<Ok, std::string> write_own_pid();
  const std::string& path() const { return path_; }

 private:
  PidFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

// The pid of the sesamed (or fwknopd) holding the lock on `path`; nullopt when nobody holds it.
std::optional<pid_t> running_daemon_pid(const std::string& path);

}  // namespace sesame::server::daemon
