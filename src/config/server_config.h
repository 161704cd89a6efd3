// SPDX-License-Identifier: GPL-2.0-or-later
// ServerConfig: every fwknopd.conf variable (server.md §2) as a typed field with fwknopd 2.6.10's default, plus
// sesame's own FIREWALL_TYPE, LOG_FORMAT and NFT_*. Text becomes this struct in server_config_parser.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace sesame::config {

// One IPT_*_ACCESS / FIREWD_*_ACCESS value: "target, table, from_chain, jump_position, to_chain, rule_position".
// fwknopd creates to_chain in table and jumps to it from from_chain at jump_position; rules go to rule_position.
struct ChainAccess {
  std::string target;
  std::string table;
  std::string from_chain;
  int jump_position = 1;  // 0..65536, as fwknopd's RCHK_MAX_IPT_RULE_NUM
  std::string to_chain;
  int rule_position = 1;  // 0..65536

  // fwknopd's spelling: "ACCEPT, filter, INPUT, 1, FWKNOP_INPUT, 1".
  std::string to_string() const {
    return target + ", " + table + ", " + from_chain + ", " + std::to_string(jump_position) + ", " + to_chain + ", " +
           std::to_string(rule_position);
  }
  friend bool operator==(const ChainAccess&, const ChainAccess&) = default;
};

// sesame's FIREWALL_TYPE. fwknopd picks its one firewall at build time; sesame has them all.
enum class FirewallType { kNftables, kIptables, kFirewalld, kIpfw, kPf, kNone };

// sesame's LOG_FORMAT: fwknopd's text lines, or one JSON object per line for log collectors.
enum class LogFormat { kText, kJson };

// sesame's REPLAY_LOG_FAILURE: what a burst's grants do when its replay log records cannot be written (disk full,
// I/O error). kClosed refuses them: a packet granted but not on disk could be replayed after a crash.
enum class ReplayLogFailure { kClosed, kOpen };

// SYSLOG_FACILITY: fwknopd accepts only these (any case).
enum class SyslogFacility { kDaemon, kLocal0, kLocal1, kLocal2, kLocal3, kLocal4, kLocal5, kLocal6, kLocal7 };

// Where and as what a variable was last set: the text fwknopd would store (after $NAME expansion).
struct ServerConfigSetting {
  std::string text;
  std::string file;  // a config file, or the command-line option that set it
  int line = 0;      // 0 for a command-line option
};

struct ServerConfig {
  // The files read: CONFIG_FILE is the main one, OVERRIDE_CONFIG the -O list as given (comma-separated).
  std::string config_file = "/etc/fwknop/fwknopd.conf";
  std::optional<std::string> override_config;

  // Capture (pcap).
  std::string pcap_intf = "eth0";
  std::optional<std::string> pcap_file;
  bool enable_pcap_promisc = false;  // the man page says Y; the code says N
  std::string pcap_filter = "udp port 62201";
  int pcap_dispatch_count = 100;                      // 1..2^23
  std::chrono::microseconds pcap_loop_sleep{100000};  // 1..2^23 µs
  // fwknopd parses this and never applies it (only --pcap-any-direction works); sesame applies it.
  bool enable_pcap_any_direction = false;
  bool exit_at_intf_down = true;
  int max_sniff_bytes = 1500;  // 1..32768
  // Unset: on, unless packets come from a PCAP_FILE (old captures would all be stale).
  std::optional<bool> enable_spa_packet_aging;
  std::chrono::seconds max_spa_packet_age{120};  // 1..100000 s
  bool enable_digest_persistence = true;
  int rules_check_threshold = 20;               // 0..131071 loop iterations; 0: no deep scans
  std::optional<std::string> cmd_exec_timeout;  // accepted and unused, as in fwknopd

  // Other capture modes.
  bool enable_spa_over_http = false;
  bool allow_any_user_agent = false;  // fwknopd 2.6.11
  bool enable_tcp_server = false;
  std::uint16_t tcpserv_port = 62201;
  bool enable_udp_server = false;  // fwknopd's default (pcap); -U turns it on
  std::uint16_t udpserv_port = 62201;
  std::chrono::microseconds udpserv_select_timeout{500000};  // 1..2^23 µs
  // sesame's ENABLE_PROC_IP_FORWARD (legacy Perl fwknop's name): with NAT forwarding on, turn on
  // net.ipv4.ip_forward at start when it is off. Off by default: fwknopd 2.6 never touches it.
  bool enable_proc_ip_forward = false;
  int udpserv_rcvbuf = 0;  // sesame's UDPSERV_RCVBUF: the UDP socket's receive buffer in bytes; 0: the kernel's
  bool enable_nfq_capture = false;
  std::string nfq_interface;  // empty: every interface
  std::uint16_t nfq_port = 62201;
  std::string nfq_table = "mangle";
  std::string nfq_chain = "FWKNOP_NFQ";
  int nfq_queue_number = 1;                          // 0..65535
  std::chrono::microseconds nfq_loop_sleep{500000};  // 1..2^23 µs

  // Logging and locale.
  std::optional<std::string> locale;  // "NONE" (any case): do not call setlocale
  std::string syslog_identity = "fwknopd";
  SyslogFacility syslog_facility = SyslogFacility::kDaemon;
  int verbose = 0;                          // the base -v level; fwknopd shows "<not set>" until it is set
  LogFormat log_format = LogFormat::kText;  // sesame's
  ReplayLogFailure replay_log_failure = ReplayLogFailure::kClosed;  // sesame's
  // sesame's shared replay cache for a fleet of gateways (redis://HOST[:PORT][/DB], config/redis_url.h), read at
  // start; what a knock does while it does not answer (closed: refused).
  std::optional<std::string> replay_cache_url;
  ReplayLogFailure replay_cache_failure = ReplayLogFailure::kClosed;
  // sesame's Prometheus endpoint (GET /metrics): off while the port is 0; the address is an IPv4 or IPv6 one.
  std::uint16_t metrics_port = 0;
  std::string metrics_address = "127.0.0.1";
  // sesame's privilege separation (server/daemon/privsep_parent.h): capture, parsing and crypto in a child without
  // capabilities, as PRIVSEP_USER when started as root, under a seccomp filter.
  bool privilege_separation = false;
  std::string privsep_user = "nobody";

  // Rules, for every firewall.
  bool enable_x_forwarded_for = false;
  bool enable_destination_rule = false;
  bool enable_rule_prepend = false;
  bool enable_nat_dns = true;
  std::optional<std::string> snat_translate_ip;  // an IPv4 address; checked when ENABLE_*_SNAT is Y

  // iptables.
  bool enable_ipt_forwarding = false;
  bool enable_ipt_local_nat = false;  // the template's comment says Y; the code says N
  bool enable_ipt_snat = false;
  bool enable_ipt_output = false;
  bool flush_ipt_at_init = true;
  bool flush_ipt_at_exit = true;
  ChainAccess ipt_input_access{"ACCEPT", "filter", "INPUT", 1, "FWKNOP_INPUT", 1};
  ChainAccess ipt_output_access{"ACCEPT", "filter", "OUTPUT", 1, "FWKNOP_OUTPUT", 1};
  ChainAccess ipt_forward_access{"ACCEPT", "filter", "FORWARD", 1, "FWKNOP_FORWARD", 1};
  ChainAccess ipt_dnat_access{"DNAT", "nat", "PREROUTING", 1, "FWKNOP_PREROUTING", 1};
  ChainAccess ipt_snat_access{"SNAT", "nat", "POSTROUTING", 1, "FWKNOP_POSTROUTING", 1};
  ChainAccess ipt_masquerade_access{"MASQUERADE", "nat", "POSTROUTING", 1, "FWKNOP_MASQUERADE", 1};
  bool enable_ipt_comment_check = true;

  // firewalld (fwknopd's firewalld build: the same rules through firewall-cmd --direct --passthrough).
  bool enable_firewd_forwarding = false;
  bool enable_firewd_local_nat = false;
  bool enable_firewd_snat = false;
  bool enable_firewd_output = false;
  bool flush_firewd_at_init = true;
  bool flush_firewd_at_exit = true;
  ChainAccess firewd_input_access{"ACCEPT", "filter", "INPUT", 1, "FWKNOP_INPUT", 1};
  ChainAccess firewd_output_access{"ACCEPT", "filter", "OUTPUT", 1, "FWKNOP_OUTPUT", 1};
  ChainAccess firewd_forward_access{"ACCEPT", "filter", "FORWARD", 1, "FWKNOP_FORWARD", 1};
  ChainAccess firewd_dnat_access{"DNAT", "nat", "PREROUTING", 1, "FWKNOP_PREROUTING", 1};
  ChainAccess firewd_snat_access{"SNAT", "nat", "POSTROUTING", 1, "FWKNOP_POSTROUTING", 1};
  ChainAccess firewd_masquerade_access{"MASQUERADE", "nat", "POSTROUTING", 1, "FWKNOP_MASQUERADE", 1};
  bool enable_firewd_comment_check = true;

  // ipfw (fwknopd's ipfw build). Ranges are fwknopd's.
  bool flush_ipfw_at_init = true;
  bool flush_ipfw_at_exit = true;
  int ipfw_start_rule_num = 10000;                      // 0..131071
  int ipfw_max_rules = 65535;                           // 1..131071
  int ipfw_active_set_num = 1;                          // 0..63; must differ from the expire set when both are > 0
  int ipfw_expire_set_num = 2;                          // 0..63
  std::chrono::seconds ipfw_expire_purge_interval{30};  // 1..131071 s
  bool ipfw_add_check_state = false;

  // pf (fwknopd's pf build).
  std::string pf_anchor_name = "fwknop";
  std::chrono::seconds pf_expire_interval{30};  // 1..131071 s

  // Paths.
  std::string fwknop_run_dir = "/run/fwknop";   // Debian's build-time value
  std::string fwknop_conf_dir = "/etc/fwknop";  // only used in $FWKNOP_CONF_DIR expansions
  std::string access_file = "/etc/fwknop/access.conf";
  std::optional<std::string> access_folder;    // when set, used instead of access_file
  std::optional<std::string> fwknop_pid_file;  // unset: effective_pid_file()
  std::optional<std::string> digest_file;      // unset: effective_digest_file()
  std::string gpg_home_dir = "/root/.gnupg";
  std::string gpg_exe = "/usr/bin/gpg";
  std::string sudo_exe = "/usr/bin/sudo";
  // fwknopd's default is its build's (/usr/sbin/iptables on Debian); unset here means "the chosen firewall
  // backend's own command", so that sesame can tell "the admin chose iptables" from "nobody said".
  std::optional<std::string> firewall_exe;
  // sesame's: which firewall backend. Unset: decided by the server (from FIREWALL_EXE, else nftables).
  std::optional<FirewallType> firewall_type;
  // sesame's nftables backend works inside the host's own table, as fwknopd jumps from INPUT: an accept in
  // another table would not undo a drop in this one. "family name" (family inet, ip or ip6; a lone name is inet).
  std::string nft_table = "inet filter";
  std::string nft_input_chain = "input";           // created as a base chain (hook input, policy accept) when absent
  std::string nft_forward_chain = "forward";       // for NAT grants
  int nft_jump_position = 1;                       // 1: the top of NFT_INPUT_CHAIN; 0: no jump (the ruleset has one)
  std::optional<std::string> fault_injection_tag;  // fwknop's test suite (libfiu builds); accepted, no effect

  // Every variable set by a file line or an option, by name: for $NAME expansion (only variables already set
  // expand, as in fwknopd), for -D (which shows the text as written) and for placing later errors.
  std::map<std::string, ServerConfigSetting, std::less<>> settings;

  bool is_spa_packet_aging_enabled() const { return enable_spa_packet_aging.value_or(!pcap_file.has_value()); }
  // fwknopd derives these from the final FWKNOP_RUN_DIR (so -r moves them too).
  std::string effective_pid_file() const { return fwknop_pid_file.value_or(in_run_dir("fwknopd.pid")); }
  std::string effective_digest_file() const { return digest_file.value_or(in_run_dir("digest.cache")); }

 private:
  std::string in_run_dir(const char* name) const {
    return fwknop_run_dir + (!fwknop_run_dir.empty() && fwknop_run_dir.back() == '/' ? "" : "/") + name;
  }
};

}  // namespace sesame::config
