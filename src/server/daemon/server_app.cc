// SPDX-License-Identifier: GPL-2.0-or-later
// run_server: the start-up sequence and the one-shot actions (-D, -K, -R, -S, --key-gen, ...).
#include "server/daemon/server_app.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/private_file.h"
#include "config/access_dump.h"
#include "config/redis_url.h"
#include "config/server_config_dump.h"
#include "extras/qr_code.h"
#include "server/daemon/background.h"
#include "server/daemon/capture_setup.h"
#include "server/daemon/config_loading.h"
#include "server/daemon/daemon.h"
#include "server/daemon/firewall_setup.h"
#include "server/daemon/ip_forward.h"
#include "server/daemon/packet_side.h"
#include "server/daemon/pid_file.h"
#include "server/daemon/privsep_parent.h"
#include "server/daemon/replay_setup.h"
#include "server/daemon/sandbox.h"
#include "server/redis_claimer.h"
#include "server/replay_log.h"
#include "spa/digest.h"
#include "spa/key_gen.h"

namespace sesame::server::daemon {
namespace {

constexpr std::string_view kVersionLine = "sesamed server 0.1.0 (fwknopd 2.6.10 compatible)";
constexpr std::string_view kDefaultPidFile = "/run/sesame/sesamed.pid";

int print_errors(const std::vector<std::string>& errors) {
  for (const auto& error : errors) std::cerr << "sesamed: " << error << '\n';
  return 1;
}

// --key-gen --modern: the server's X25519 key pair; there is no QR form (the Fwknop2 app has no modern mode).
int generate_modern_keys(const ServerCommandLine& line) {
  if (line.key_gen_qr || line.key_gen_qr_png) return print_errors({"--qr, --qr-png: not with --modern"});
  auto text = spa::generate_modern_key_text(spa::ModernKeyOwner::kServer);
  if (!text) return print_errors({text.error().to_string()});
  if (!line.key_gen_file) {
    std::cout << *text;
    return 0;
  }
  if (auto written = write_private_file(*line.key_gen_file, *text); !written) return print_errors({written.error()});
  std::cout << "[+] Wrote the modern-mode key pair to: " << *line.key_gen_file << '\n';
  return 0;
}

int generate_keys(const ServerCommandLine& line) {
  if (line.key_gen_modern) return generate_modern_keys(line);
  spa::DigestType hmac_type = spa::kDefaultHmacType;
  if (line.hmac_digest_type) {
    const auto parsed = spa::parse_digest_name(*line.hmac_digest_type);
    if (!parsed) return print_errors({"--hmac-digest-type: \"" + *line.hmac_digest_type + "\" is not a digest"});
    hmac_type = *parsed;
  }
  auto keys = spa::generate_keys(hmac_type, line.key_length.value_or(spa::kDefaultKeyLength), line.hmac_key_length);
  if (!keys) return print_errors({keys.error().to_string()});
  if (line.key_gen_file) {
    std::ofstream file(*line.key_gen_file, std::ios::trunc);
    if (!(file << keys->to_text())) return print_errors({"cannot write " + *line.key_gen_file});
    std::cout << "[+] Wrote Rijndael and HMAC keys to: " << *line.key_gen_file << '\n';
  } else {
    std::cout << keys->to_text();
  }
  if (auto shown =
          extras::show_key_qr(keys->key_base64, keys->hmac_key_base64, line.key_gen_qr, line.key_gen_qr_png, std::cout);
      !shown)
    return print_errors({shown.error()});
  return 0;
}

int dump_error_codes() {
  for (std::size_t i = 0; i < kDropReasonCount; ++i)
    std::cout << "err code: " << i << ", err string: '" << drop_reason_name(static_cast<DropReason>(i)) << "'\n";
  return 0;
}

// fwknopd keeps its pid file in FWKNOP_RUN_DIR (/run/fwknop); sesamed has its own unless the config says otherwise,
// so that both can be installed side by side.
std::string pid_file_path(const config::ServerConfig& server) {
  if (server.settings.contains("FWKNOP_PID_FILE") || server.settings.contains("FWKNOP_RUN_DIR"))
    return server.effective_pid_file();
  return std::string(kDefaultPidFile);
}

int signal_running_daemon(ServerAction action, const config::ServerConfig& server) {
  const std::string path = pid_file_path(server);
  const auto pid = running_daemon_pid(path);
  if (!pid) {
    std::cout << "No running sesamed detected.\n";
    return 1;
  }
  switch (action) {
    case ServerAction::kStatus:
      std::cout << "Detected sesamed is running (pid=" << *pid << ").\n";
      return 0;
    case ServerAction::kRestart:
      if (::kill(*pid, SIGHUP) != 0) return print_errors({"cannot signal pid " + std::to_string(*pid)});
      std::cout << "Sent restart signal to sesamed (pid=" << *pid << ").\n";
      return 0;
    default:
      break;
  }
  if (::kill(*pid, SIGTERM) != 0) return print_errors({"cannot signal pid " + std::to_string(*pid)});
  // As fwknopd: SIGTERM, then SIGKILL if it is still there after a second.
  for (int i = 0; i < 20 && running_daemon_pid(path); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (running_daemon_pid(path) == pid) {
    ::kill(*pid, SIGKILL);
    std::cout << "Killed sesamed (pid=" << *pid << ") with SIGKILL.\n";
    return 0;
  }
  std::cout << "Killed sesamed (pid=" << *pid << ").\n";
  return 0;
}

// --exit-parse-digest-cache: what a start would load from the replay log (importing fwknopd's digest.cache when
// there is no log yet), then exit.
int parse_replay_log(const ServerCommandLine& line, const config::ServerConfig& server) {
  ReplayCache cache(kReplayCacheEntries);
  const ReplayLogOptions options = replay_log_options(line, server);
  auto log = ReplayLog::open(options, cache, static_cast<std::int64_t>(std::time(nullptr)));
  if (!log) return print_errors({log.error().message});
  const ReplayLogLoad& load = log->loaded();
  std::cout << "Replay log " << options.path << ": " << load.records << " records, " << load.live << " live, "
            << load.malformed << " malformed" << (load.torn_tail ? ", an unfinished last line cut off" : "")
            << "; imported from " << options.fwknop_digest_cache << ": " << load.imported << " (" << load.import_expired
            << " too old, " << load.import_malformed << " malformed).\nDigest cache parsed, exiting.\n";
  return 0;
}

LoggerOptions logger_options(const ServerCommandLine& line, const config::ServerConfig& server) {
  LoggerOptions options;
  options.to_stderr = line.foreground;
  options.to_syslog = !line.foreground || line.syslog_enable;
  options.format = server.log_format;
  options.verbosity = server.verbose;
  options.identity = server.settings.contains("SYSLOG_IDENTITY") ? server.syslog_identity : "sesamed";
  options.facility = server.syslog_facility;
  return options;
}

// Everything from the pid file to the end of the main loop.
int run_daemon(const ServerCommandLine& line, LoadedPolicy loaded) {
  Policy& policy = *loaded.policy;
  const config::ServerConfig& server = policy.server;
  auto pid_file = PidFile::acquire(pid_file_path(server));
  if (!pid_file) return print_errors({pid_file.error()});

  StartupReport startup;
  if (!line.foreground) {
    auto detached = detach();
    if (!detached) return print_errors({detached.error()});
    if (detached->is_parent) std::_Exit(detached->parent_exit_status);  // the child owns the pid file now
    startup = std::move(detached->report);
    if (auto written = pid_file->write_own_pid(); !written) {
      startup.failed(written.error());
      return 1;
    }
  }
  Logger logger(logger_options(line, server));
  EventReporter reporter(logger);
  const auto startup_failed = [&](const std::string& message) {
    logger.message(LogLevel::kError, message);
    startup.failed("sesamed: " + message);
    return 1;
  };
  for (const auto& warning : loaded.warnings) logger.message(LogLevel::kWarning, warning);

  const std::int64_t now_s = static_cast<std::int64_t>(std::time(nullptr));
  // PRIVILEGE_SEPARATION: the packet side opens its replay store itself, before it drops its privileges. Also in
  // test mode, where packets are parsed all the same.
  const bool is_separated = server.privilege_separation;
  std::optional<SandboxUser> sandbox_user;
  std::unique_ptr<ReplaySide> replay;
  if (is_separated) {
    if (capture_mode(server) == CaptureMode::kNfqueue)
      return startup_failed(
          "PRIVILEGE_SEPARATION: NFQUEUE capture needs CAP_NET_ADMIN for each verdict; set PRIVILEGE_SEPARATION N");
    if (::geteuid() == 0) {
      auto user = find_sandbox_user(server.privsep_user);
      if (!user) return startup_failed(user.error());
      sandbox_user = *user;
    }
    if (line.rotate_digest_cache) rotate_replay_log(line, server, logger);
  } else {
    auto opened = open_replay_side(line, server, logger, line.rotate_digest_cache);
    if (!opened) return startup_failed(opened.error());
    replay = std::move(*opened);
    if (auto built = build_pipeline(policy, *replay->store); !built) return startup_failed(built.error());
  }

  auto firewall = make_daemon_firewall(server, line.test, now_s);
  if (!firewall) return startup_failed(firewall.error());
  if (*firewall) {
    for (const auto& warning : (*firewall)->warnings()) logger.message(LogLevel::kWarning, warning);
    if (const auto note = prepare_ip_forward(server))
      logger.message(note->is_warning ? LogLevel::kWarning : LogLevel::kInfo, note->message);
  }
  auto sources = open_capture(server);
  if (!sources) return startup_failed(sources.error());
  if (!sources->warning.empty()) logger.message(LogLevel::kWarning, sources->warning);
  auto signals = SignalFd::open();
  if (!signals) return startup_failed(signals.error());
  auto runner = exec::ProcessRunner::create();
  if (!runner) return startup_failed(runner.error());
  CommandDispatcher commands(reporter, std::move(*runner), server.sudo_exe);

  DaemonOptions options;
  options.test_mode = line.test;
  options.packet_limit = line.packet_limit;
  options.capture_name = sources->name;
  PolicyLoader reload = [line]() -> Result<std::unique_ptr<Policy>, std::vector<std::string>> {
    auto reloaded = load_policy(line);
    if (!reloaded) return fail(reloaded.error());
    return std::move(reloaded->policy);
  };
  int status = 0;
  if (is_separated) {
    // Runs in the forked child, over the objects as they were at the fork (the parent's stay untouched).
    PacketSideMain packet_side = [&](UniqueFd channel, std::unique_ptr<Policy> child_policy) -> int {
      StartupReport no_report;  // the parent reports start-up, after the child's ready message
      auto side = enter_packet_side(line, *child_policy, logger, sandbox_user, channel.get());
      if (!side) {
        logger.message(LogLevel::kError, "Packet side: " + side.error());
        return 1;
      }
      GrantChannel grants(std::move(channel));
      options.channel = &grants;
      Daemon daemon(options, reporter, std::move(child_policy), PolicyLoader{}, *(*side)->store, nullptr, commands,
                    std::move(*signals), std::move(sources->sources));
      return daemon.run(no_report);
    };
    PrivilegedParent parent(reporter, std::move(loaded.policy), reload, firewall->get(), commands, *signals,
                            packet_side, sources->name);
    status = parent.run(startup);
  } else {
    Daemon daemon(options, reporter, std::move(loaded.policy), reload, *replay->store, firewall->get(), commands,
                  std::move(*signals), std::move(sources->sources));
    status = daemon.run(startup);
  }
  // FLUSH_IPT_AT_EXIT and its kin: the backend knows whether its grants outlive sesamed.
  if (*firewall) {
    if (auto stopped = (*firewall)->stop(); !stopped) logger.message(LogLevel::kError, stopped.error().message);
  }
  return status;
}

}  // namespace

int run_server(const std::vector<std::string>& args) {
  auto parsed = parse_server_command_line(args);
  if (!parsed) return print_errors({parsed.error()});
  const ServerCommandLine& line = *parsed;
  switch (line.action) {
    case ServerAction::kHelp:
      std::cout << line.help_text;
      return 0;
    case ServerAction::kVersion:
      std::cout << kVersionLine << '\n';
      return 0;
    case ServerAction::kKeyGen:
      return generate_keys(line);
    case ServerAction::kDumpServErrCodes:
      return dump_error_codes();
    case ServerAction::kKill:
    case ServerAction::kRestart:
    case ServerAction::kStatus: {
      std::vector<std::string> warnings;
      auto server = load_server_settings(line, warnings);
      if (!server) return print_errors(server.error());
      return signal_running_daemon(line.action, *server);
    }
    default:
      break;
  }
  auto loaded = load_policy(line);
  if (!loaded) return print_errors(loaded.error());
  // A running daemon logs its warnings (to syslog too); a one-shot action prints them.
  if (line.action != ServerAction::kRun)
    for (const auto& warning : loaded->warnings) std::cerr << "sesamed: warning: " << warning << '\n';
  const Policy& policy = *loaded->policy;
  switch (line.action) {
    case ServerAction::kDumpConfig:
      std::cout << config::dump_server_config(policy.server) << config::dump_access_stanzas(policy.access.stanzas);
      return 0;
    case ServerAction::kExitParseConfig:
      std::cout << "Configs parsed, exiting.\n";
      return 0;
    case ServerAction::kExitParseDigestCache:
      return parse_replay_log(line, policy.server);
    case ServerAction::kFwList:
    case ServerAction::kFwListAll:
    case ServerAction::kFwFlush:
      return run_firewall_action(line.action, policy.server);
    default:
      break;
  }
  return run_daemon(line, std::move(*loaded));
}

}  // namespace sesame::server::daemon
