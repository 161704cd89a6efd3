// SPDX-License-Identifier: GPL-2.0-or-later
// EventReporter: the wording of each event. Text lines reuse fwknopd's phrases so that grep patterns and
// fail2ban filters written for fwknopd still match.
#include "server/daemon/event_reporter.h"

namespace sesame::server::daemon {
namespace {

std::string stanza_tag(std::optional<std::size_t> stanza) {
  return stanza ? " (stanza #" + std::to_string(*stanza + 1) + ")" : std::string();
}

// fwknopd's message for each reason, after "[ip] (stanza #N) ".
std::string_view reject_text(DropReason reason) {
  switch (reason) {
    case DropReason::kTooShort:
    case DropReason::kTooLong:
      return "preprocess_spa_data(): SPA packet size out of bounds";
    case DropReason::kNotSpaData:
      return "preprocess_spa_data(): Data is not an SPA message";
    case DropReason::kSource:
      return "No access data found for source IP";
    case DropReason::kHmac:
      return "Non-corresponding HMAC for this stanza";
    case DropReason::kReplay:
      return "Replay detected from source IP";
    case DropReason::kReplayCacheFull:
      return "Replay cache full of live entries: packet dropped (fail closed)";
    case DropReason::kReplayStoreDown:
      return "Shared replay cache unreachable: packet dropped (REPLAY_CACHE_FAILURE closed)";
    case DropReason::kDecode:
      return "Error creating fko context: decryption or decoding failed";
    case DropReason::kStale:
      return "SPA data time difference is too great";
    case DropReason::kSourceRequired:
      return "Got 0.0.0.0 when valid source IP was required.";
    case DropReason::kUser:
      return "Username in SPA data does not match the required username";
    case DropReason::kExpiredStanza:
      return "Access stanza has expired";
    case DropReason::kDeniedPort:
      return "One or more requested protocol/ports was denied per access.conf.";
    case DropReason::kCommandNotAllowed:
      return "SPA Command messages are not allowed in the current configuration.";
    case DropReason::kNatNotEnabled:
      return "requested NAT access, but NAT is not enabled";
    case DropReason::kGpgSignature:
      return "GPG signature missing, bad, or from a signer not in GPG_REMOTE_ID / GPG_FINGERPRINT_ID";
  }
  return "rejected";
}

// Junk of the wrong size or alphabet is what every scanner sends: like fwknopd, only worth a debug line.
LogLevel reject_level(DropReason reason) {
  switch (reason) {
    case DropReason::kTooShort:
    case DropReason::kTooLong:
    case DropReason::kNotSpaData:
      return LogLevel::kDebug;
    default:
      return LogLevel::kWarning;
  }
}

std::string proto_port_text(std::uint8_t protocol, std::uint16_t port) {
  return std::string(protocol == 17 ? "udp" : "tcp") + "/" + std::to_string(port);
}

}  // namespace

void EventReporter::ready(std::string_view capture, bool test_mode, std::string_view firewall) {
  LogFields fields;
  fields["capture"] = capture;
  fields["firewall"] = firewall;
  fields["test"] = test_mode;
  logger_->event(LogLevel::kInfo, "ready", fields,
                 "Starting sesamed: capture " + std::string(capture) + ", firewall " + std::string(firewall) +
                     (test_mode ? " (--test mode: no firewall changes, no commands)" : ""));
}

bool EventReporter::admit_reject(std::int64_t now_s) {
  if (now_s != window_s_) {
    window_s_ = now_s;
    in_window_ = 0;
  }
  if (in_window_ < rejects_per_second_) {
    ++in_window_;
    return true;
  }
  ++suppressed_;
  return false;
}

void EventReporter::reject(DropReason reason, std::optional<std::size_t> stanza, const CapturedPacket& packet,
                           std::int64_t now_s) {
  const LogLevel level = reject_level(reason);
  if (!logger_->enabled(level) || !admit_reject(now_s)) return;
  const std::string source = packet.source.to_string();
  LogFields fields;
  fields["src"] = source;
  fields["reason"] = drop_reason_name(reason);
  if (stanza) fields["stanza"] = *stanza + 1;
  fields["size"] = packet.payload.size();
  std::string text = "[" + source + "]" + stanza_tag(stanza) + " " + std::string(reject_text(reason));
  if (reason == DropReason::kSource || reason == DropReason::kReplay) text += ": " + source;
  logger_->event(level, "reject", fields, text);
}

void EventReporter::grant(const AccessRequest& request, std::string_view firewall, bool test, std::int64_t now_s) {
  const std::string source = request.allow_ip.to_string();
  for (const auto& entry : request.ports) {
    const auto protocol = static_cast<std::uint8_t>(entry.protocol);
    LogFields fields;
    fields["src"] = source;
    fields["stanza"] = request.stanza_index + 1;
    fields["proto"] = config::protocol_name(entry.protocol);
    fields["port"] = entry.port;
    fields["timeout"] = request.timeout.count();
    if (request.nat) fields["nat"] = request.nat->host + "," + std::to_string(request.nat->port);
    if (test) fields["test"] = true;
    const std::string what = source + " -> " + proto_port_text(protocol, entry.port);
    const std::string text = test ? "[" + source + "] (stanza #" + std::to_string(request.stanza_index + 1) +
                                        ") --test mode enabled, skipping firewall manipulation (would allow " + what +
                                        " for " + std::to_string(request.timeout.count()) + " s)."
                                  : "Added access rule to " + std::string(firewall) + " for " + what + ", expires at " +
                                        std::to_string(now_s + request.timeout.count());
    logger_->event(LogLevel::kInfo, "grant", fields, text);
  }
}

void EventReporter::grant_failed(const AccessRequest& request, std::string_view cause, std::string_view error) {
  LogFields fields;
  fields["src"] = request.allow_ip.to_string();
  fields["stanza"] = request.stanza_index + 1;
  fields["error"] = error;
  logger_->event(
      LogLevel::kError, "grant_failed", fields,
      "[" + request.allow_ip.to_string() + "] " + std::string(cause) + ", no access granted: " + std::string(error));
}

void EventReporter::expire(const config::IpAddress& source, std::uint8_t protocol, std::uint16_t port) {
  LogFields fields;
  fields["src"] = source.to_string();
  fields["proto"] = protocol == 17 ? "udp" : "tcp";
  fields["port"] = port;
  logger_->event(LogLevel::kInfo, "expire", fields,
                 "Removed expired access for " + source.to_string() + " -> " + proto_port_text(protocol, port));
}

void EventReporter::command(const AccessRequest& request, std::string_view command, bool test) {
  LogFields fields;
  fields["src"] = request.allow_ip.to_string();
  fields["stanza"] = request.stanza_index + 1;
  fields["command"] = command;
  if (test) fields["test"] = true;
  logger_->event(LogLevel::kInfo, "command", fields,
                 test ? "[" + request.allow_ip.to_string() + "] --test mode enabled, not running command '" +
                            std::string(command) + "'"
                      : "[" + request.allow_ip.to_string() + "] Processing SPA Command message: command='" +
                            std::string(command) + "'");
}

void EventReporter::cycle(const AccessRequest& request, std::string_view open_command, bool test) {
  LogFields fields;
  const std::string source = request.allow_ip.to_string();
  fields["src"] = source;
  fields["stanza"] = request.stanza_index + 1;
  if (!request.ports.empty()) {
    fields["proto"] = request.ports.front().protocol == config::Protocol::kUdp ? "udp" : "tcp";
    fields["port"] = request.ports.front().port;
  }
  fields["command"] = open_command;
  if (test) fields["test"] = true;
  logger_->event(
      LogLevel::kInfo, "cycle", fields,
      test ? "[" + source + "] --test mode enabled, not running CMD_CYCLE_OPEN '" + std::string(open_command) + "'"
           : "[" + source + "] CMD_CYCLE for stanza #" + std::to_string(request.stanza_index + 1) + ": opening with '" +
                 std::string(open_command) + "'");
}

void EventReporter::summarize_suppressed() {
  if (suppressed_ == 0) return;
  LogFields fields;
  fields["suppressed"] = suppressed_;
  logger_->event(LogLevel::kNotice, "reject_summary", fields,
                 std::to_string(suppressed_) + " more rejected packets were not logged (rate limit)");
  suppressed_ = 0;
}

}  // namespace sesame::server::daemon
