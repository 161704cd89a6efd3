// SPDX-License-Identifier: GPL-2.0-or-later
// UniqueFd: owns one file descriptor and closes it once, so no error path leaks a socket.
#pragma once

#include <unistd.h>

#include <utility>

namespace sesame {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool is_valid() const { return fd_ >= 0; }
  // Closes now and says whether close(2) succeeded: for a written file, where a failing close (a full disk on NFS)
  // means lost data.
  bool close() noexcept { return ::close(std::exchange(fd_, -1)) == 0; }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace sesame
