// SPDX-License-Identifier: GPL-2.0-or-later
// CLI11 setup for fwknopd's options; options that stand for a config variable become VariableOverrides.
#include "server/daemon/server_command_line.h"

#include <CLI/CLI.hpp>

namespace sesame::server::daemon {
namespace {

struct ActionFlag {
  const char* names;
  ServerAction action;
  const char* help;
};

constexpr ActionFlag kActionFlags[] = {
    {"-D,--dump-config", ServerAction::kDumpConfig, "Print the configuration and access stanzas, then exit"},
    {"--dump-serv-err-codes", ServerAction::kDumpServErrCodes, "Print the server's reject reasons, then exit"},
    {"--exit-parse-config", ServerAction::kExitParseConfig, "Check the configuration files, then exit"},
    {"--exit-parse-digest-cache", ServerAction::kExitParseDigestCache, "Check configs and the replay log, then exit"},
    {"-K,--kill", ServerAction::kKill, "Stop the running sesamed"},
    {"-R,--restart", ServerAction::kRestart, "Make the running sesamed re-read its configuration (SIGHUP)"},
    {"-S,--status", ServerAction::kStatus, "Say whether sesamed is running (exit 0) or not (exit 1)"},
    {"--fw-list", ServerAction::kFwList, "List sesame's firewall rules, then exit"},
    {"--fw-list-all", ServerAction::kFwListAll, "List the whole relevant firewall policy, then exit"},
    {"--fw-flush", ServerAction::kFwFlush, "Remove every firewall rule sesame made, then exit"},
    {"-V,--version", ServerAction::kVersion, "Print the version, then exit"},
};

struct VariableOption {
  const char* names;
  const char* variable;
  const char* help;
};

constexpr VariableOption kVariableOptions[] = {
    {"-a,--access-file", "ACCESS_FILE", "access.conf to read"},
    {"--access-folder", "ACCESS_FOLDER", "Read every *.conf in this folder instead of the access file"},
    {"-d,--digest-file", "DIGEST_FILE", "fwknopd's digest.cache, imported into the replay log on first start"},
    {"-i,--interface", "PCAP_INTF", "Capture on this interface (pcap mode)"},
    {"-P,--pcap-filter", "PCAP_FILTER", "BPF filter for pcap capture"},
    {"--pcap-file", "PCAP_FILE", "Read packets from this pcap file, then exit"},
    {"-p,--pid-file", "FWKNOP_PID_FILE", "Pid file"},
    {"-r,--run-dir", "FWKNOP_RUN_DIR", "Run directory"},
    {"-l,--locale", "LOCALE", "Locale"},
    {"--gpg-home-dir", "GPG_HOME_DIR", "GnuPG home directory"},
    {"--gpg-exe", "GPG_EXE", "gpg binary (GPGME finds its own; accepted for fwknopd compatibility)"},
    {"--sudo-exe", "SUDO_EXE", "sudo binary for ENABLE_CMD_SUDO_EXEC"},
    {"--fw-type", "FIREWALL_TYPE", "Firewall backend: nftables, iptables, firewalld, ipfw, pf or none"},
    {"--fault-injection-tag", "FAULT_INJECTION_TAG", "Accepted for fwknopd compatibility; no effect"},
};

}  // namespace

Result<ServerCommandLine, std::string> parse_server_command_line(const std::vector<std::string>& args) {
  CLI::App app{
      "sesamed: Single Packet Authorization server, compatible with fwknopd 2.6.x.\n"
      "Usage: sesamed [-f] [-t] [-c fwknopd.conf] [-a access.conf] [options]",
      "sesamed"};
  app.get_formatter()->column_width(34);
  ServerCommandLine line;
  std::vector<ServerAction> actions;

  const auto* control = "Actions (at most one)";
  for (const auto& flag : kActionFlags)
    app.add_flag_callback(
           flag.names, [&actions, action = flag.action] { actions.push_back(action); }, flag.help)
        ->group(control);

  const auto* files = "Configuration";
  app.add_option("-c,--config-file", line.config_file,
                 "fwknopd.conf to read (default /etc/sesame/sesamed.conf, else /etc/fwknop/fwknopd.conf)")
      ->group(files);
  app.add_option("-O,--override-config", line.override_config, "Extra config files read after it: file[,file...]")
      ->group(files);
  for (const auto& option : kVariableOptions)
    app.add_option_function<std::string>(
           option.names,
           [&line, option](const std::string& value) {
             std::string name = option.names;
             name = name.substr(name.find_last_of(',') + 1);
             line.overrides.push_back({option.variable, value, name});
           },
           option.help)
        ->trigger_on_parse()
        ->group(files);
  app.add_option("--replay-log", line.replay_log, "Replay log (default /var/lib/sesame/replay.log)")->group(files);

  const auto* running = "Running";
  app.add_flag("-f,--foreground", line.foreground, "Stay in the foreground and log to stderr")->group(running);
  app.add_flag("--syslog-enable", line.syslog_enable, "With -f: also log to syslog")->group(running);
  app.add_flag("-t,--test", line.test, "Process packets but change no firewall rule and run no command")
      ->group(running);
  app.add_option("-C,--packet-limit", line.packet_limit, "Exit after this many packets")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 31))
      ->group(running);
  app.add_flag("-U,--udp-server", line.udp_server, "Receive SPA packets on a UDP socket (the default)")->group(running);
  app.add_flag("-n,--nfq-capture", line.nfq_capture, "Receive SPA packets through NFQUEUE")->group(running);
  app.add_flag("--pcap-any-direction", line.pcap_any_direction, "pcap: also see outgoing packets")->group(running);
  app.add_flag("--rotate-digest-cache", line.rotate_digest_cache, "Move the digest file aside at start")
      ->group(running);
  app.add_flag("-v,--verbose", line.verbose, "More logging (repeat for more)")->group(running);
  app.add_flag("--log-json", line.log_json, "Log one JSON object per line (LOG_FORMAT json)")->group(running);
  bool no_check_support = false;  // fwknopd's workaround for old iptables without -C; nothing to do here
  app.add_flag("--no-ipt-check-support,--no-firewd-check-support", no_check_support,
               "Accepted for fwknopd compatibility")
      ->group(running);

  const auto* keys = "Key generation";
  bool key_gen = false;
  app.add_flag("-k,--key-gen", key_gen, "Print new random keys for access.conf, then exit")->group(keys);
  app.add_option("--key-gen-file", line.key_gen_file, "Write new random keys to this file, then exit")->group(keys);
  app.add_option("--key-len", line.key_length, "Key length in bytes (default 32)")
      ->check(CLI::Range(1, 128))
      ->group(keys);
  app.add_option("--hmac-key-len", line.hmac_key_length, "HMAC key length in bytes")
      ->check(CLI::Range(1, 128))
      ->group(keys);
  app.add_option("--hmac-digest-type", line.hmac_digest_type, "HMAC hash for the key length (default sha256)")
      ->group(keys);
  app.add_flag("--qr", line.key_gen_qr, "With --key-gen: also print the keys as a QR code for the Fwknop2 app")
      ->group(keys);
  app.add_option("--qr-png", line.key_gen_qr_png, "With --key-gen: also write that QR code to this PNG file")
      ->group(keys);
  app.add_flag("--modern", line.key_gen_modern, "With --key-gen: this server's X25519 key pair for modern mode")
      ->group(keys);

  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);  // CLI11 takes the arguments in reverse
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    line.action = ServerAction::kHelp;
    line.help_text = app.help();
    return line;
  } catch (const CLI::ParseError& e) {
    return fail(std::string(e.what()));
  }
  if (!app.remaining().empty()) return fail("unexpected argument: " + app.remaining().front());

  if (line.packet_limit == 0u) line.packet_limit.reset();  // as fwknopd: -C 0 means no limit
  // fwknopd's pass 1: -V and key generation win over everything and read no config.
  const auto has = [&](ServerAction action) {
    return std::find(actions.begin(), actions.end(), action) != actions.end();
  };
  if (has(ServerAction::kVersion)) {
    line.action = ServerAction::kVersion;
    return line;
  }
  if (line.key_gen_modern && !key_gen && !line.key_gen_file) return fail(std::string("--modern needs --key-gen"));
  if (key_gen || line.key_gen_file || line.key_gen_qr || line.key_gen_qr_png) {
    line.action = ServerAction::kKeyGen;
    return line;
  }
  if (actions.size() > 1)
    return fail(std::string("-D, -K, -R, -S and the --fw-* and --exit-* options exclude each other"));
  if (!actions.empty()) line.action = actions.front();

  if (line.udp_server) line.overrides.push_back({"ENABLE_UDP_SERVER", "Y", "-U"});
  if (line.nfq_capture) line.overrides.push_back({"ENABLE_NFQ_CAPTURE", "Y", "-n"});
  if (line.pcap_any_direction) line.overrides.push_back({"ENABLE_PCAP_ANY_DIRECTION", "Y", "--pcap-any-direction"});
  if (line.log_json) line.overrides.push_back({"LOG_FORMAT", "json", "--log-json"});
  return line;
}

}  // namespace sesame::server::daemon
