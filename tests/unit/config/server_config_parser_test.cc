// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd.conf text: line syntax, $NAME expansion, value rules and ranges, warnings, the final checks.
#include "config/server_config_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace sesame::config {
namespace {

struct Applied {
  ServerConfig config;
  std::vector<ConfigError> errors;
  std::vector<ConfigError> warnings;
};

// Parses and applies `text` as one file "f.conf" to a default config.
Applied apply_text(std::string_view text) {
  Applied applied;
  const ServerConfigFile file = parse_server_config("f.conf", text);
  applied.errors = file.errors;
  applied.warnings = apply_server_config(applied.config, file, applied.errors);
  return applied;
}

std::string messages(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& error : errors) out += error.to_string() + "\n";
  return out;
}

std::string read_data_file(const std::string& name) {
  std::ifstream in(std::string(SESAME_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ServerConfigParser, SkipsCommentsAndBlankLines) {
  const auto file = parse_server_config("f.conf", "# c\n;c\n\r\n\n   \n  # indented\n\t;x\nPCAP_INTF eth1\n");
  EXPECT_TRUE(file.errors.empty()) << messages(file.errors);
  ASSERT_EQ(file.entries.size(), 1u);
  EXPECT_EQ(file.entries[0].variable, "PCAP_INTF");
  EXPECT_EQ(file.entries[0].value, "eth1");
  EXPECT_EQ(file.entries[0].line, 8);
}

TEST(ServerConfigParser, ValueRunsToSemicolonOrLineEndWithTrailingBlanksRemoved) {
  const auto file = parse_server_config(
      "f.conf", "PCAP_FILTER   udp port 62201 # kept;  dropped\r\n  LOCALE\tC  \t\nSYSLOG_IDENTITY x\ry\n");
  EXPECT_TRUE(file.errors.empty()) << messages(file.errors);
  ASSERT_EQ(file.entries.size(), 3u);
  EXPECT_EQ(file.entries[0].value, "udp port 62201 # kept");  // '#' is no comment inside a value, as in fwknopd
  EXPECT_EQ(file.entries[1].variable, "LOCALE");
  EXPECT_EQ(file.entries[1].value, "C");
  EXPECT_EQ(file.entries[2].value, "x");
}

TEST(ServerConfigParser, LineWithoutValueIsAnErrorAndParsingGoesOn) {
  const auto file = parse_server_config("f.conf", "PCAP_INTF\nPCAP_FILTER ;\nLOCALE C\n");
  ASSERT_EQ(file.errors.size(), 2u);
  EXPECT_EQ(file.errors[0].to_string(), "f.conf:1: PCAP_INTF: no value (expected \"VARIABLE value\")");
  EXPECT_EQ(file.errors[1].line, 2);
  ASSERT_EQ(file.entries.size(), 1u);
  EXPECT_EQ(file.entries[0].line, 3);
}

TEST(ServerConfigParser, NulByteEndsItsLine) {
  const std::string text("PCAP_INTF eth1\0junk\nLOCALE C\n", 29);
  const auto file = parse_server_config("f.conf", text);
  ASSERT_EQ(file.entries.size(), 2u);
  EXPECT_EQ(file.entries[0].value, "eth1");
}

TEST(ServerConfigParser, DefaultsAreFwknopds) {
  const ServerConfig config;
  EXPECT_EQ(config.pcap_intf, "eth0");
  EXPECT_EQ(config.pcap_filter, "udp port 62201");
  EXPECT_EQ(config.pcap_loop_sleep, std::chrono::microseconds(100000));
  EXPECT_EQ(config.max_spa_packet_age, std::chrono::seconds(120));
  EXPECT_EQ(config.ipt_input_access.to_string(), "ACCEPT, filter, INPUT, 1, FWKNOP_INPUT, 1");
  EXPECT_TRUE(config.is_spa_packet_aging_enabled());
  EXPECT_EQ(config.effective_pid_file(), "/run/fwknop/fwknopd.pid");
  EXPECT_EQ(config.effective_digest_file(), "/run/fwknop/digest.cache");
  EXPECT_FALSE(config.firewall_type.has_value());
  EXPECT_EQ(config.log_format, LogFormat::kText);
}

TEST(ServerConfigParser, AppliesTypedValuesAndLaterLinesWin) {
  const auto applied = apply_text(
      "PCAP_INTF eth1\nPCAP_INTF eth2\nMAX_SPA_PACKET_AGE 30\nUDPSERV_PORT 9999\nENABLE_UDP_SERVER y\n"
      "PCAP_LOOP_SLEEP 5000\nENABLE_DIGEST_PERSISTENCE No\nSYSLOG_FACILITY log_local3\n"
      "FIREWALL_TYPE nftables\nLOG_FORMAT json\nACCESS_FOLDER /etc/fwknop/access.d\n");
  EXPECT_TRUE(applied.errors.empty()) << messages(applied.errors);
  EXPECT_TRUE(applied.warnings.empty()) << messages(applied.warnings);
  const ServerConfig& config = applied.config;
  EXPECT_EQ(config.pcap_intf, "eth2");
  EXPECT_EQ(config.max_spa_packet_age, std::chrono::seconds(30));
  EXPECT_EQ(config.udpserv_port, 9999);
  EXPECT_TRUE(config.enable_udp_server);
  EXPECT_EQ(config.pcap_loop_sleep, std::chrono::microseconds(5000));
  EXPECT_FALSE(config.enable_digest_persistence);
  EXPECT_EQ(config.syslog_facility, SyslogFacility::kLocal3);
  EXPECT_EQ(config.firewall_type, FirewallType::kNftables);
  EXPECT_EQ(config.log_format, LogFormat::kJson);
  EXPECT_EQ(config.access_folder, "/etc/fwknop/access.d");
  EXPECT_EQ(config.settings.at("PCAP_INTF").line, 2);
}

TEST(ServerConfigParser, BooleansGoByTheirFirstCharacter) {
  const auto applied = apply_text("ENABLE_UDP_SERVER yes please\nEXIT_AT_INTF_DOWN nope\nENABLE_NAT_DNS true\n");
  EXPECT_TRUE(applied.errors.empty());
  EXPECT_TRUE(applied.config.enable_udp_server);
  EXPECT_FALSE(applied.config.exit_at_intf_down);
  EXPECT_FALSE(applied.config.enable_nat_dns);  // as in fwknopd; but a warning says so
  ASSERT_EQ(applied.warnings.size(), 1u);
  EXPECT_EQ(applied.warnings[0].to_string(),
            "f.conf:3: ENABLE_NAT_DNS: \"true\" is taken as N (only a leading Y or y means yes)");
}

TEST(ServerConfigParser, OutOfRangeIntegerNamesPlaceVariableAndRange) {
  const auto applied = apply_text(
      "\nPCAP_DISPATCH_COUNT 0\nMAX_SPA_PACKET_AGE 100001\nTCPSERV_PORT 70000\n"
      "UDPSERV_PORT -1\nVERBOSE 3\n");
  ASSERT_EQ(applied.errors.size(), 4u) << messages(applied.errors);
  EXPECT_EQ(applied.errors[0].to_string(), "f.conf:2: PCAP_DISPATCH_COUNT: \"0\" is not in the range 1-8388608");
  EXPECT_EQ(applied.errors[1].to_string(), "f.conf:3: MAX_SPA_PACKET_AGE: \"100001\" is not in the range 1-100000");
  EXPECT_EQ(applied.errors[2].to_string(), "f.conf:4: TCPSERV_PORT: \"70000\" is not in the range 1-65535");
  EXPECT_EQ(applied.errors[3].line, 5);
  // A refused value leaves the variable as it was.
  EXPECT_EQ(applied.config.pcap_dispatch_count, 100);
  EXPECT_EQ(applied.config.tcpserv_port, 62201);
  EXPECT_FALSE(applied.config.settings.contains("TCPSERV_PORT"));
  EXPECT_EQ(applied.config.verbose, 3);
}

TEST(ServerConfigParser, IntegerReadLikeStrtolWithWarningForTheRest) {
  const auto applied = apply_text(
      "MAX_SPA_PACKET_AGE 60 # one minute\nRULES_CHECK_THRESHOLD +0\nMAX_SNIFF_BYTES many\n"
      "VERBOSE 99999999999999999999\n");
  ASSERT_EQ(applied.errors.size(), 2u) << messages(applied.errors);
  EXPECT_EQ(applied.errors[0].to_string(), "f.conf:3: MAX_SNIFF_BYTES: \"many\" is not a number (1-32768)");
  EXPECT_EQ(applied.errors[1].to_string(),
            "f.conf:4: VERBOSE: \"99999999999999999999\" is not in the range 0-2147483647");
  EXPECT_EQ(applied.config.max_spa_packet_age, std::chrono::seconds(60));
  EXPECT_EQ(applied.config.rules_check_threshold, 0);
  ASSERT_EQ(applied.warnings.size(), 1u);
  EXPECT_EQ(applied.warnings[0].to_string(),
            "f.conf:1: MAX_SPA_PACKET_AGE: \"60 # one minute\": the text after the number is ignored");
}

TEST(ServerConfigParser, DollarPrefixExpandsAVariableSetBefore) {
  const auto applied = apply_text(
      "FWKNOP_RUN_DIR /var/run/fwknop\nFWKNOP_PID_FILE $FWKNOP_RUN_DIR/fwknopd.pid\n"
      "DIGEST_FILE $FWKNOP_RUN_DIR/a b\nPCAP_FILTER $PCAP_INTF\nLOCALE $lower\nSYSLOG_IDENTITY x$FWKNOP_RUN_DIR\n"
      "GPG_EXE $FWKNOP_PID_FILE\n");
  ASSERT_EQ(applied.errors.size(), 1u) << messages(applied.errors);
  EXPECT_EQ(applied.errors[0].to_string(),
            "f.conf:4: PCAP_FILTER: \"$PCAP_INTF\": $PCAP_INTF is not a variable set before this line");
  EXPECT_EQ(applied.config.fwknop_pid_file, "/var/run/fwknop/fwknopd.pid");
  EXPECT_EQ(applied.config.digest_file, "/var/run/fwknop/a b");   // the whole rest, not only its first word
  EXPECT_EQ(applied.config.pcap_filter, "udp port 62201");        // the entry is skipped
  EXPECT_EQ(applied.config.locale, "$lower");                     // no [A-Z_] name: no expansion
  EXPECT_EQ(applied.config.syslog_identity, "x$FWKNOP_RUN_DIR");  // a prefix only
  EXPECT_EQ(applied.config.gpg_exe, "/var/run/fwknop/fwknopd.pid");
}

TEST(ServerConfigParser, ExpansionHappensOnceAndSeesEarlierFiles) {
  ServerConfig config;
  std::vector<ConfigError> errors;
  apply_server_config(config, parse_server_config("a.conf", "SYSLOG_IDENTITY $$X\nFWKNOP_CONF_DIR /opt/fw\n"), errors);
  ASSERT_EQ(errors.size(), 0u) << messages(errors);
  EXPECT_EQ(config.syslog_identity, "$$X");
  apply_server_config(config, parse_server_config("b.conf", "ACCESS_FILE $FWKNOP_CONF_DIR/access.conf\n"), errors);
  EXPECT_TRUE(errors.empty()) << messages(errors);
  EXPECT_EQ(config.access_file, "/opt/fw/access.conf");
  apply_server_config(config, parse_server_config("c.conf", "LOCALE $SYSLOG_IDENTITY\n"), errors);
  EXPECT_EQ(config.locale, "$$X");  // the expanded text is not expanded again
}

TEST(ServerConfigParser, UnknownVariablesAreWarningsNotErrors) {
  const auto applied = apply_text("NO_SUCH_THING 1\npcap_intf eth1\nENABLE_EXTERNAL_CMDS N\nCMD_EXEC_TIMEOUT 5\n");
  EXPECT_TRUE(applied.errors.empty()) << messages(applied.errors);
  ASSERT_EQ(applied.warnings.size(), 4u);
  EXPECT_EQ(applied.warnings[0].to_string(), "f.conf:1: NO_SUCH_THING: unknown variable; ignored");
  EXPECT_EQ(applied.warnings[1].to_string(),
            "f.conf:2: pcap_intf: unknown variable; ignored (names are case-sensitive: PCAP_INTF)");
  EXPECT_EQ(applied.warnings[2].to_string(),
            "f.conf:3: ENABLE_EXTERNAL_CMDS: in fwknopd.conf's template but not implemented by fwknopd 2.6; ignored");
  EXPECT_EQ(applied.warnings[3].to_string(), "f.conf:4: CMD_EXEC_TIMEOUT: has no effect (as in fwknopd)");
  EXPECT_EQ(applied.config.pcap_intf, "eth0");
  EXPECT_EQ(applied.config.cmd_exec_timeout, "5");
}

TEST(ServerConfigParser, ChainAccessIsSixFieldsOfSafeCharacters) {
  const auto applied = apply_text(
      "IPT_INPUT_ACCESS ACCEPT,filter , INPUT, 2,FWKNOP_IN PUT ,3\n"
      "IPT_OUTPUT_ACCESS ACCEPT, filter, OUTPUT, 1, FWKNOP_OUTPUT\n"
      "IPT_FORWARD_ACCESS ACCEPT, filter, FORWARD, 1, FWKNOP-FORWARD, 1\n"
      "IPT_DNAT_ACCESS DNAT, nat, PREROUTING, x, FWKNOP_PREROUTING, 1\n"
      "IPT_SNAT_ACCESS SNAT, nat, POSTROUTING, 1, FWKNOP_POSTROUTING, 65537\n"
      "FIREWD_MASQUERADE_ACCESS MASQUERADE, , POSTROUTING, 1, FWKNOP_MASQUERADE, 1\n");
  const ChainAccess expected{"ACCEPT", "filter", "INPUT", 2, "FWKNOP_INPUT", 3};
  EXPECT_EQ(applied.config.ipt_input_access, expected);  // fwknopd drops every space, even inside a name
  ASSERT_EQ(applied.errors.size(), 5u) << messages(applied.errors);
  EXPECT_EQ(applied.errors[0].to_string(),
            "f.conf:2: IPT_OUTPUT_ACCESS: \"ACCEPT, filter, OUTPUT, 1, FWKNOP_OUTPUT\" has 5 fields, not 6: target, "
            "table, from_chain, jump_position, to_chain, rule_position");
  EXPECT_EQ(applied.errors[1].to_string(),
            "f.conf:3: IPT_FORWARD_ACCESS: \"ACCEPT, filter, FORWARD, 1, FWKNOP-FORWARD, 1\": '-' is not allowed "
            "(letters, digits, '_', ' ' and ',' are)");
  EXPECT_EQ(applied.errors[2].to_string(),
            "f.conf:4: IPT_DNAT_ACCESS: \"DNAT, nat, PREROUTING, x, FWKNOP_PREROUTING, 1\": jump_position \"x\" is "
            "not in the range 0-65536");
  EXPECT_EQ(applied.errors[3].line, 5);
  EXPECT_EQ(applied.errors[4].to_string(),
            "f.conf:6: FIREWD_MASQUERADE_ACCESS: \"MASQUERADE, , POSTROUTING, 1, FWKNOP_MASQUERADE, 1\": empty table");
}

TEST(ServerConfigParser, NamedValuesMustBeKnown) {
  const auto applied =
      apply_text("SYSLOG_FACILITY LOG_USER\nFIREWALL_TYPE nft\nLOG_FORMAT xml\nFIREWALL_TYPE IPTables\n");
  ASSERT_EQ(applied.errors.size(), 3u) << messages(applied.errors);
  EXPECT_EQ(applied.errors[0].to_string(),
            "f.conf:1: SYSLOG_FACILITY: \"LOG_USER\" is not one of LOG_DAEMON, LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, "
            "LOG_LOCAL3, LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7");
  EXPECT_EQ(applied.errors[1].to_string(),
            "f.conf:2: FIREWALL_TYPE: \"nft\" is not one of nftables, iptables, firewalld, ipfw, pf, none");
  EXPECT_EQ(applied.errors[2].to_string(), "f.conf:3: LOG_FORMAT: \"xml\" is not one of text, json");
  EXPECT_EQ(applied.config.firewall_type, FirewallType::kIptables);
}

TEST(ServerConfigParser, ReplayLogFailureIsClosedUnlessSetToOpen) {
  EXPECT_EQ(apply_text("").config.replay_log_failure, ReplayLogFailure::kClosed);
  const auto open = apply_text("REPLAY_LOG_FAILURE Open\n");
  EXPECT_TRUE(open.errors.empty()) << messages(open.errors);
  EXPECT_EQ(open.config.replay_log_failure, ReplayLogFailure::kOpen);
  EXPECT_EQ(apply_text("REPLAY_LOG_FAILURE open\nREPLAY_LOG_FAILURE closed\n").config.replay_log_failure,
            ReplayLogFailure::kClosed);
  const auto bad = apply_text("REPLAY_LOG_FAILURE open\nREPLAY_LOG_FAILURE ignore\n");
  ASSERT_EQ(bad.errors.size(), 1u) << messages(bad.errors);
  EXPECT_EQ(bad.errors[0].to_string(), "f.conf:2: REPLAY_LOG_FAILURE: \"ignore\" is not one of closed, open");
  EXPECT_EQ(bad.config.replay_log_failure, ReplayLogFailure::kOpen);  // the bad line changes nothing
}

TEST(ServerConfigParser, MessagesEscapeControlBytes) {
  const auto applied = apply_text("MAX_SNIFF_BYTES \x1b[31m\n");
  ASSERT_EQ(applied.errors.size(), 1u);
  EXPECT_EQ(applied.errors[0].message, "MAX_SNIFF_BYTES: \"\\x1b[31m\" is not a number (1-32768)");
}

TEST(ServerConfigParser, DerivedDefaultsFollowTheirInputs) {
  auto applied = apply_text("FWKNOP_RUN_DIR /tmp/run/\nPCAP_FILE /tmp/x.pcap\n");
  EXPECT_EQ(applied.config.effective_pid_file(), "/tmp/run/fwknopd.pid");
  EXPECT_EQ(applied.config.effective_digest_file(), "/tmp/run/digest.cache");
  EXPECT_FALSE(applied.config.is_spa_packet_aging_enabled());  // a capture file's packets are all old
  applied = apply_text("PCAP_FILE /tmp/x.pcap\nENABLE_SPA_PACKET_AGING Y\n");
  EXPECT_TRUE(applied.config.is_spa_packet_aging_enabled());
}

TEST(ServerConfigParser, CommandLineValuesAreNotExpanded) {
  ServerConfig config;
  std::vector<ConfigError> errors;
  EXPECT_TRUE(set_server_variable(config, "PCAP_INTF", "$FOO", "-i", errors));
  EXPECT_EQ(config.pcap_intf, "$FOO");
  EXPECT_FALSE(set_server_variable(config, "UDPSERV_PORT", "0", "-x", errors));
  EXPECT_FALSE(set_server_variable(config, "NOPE", "1", "-y", errors));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].to_string(), "-x: UDPSERV_PORT: \"0\" is not in the range 1-65535");
  EXPECT_EQ(errors[1].to_string(), "-y: NOPE: not a fwknopd.conf variable");
  EXPECT_EQ(config.settings.at("PCAP_INTF").file, "-i");
}

TEST(ServerConfigParser, SnatAddressIsCheckedOnlyWhenSnatIsOn) {
  auto applied = apply_text("SNAT_TRANSLATE_IP __CHANGEME__\n");
  check_server_config(applied.config, applied.errors);
  EXPECT_TRUE(applied.errors.empty()) << messages(applied.errors);  // the template's value, SNAT off: fine

  applied = apply_text("SNAT_TRANSLATE_IP __CHANGEME__\nENABLE_IPT_SNAT Y\n");
  check_server_config(applied.config, applied.errors);
  ASSERT_EQ(applied.errors.size(), 1u);
  EXPECT_EQ(applied.errors[0].to_string(),
            "f.conf:1: SNAT_TRANSLATE_IP: \"__CHANGEME__\" is not an IPv4 address (needed as ENABLE_IPT_SNAT or "
            "ENABLE_FIREWD_SNAT is Y)");

  applied = apply_text("SNAT_TRANSLATE_IP 192.0.2.7\nENABLE_FIREWD_SNAT Y\n");
  check_server_config(applied.config, applied.errors);
  EXPECT_TRUE(applied.errors.empty()) << messages(applied.errors);
}

TEST(ServerConfigParser, ReplayCacheUrlIsCheckedWithItsLine) {
  auto applied = apply_text("REPLAY_CACHE_URL redis://10.0.0.5:6379/1\nREPLAY_CACHE_FAILURE open\n");
  check_server_config(applied.config, applied.errors);
  EXPECT_TRUE(applied.errors.empty()) << messages(applied.errors);
  EXPECT_EQ(applied.config.replay_cache_url, "redis://10.0.0.5:6379/1");
  EXPECT_EQ(applied.config.replay_cache_failure, ReplayLogFailure::kOpen);
  EXPECT_EQ(apply_text("").config.replay_cache_failure, ReplayLogFailure::kClosed);
  EXPECT_FALSE(apply_text("").config.replay_cache_url.has_value());

  applied = apply_text("ENABLE_UDP_SERVER Y\nREPLAY_CACHE_URL redis://cache:0/1\n");
  check_server_config(applied.config, applied.errors);
  ASSERT_EQ(applied.errors.size(), 1u);
  EXPECT_EQ(applied.errors[0].to_string(),
            "f.conf:2: REPLAY_CACHE_URL: \"redis://cache:0/1\" is not redis://HOST[:PORT][/DB]: the port must be "
            "1-65535");
}

TEST(ServerConfigParser, IpfwActiveAndExpireSetsMustDiffer) {
  auto applied = apply_text("IPFW_ACTIVE_SET_NUM 2\n");
  check_server_config(applied.config, applied.errors);
  ASSERT_EQ(applied.errors.size(), 1u);
  EXPECT_EQ(applied.errors[0].to_string(),
            "f.conf:1: IPFW_ACTIVE_SET_NUM: IPFW_ACTIVE_SET_NUM and IPFW_EXPIRE_SET_NUM are both 2; they must differ");
  applied = apply_text("IPFW_ACTIVE_SET_NUM 0\nIPFW_EXPIRE_SET_NUM 0\n");
  check_server_config(applied.config, applied.errors);
  EXPECT_TRUE(applied.errors.empty());
}

TEST(ServerConfigParser, EveryVariableAcceptsItsDefaultText) {
  const ServerConfig defaults;
  std::set<std::string_view> seen;
  std::string text;
  for (const auto name : server_variable_names()) {
    EXPECT_TRUE(seen.insert(name).second) << name << " listed twice";
    const auto value = server_variable_text(defaults, name);
    if (value && !value->empty()) text += std::string(name) + " " + *value + "\n";  // NFQ_INTERFACE's "" cannot be
  }
  EXPECT_EQ(seen.size(), 55u + 1 + 7 + 13 + 8 + 2 + 15);  // Debian's 55, 2.6.11, NFQ, firewalld, ipfw, pf, sesame
  const auto applied = apply_text(text);
  EXPECT_TRUE(applied.errors.empty()) << messages(applied.errors);
  EXPECT_TRUE(applied.warnings.empty()) << messages(applied.warnings);
  for (const auto name : server_variable_names())
    EXPECT_EQ(server_variable_text(applied.config, name), server_variable_text(defaults, name)) << name;
}

TEST(ServerConfigParser, DebiansFwknopdConfParsesCleanly) {
  const std::string text = read_data_file("fwknopd.conf.debian");
  ASSERT_GT(text.size(), 10000u) << "tests/data/fwknopd.conf.debian missing";
  const auto applied = apply_text(text);
  EXPECT_TRUE(applied.errors.empty()) << messages(applied.errors);
  EXPECT_TRUE(applied.warnings.empty()) << messages(applied.warnings);
}

}  // namespace
}  // namespace sesame::config
