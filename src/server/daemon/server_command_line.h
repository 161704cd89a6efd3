// SPDX-License-Identifier: GPL-2.0-or-later
// The `sesamed` command line: every fwknopd 2.6.10 option (server.md §1), short and long names alike, parsed by
// CLI11, plus sesame's own (--log-json, --fw-type, --replay-log).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace sesame::server::daemon {

// An option that sets an fwknopd.conf variable (-a ACCESS_FILE, -i PCAP_INTF, ...): applied after the config
// files are read, so it wins over them, with the option's name in any error.
struct VariableOverride {
  std::string variable;
  std::string value;
  std::string option;
};

// What to do instead of running: fwknopd's -D, -K, -R, -S and friends. They are mutually exclusive.
enum class ServerAction {
  kRun,
  kDumpConfig,            // -D
  kDumpServErrCodes,      // --dump-serv-err-codes
  kExitParseConfig,       // --exit-parse-config
  kExitParseDigestCache,  // --exit-parse-digest-cache
  kKill,                  // -K
  kRestart,               // -R
  kStatus,                // -S
  kFwList,                // --fw-list
  kFwListAll,             // --fw-list-all
  kFwFlush,               // --fw-flush
  kKeyGen,                // --key-gen, --key-gen-file
  kVersion,               // -V
  kHelp,                  // -h
};

struct ServerCommandLine {
  ServerAction action = ServerAction::kRun;
  std::string help_text;  // for kHelp

  std::optional<std::string> config_file;      // -c
  std::optional<std::string> override_config;  // -O
  std::vector<VariableOverride> overrides;     // in command-line order

  bool foreground = false;     // -f
  bool syslog_enable = false;  // --syslog-enable
  bool test = false;           // -t
  bool udp_server = false;     // -U
  bool nfq_capture = false;    // -n
  bool pcap_any_direction = false;
  bool rotate_digest_cache = false;
  bool log_json = false;                      // sesame: one JSON object per log line (LOG_FORMAT json)
  int verbose = 0;                            // -v, repeatable
  std::optional<std::uint64_t> packet_limit;  // -C
  std::optional<std::string> replay_log;      // sesame: the replay log (default /var/lib/sesame/replay.log)

  // Key generation (as the client's --key-gen).
  std::optional<std::string> key_gen_file;
  std::optional<std::size_t> key_length;
  std::optional<std::size_t> hmac_key_length;
  std::optional<std::string> hmac_digest_type;
  bool key_gen_qr = false;
  std::optional<std::string> key_gen_qr_png;  // --qr-png FILE
  bool key_gen_modern = false;                // --modern: an X25519 key pair for modern mode instead
};

// args[0] is the program name. Errors are one line naming the option.
Result<ServerCommandLine, std::string> parse_server_command_line(const std::vector<std::string>& args);

}  // namespace sesame::server::daemon
