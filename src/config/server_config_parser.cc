// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd.conf lines and variables (fwknopd's parse_config_file, validate_options and validate_int_var_ranges,
// server/config_init.c; set_fw_chain_conf, server/fw_util_iptables.c).
#include "config/server_config_parser.h"
#include "config/config_text.h"
#include "config/network_match.h"
#include "config/redis_url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdint>
#include <type_traits>
#include <variant>

namespace sesame::config {
namespace {

constexpr int kMaxMicros = 2 << 22;             // fwknopd's RCHK_MAX_PCAP_LOOP_SLEEP and friends: 8388608
constexpr int kMaxFwknopRange = (2 << 16) - 1;  // fwknopd's RCHK_MAX_RULES_CHECK_THRESHOLD and friends: 131071
constexpr int kMaxRulePosition = 2 << 15;       // fwknopd's RCHK_MAX_IPT_RULE_NUM: 65536
constexpr std::size_t kChainAccessFields = 6;

// isspace() in the C locale, which fwknopd's sscanf and chop_whitespace use.
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += printable(text);
  out += '"';
  return out;
}

// The member a variable sets, by type; the type says how its text is read.
using Field = std::variant<std::string ServerConfig::*, std::optional<std::string> ServerConfig::*,
                           bool ServerConfig::*, std::optional<bool> ServerConfig::*, int ServerConfig::*,
                           std::uint16_t ServerConfig::*, std::chrono::seconds ServerConfig::*,
                           std::chrono::microseconds ServerConfig::*, ChainAccess ServerConfig::*,
                           SyslogFacility ServerConfig::*, std::optional<FirewallType> ServerConfig::*,
                           LogFormat ServerConfig::*, ReplayLogFailure ServerConfig::*>;

enum class Shown {
  kValue,          // -D shows the value or its default
  kUnsetUntilSet,  // fwknopd sets no default: -D shows <not set> until a line sets it
  kDerived,        // the default depends on other variables (PCAP_FILE, FWKNOP_RUN_DIR)
};

struct Variable {
  std::string_view name;
  Field field;
  std::int64_t min = 0;  // integers and durations: the accepted range
  std::int64_t max = 0;
  Shown shown = Shown::kValue;
  bool is_unused = false;  // accepted (fwknopd knows it) but never acted on: a warning says so
};

using C = ServerConfig;

// In -D order: fwknopd 2.6.10's config_map for Debian's build (iptables, no libnetfilter_queue, file digest
// cache), so that the first 55 lines match `fwknopd -D` line for line; then what that build does not know.
const std::array kVariables = {
    Variable{"CONFIG_FILE", &C::config_file},
    Variable{"OVERRIDE_CONFIG", &C::override_config},
    Variable{"PCAP_INTF", &C::pcap_intf},
    Variable{"PCAP_FILE", &C::pcap_file},
    Variable{"ENABLE_PCAP_PROMISC", &C::enable_pcap_promisc},
    Variable{"PCAP_FILTER", &C::pcap_filter},
    Variable{"PCAP_DISPATCH_COUNT", &C::pcap_dispatch_count, 1, kMaxMicros},
    Variable{"PCAP_LOOP_SLEEP", &C::pcap_loop_sleep, 1, kMaxMicros},
    Variable{"ENABLE_PCAP_ANY_DIRECTION", &C::enable_pcap_any_direction, 0, 0, Shown::kUnsetUntilSet},
    Variable{"EXIT_AT_INTF_DOWN", &C::exit_at_intf_down},
    Variable{"MAX_SNIFF_BYTES", &C::max_sniff_bytes, 1, 2 << 14},
    Variable{"ENABLE_SPA_PACKET_AGING", &C::enable_spa_packet_aging, 0, 0, Shown::kDerived},
    Variable{"MAX_SPA_PACKET_AGE", &C::max_spa_packet_age, 1, 100000},
    Variable{"ENABLE_DIGEST_PERSISTENCE", &C::enable_digest_persistence},
    Variable{"RULES_CHECK_THRESHOLD", &C::rules_check_threshold, 0, kMaxFwknopRange},
    Variable{"CMD_EXEC_TIMEOUT", &C::cmd_exec_timeout, 0, 0, Shown::kValue, true},
    Variable{"ENABLE_SPA_OVER_HTTP", &C::enable_spa_over_http},
    Variable{"ENABLE_TCP_SERVER", &C::enable_tcp_server},
    Variable{"TCPSERV_PORT", &C::tcpserv_port, 1, 65535},
    Variable{"ENABLE_UDP_SERVER", &C::enable_udp_server},
    Variable{"UDPSERV_PORT", &C::udpserv_port, 1, 65535},
    Variable{"UDPSERV_SELECT_TIMEOUT", &C::udpserv_select_timeout, 1, kMaxMicros},
    Variable{"LOCALE", &C::locale},
    Variable{"SYSLOG_IDENTITY", &C::syslog_identity},
    Variable{"SYSLOG_FACILITY", &C::syslog_facility},
    Variable{"ENABLE_X_FORWARDED_FOR", &C::enable_x_forwarded_for},
    Variable{"ENABLE_DESTINATION_RULE", &C::enable_destination_rule},
    Variable{"ENABLE_RULE_PREPEND", &C::enable_rule_prepend},
    Variable{"ENABLE_NAT_DNS", &C::enable_nat_dns},
    Variable{"ENABLE_IPT_FORWARDING", &C::enable_ipt_forwarding},
    Variable{"ENABLE_IPT_LOCAL_NAT", &C::enable_ipt_local_nat},
    Variable{"ENABLE_IPT_SNAT", &C::enable_ipt_snat},
    Variable{"SNAT_TRANSLATE_IP", &C::snat_translate_ip},
    Variable{"ENABLE_IPT_OUTPUT", &C::enable_ipt_output},
    Variable{"FLUSH_IPT_AT_INIT", &C::flush_ipt_at_init},
    Variable{"FLUSH_IPT_AT_EXIT", &C::flush_ipt_at_exit},
    Variable{"IPT_INPUT_ACCESS", &C::ipt_input_access},
    Variable{"IPT_OUTPUT_ACCESS", &C::ipt_output_access},
    Variable{"IPT_FORWARD_ACCESS", &C::ipt_forward_access},
    Variable{"IPT_DNAT_ACCESS", &C::ipt_dnat_access},
    Variable{"IPT_SNAT_ACCESS", &C::ipt_snat_access},
    Variable{"IPT_MASQUERADE_ACCESS", &C::ipt_masquerade_access},
    Variable{"ENABLE_IPT_COMMENT_CHECK", &C::enable_ipt_comment_check},
    Variable{"FWKNOP_RUN_DIR", &C::fwknop_run_dir},
    Variable{"FWKNOP_CONF_DIR", &C::fwknop_conf_dir},
    Variable{"ACCESS_FILE", &C::access_file},
    Variable{"ACCESS_FOLDER", &C::access_folder},
    Variable{"FWKNOP_PID_FILE", &C::fwknop_pid_file, 0, 0, Shown::kDerived},
    Variable{"DIGEST_FILE", &C::digest_file, 0, 0, Shown::kDerived},
    Variable{"GPG_HOME_DIR", &C::gpg_home_dir},
    Variable{"GPG_EXE", &C::gpg_exe},
    Variable{"SUDO_EXE", &C::sudo_exe},
    Variable{"FIREWALL_EXE", &C::firewall_exe},
    Variable{"VERBOSE", &C::verbose, 0, INT_MAX, Shown::kUnsetUntilSet},
    Variable{"FAULT_INJECTION_TAG", &C::fault_injection_tag, 0, 0, Shown::kValue, true},
    // fwknopd 2.6.11.
    Variable{"ALLOW_ANY_USER_AGENT", &C::allow_any_user_agent},
    // fwknopd's libnetfilter_queue builds. fwknopd puts these into iptables commands unchecked; sesame checks.
    Variable{"ENABLE_NFQ_CAPTURE", &C::enable_nfq_capture},
    Variable{"NFQ_INTERFACE", &C::nfq_interface},
    Variable{"NFQ_PORT", &C::nfq_port, 1, 65535},
    Variable{"NFQ_TABLE", &C::nfq_table},
    Variable{"NFQ_CHAIN", &C::nfq_chain},
    Variable{"NFQ_QUEUE_NUMBER", &C::nfq_queue_number, 0, 65535},
    Variable{"NFQ_LOOP_SLEEP", &C::nfq_loop_sleep, 1, kMaxMicros},
    // fwknopd's firewalld builds.
    Variable{"ENABLE_FIREWD_FORWARDING", &C::enable_firewd_forwarding},
    Variable{"ENABLE_FIREWD_LOCAL_NAT", &C::enable_firewd_local_nat},
    Variable{"ENABLE_FIREWD_SNAT", &C::enable_firewd_snat},
    Variable{"ENABLE_FIREWD_OUTPUT", &C::enable_firewd_output},
    Variable{"FLUSH_FIREWD_AT_INIT", &C::flush_firewd_at_init},
    Variable{"FLUSH_FIREWD_AT_EXIT", &C::flush_firewd_at_exit},
    Variable{"FIREWD_INPUT_ACCESS", &C::firewd_input_access},
    Variable{"FIREWD_OUTPUT_ACCESS", &C::firewd_output_access},
    Variable{"FIREWD_FORWARD_ACCESS", &C::firewd_forward_access},
    Variable{"FIREWD_DNAT_ACCESS", &C::firewd_dnat_access},
    Variable{"FIREWD_SNAT_ACCESS", &C::firewd_snat_access},
    Variable{"FIREWD_MASQUERADE_ACCESS", &C::firewd_masquerade_access},
    Variable{"ENABLE_FIREWD_COMMENT_CHECK", &C::enable_firewd_comment_check},
    // fwknopd's ipfw builds.
    Variable{"FLUSH_IPFW_AT_INIT", &C::flush_ipfw_at_init},
    Variable{"FLUSH_IPFW_AT_EXIT", &C::flush_ipfw_at_exit},
    Variable{"IPFW_START_RULE_NUM", &C::ipfw_start_rule_num, 0, kMaxFwknopRange},
    Variable{"IPFW_MAX_RULES", &C::ipfw_max_rules, 1, kMaxFwknopRange},
    Variable{"IPFW_ACTIVE_SET_NUM", &C::ipfw_active_set_num, 0, (2 << 5) - 1},
    Variable{"IPFW_EXPIRE_SET_NUM", &C::ipfw_expire_set_num, 0, (2 << 5) - 1},
    Variable{"IPFW_EXPIRE_PURGE_INTERVAL", &C::ipfw_expire_purge_interval, 1, kMaxFwknopRange},
    Variable{"IPFW_ADD_CHECK_STATE", &C::ipfw_add_check_state},
    // fwknopd's pf builds.
    Variable{"PF_ANCHOR_NAME", &C::pf_anchor_name},
    Variable{"PF_EXPIRE_INTERVAL", &C::pf_expire_interval, 1, kMaxFwknopRange},
    // sesame's own.
    Variable{"FIREWALL_TYPE", &C::firewall_type},
    Variable{"LOG_FORMAT", &C::log_format},
    Variable{"NFT_TABLE", &C::nft_table},
    Variable{"NFT_INPUT_CHAIN", &C::nft_input_chain},
    Variable{"NFT_FORWARD_CHAIN", &C::nft_forward_chain},
    Variable{"NFT_JUMP_POSITION", &C::nft_jump_position, 0, kMaxRulePosition},
    Variable{"UDPSERV_RCVBUF", &C::udpserv_rcvbuf, 0, 1 << 30},
    Variable{"ENABLE_PROC_IP_FORWARD", &C::enable_proc_ip_forward},
    Variable{"REPLAY_LOG_FAILURE", &C::replay_log_failure},
    Variable{"REPLAY_CACHE_URL", &C::replay_cache_url, 0, 0, Shown::kUnsetUntilSet},
    Variable{"REPLAY_CACHE_FAILURE", &C::replay_cache_failure},
    Variable{"METRICS_PORT", &C::metrics_port, 0, 65535},
    Variable{"METRICS_ADDRESS", &C::metrics_address},
    Variable{"PRIVILEGE_SEPARATION", &C::privilege_separation},
    Variable{"PRIVSEP_USER", &C::privsep_user},
};

// In fwknopd.conf's template or read only by other fwknopd builds: ignored, with a warning that says why.
constexpr std::string_view kNotImplemented = "in fwknopd.conf's template but not implemented by fwknopd 2.6; ignored";
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kIgnoredVariables = {{
    {"ENABLE_EXTERNAL_CMDS", kNotImplemented},
    {"EXTERNAL_CMD_OPEN", kNotImplemented},
    {"EXTERNAL_CMD_CLOSE", kNotImplemented},
    {"EXTERNAL_CMD_ALARM", kNotImplemented},
    {"ENABLE_EXT_CMD_PREFIX", kNotImplemented},
    {"EXT_CMD_PREFIX", kNotImplemented},
    {"BLACKLIST", kNotImplemented},
    {"IPT_EXEC_TRIES", kNotImplemented},
    {"DIGEST_DB_FILE", "only read by fwknopd's gdbm builds (sesame keeps DIGEST_FILE); ignored"},
    {"AFL_PKT_FILE", "only read by fwknopd's AFL fuzzing builds; ignored"},
}};

constexpr std::array<std::pair<SyslogFacility, std::string_view>, 9> kFacilities = {{
    {SyslogFacility::kDaemon, "LOG_DAEMON"},
    {SyslogFacility::kLocal0, "LOG_LOCAL0"},
    {SyslogFacility::kLocal1, "LOG_LOCAL1"},
    {SyslogFacility::kLocal2, "LOG_LOCAL2"},
    {SyslogFacility::kLocal3, "LOG_LOCAL3"},
    {SyslogFacility::kLocal4, "LOG_LOCAL4"},
    {SyslogFacility::kLocal5, "LOG_LOCAL5"},
    {SyslogFacility::kLocal6, "LOG_LOCAL6"},
    {SyslogFacility::kLocal7, "LOG_LOCAL7"},
}};

constexpr std::array<std::pair<FirewallType, std::string_view>, 6> kFirewallTypes = {{
    {FirewallType::kNftables, "nftables"},
    {FirewallType::kIptables, "iptables"},
    {FirewallType::kFirewalld, "firewalld"},
    {FirewallType::kIpfw, "ipfw"},
    {FirewallType::kPf, "pf"},
    {FirewallType::kNone, "none"},
}};

constexpr std::array<std::pair<LogFormat, std::string_view>, 2> kLogFormats = {{
    {LogFormat::kText, "text"},
    {LogFormat::kJson, "json"},
}};

constexpr std::array<std::pair<ReplayLogFailure, std::string_view>, 2> kReplayLogFailures = {{
    {ReplayLogFailure::kClosed, "closed"},
    {ReplayLogFailure::kOpen, "open"},
}};

template <class T, std::size_t N>
std::string_view name_of(const std::array<std::pair<T, std::string_view>, N>& names, T value) {
  for (const auto& [item, name] : names)
    if (item == value) return name;
  return {};
}

template <class T, std::size_t N>
std::optional<T> find_named(const std::array<std::pair<T, std::string_view>, N>& names, std::string_view text) {
  for (const auto& [item, name] : names)
    if (iequals(name, text)) return item;
  return std::nullopt;
}

template <class T, std::size_t N>
std::string list_names(const std::array<std::pair<T, std::string_view>, N>& names) {
  std::string out;
  for (const auto& [item, name] : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

const Variable* find_variable(std::string_view name) {
  for (const auto& variable : kVariables)
    if (variable.name == name) return &variable;
  return nullptr;
}

// What reading one value found: an error stops the value from being set; a warning does not.
struct Problems {
  std::optional<std::string> error;
  std::optional<std::string> warning;
};

// fwknopd reads integers with strtol: leading blanks and a sign are allowed, the number ends at the first
// non-digit and the rest is ignored ("120 # two minutes" is 120). sesame does the same but warns about the
// rest, and refuses text with no number at all (strtol would read 0).
struct Integer {
  std::optional<std::int64_t> value;  // nullopt: no digits, or too large to matter
  bool has_rest = false;
};

Integer read_integer(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size() && is_blank(text[at])) ++at;
  bool negative = false;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) negative = text[at++] == '-';
  const std::size_t digits = at;
  std::int64_t value = 0;
  bool too_large = false;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
    if (value > (std::int64_t{1} << 40)) too_large = true;  // far past every range: no overflow below
    if (!too_large) value = value * 10 + (text[at] - '0');
  }
  Integer result;
  result.has_rest = at < text.size();
  if (at == digits) return result;
  result.value = too_large ? (negative ? INT64_MIN : INT64_MAX) : (negative ? -value : value);
  return result;
}

// Reads an integer in [min, max] for `name`.
std::optional<std::int64_t> read_ranged(std::string_view name, std::string_view text, std::int64_t min,
                                        std::int64_t max, Problems& problems) {
  const std::string range = std::to_string(min) + "-" + std::to_string(max);
  const Integer number = read_integer(text);
  if (!number.value) {
    problems.error = std::string(name) + ": " + quoted(text) + " is not a number (" + range + ")";
    return std::nullopt;
  }
  if (*number.value < min || *number.value > max) {
    problems.error = std::string(name) + ": " + quoted(text) + " is not in the range " + range;
    return std::nullopt;
  }
  if (number.has_rest)
    problems.warning = std::string(name) + ": " + quoted(text) + ": the text after the number is ignored";
  return number.value;
}

// fwknopd's booleans: yes when the first character is Y or y, anything else is no.
bool read_yes_no(std::string_view name, std::string_view text, Problems& problems) {
  const char first = text.empty() ? '\0' : text[0];
  if (first != 'Y' && first != 'y' && first != 'N' && first != 'n')
    problems.warning = std::string(name) + ": " + quoted(text) + " is taken as N (only a leading Y or y means yes)";
  return first == 'Y' || first == 'y';
}

// "target, table, from_chain, jump_position, to_chain, rule_position" (fwknopd's validate_ipt_chain_conf and
// set_fw_chain_conf): letters, digits, '_', ' ' and ',' only; spaces anywhere are dropped; six fields.
std::optional<ChainAccess> read_chain_access(std::string_view name, std::string_view text, Problems& problems) {
  const std::string prefix = std::string(name) + ": " + quoted(text);
  std::vector<std::string> fields(1);
  for (const char c : text) {
    if (c == ',') {
      fields.emplace_back();
    } else if (c != ' ') {
      if (!is_ascii_alnum(c) && c != '_') {
        problems.error = prefix + ": '" + printable(std::string_view(&c, 1)) +
                         "' is not allowed (letters, digits, '_', ' ' and ',' are)";
        return std::nullopt;
      }
      fields.back() += c;
    }
  }
  if (fields.size() != kChainAccessFields) {
    problems.error = prefix + " has " + std::to_string(fields.size()) +
                     " fields, not 6: target, table, from_chain, jump_position, to_chain, rule_position";
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, kChainAccessFields> kFieldNames = {
      "target", "table", "from_chain", "jump_position", "to_chain", "rule_position"};
  std::array<int, 2> positions{};
  for (std::size_t i = 0; i < kChainAccessFields; ++i) {
    const bool is_position = i == 3 || i == 5;
    if (fields[i].empty()) {
      problems.error = prefix + ": empty " + std::string(kFieldNames[i]);
      return std::nullopt;
    }
    if (!is_position) continue;
    const bool all_digits =
        std::all_of(fields[i].begin(), fields[i].end(), [](char c) { return c >= '0' && c <= '9'; });
    const Integer number = read_integer(fields[i]);
    if (!all_digits || !number.value || *number.value > kMaxRulePosition) {
      problems.error = prefix + ": " + std::string(kFieldNames[i]) + " " + quoted(fields[i]) +
                       " is not in the range 0-" + std::to_string(kMaxRulePosition);
      return std::nullopt;
    }
    positions[i == 3 ? 0 : 1] = static_cast<int>(*number.value);
  }
  return ChainAccess{fields[0], fields[1], fields[2], positions[0], fields[4], positions[1]};
}

// The names of an enum's values, for reading and showing them.
template <class T>
const auto& names_of() {
  if constexpr (std::is_same_v<T, SyslogFacility>) return kFacilities;
  if constexpr (std::is_same_v<T, FirewallType>) return kFirewallTypes;
  if constexpr (std::is_same_v<T, LogFormat>) return kLogFormats;
  if constexpr (std::is_same_v<T, ReplayLogFailure>) return kReplayLogFailures;
}

template <class T>
struct Unwrapped {  // the value type of an optional field
  using type = T;
};
template <class T>
struct Unwrapped<std::optional<T>> {
  using type = T;
};

template <class T>
constexpr bool kIsDuration = std::is_same_v<T, std::chrono::seconds> || std::is_same_v<T, std::chrono::microseconds>;

// Reads `text` into `variable`'s field of `config`, by the field's type; on an error the field is left as it was.
Problems set_field(ServerConfig& config, const Variable& variable, std::string_view text) {
  Problems problems;
  const std::string_view name = variable.name;
  std::visit(
      [&](auto field) {
        using T = typename Unwrapped<std::remove_reference_t<decltype(config.*field)>>::type;
        if constexpr (std::is_same_v<T, std::string>) {
          config.*field = std::string(text);
        } else if constexpr (std::is_same_v<T, bool>) {
          config.*field = read_yes_no(name, text, problems);
        } else if constexpr (std::is_integral_v<T>) {
          if (const auto value = read_ranged(name, text, variable.min, variable.max, problems))
            config.*field = static_cast<T>(*value);
        } else if constexpr (kIsDuration<T>) {
          if (const auto value = read_ranged(name, text, variable.min, variable.max, problems))
            config.*field = T(*value);
        } else if constexpr (std::is_same_v<T, ChainAccess>) {
          if (auto value = read_chain_access(name, text, problems)) config.*field = std::move(*value);
        } else {
          // SYSLOG_FACILITY (fwknopd checks it only when it opens syslog, and exits there), FIREWALL_TYPE,
          // LOG_FORMAT, REPLAY_LOG_FAILURE: names in any case.
          if (const auto value = find_named(names_of<T>(), text))
            config.*field = *value;
          else
            problems.error = std::string(name) + ": " + quoted(text) + " is not one of " + list_names(names_of<T>());
        }
      },
      variable.field);
  return problems;
}

// The value of a field as -D shows it; nullopt for an unset optional.
std::optional<std::string> field_text(const ServerConfig& config, const Field& field) {
  return std::visit(
      [&](auto member) -> std::optional<std::string> {
        const auto& stored = config.*member;
        using Stored = std::remove_cvref_t<decltype(stored)>;
        using T = typename Unwrapped<Stored>::type;
        const T* value = nullptr;
        if constexpr (std::is_same_v<Stored, T>) {
          value = &stored;
        } else {
          if (!stored) return std::nullopt;
          value = &*stored;
        }
        if constexpr (std::is_same_v<T, std::string>) return *value;
        if constexpr (std::is_same_v<T, bool>) return *value ? "Y" : "N";
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) return std::to_string(*value);
        if constexpr (kIsDuration<T>) return std::to_string(value->count());
        if constexpr (std::is_same_v<T, ChainAccess>) return value->to_string();
        if constexpr (std::is_enum_v<T>) return std::string(name_of(names_of<T>(), *value));
      },
      field);
}

std::string unknown_variable_message(std::string_view name) {
  for (const auto& [ignored, reason] : kIgnoredVariables)
    if (ignored == name) return std::string(name) + ": " + std::string(reason);
  std::string message = printable(name) + ": unknown variable; ignored";
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  if (upper != name && find_variable(upper)) message += " (names are case-sensitive: " + upper + ")";
  return message;
}

// Sets `variable` to `text` and records where; problems go to `errors` and `warnings` with the place.
bool set_variable(ServerConfig& config, const Variable& variable, std::string_view text, std::string_view file,
                  int line, std::vector<ConfigError>& errors, std::vector<ConfigError>& warnings) {
  const Problems problems = set_field(config, variable, text);
  if (problems.warning) warnings.push_back({std::string(file), line, *problems.warning});
  if (problems.error) {
    errors.push_back({std::string(file), line, *problems.error});
    return false;
  }
  if (variable.is_unused)
    warnings.push_back({std::string(file), line, std::string(variable.name) + ": has no effect (as in fwknopd)"});
  config.settings.insert_or_assign(std::string(variable.name),
                                   ServerConfigSetting{std::string(text), std::string(file), line});
  return true;
}

// fwknopd's "$NAME..." expansion: NAME is the longest run of [A-Z_] after the '$'; no such run, no expansion.
// Only the prefix, only once; the rest is kept verbatim (fwknopd keeps only its next blank-delimited word).
std::optional<std::string> expand(const ServerConfig& config, std::string_view variable, std::string_view value,
                                  std::string& error) {
  if (value.empty() || value[0] != '$') return std::string(value);
  std::size_t end = 1;
  while (end < value.size() && ((value[end] >= 'A' && value[end] <= 'Z') || value[end] == '_')) ++end;
  if (end == 1) return std::string(value);
  const std::string_view name = value.substr(1, end - 1);
  const auto found = config.settings.find(name);
  if (found == config.settings.end()) {
    error = std::string(variable) + ": " + quoted(value) + ": $" + std::string(name) +
            " is not a variable set before this line";
    return std::nullopt;
  }
  return found->second.text + std::string(value.substr(end));
}

class ServerConfigParser {
 public:
  explicit ServerConfigParser(std::string_view file_name) { file_.file_name = std::string(file_name); }

  void parse_line(std::string_view line, int number) {
    if (const auto nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
    // fwknopd's IS_EMPTY_LINE looks at the first byte only.
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '\r') return;
    std::size_t at = 0;
    while (at < line.size() && is_blank(line[at])) ++at;
    // Blank, or an indented comment: fwknopd logs these as bad or unknown entries and goes on.
    if (at == line.size() || line[at] == '#' || line[at] == ';') return;
    const std::size_t variable_start = at;
    while (at < line.size() && !is_blank(line[at])) ++at;
    const std::string_view variable = line.substr(variable_start, at - variable_start);
    while (at < line.size() && is_blank(line[at])) ++at;
    std::size_t end = at;
    while (end < line.size() && line[end] != ';' && line[end] != '\r' && line[end] != '\n') ++end;
    while (end > at && is_blank(line[end - 1])) --end;
    if (end == at) {
      file_.errors.push_back(
          {file_.file_name, number, printable(variable) + ": no value (expected \"VARIABLE value\")"});
      return;
    }
    file_.entries.push_back({std::string(variable), std::string(line.substr(at, end - at)), number});
  }

  ServerConfigFile finish() && { return std::move(file_); }

 private:
  ServerConfigFile file_;
};

constexpr std::string_view kNftNameRule =
    "not a name nft takes unquoted (a letter or '_', then letters, digits, '_', '-' or '.'; at most 255)";

bool is_nft_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_ascii_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

const ServerConfigSetting* setting_of(const ServerConfig& config, std::string_view variable) {
  const auto found = config.settings.find(variable);
  return found == config.settings.end() ? nullptr : &found->second;
}

}  // namespace

ServerConfigFile parse_server_config(std::string_view file_name, std::string_view text) {
  ServerConfigParser parser(file_name);
  int number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t newline = text.find('\n', at);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    parser.parse_line(text.substr(at, end - at), ++number);
    at = end + 1;
  }
  return std::move(parser).finish();
}

std::vector<ConfigError> apply_server_config(ServerConfig& config, const ServerConfigFile& file,
                                             std::vector<ConfigError>& errors) {
  std::vector<ConfigError> warnings;
  for (const auto& entry : file.entries) {
    const Variable* variable = find_variable(entry.variable);
    if (!variable) {
      warnings.push_back({file.file_name, entry.line, unknown_variable_message(entry.variable)});
      continue;
    }
    std::string error;
    const auto value = expand(config, variable->name, entry.value, error);
    if (!value) {
      errors.push_back({file.file_name, entry.line, error});
      continue;
    }
    set_variable(config, *variable, *value, file.file_name, entry.line, errors, warnings);
  }
  return warnings;
}

bool set_server_variable(ServerConfig& config, std::string_view variable, std::string_view value,
                         std::string_view option, std::vector<ConfigError>& errors) {
  const Variable* found = find_variable(variable);
  if (!found) {
    errors.push_back({std::string(option), 0, printable(variable) + ": not a fwknopd.conf variable"});
    return false;
  }
  std::vector<ConfigError> warnings;  // a command-line value is taken as given, as fwknopd takes it
  return set_variable(config, *found, value, option, 0, errors, warnings);
}

void check_server_config(const ServerConfig& config, std::vector<ConfigError>& errors) {
  const auto error_at = [&](std::string_view variable, std::string message) {
    const ServerConfigSetting* setting = setting_of(config, variable);
    errors.push_back({setting ? setting->file : config.config_file, setting ? setting->line : 0, std::move(message)});
  };
  // fwknopd checks this at start-up when SNAT is on, before any rule needs the address.
  if ((config.enable_ipt_snat || config.enable_firewd_snat) && config.snat_translate_ip) {
    in_addr address{};
    if (::inet_pton(AF_INET, config.snat_translate_ip->c_str(), &address) != 1)
      error_at("SNAT_TRANSLATE_IP",
               "SNAT_TRANSLATE_IP: " + quoted(*config.snat_translate_ip) +
                   " is not an IPv4 address (needed as ENABLE_IPT_SNAT or ENABLE_FIREWD_SNAT is Y)");
  }
  // NFT_* names end up in nft command text: only plain identifiers, so that no value can add a command.
  const auto [family, table] = split_nft_table(config.nft_table);
  if (family != "inet" && family != "ip" && family != "ip6")
    error_at("NFT_TABLE", "NFT_TABLE: " + quoted(config.nft_table) +
                              " is not \"FAMILY NAME\" with FAMILY inet, ip or ip6 (or only a NAME, for inet)");
  else if (!is_nft_name(table))
    error_at("NFT_TABLE", "NFT_TABLE: " + quoted(config.nft_table) + ": " + std::string(kNftNameRule));
  if (!is_nft_name(config.nft_input_chain))
    error_at("NFT_INPUT_CHAIN",
             "NFT_INPUT_CHAIN: " + quoted(config.nft_input_chain) + ": " + std::string(kNftNameRule));
  if (!is_nft_name(config.nft_forward_chain))
    error_at("NFT_FORWARD_CHAIN",
             "NFT_FORWARD_CHAIN: " + quoted(config.nft_forward_chain) + ": " + std::string(kNftNameRule));
  if (config.metrics_port != 0 && !IpAddress::parse(config.metrics_address))
    error_at("METRICS_ADDRESS",
             "METRICS_ADDRESS: " + quoted(config.metrics_address) + " is not an IPv4 or IPv6 address to listen on");
  if (config.replay_cache_url) {
    if (auto url = parse_redis_url(*config.replay_cache_url); !url)
      error_at("REPLAY_CACHE_URL", "REPLAY_CACHE_URL: " + url.error());
  }
  // Expired ipfw rules are moved to the expire set: the same set would keep them active.
  if (config.ipfw_active_set_num > 0 && config.ipfw_active_set_num == config.ipfw_expire_set_num) {
    const std::string_view variable =
        setting_of(config, "IPFW_EXPIRE_SET_NUM") ? "IPFW_EXPIRE_SET_NUM" : "IPFW_ACTIVE_SET_NUM";
    error_at(variable, std::string(variable) + ": IPFW_ACTIVE_SET_NUM and IPFW_EXPIRE_SET_NUM are both " +
                           std::to_string(config.ipfw_active_set_num) + "; they must differ");
  }
}

std::pair<std::string_view, std::string_view> split_nft_table(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size() && is_blank(text[start])) ++start;
  text.remove_prefix(start);
  const std::size_t blank = text.find_first_of(" \t");
  if (blank == std::string_view::npos) return {"inet", text};
  std::string_view name = text.substr(blank);
  while (!name.empty() && is_blank(name.front())) name.remove_prefix(1);
  return {text.substr(0, blank), name};
}

std::span<const std::string_view> server_variable_names() {
  static const auto names = [] {
    std::array<std::string_view, kVariables.size()> out{};
    for (std::size_t i = 0; i < kVariables.size(); ++i) out[i] = kVariables[i].name;
    return out;
  }();
  return names;
}

std::optional<std::string> server_variable_text(const ServerConfig& config, std::string_view variable) {
  const Variable* found = find_variable(variable);
  if (!found) return std::nullopt;
  if (const ServerConfigSetting* setting = setting_of(config, variable)) return setting->text;
  switch (found->shown) {
    case Shown::kUnsetUntilSet:
      return std::nullopt;
    case Shown::kDerived:
      if (variable == "ENABLE_SPA_PACKET_AGING") return config.is_spa_packet_aging_enabled() ? "Y" : "N";
      if (variable == "FWKNOP_PID_FILE") return config.effective_pid_file();
      if (variable == "DIGEST_FILE") return config.effective_digest_file();
      break;
    case Shown::kValue:
      break;
  }
  return field_text(config, found->field);
}

}  // namespace sesame::config
