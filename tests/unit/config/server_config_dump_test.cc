// SPDX-License-Identifier: GPL-2.0-or-later
// sesamed -D's config listing: fwknopd's format and order, and the same values as the real fwknopd -D shows for
// the same file (Debian's fwknopd.conf as shipped, and with every sample line uncommented).
#include "config/server_config_dump.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "config/server_config_loader.h"
#include "config/server_config_parser.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::config {
namespace {

// Debian's fwknopd 2.6.10 (iptables build, no libnetfilter_queue), as its -D lists them.
const std::vector<std::string> kDebianFwknopdVariables = {"CONFIG_FILE",
                                                          "OVERRIDE_CONFIG",
                                                          "PCAP_INTF",
                                                          "PCAP_FILE",
                                                          "ENABLE_PCAP_PROMISC",
                                                          "PCAP_FILTER",
                                                          "PCAP_DISPATCH_COUNT",
                                                          "PCAP_LOOP_SLEEP",
                                                          "ENABLE_PCAP_ANY_DIRECTION",
                                                          "EXIT_AT_INTF_DOWN",
                                                          "MAX_SNIFF_BYTES",
                                                          "ENABLE_SPA_PACKET_AGING",
                                                          "MAX_SPA_PACKET_AGE",
                                                          "ENABLE_DIGEST_PERSISTENCE",
                                                          "RULES_CHECK_THRESHOLD",
                                                          "CMD_EXEC_TIMEOUT",
                                                          "ENABLE_SPA_OVER_HTTP",
                                                          "ENABLE_TCP_SERVER",
                                                          "TCPSERV_PORT",
                                                          "ENABLE_UDP_SERVER",
                                                          "UDPSERV_PORT",
                                                          "UDPSERV_SELECT_TIMEOUT",
                                                          "LOCALE",
                                                          "SYSLOG_IDENTITY",
                                                          "SYSLOG_FACILITY",
                                                          "ENABLE_X_FORWARDED_FOR",
                                                          "ENABLE_DESTINATION_RULE",
                                                          "ENABLE_RULE_PREPEND",
                                                          "ENABLE_NAT_DNS",
                                                          "ENABLE_IPT_FORWARDING",
                                                          "ENABLE_IPT_LOCAL_NAT",
                                                          "ENABLE_IPT_SNAT",
                                                          "SNAT_TRANSLATE_IP",
                                                          "ENABLE_IPT_OUTPUT",
                                                          "FLUSH_IPT_AT_INIT",
                                                          "FLUSH_IPT_AT_EXIT",
                                                          "IPT_INPUT_ACCESS",
                                                          "IPT_OUTPUT_ACCESS",
                                                          "IPT_FORWARD_ACCESS",
                                                          "IPT_DNAT_ACCESS",
                                                          "IPT_SNAT_ACCESS",
                                                          "IPT_MASQUERADE_ACCESS",
                                                          "ENABLE_IPT_COMMENT_CHECK",
                                                          "FWKNOP_RUN_DIR",
                                                          "FWKNOP_CONF_DIR",
                                                          "ACCESS_FILE",
                                                          "ACCESS_FOLDER",
                                                          "FWKNOP_PID_FILE",
                                                          "DIGEST_FILE",
                                                          "GPG_HOME_DIR",
                                                          "GPG_EXE",
                                                          "SUDO_EXE",
                                                          "FIREWALL_EXE",
                                                          "VERBOSE",
                                                          "FAULT_INJECTION_TAG"};

// Shown differently on purpose (docs/compat.md): fwknopd's -c without -O also sets OVERRIDE_CONFIG to the main
// file (a switch fall-through: fwknopd then reads the file twice); sesame leaves FIREWALL_EXE unset unless the
// config sets it, where fwknopd shows its build-time /usr/sbin/iptables.
bool differs_on_purpose(const std::string& name) {
  return name == "OVERRIDE_CONFIG" || name == "FIREWALL_EXE";
}

struct DumpLine {
  int index = 0;
  std::string value;
};

// The "NNN. NAME = 'value'" lines of a -D output, before the access stanzas.
std::map<std::string, DumpLine> parse_dump(const std::string& output) {
  static const std::regex kLine(R"(^ *([0-9]+)\. ([A-Z_0-9]+) +=  '(.*)'$)");
  std::map<std::string, DumpLine> lines;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Current fwknopd access settings")) break;
    std::smatch match;
    if (std::regex_match(line, match, kLine)) lines[match[2]] = {std::stoi(match[1]), match[3]};
  }
  return lines;
}

std::string read_data_file(const std::string& name) {
  std::ifstream in(std::string(SESAME_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string fwknopd_path() {
  if (const char* env = std::getenv("SESAME_FWKNOPD"); env != nullptr && *env != '\0')
    return test::find_executable({env});
  return test::find_executable({"/usr/sbin/fwknopd", "/sbin/fwknopd", "/usr/local/sbin/fwknopd"});
}

TEST(ServerConfigDump, UsesFwknopdsLineFormat) {
  const std::string dump = dump_server_config(ServerConfig{});
  EXPECT_TRUE(
      dump.starts_with("Current fwknopd config settings:\n"
                       "  0. CONFIG_FILE                  =  '/etc/fwknop/fwknopd.conf'\n"
                       "  1. OVERRIDE_CONFIG              =  '<not set>'\n"
                       "  2. PCAP_INTF                    =  'eth0'\n"))
      << dump;
  EXPECT_NE(dump.find("\n 36. IPT_INPUT_ACCESS             =  'ACCEPT, filter, INPUT, 1, FWKNOP_INPUT, 1'\n"),
            std::string::npos);
  EXPECT_NE(dump.find("\n 53. VERBOSE                      =  '<not set>'\n"), std::string::npos);
  EXPECT_TRUE(dump.ends_with("'\n\n"));
  const auto lines = parse_dump(dump);
  EXPECT_EQ(lines.size(), server_variable_names().size());
  EXPECT_EQ(lines.at("LOG_FORMAT").value, "text");
  EXPECT_EQ(lines.at("FIREWALL_TYPE").value, "<not set>");
  EXPECT_EQ(lines.at("REPLAY_LOG_FAILURE").value, "closed");
}

TEST(ServerConfigDump, FirstLinesAreDebiansFwknopdsInItsOrder) {
  const auto names = server_variable_names();
  ASSERT_GE(names.size(), kDebianFwknopdVariables.size());
  for (std::size_t i = 0; i < kDebianFwknopdVariables.size(); ++i) EXPECT_EQ(names[i], kDebianFwknopdVariables[i]);
}

TEST(ServerConfigDump, ShowsValuesAsWrittenAndDerivedDefaults) {
  ServerConfig config;
  std::vector<ConfigError> errors;
  apply_server_config(config,
                      parse_server_config("f.conf",
                                          "ENABLE_UDP_SERVER yes\nFWKNOP_RUN_DIR /srv/run\nVERBOSE 2\n"
                                          "MAX_SPA_PACKET_AGE 60 # s\n"),
                      errors);
  ASSERT_TRUE(errors.empty());
  const auto lines = parse_dump(dump_server_config(config));
  EXPECT_EQ(lines.at("ENABLE_UDP_SERVER").value, "yes");  // as fwknopd: the text, not a canonical Y
  EXPECT_EQ(lines.at("MAX_SPA_PACKET_AGE").value, "60 # s");
  EXPECT_EQ(lines.at("VERBOSE").value, "2");
  EXPECT_EQ(lines.at("FWKNOP_PID_FILE").value, "/srv/run/fwknopd.pid");
  EXPECT_EQ(lines.at("DIGEST_FILE").value, "/srv/run/digest.cache");
}

// Runs the real fwknopd -D and sesame's loader + dump on the same file, and compares every variable both know.
void expect_same_dump_as_fwknopd(const std::string& conf_text) {
  const std::string fwknopd = fwknopd_path();
  if (fwknopd.empty()) GTEST_SKIP() << "SKIPPED: fwknopd not installed (or SESAME_FWKNOPD not executable)";
  const test::TempDir dir("sesame-dump");
  const std::string conf = dir.write_file("fwknopd.conf", conf_text);
  const std::string access =
      dir.write_file("access.conf", "SOURCE ANY\nKEY_BASE64 c2VzYW1lIHNlc2FtZSBzZXNhbWUgc2VzYW1lIQ==\n");

  const auto real = test::run_process({fwknopd, "-D", "-c", conf, "-a", access});
  ASSERT_TRUE(real.succeeded()) << real.output;
  const auto theirs = parse_dump(real.output);
  ASSERT_EQ(theirs.size(), kDebianFwknopdVariables.size()) << real.output;

  auto loaded = load_server_config({.config_file = conf});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().to_string();
  std::vector<ConfigError> errors;
  ASSERT_TRUE(set_server_variable(loaded->config, "ACCESS_FILE", access, "-a", errors));  // as fwknopd's -a
  const auto ours = parse_dump(dump_server_config(loaded->config));

  for (const auto& [name, line] : theirs) {
    const auto found = ours.find(name);
    ASSERT_NE(found, ours.end()) << name << " unknown to sesame";
    EXPECT_EQ(found->second.index, line.index) << name;
    if (differs_on_purpose(name)) continue;
    EXPECT_EQ(found->second.value, line.value) << name;
  }
}

TEST(ServerConfigDump, SameValuesAsFwknopdForDebiansFile) {
  const std::string text = read_data_file("fwknopd.conf.debian");
  ASSERT_GT(text.size(), 10000u);
  expect_same_dump_as_fwknopd(text);
}

TEST(ServerConfigDump, SameValuesAsFwknopdForDebiansFileUncommented) {
  // Every "#VARIABLE value;" sample line of the template made live, except PCAP_DISPATCH_COUNT's sample 0, which
  // both refuse (range 1-8388608). This sets nearly every variable, some twice, and uses $FWKNOP_RUN_DIR.
  static const std::regex kSample(R"(^#([A-Z_]+[ \t]))");
  std::istringstream in(read_data_file("fwknopd.conf.debian"));
  std::string text, line;
  int live = 0;
  while (std::getline(in, line)) {
    if (std::regex_search(line, kSample) && !line.starts_with("#PCAP_DISPATCH_COUNT")) {
      line.erase(0, 1);
      ++live;
    }
    text += line + "\n";
  }
  ASSERT_GT(live, 60);
  expect_same_dump_as_fwknopd(text);
}

}  // namespace
}  // namespace sesame::config
