// SPDX-License-Identifier: GPL-2.0-or-later
// EventReporter: what sesamed says about packets, grants, expiries and commands, as fwknopd-style text lines or
// JSON events (`ready`, `grant`, `expire`, `command`, `reject`, ...). Reject lines are rate limited so that a
// flood cannot fill the disk: past the budget they are only counted, and the count is logged periodically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/access_stanza.h"
#include "server/access_request.h"
#include "server/captured_packet.h"
#include "server/daemon/logger.h"
#include "server/pipeline.h"

namespace sesame::server::daemon {

class EventReporter {
 public:
  explicit EventReporter(Logger& logger, std::uint32_t rejects_per_second = kDefaultRejectsPerSecond)
      : logger_(&logger), rejects_per_second_(rejects_per_second) {}

  void ready(std::string_view capture, bool test_mode, std::string_view firewall);
  void reject(DropReason reason, std::optional<std::size_t> stanza, const CapturedPacket& packet, std::int64_t now_s);
  // One `grant` line per requested proto/port; `test`: nothing was changed (-t).
  void grant(const AccessRequest& request, std::string_view firewall, bool test, std::int64_t now_s);
  // `cause` says which step refused it ("firewall change failed", "replay log write failed"); `error` its own words.
  void grant_failed(const AccessRequest& request, std::string_view cause, std::string_view error);
  void expire(const config::IpAddress& source, std::uint8_t protocol, std::uint16_t port);
  void command(const AccessRequest& request, std::string_view command, bool test);
  // A CMD_CYCLE stanza's accepted knock: the expanded open command (not a command message, which command() is).
  void cycle(const AccessRequest& request, std::string_view open_command, bool test);
  // The reject lines held back since the last call, if any (called about every 10 s).
  void summarize_suppressed();

  Logger& logger() { return *logger_; }

  static constexpr std::uint32_t kDefaultRejectsPerSecond = 20;

 private:
  bool admit_reject(std::int64_t now_s);

  Logger* logger_;
  std::uint32_t rejects_per_second_;
  std::int64_t window_s_ = 0;
  std::uint32_t in_window_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace sesame::server::daemon
