// SPDX-License-Identifier: GPL-2.0-or-later
// The real fwknopd 2.6.x running in the foreground inside a network namespace, for the end-to-end tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace sesame::test {

class FwknopdProcess {
 public:
  // Writes fwknopd.conf (FWKNOP_RUN_DIR, pid and digest files in `dir`, then `conf_extra`) and access.conf into
  // `dir`, starts `fwknopd -f -v` inside namespace `ns` with its output in dir/fwknopd.log, and waits up to
  // `timeout` until it reports that it is listening (UDP server) or sniffing (pcap). Throws std::runtime_error,
  // with the log, when fwknopd is missing, exits or does not get there in time.
  FwknopdProcess(const std::string& ns, const std::string& dir, const std::string& conf_extra,
                 const std::string& access_conf, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGTERM to its pid (fwknopd then deletes its chains), SIGKILL after 3 s; always reaped.
  ~FwknopdProcess();
  FwknopdProcess(const FwknopdProcess&) = delete;
  FwknopdProcess& operator=(const FwknopdProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string log() const;

  // False (with a reason) when no fwknopd 2.6.x is installed. Set SESAME_FWKNOPD to use another binary.
  static bool available(std::string* why);

 private:
  void stop() noexcept;

  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace sesame::test
