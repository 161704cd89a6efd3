// SPDX-License-Identifier: GPL-2.0-or-later
// sesamed -D's access part: fwknopd's dump_access_list format, keys hidden, compared with the real fwknopd -D.
#include "config/access_dump.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "config/access_loader.h"
#include "config/access_parser.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::config {
namespace {

std::vector<AccessStanza> parse_ok(std::string_view text, const AccessDefaults& defaults = {}) {
  auto file = parse_access("a.conf", text, defaults);
  for (const auto& e : file.errors) ADD_FAILURE() << e.to_string();
  return std::move(file.stanzas);
}

TEST(AccessDump, PrintsFwknopdsBlock) {
  const auto stanzas = parse_ok(
      "SOURCE 1.2.3.4/24, 10.0.0.0/255.0.0.0, ANY\nDESTINATION 5.6.7.8\nOPEN_PORTS tcp/22, udp/53\n"
      "RESTRICT_PORTS tcp/23\nKEY_BASE64 c2VjcmV0c2VjcmV0c2VjcmV0\nHMAC_KEY_BASE64 aG1hY2htYWNobWFj\n"
      "HMAC_DIGEST_TYPE sha512\nFW_ACCESS_TIMEOUT 0\nMAX_FW_TIMEOUT 10\nENCRYPTION_MODE legacy\n"
      "ENABLE_CMD_EXEC Y\nCMD_CYCLE_OPEN echo open $IP\nCMD_CYCLE_CLOSE echo close\nCMD_CYCLE_TIMER 5\n"
      "REQUIRE_USERNAME bob\nREQUIRE_SOURCE Y\nFOO bar\n\nSOURCE 9.9.9.9\nKEY abcdefghijklmnopqrstuvwxyz0123456789\n");
  // As fwknopd 2.6.10 -D prints this file (ACCESS_EXPIRE left out: it is local time).
  const std::string expected =
      "Current fwknopd access settings:\n"
      "SOURCE (1):  1.2.3.4/24, 10.0.0.0/255.0.0.0, ANY\n"
      "==============================================================\n"
      "                DESTINATION:  5.6.7.8\n"
      "                 OPEN_PORTS:  tcp/22, udp/53\n"
      "             RESTRICT_PORTS:  tcp/23\n"
      "                        KEY:  <see the access.conf file>\n"
      "                 KEY_BASE64:  <see the access.conf file>\n"
      "                    KEY_LEN:  16\n"
      "                   HMAC_KEY:  <see the access.conf file>\n"
      "            HMAC_KEY_BASE64:  <see the access.conf file>\n"
      "               HMAC_KEY_LEN:  12\n"
      "           HMAC_DIGEST_TYPE:  5\n"
      "          FW_ACCESS_TIMEOUT:  30\n"
      "             MAX_FW_TIMEOUT:  10\n"
      "            ENABLE_CMD_EXEC:  Yes\n"
      "       ENABLE_CMD_SUDO_EXEC:  No\n"
      "         CMD_SUDO_EXEC_USER:  <not set>\n"
      "        CMD_SUDO_EXEC_GROUP:  <not set>\n"
      "              CMD_EXEC_USER:  <not set>\n"
      "             CMD_EXEC_GROUP:  <not set>\n"
      "             CMD_CYCLE_OPEN:  echo open $IP\n"
      "            CMD_CYCLE_CLOSE:  echo close\n"
      "            CMD_CYCLE_TIMER:  5\n"
      "           REQUIRE_USERNAME:  bob\n"
      "     REQUIRE_SOURCE_ADDRESS:  Yes\n"
      "             FORCE_NAT (ip):  <not set>\n"
      "          FORCE_NAT (proto):  <not set>\n"
      "           FORCE_NAT (port):  0\n"
      "            FORCE_SNAT (ip):  <not set>\n"
      "           FORCE_MASQUERADE:  No\n"
      "               DISABLE_DNAT:  No\n"
      "                FORWARD_ALL:  No\n"
      "              ACCESS_EXPIRE:  <not set>\n"
      "               GPG_HOME_DIR:  <not set>\n"
      "                    GPG_EXE:  <not set>\n"
      "             GPG_DECRYPT_ID:  <not set>\n"
      "             GPG_DECRYPT_PW:  <not set>\n"
      "            GPG_REQUIRE_SIG:  No\n"
      "GPG_IGNORE_SIG_VERIFY_ERROR:  No\n"
      "              GPG_REMOTE_ID:  <not set>\n"
      "         GPG_FINGERPRINT_ID:  <not set>\n"
      "\n"
      "SOURCE (2):  9.9.9.9\n"
      "==============================================================\n"
      "                DESTINATION:  <not set>\n"
      "                 OPEN_PORTS:  <not set>\n"
      "             RESTRICT_PORTS:  <not set>\n"
      "                        KEY:  <see the access.conf file>\n"
      "                 KEY_BASE64:  <not set>\n"
      "                    KEY_LEN:  36\n"
      "                   HMAC_KEY:  <not set>\n"
      "            HMAC_KEY_BASE64:  <not set>\n"
      "               HMAC_KEY_LEN:  0\n"
      "           HMAC_DIGEST_TYPE:  0\n"
      "          FW_ACCESS_TIMEOUT:  30\n"
      "             MAX_FW_TIMEOUT:  300\n"
      "            ENABLE_CMD_EXEC:  No\n"
      "       ENABLE_CMD_SUDO_EXEC:  No\n"
      "         CMD_SUDO_EXEC_USER:  <not set>\n"
      "        CMD_SUDO_EXEC_GROUP:  <not set>\n"
      "              CMD_EXEC_USER:  <not set>\n"
      "             CMD_EXEC_GROUP:  <not set>\n"
      "             CMD_CYCLE_OPEN:  <not set>\n"
      "            CMD_CYCLE_CLOSE:  <not set>\n"
      "            CMD_CYCLE_TIMER:  0\n"
      "           REQUIRE_USERNAME:  <not set>\n"
      "     REQUIRE_SOURCE_ADDRESS:  No\n"
      "             FORCE_NAT (ip):  <not set>\n"
      "          FORCE_NAT (proto):  <not set>\n"
      "           FORCE_NAT (port):  0\n"
      "            FORCE_SNAT (ip):  <not set>\n"
      "           FORCE_MASQUERADE:  No\n"
      "               DISABLE_DNAT:  No\n"
      "                FORWARD_ALL:  No\n"
      "              ACCESS_EXPIRE:  <not set>\n"
      "               GPG_HOME_DIR:  <not set>\n"
      "                    GPG_EXE:  <not set>\n"
      "             GPG_DECRYPT_ID:  <not set>\n"
      "             GPG_DECRYPT_PW:  <not set>\n"
      "            GPG_REQUIRE_SIG:  No\n"
      "GPG_IGNORE_SIG_VERIFY_ERROR:  No\n"
      "              GPG_REMOTE_ID:  <not set>\n"
      "         GPG_FINGERPRINT_ID:  <not set>\n"
      "\n"
      "\n";
  EXPECT_EQ(dump_access_stanzas(stanzas), expected);
}

TEST(AccessDump, NeverPrintsKeys) {
  const auto stanzas = parse_ok(
      "SOURCE ANY\nKEY s3cr3t-key\nHMAC_KEY s3cr3t-hmac\nGPG_DECRYPT_PW s3cr3t-pw\nGPG_REMOTE_ID AB\n\n"
      "SOURCE 1.1.1.1\nKEY_BASE64 czNjcjN0LWI2NA==\nHMAC_KEY_BASE64 czNjcjN0LWhtYWM=\n");
  const std::string dump = dump_access_stanzas(stanzas);
  EXPECT_EQ(dump.find("s3cr3t"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("czNjcjN0"), std::string::npos) << dump;
  EXPECT_NE(dump.find("             GPG_DECRYPT_PW:  <see the access.conf file>\n"), std::string::npos);
}

TEST(AccessDump, GpgNatAndExpiry) {
  const auto stanzas = parse_ok(
      "SOURCE ANY\nKEY abc\nFORWARD_ALL Y\nFORCE_MASQUERADE Y\n\n"
      "SOURCE 1.1.1.1\nGPG_DECRYPT_PW pw\nGPG_REMOTE_ID AB, CD\nGPG_EXE /usr/bin/gpg\nHMAC_DIGEST_TYPE md5\n"
      "ACCESS_EXPIRE_EPOCH 1\nGPG_FINGERPRINT_ID 0123\n",
      {.gpg_home_dir = "/root/.gnupg"});
  const std::string dump = dump_access_stanzas(stanzas);
  EXPECT_NE(dump.find("             FORCE_NAT (ip):  0.0.0.0\n"), std::string::npos) << dump;
  EXPECT_NE(dump.find("            FORCE_SNAT (ip):  <not set>\n"), std::string::npos);  // fwknopd: "(null)"
  EXPECT_NE(dump.find("           FORCE_MASQUERADE:  Yes\n"), std::string::npos);
  EXPECT_NE(dump.find("           HMAC_DIGEST_TYPE:  1\n"), std::string::npos);
  EXPECT_NE(dump.find("               GPG_HOME_DIR:  /root/.gnupg\n"), std::string::npos);
  EXPECT_NE(dump.find("            GPG_REQUIRE_SIG:  Yes\n"), std::string::npos);
  EXPECT_NE(dump.find("              GPG_REMOTE_ID:  AB, CD\n"), std::string::npos);
  EXPECT_NE(dump.find("         GPG_FINGERPRINT_ID:  0123\n"), std::string::npos);
  const std::time_t one = 1;
  std::string expected = std::asctime(std::localtime(&one));  // "Thu Jan  1 00:00:01 1970\n" in UTC
  EXPECT_NE(dump.find("              ACCESS_EXPIRE:  " + expected), std::string::npos) << dump;
}

TEST(AccessDump, NoStanzas) {
  EXPECT_EQ(dump_access_stanzas({}), "Current fwknopd access settings:\n\n    ** No Access Settings Defined **\n\n");
}

std::string fwknopd_path() {
  if (const char* env = std::getenv("SESAME_FWKNOPD"); env != nullptr && *env != '\0')
    return test::find_executable({env});
  return test::find_executable({"/usr/sbin/fwknopd", "/sbin/fwknopd", "/usr/local/sbin/fwknopd"});
}

// The access part of fwknopd -D for `access_text`, next to sesame's.
void expect_same_dump_as_fwknopd(const std::string& access_text) {
  const std::string fwknopd = fwknopd_path();
  if (fwknopd.empty()) GTEST_SKIP() << "SKIPPED: fwknopd not installed (or SESAME_FWKNOPD not executable)";
  const test::TempDir dir("sesame-access-dump");
  const std::string conf = dir.write_file("fwknopd.conf", "FWKNOP_RUN_DIR " + dir.path() + "\n");
  const std::string access = dir.write_file("access.conf", access_text);
  const auto real = test::run_process({fwknopd, "-D", "-c", conf, "-a", access});
  ASSERT_TRUE(real.succeeded()) << real.output;
  const auto at = real.output.find("Current fwknopd access settings:");
  ASSERT_NE(at, std::string::npos) << real.output;
  const std::string theirs = real.output.substr(at);

  auto loaded = load_access_config({.access_file = access});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().to_string();
  EXPECT_EQ(dump_access_stanzas(loaded->stanzas), theirs);
}

TEST(AccessDump, SameAsFwknopdForEveryCommonDirective) {
  expect_same_dump_as_fwknopd(
      "SOURCE 192.0.2.0/24, 10.0.0.0/255.0.0.0\nDESTINATION ANY\nOPEN_PORTS tcp/22,udp/53\nRESTRICT_PORTS tcp/23\n"
      "KEY_BASE64 c2VjcmV0c2VjcmV0c2VjcmV0\nKEY plain-key-wins\nHMAC_KEY hmac\nHMAC_DIGEST_TYPE sha3_512\n"
      "ENCRYPTION_MODE CFB\nFW_ACCESS_TIMEOUT 45\nMAX_FW_TIMEOUT 600\nACCESS_EXPIRE 07/04/2090\n"
      "ENABLE_CMD_EXEC y\nENABLE_CMD_SUDO_EXEC Y\nCMD_SUDO_EXEC_USER root\nCMD_SUDO_EXEC_GROUP root\n"
      "CMD_EXEC_USER root\nCMD_EXEC_GROUP root\nCMD_CYCLE_OPEN /bin/echo $IP\nCMD_CYCLE_CLOSE NONE\n"
      "REQUIRE_USERNAME alice\nREQUIRE_SOURCE_ADDRESS Y\nDISABLE_DNAT Y\n\n"
      "SOURCE 198.51.100.1\nGPG_DECRYPT_PW pw\nGPG_DECRYPT_ID 11223344\nGPG_FINGERPRINT_ID AAAA, BBBB\n"
      "GPG_IGNORE_SIG_VERIFY_ERROR Y\nGPG_EXE /usr/bin/gpg\nACCESS_EXPIRE_EPOCH 4102444800\n\n"
      "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\nHMAC_KEY_BASE64 aG1hYw==\n\n"
      "SOURCE ANY\nKEY 0123456789abcdef0123\nENCRYPTION_MODE legacy\nFORWARD_ALL Y\n");
}

}  // namespace
}  // namespace sesame::config
