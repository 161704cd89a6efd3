// SPDX-License-Identifier: GPL-2.0-or-later
// The real `sesamed` binary under test: its config files in a TempDir, started in the foreground with JSON logs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

// The build gives the test executables, not this library, the path of the sesamed it built; default arguments are
// evaluated where a test calls, so they pick it up.
#ifdef SESAMED_PATH
#define SESAME_TEST_BUILT_SESAMED SESAMED_PATH
#else
#define SESAME_TEST_BUILT_SESAMED ""
#endif

namespace sesame::test {

// The sesamed binary under test: $SESAMED when set, else `built` when it is executable, else "".
std::string sesamed_path(std::string_view built = SESAME_TEST_BUILT_SESAMED);

// The files of one sesamed instance, all inside one TempDir.
struct SesamedFiles {
  std::uint16_t port = 0;  // UDPSERV_PORT
  std::string conf;        // fwknopd.conf
  std::string access;      // access.conf
  std::string run_dir;     // FWKNOP_RUN_DIR
  std::string pid_file;
  std::string replay_log;
  std::string log;  // sesamed's stdout and stderr

  // `-c conf -a access -p pid_file --replay-log replay_log`: what every run, -S, -K and -R of this instance takes.
  std::vector<std::string> config_args() const;
};

// Writes fwknopd.conf ("UDPSERV_PORT port", "FWKNOP_RUN_DIR dir/run", then `conf_extra`) and access.conf into
// `dir`, both mode 0600, and names the other files there. Throws std::runtime_error on I/O failure.
SesamedFiles write_sesamed_files(const TempDir& dir, std::uint16_t port, std::string_view conf_extra,
                                 std::string_view access_conf);

// Replaces access.conf (0600) with `access_conf`, for a reload.
void rewrite_access_conf(const SesamedFiles& files, std::string_view access_conf);

struct SesamedSetup {
  std::string conf_extra{};         // fwknopd.conf lines after UDPSERV_PORT and FWKNOP_RUN_DIR
  std::string access_conf{};        // the whole access.conf
  bool test_mode = true;            // -t: no firewall, every accepted packet is only logged
  std::vector<std::string> args{};  // more options, e.g. {"-C", "3"} or {"--pcap-file", path}
  bool wait_until_ready = true;     // false: return once started (a pcap file run may end before anyone looks)
  std::chrono::milliseconds ready_timeout{10000};
  std::string netns{};  // run sesamed in this network namespace (`ip netns` name); empty: the test's own
};

// `sesamed -f --log-json <config_args> [-t] <args>` with stdin from /dev/null and stdout and stderr appended to
// files().log. The destructor SIGKILLs it (by pid) if it still runs, and always reaps it.
class SesamedProcess {
 public:
  // Writes the files with a free UDP port, starts sesamed and (unless told not to) waits for its `ready` event.
  // Throws std::runtime_error, with the log, when it cannot be started or exits or is not ready in time.
  SesamedProcess(const TempDir& dir, const SesamedSetup& setup, std::string_view binary = SESAME_TEST_BUILT_SESAMED);
  ~SesamedProcess();
  SesamedProcess(const SesamedProcess&) = delete;
  SesamedProcess& operator=(const SesamedProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return files_.port; }
  const SesamedFiles& files() const { return files_; }

  // Everything logged so far, verbatim, and its JSON lines parsed (other lines are skipped), oldest first.
  std::string output() const;
  std::vector<nlohmann::json> events();
  // The events whose "event" is `name`.
  std::vector<nlohmann::json> events(std::string_view name);
  // Waits until at least `count` events named `name` have been logged since start; returns all of them (fewer when
  // the timeout passed or sesamed exited first).
  std::vector<nlohmann::json> wait_for_events(std::string_view name, std::size_t count,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends SIGUSR1 and returns the `counters` event it causes; nullopt when none comes within `timeout`.
  std::optional<nlohmann::json> counters(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // kill(pid, signal) while the process has not been reaped; false otherwise.
  bool send_signal(int signal);
  // True while it has not exited.
  bool is_running();
  // Waits for it to exit: its exit code, 128 + the signal when a signal ended it, nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  void read_new_output();
  void reap(bool block);

  SesamedFiles files_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string text_;              // the log as read so far
  std::size_t parsed_up_to_ = 0;  // in text_: complete lines before this are in events_
  std::vector<nlohmann::json> events_;
};

// A fresh SPA packet as a client sends it (a new random value, the current time) carrying `message`
// ("IP,proto/port"), Rijndael CBC with these raw keys and HMAC-SHA256. Throws std::runtime_error when it cannot.
std::string make_knock(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& hmac_key,
                       const std::string& username, const std::string& message);

// A UDP port on which nothing is bound right now (bound to port 0, read back, closed). Throws on failure.
std::uint16_t free_udp_port();

// Sends each payload as one datagram from `from` (any 127.x.y.z works on Linux loopback) to 127.0.0.1:`port`, with
// sendmmsg in batches; returns how many the kernel took. Throws std::runtime_error when no socket can be made.
std::size_t send_udp(std::uint16_t port, const std::vector<std::string>& payloads,
                     const std::string& from = "127.0.0.1");
std::size_t send_udp(std::uint16_t port, std::string_view payload, const std::string& from = "127.0.0.1");

}  // namespace sesame::test
