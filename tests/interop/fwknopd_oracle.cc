// SPDX-License-Identifier: GPL-2.0-or-later
// Test oracle: replays SPA payloads through the real fwknopd 2.6.x (--test, private netns) and reports its verdicts.
//
// How it works (all verified against Debian's fwknopd 2.6.10):
//  * each payload becomes a one-packet pcap file (127.0.0.1 -> 127.0.0.1:62201);
//  * fwknopd runs as `ip netns exec <ns> fwknopd -f -t -v -C 1 --pcap-file F
//    -c CONF -a ACCESS -d DIGEST -p PID -r RUNDIR`. With --pcap-file fwknopd
//    never stops at end of file, so `-C 1` (exit after one packet) is what
//    makes it terminate; -v makes it print the decoded-field dump;
//  * -t never executes iptables (checked with strace: no execve at all), the
//    namespace is only a second safety net. Packet aging is off for pcap
//    input by default and is pinned off in the generated config anyway;
//  * one fwknopd per payload makes attribution trivial (payloads that are
//    dropped silently print nothing, so parsing a shared log by order would
//    be ambiguous) and gives every packet an empty digest cache.
#include "fwknopd_oracle.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "pcap_file_writer.h"
#include "support/field_dump.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::test {
namespace {

constexpr const char* kMainLoopMarker = "Starting fwknopd main event loop.";

// Absolute paths on purpose: PATH may contain look-alike binaries and the
// whole point is to consult the *real* fwknopd.
std::string fwknopd_path() {
  if (const char* env = std::getenv("SESAME_FWKNOPD"); env != nullptr && *env != '\0') {
    return find_executable({env});
  }
  return find_executable({"/usr/sbin/fwknopd", "/sbin/fwknopd", "/usr/local/sbin/fwknopd"});
}

std::string ip_path() {
  return find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
}

std::string gpgconf_path() {
  return find_executable({"/usr/bin/gpgconf", "/usr/local/bin/gpgconf"});
}

// Named network namespace `sesame-oracle-<pid>-<n>`, deleted on scope exit.
class NetnsGuard {
 public:
  explicit NetnsGuard(std::string ip) : ip_(std::move(ip)) {
    static std::atomic<unsigned> counter{0};
    name_ = "sesame-oracle-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    ProcessResult r = run_process({ip_, "netns", "add", name_}, {.timeout = std::chrono::seconds(10)});
    if (!r.succeeded()) throw std::runtime_error("fwknopd_oracle: `ip netns add " + name_ + "` failed: " + r.output);
  }
  ~NetnsGuard() {
    try {
      ProcessResult r = run_process({ip_, "netns", "del", name_}, {.timeout = std::chrono::seconds(10)});
      if (!r.succeeded()) std::cerr << "fwknopd_oracle: warning: `ip netns del " << name_ << "` failed: " << r.output;
    } catch (const std::exception& e) {
      std::cerr << "fwknopd_oracle: warning: cannot delete netns " << name_ << ": " << e.what() << "\n";
    }
  }
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;

  const std::string& name() const { return name_; }

 private:
  std::string ip_;
  std::string name_;
};

// GPG_HOME_DIR values from config text, parsed like fwknopd does (value up to
// ';', optional ':' after the name). Needed to stop gpg-agents we caused.
std::set<std::string> gpg_home_dirs(const std::string& text) {
  std::set<std::string> dirs;
  for (const std::string& raw : split_lines(text)) {
    std::string line = trim(raw);
    const std::string key = "GPG_HOME_DIR";
    if (line.compare(0, key.size(), key) != 0) continue;
    std::string rest = line.substr(key.size());
    if (!rest.empty() && rest[0] == ':') rest.erase(0, 1);
    if (rest.empty() || (rest[0] != ' ' && rest[0] != '\t')) continue;
    rest = trim(rest.substr(0, rest.find(';')));
    if (!rest.empty()) dirs.insert(rest);
  }
  return dirs;
}

std::string gpg_agent_socket(const std::string& gpgconf, const std::string& home) {
  ProcessResult r =
      run_process({gpgconf, "--homedir", home, "--list-dirs", "agent-socket"}, {.timeout = std::chrono::seconds(5)});
  if (!r.succeeded()) return "";
  return trim(r.output);
}

bool unix_socket_alive(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool alive = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return alive;
}

// gpgme makes gpg start a daemonised gpg-agent per GPG home; it escapes our
// process group, so stop exactly those agents that were not running before.
class GpgAgentJanitor {
 public:
  explicit GpgAgentJanitor(const std::set<std::string>& homes) : gpgconf_(gpgconf_path()) {
    if (gpgconf_.empty()) return;
    for (const std::string& home : homes) {
      std::string socket = gpg_agent_socket(gpgconf_, home);
      if (!socket.empty() && !unix_socket_alive(socket)) homes_.emplace_back(home, socket);
    }
  }
  ~GpgAgentJanitor() {
    for (const auto& [home, socket] : homes_) {
      if (!unix_socket_alive(socket)) continue;
      try {
        run_process({gpgconf_, "--homedir", home, "--kill", "gpg-agent"}, {.timeout = std::chrono::seconds(5)});
      } catch (const std::exception&) {
        // Best effort: a surviving agent is harmless for the next run.
      }
    }
  }
  GpgAgentJanitor(const GpgAgentJanitor&) = delete;
  GpgAgentJanitor& operator=(const GpgAgentJanitor&) = delete;

 private:
  std::string gpgconf_;
  std::vector<std::pair<std::string, std::string>> homes_;
};

int stanza_of(const std::string& line) {
  std::size_t pos = line.find("(stanza #");
  if (pos == std::string::npos) return 0;
  return std::atoi(line.c_str() + pos + 9);
}

bool contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

bool contains_icase(const std::string& haystack, const std::string& needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != haystack.end();
}

// Maps one fwknopd log line to the pipeline stage it proves (see
// server/incoming_spa.c's messages as printed by 2.6.10).
std::optional<OracleOutcome> classify_line(const std::string& line) {
  static const char* const kAcceptMarkers[] = {
      "--test mode enabled, skipping firewall manipulation.",
      "--test mode enabled, skipping command execution.",
      // CMD_CYCLE_OPEN stanzas: fwknopd runs the open command even in --test.
      "Running CMD_CYCLE_OPEN command:",
  };
  static const char* const kDenials[] = {
      "Access stanza has expired",
      "SPA data time difference is too great",
      "Invalid source IP in SPA message",
      "Got 0.0.0.0 when valid source IP was required",
      "does not match required username",
      "requested NAT access, but is not enabled",
      "SPA Command messages are not allowed",
      "One or more requested protocol/ports was denied",
      "not in the GPG_REMOTE_ID list",
      "not in the GPG_FINGERPRINT_ID list",
      "Error in GPG signature comparison",
      "Error pulling the GPG",
      "Error parsing SPA message string",
      "Could not build CMD_CYCLE_OPEN command",
  };
  for (const char* marker : kAcceptMarkers) {
    if (contains(line, marker)) return OracleOutcome::kAccepted;
  }
  if (contains(line, "Replay detected from source IP")) return OracleOutcome::kReplay;
  if (contains(line, "No access data found for source IP") ||
      contains(line, "filtered by SOURCE and/or DESTINATION criteria")) {
    return OracleOutcome::kNoSourceMatch;
  }
  if (contains(line, "preprocess_spa_data() returned error")) return OracleOutcome::kNotSpaData;
  if (std::size_t pos = line.find("Error creating fko context"); pos != std::string::npos) {
    const std::string why = line.substr(pos);
    if (contains(why, "HMAC")) return OracleOutcome::kHmacFailed;
    if (contains_icase(why, "decrypt")) return OracleOutcome::kDecryptFailed;
    if (contains_icase(why, "signature")) return OracleOutcome::kDenied;  // GPG sig missing/bad
    return OracleOutcome::kDecodeFailed;
  }
  if (contains(line, "No stanza encryption mode match")) return OracleOutcome::kDecryptFailed;
  if (contains(line, "Unexpected error pulling SPA data")) return OracleOutcome::kDecodeFailed;
  for (const char* denial : kDenials) {
    if (contains(line, denial)) return OracleOutcome::kDenied;
  }
  return std::nullopt;
}

OracleVerdict parse_fwknopd_log(const std::string& log) {
  OracleVerdict verdict;
  verdict.log = log;
  std::vector<std::string> lines = split_lines(log);
  std::size_t i = 0;
  while (i < lines.size() && !contains(lines[i], kMainLoopMarker)) ++i;
  bool have_candidate = false;
  for (; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (std::size_t pos = line.find("SPA Decode (res="); pos != std::string::npos) {
      if (std::atoi(line.c_str() + pos + 16) != 0) continue;
      verdict.decoded = true;
      // The dump ("SPA Field Values:", "=====", "Label: value"...) ends at a blank line.
      i = read_field_lines(lines, i + 1, verdict.fields.empty() ? &verdict.fields : nullptr);
      continue;
    }
    std::optional<OracleOutcome> outcome = classify_line(line);
    // Keep the furthest stage reached by any stanza; first line wins ties.
    if (outcome && (!have_candidate || *outcome > verdict.outcome)) {
      have_candidate = true;
      verdict.outcome = *outcome;
      verdict.stanza = stanza_of(line);
      verdict.detail = line;
    }
  }
  verdict.accepted = verdict.outcome == OracleOutcome::kAccepted;
  return verdict;
}

std::string make_fwknopd_conf(const std::string& dir, const std::string& extra) {
  std::string conf;
  conf += "# Generated by sesame's fwknopd test oracle.\n";
  conf += "FWKNOP_RUN_DIR " + dir + "/run\n";
  conf += "FWKNOP_PID_FILE " + dir + "/run/fwknopd.pid\n";
  conf += "DIGEST_FILE " + dir + "/run/digest.cache\n";
  // Client vectors carry old time stamps; pcap input disables aging by
  // default already, this just makes it explicit (extra lines may override).
  conf += "ENABLE_SPA_PACKET_AGING N\n";
  // fwknopd sleeps this long after each pcap dispatch before noticing the
  // -C limit; the 100 ms default would triple the run time.
  conf += "PCAP_LOOP_SLEEP 1000\n";
  conf += extra;
  if (!conf.empty() && conf.back() != '\n') conf += '\n';
  return conf;
}

}  // namespace

const char* to_string(OracleOutcome outcome) {
  switch (outcome) {
    case OracleOutcome::kIgnored:
      return "ignored";
    case OracleOutcome::kNotSpaData:
      return "not_spa_data";
    case OracleOutcome::kNoSourceMatch:
      return "no_source_match";
    case OracleOutcome::kReplay:
      return "replay";
    case OracleOutcome::kHmacFailed:
      return "hmac_failed";
    case OracleOutcome::kDecryptFailed:
      return "decrypt_failed";
    case OracleOutcome::kDecodeFailed:
      return "decode_failed";
    case OracleOutcome::kDenied:
      return "denied";
    case OracleOutcome::kAccepted:
      return "accepted";
  }
  return "unknown";
}

std::vector<OracleVerdict> run_fwknopd_oracle(const std::vector<std::string>& payloads, const std::string& access_conf,
                                              const std::string& fwknopd_conf_extra) {
  OracleOptions options;
  options.fwknopd_conf_extra = fwknopd_conf_extra;
  return run_fwknopd_oracle(payloads, access_conf, options);
}

std::vector<OracleVerdict> run_fwknopd_oracle(const std::vector<std::string>& payloads, const std::string& access_conf,
                                              const OracleOptions& options) {
  if (::geteuid() != 0) throw std::runtime_error("fwknopd_oracle: needs root (network namespaces)");
  const std::string fwknopd = fwknopd_path();
  const std::string ip = ip_path();
  if (fwknopd.empty()) throw std::runtime_error("fwknopd_oracle: fwknopd not found");
  if (ip.empty()) throw std::runtime_error("fwknopd_oracle: `ip` not found");

  PcapUdpPacket packet_template;
  if (!parse_ipv4(options.src_ip, &packet_template.src_ip) || !parse_ipv4(options.dst_ip, &packet_template.dst_ip)) {
    throw std::invalid_argument("fwknopd_oracle: src_ip/dst_ip must be dotted-quad IPv4");
  }

  // Declaration order = reverse cleanup order: agents stopped first, then
  // the namespace, then the files.
  TempDir dir("sesame-oracle");
  const std::string run_dir = dir.path() + "/run";
  if (::mkdir(run_dir.c_str(), 0700) != 0) throw std::runtime_error("fwknopd_oracle: mkdir " + run_dir + " failed");
  const std::string conf_path =
      dir.write_file("fwknopd.conf", make_fwknopd_conf(dir.path(), options.fwknopd_conf_extra));
  const std::string access_path = dir.write_file("access.conf", access_conf);
  const std::string pcap_path = dir.path() + "/spa.pcap";
  const std::string digest_path = run_dir + "/digest.cache";
  const std::string pid_path = run_dir + "/fwknopd.pid";

  NetnsGuard netns(ip);
  std::set<std::string> homes = gpg_home_dirs(access_conf);
  homes.merge(gpg_home_dirs(options.fwknopd_conf_extra));
  GpgAgentJanitor agents(homes);

  std::vector<OracleVerdict> verdicts;
  verdicts.reserve(payloads.size());
  for (std::size_t n = 0; n < payloads.size(); ++n) {
    PcapUdpPacket packet = packet_template;
    packet.payload = payloads[n];
    write_pcap_file(pcap_path, {packet});
    // Fresh replay cache and no stale pid lock for every packet.
    ::unlink(digest_path.c_str());
    ::unlink(pid_path.c_str());

    ProcessResult r =
        run_process({ip,   "netns",     "exec",        netns.name(), fwknopd, "-f",      "-t", "-v",
                     "-C", "1",         "--pcap-file", pcap_path,    "-c",    conf_path, "-a", access_path,
                     "-d", digest_path, "-p",          pid_path,     "-r",    run_dir},
                    {.timeout = options.timeout});
    const std::string which = "fwknopd_oracle: payload #" + std::to_string(n) + ": ";
    if (r.timed_out) throw std::runtime_error(which + "fwknopd timed out and was killed; output:\n" + r.output);
    if (!contains(r.output, kMainLoopMarker)) {
      throw std::runtime_error(which + "fwknopd did not start (configuration rejected?); output:\n" + r.output);
    }
    if (!r.succeeded()) throw std::runtime_error(which + "fwknopd exited abnormally; output:\n" + r.output);
    verdicts.push_back(parse_fwknopd_log(r.output));
  }
  return verdicts;
}

bool fwknopd_oracle_available(std::string* why) {
  // Probing creates a namespace, so do it once per process.
  static std::mutex mutex;
  static std::optional<std::pair<bool, std::string>> cached;
  std::lock_guard<std::mutex> lock(mutex);
  if (!cached) {
    auto probe = []() -> std::pair<bool, std::string> {
      if (::geteuid() != 0) return {false, "not running as root (network namespaces needed)"};
      const std::string fwknopd = fwknopd_path();
      if (fwknopd.empty()) return {false, "fwknopd not installed (or SESAME_FWKNOPD not executable)"};
      const std::string ip = ip_path();
      if (ip.empty()) return {false, "`ip` (iproute2) not installed"};
      try {
        ProcessResult v = run_process({fwknopd, "-V"}, {.timeout = std::chrono::seconds(5)});
        if (!contains(v.output, "fwknopd server 2.6.")) return {false, "not fwknopd 2.6.x: " + trim(v.output)};
        NetnsGuard netns(ip);
      } catch (const std::exception& e) {
        return {false, e.what()};
      }
      return {true, ""};
    };
    cached = probe();
  }
  if (why != nullptr) *why = cached->second;
  return cached->first;
}

}  // namespace sesame::test
