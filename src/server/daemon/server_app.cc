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
#include "server/daemon/pid_file.h"
#include "server/redis_claimer.h"
#include "server/replay_log.h"
#include "spa/digest.h"
#include "spa/key_gen.h"

namespace sesame::server::daemon {
namespace {

constexpr std::string_view kVersionLine = "sesamed server 0.1.0 (fwknopd 2.6.10 compatible)";
constexpr std::string_view kDefaultPidFile = "/run/sesame/sesamed.pid";
constexpr std::string_view kDefaultReplayLog = "/var/lib/sesame/replay.log";
constexpr std::size_t kReplayCacheEntries = 1'000'000;

int print_errors(const std::vector<std::string>& errors) {
  for (const auto& error : errors) std::cerr << "sesamed: " << error << '\n';
  return 1;
}

int generate_keys(const ServerCommandLine& line) {
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

ReplayLogOptions replay_log_options(const ServerCommandLine& line, const config::ServerConfig& server) {
  ReplayLogOptions options;
  options.path = line.replay_log.value_or(std::string(kDefaultReplayLog));
  options.fwknop_digest_cache = server.effective_digest_file();
  options.fwknop_keep_for_s = 2 * server.max_spa_packet_age.count();
  return options;
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
  ReplayCache cache(kReplayCacheEntries);
  std::optional<ReplayLog> replay_log;
  if (!line.test && server.enable_digest_persistence) {
    const ReplayLogOptions options = replay_log_options(line, server);
    if (line.rotate_digest_cache) {
      // fwknopd's --rotate-digest-cache: the admin starts a fresh cache on purpose; the old one is kept aside.
      const std::string old_path = options.path + "-old";
      if (::rename(options.path.c_str(), old_path.c_str()) == 0)
        logger.message(LogLevel::kNotice, "Rotated the replay log to " + old_path);
    }
    auto opened = ReplayLog::open(options, cache, now_s);
    if (!opened) return startup_failed(opened.error().message);
    replay_log.emplace(std::move(*opened));
    const ReplayLogLoad& load = replay_log->loaded();
    logger.message(LogLevel::kInfo,
                   "Replay log " + options.path + ": " + std::to_string(load.live) + " live entries" +
                       (load.imported ? ", " + std::to_string(load.imported) + " imported from fwknopd's digest cache"
                                      : std::string()));
  }
  PersistentReplayStore store(cache, replay_log ? &*replay_log : nullptr);
  // Test mode changes nothing, and a claim in the fleet's shared cache would refuse the packet on the other gateways.
  std::optional<RedisClaimer> shared_replay;
  if (!line.test && server.replay_cache_url) {
    const auto url = config::parse_redis_url(*server.replay_cache_url);  // checked with the rest of the config
    if (!url) return startup_failed("REPLAY_CACHE_URL: " + url.error());
    const bool fail_open = server.replay_cache_failure == config::ReplayLogFailure::kOpen;
    shared_replay.emplace(RedisClaimer::Options{.url = *url}, [&logger, fail_open](bool is_up, const std::string& why) {
      if (is_up) return logger.message(LogLevel::kNotice, "Shared replay cache " + why + " answers again");
      logger.message(LogLevel::kError,
                     "Shared replay cache unreachable: " + why +
                         (fail_open ? "; knocks are granted on this gateway's own replay cache (REPLAY_CACHE_FAILURE "
                                      "open)"
                                    : "; knocks are refused until it answers (REPLAY_CACHE_FAILURE closed)"));
    });
    store.share_with(*shared_replay, fail_open);
    logger.message(LogLevel::kInfo,
                   "Shared replay cache: " + url->to_string() +
                       (fail_open ? " (REPLAY_CACHE_FAILURE open)" : " (REPLAY_CACHE_FAILURE closed)"));
  }
  if (auto built = build_pipeline(policy, store); !built) return startup_failed(built.error());

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
  Daemon daemon(options, reporter, std::move(loaded.policy), reload, store, firewall->get(), commands,
                std::move(*signals), std::move(sources->sources));
  const int status = daemon.run(startup);
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
