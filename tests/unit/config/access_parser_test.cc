// SPDX-License-Identifier: GPL-2.0-or-later
// access.conf as text (server.md §3): line syntax, every directive, stanza checks, %include_keys, hostile input.
#include "config/access_parser.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace sesame::config {
namespace {

using namespace std::string_literals;
using std::chrono::seconds;

constexpr std::string_view kKey = "s3cr3t-encryption-key";  // never in a message
constexpr std::string_view kHmac = "s3cr3t-hmac-key-value";

std::string text_of(const SecretBytes& bytes) {
  return std::string(bytes.as_text());
}

std::string all_messages(const AccessFile& file) {
  std::string out;
  for (const auto& e : file.errors) out += "E " + e.to_string() + "\n";
  for (const auto& w : file.warnings) out += "W " + w.to_string() + "\n";
  return out;
}

bool has_message(const std::vector<ConfigError>& list, int line, std::string_view part) {
  for (const auto& e : list)
    if (e.line == line && e.message.find(part) != std::string::npos) return true;
  return false;
}

// One stanza that must parse without errors.
AccessFile parse_ok(std::string_view text, const AccessDefaults& defaults = {}, const KeyFileTexts& keys = {}) {
  auto file = parse_access("a.conf", text, defaults, keys);
  EXPECT_TRUE(file.errors.empty()) << all_messages(file);
  return file;
}

std::string read_data_file(const std::string& name) {
  std::ifstream in(std::string(SESAME_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::int64_t epoch_of(const std::optional<std::chrono::sys_seconds>& when) {
  return when ? when->time_since_epoch().count() : -1;
}

std::int64_t local_midnight(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

TEST(AccessParser, ReadsAMinimalStanzaWithDefaults) {
  const auto file = parse_ok("SOURCE ANY\nKEY " + std::string(kKey) + "\n");
  EXPECT_EQ(file.file_name, "a.conf");
  ASSERT_EQ(file.stanzas.size(), 1u);
  const AccessStanza& s = file.stanzas[0];
  EXPECT_EQ(s.file, "a.conf");
  EXPECT_EQ(s.line, 1);
  EXPECT_TRUE(s.source.any);
  EXPECT_EQ(s.text.source, "ANY");
  EXPECT_FALSE(s.destination);
  EXPECT_FALSE(s.open_ports);
  EXPECT_FALSE(s.restrict_ports);
  ASSERT_TRUE(s.key);
  EXPECT_EQ(text_of(*s.key), kKey);
  EXPECT_FALSE(s.is_key_base64_set);
  EXPECT_TRUE(s.uses_rijndael());
  EXPECT_FALSE(s.uses_hmac());
  EXPECT_FALSE(s.uses_gpg());
  EXPECT_FALSE(s.hmac_digest_type);
  EXPECT_EQ(s.encryption_mode, spa::EncryptionMode::kCbc);
  EXPECT_EQ(s.fw_access_timeout, seconds(30));
  EXPECT_EQ(s.max_fw_timeout, seconds(300));
  EXPECT_FALSE(s.access_expire);
  EXPECT_FALSE(s.enable_cmd_exec);
  EXPECT_FALSE(s.require_source_address);
  EXPECT_FALSE(s.cmd_cycle_open);
  EXPECT_FALSE(s.force_nat);
  EXPECT_FALSE(s.gpg_home_dir);  // only GPG stanzas get fwknopd.conf's
  EXPECT_TRUE(file.includes.empty());
  // fwknopd's warning for every stanza without REQUIRE_SOURCE_ADDRESS.
  EXPECT_TRUE(has_message(file.warnings, 1, "REQUIRE_SOURCE_ADDRESS is not enabled")) << all_messages(file);
}

TEST(AccessParser, ReadsEveryDirective) {
  const std::string text =
      "SOURCE 192.0.2.0/24, 2001:db8::/32\n"
      "DESTINATION 198.51.100.1\n"
      "OPEN_PORTS tcp/22, udp/53\n"
      "RESTRICT_PORTS tcp/23\n"
      "KEY_BASE64 c2VjcmV0c2VjcmV0c2VjcmV0\n"
      "HMAC_KEY_BASE64 aG1hY2htYWNobWFj\n"
      "HMAC_DIGEST_TYPE SHA512\n"
      "ENCRYPTION_MODE ctr\n"
      "FW_ACCESS_TIMEOUT 60\n"
      "MAX_FW_TIMEOUT 600\n"
      "ACCESS_EXPIRE 12/31/2099\n"
      "ENABLE_CMD_EXEC Yes\n"
      "ENABLE_CMD_SUDO_EXEC y\n"
      "CMD_SUDO_EXEC_USER nobody\n"
      "CMD_SUDO_EXEC_GROUP nogroup\n"
      "CMD_EXEC_USER daemon\n"
      "CMD_EXEC_GROUP daemon\n"
      "CMD_CYCLE_OPEN /usr/bin/echo open $IP $PORT\n"
      "CMD_CYCLE_CLOSE /usr/bin/echo close $IP\n"
      "CMD_CYCLE_TIMER 45\n"
      "REQUIRE_USERNAME alice\n"
      "REQUIRE_SOURCE_ADDRESS Y\n"
      "FORCE_NAT 192.168.10.2 2222\n"
      "FORCE_SNAT 203.0.113.5\n"
      "FORCE_MASQUERADE N\n"
      "DISABLE_DNAT y\n"
      "FORWARD_ALL n\n"
      "GPG_EXE /usr/bin/gpg2\n"
      "GPG_DECRYPT_ID ABCD1234\n"
      "GPG_REQUIRE_SIG Y\n"
      "GPG_IGNORE_SIG_VERIFY_ERROR Y\n"
      "GPG_REMOTE_ID 1111AAAA, 2222BBBB\n"
      "GPG_FINGERPRINT_ID 0123456789ABCDEF0123456789ABCDEF01234567\n"
      "GPG_HOME_DIR /etc/fwknop/gpg\n"
      "GPG_DECRYPT_PW gpg passphrase with spaces\n";
  const auto file = parse_ok(text, {.force_nat_allowed = true});
  ASSERT_EQ(file.stanzas.size(), 1u);
  const AccessStanza& s = file.stanzas[0];
  EXPECT_EQ(s.source.networks.size(), 2u);
  EXPECT_TRUE(s.source.contains(*IpAddress::parse("192.0.2.77")));
  EXPECT_TRUE(s.source.contains(*IpAddress::parse("2001:db8::7")));
  EXPECT_FALSE(s.source.contains(*IpAddress::parse("192.0.3.1")));
  ASSERT_TRUE(s.destination);
  EXPECT_TRUE(s.destination->contains(*IpAddress::parse("198.51.100.1")));
  EXPECT_EQ(s.text.destination, "198.51.100.1");
  EXPECT_EQ(s.open_ports, (PortList{{Protocol::kTcp, 22}, {Protocol::kUdp, 53}}));
  EXPECT_EQ(s.text.open_ports, "tcp/22, udp/53");
  EXPECT_EQ(s.restrict_ports, (PortList{{Protocol::kTcp, 23}}));
  ASSERT_TRUE(s.key);
  EXPECT_EQ(text_of(*s.key), "secretsecretsecret");
  EXPECT_TRUE(s.is_key_base64_set);
  ASSERT_TRUE(s.hmac_key);
  EXPECT_EQ(text_of(*s.hmac_key), "hmachmachmac");
  EXPECT_TRUE(s.is_hmac_key_base64_set);
  EXPECT_EQ(s.hmac_digest_type, spa::DigestType::kSha512);
  EXPECT_EQ(s.encryption_mode, spa::EncryptionMode::kCtr);
  EXPECT_EQ(s.fw_access_timeout, seconds(60));
  EXPECT_EQ(s.max_fw_timeout, seconds(600));
  EXPECT_EQ(epoch_of(s.access_expire), local_midnight(2099, 12, 31));
  EXPECT_TRUE(s.enable_cmd_exec);
  EXPECT_TRUE(s.enable_cmd_sudo_exec);
  EXPECT_EQ(s.cmd_sudo_exec_user->name, "nobody");
  EXPECT_EQ(s.cmd_sudo_exec_user->line, 14);
  EXPECT_EQ(s.cmd_sudo_exec_group->name, "nogroup");
  EXPECT_EQ(s.cmd_exec_user->name, "daemon");
  EXPECT_EQ(s.cmd_exec_group->name, "daemon");
  EXPECT_FALSE(s.cmd_exec_uid);  // the loader resolves names
  EXPECT_EQ(s.cmd_cycle_open, "/usr/bin/echo open $IP $PORT");
  EXPECT_EQ(s.cmd_cycle_close, "/usr/bin/echo close $IP");
  EXPECT_TRUE(s.cmd_cycle_do_close);
  EXPECT_EQ(s.cmd_cycle_timer, seconds(45));
  EXPECT_EQ(s.require_username, "alice");
  EXPECT_TRUE(s.require_source_address);
  ASSERT_TRUE(s.force_nat);
  EXPECT_EQ(s.force_nat->ip, "192.168.10.2");
  EXPECT_EQ(s.force_nat->port, 2222);
  EXPECT_EQ(s.force_snat, "203.0.113.5");
  EXPECT_FALSE(s.force_masquerade);
  EXPECT_TRUE(s.disable_dnat);
  EXPECT_FALSE(s.forward_all);
  EXPECT_EQ(s.gpg_exe, "/usr/bin/gpg2");
  EXPECT_EQ(s.gpg_decrypt_id, "ABCD1234");
  EXPECT_TRUE(s.gpg_require_sig);
  EXPECT_TRUE(s.gpg_ignore_sig_verify_error);
  EXPECT_EQ(s.gpg_remote_ids, (std::vector<std::string>{"1111AAAA", "2222BBBB"}));
  EXPECT_EQ(s.text.gpg_remote_id, "1111AAAA, 2222BBBB");
  EXPECT_EQ(s.gpg_fingerprint_ids, (std::vector<std::string>{"0123456789ABCDEF0123456789ABCDEF01234567"}));
  ASSERT_TRUE(s.gpg_home_dir);
  EXPECT_EQ(s.gpg_home_dir->name, "/etc/fwknop/gpg");
  EXPECT_EQ(s.gpg_home_dir->line, 34);
  ASSERT_TRUE(s.gpg_decrypt_pw);
  EXPECT_EQ(text_of(*s.gpg_decrypt_pw), "gpg passphrase with spaces");
  EXPECT_TRUE(s.uses_gpg());
  EXPECT_TRUE(s.uses_rijndael());
  EXPECT_TRUE(s.uses_hmac());
  EXPECT_FALSE(has_message(file.warnings, 1, "REQUIRE_SOURCE_ADDRESS")) << all_messages(file);
}

TEST(AccessParser, RequireSourceIsASynonym) {
  const auto file = parse_ok("SOURCE ANY\nKEY k\nREQUIRE_SOURCE yes\n");
  EXPECT_TRUE(file.stanzas.at(0).require_source_address);
}

TEST(AccessParser, LineSyntaxAsFwknopd) {
  const std::string text =
      "# comment\n"
      "; comment\n"
      "\r\n"
      "\n"
      "SOURCE: 10.0.0.1 ;the rest is ignored\n"     // trailing ':' on the name, value up to ';'
      "\tKEY:    pass phrase # with a hash   \r\n"  // leading blanks, blanks and '#' kept, trailing blanks cut
      "HMAC_KEY: other;key\n"                       // value up to ';'
      "REQUIRE_USERNAME:x bob\n"                    // the name is cut at its last ':', whatever follows
      "   \n"                                       // fwknopd: fatal; here a blank line
      "  # indented comment\n"                      // fwknopd: an unknown variable "#"; here a comment
      "ENABLE_CMD_EXEC\tY\n";
  const auto file = parse_ok(text);
  ASSERT_EQ(file.stanzas.size(), 1u);
  const AccessStanza& s = file.stanzas[0];
  EXPECT_EQ(s.line, 5);
  EXPECT_EQ(s.text.source, "10.0.0.1");
  EXPECT_EQ(text_of(*s.key), "pass phrase # with a hash");
  EXPECT_EQ(text_of(*s.hmac_key), "other");
  EXPECT_EQ(s.require_username, "bob");
  EXPECT_TRUE(s.enable_cmd_exec);
}

TEST(AccessParser, NulEndsItsLine) {
  const std::string text = "SOURCE ANY\nKEY abc\0def\nENABLE_CMD_EXEC Y\n\0SOURCE 1.2.3.4\n"s;
  const auto file = parse_ok(text);
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_EQ(text_of(*file.stanzas[0].key), "abc");
  EXPECT_TRUE(file.stanzas[0].enable_cmd_exec);
}

TEST(AccessParser, NamesAreCaseSensitiveAndUnknownOnesWarn) {
  const auto file = parse_ok("SOURCE ANY\nKEY k\nkey other\nFOO bar\nOPEN_PORT tcp/22\n");
  EXPECT_EQ(text_of(*file.stanzas.at(0).key), "k");
  EXPECT_TRUE(has_message(file.warnings, 3, "key: unknown variable, ignored (names are case-sensitive: KEY)"))
      << all_messages(file);
  EXPECT_TRUE(has_message(file.warnings, 4, "FOO: unknown variable"));
  EXPECT_TRUE(has_message(file.warnings, 5, "OPEN_PORT: unknown variable"));
}

TEST(AccessParser, UnknownNamesThatMayHoldAKeyAreNotEchoed) {
  const auto file =
      parse_ok("SOURCE ANY\nKEY k\nHMAC_KEY=" + std::string(kHmac) + " x\nKEY_BASE64=" + std::string(kKey) + " y\n");
  EXPECT_EQ(all_messages(file).find(kHmac), std::string::npos) << all_messages(file);
  EXPECT_EQ(all_messages(file).find(kKey), std::string::npos) << all_messages(file);
  EXPECT_TRUE(has_message(file.warnings, 3, "starting with HMAC_KEY (not shown)")) << all_messages(file);
}

TEST(AccessParser, LinesBeforeTheFirstSourceAreIgnoredExceptIncludes) {
  const std::string text =
      "KEY ignored\n"
      "FOO ignored without warning\n"
      "%include_keys /ignored/keys.conf\n"
      "%include /etc/fwknop/first.conf\n"
      "%include_folder /etc/fwknop/conf.d\n"
      "SOURCE ANY\n"
      "KEY k\n"
      "%include /etc/fwknop/inside.conf\n"
      "SOURCE 10.0.0.1\n"
      "KEY k2\n"
      "%include   /etc/fwknop/last.conf  \n";
  const auto file = parse_ok(text);
  ASSERT_EQ(file.stanzas.size(), 2u);
  EXPECT_EQ(text_of(*file.stanzas[0].key), "k");
  EXPECT_FALSE(has_message(file.warnings, 2, "FOO"));
  ASSERT_EQ(file.includes.size(), 4u);
  EXPECT_EQ(file.includes[0].kind, IncludeKind::kFile);
  EXPECT_EQ(file.includes[0].path, "/etc/fwknop/first.conf");
  EXPECT_EQ(file.includes[0].line, 4);
  EXPECT_EQ(file.includes[0].stanza_index, 0u);
  EXPECT_EQ(file.includes[1].kind, IncludeKind::kFolder);
  EXPECT_EQ(file.includes[1].path, "/etc/fwknop/conf.d");
  EXPECT_EQ(file.includes[1].stanza_index, 0u);
  EXPECT_EQ(file.includes[2].path, "/etc/fwknop/inside.conf");
  EXPECT_EQ(file.includes[2].stanza_index, 1u);  // the open stanza stays before the included ones
  EXPECT_EQ(file.includes[3].path, "/etc/fwknop/last.conf");
  EXPECT_EQ(file.includes[3].stanza_index, 2u);
}

TEST(AccessParser, LinesAfterAnIncludeStillBelongToTheOpenStanza) {
  const auto file = parse_ok("SOURCE ANY\n%include x.conf\nKEY k\nENABLE_CMD_EXEC Y\n");
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_TRUE(file.stanzas[0].enable_cmd_exec);
  EXPECT_EQ(file.includes.at(0).stanza_index, 1u);
}

TEST(AccessParser, MalformedLinesAreErrorsWithoutEcho) {
  const auto file = parse_access("a.conf", "SOURCE ANY\nKEY k\nKEY_BASE64:" + std::string(kKey) +
                                               "\nHMAC_KEY ;x\n"
                                               "DESTINATION\n");
  EXPECT_TRUE(has_message(file.errors, 3, "expected \"VARIABLE value\"")) << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 4, "expected \"VARIABLE value\""));
  EXPECT_TRUE(has_message(file.errors, 5, "expected \"VARIABLE value\""));
  EXPECT_EQ(all_messages(file).find(kKey), std::string::npos);
  EXPECT_EQ(file.errors[0].to_string(), "a.conf:3: expected \"VARIABLE value\"");
  // Before the first SOURCE too, as in fwknopd.
  EXPECT_TRUE(has_message(parse_access("a.conf", "FOO\nSOURCE ANY\nKEY k\n").errors, 1, "expected"));
}

TEST(AccessParser, ChangemePlaceholdersAreErrors) {
  for (const char* variable : {"KEY", "KEY_BASE64", "HMAC_KEY", "HMAC_KEY_BASE64", "GPG_DECRYPT_PW"}) {
    const auto file = parse_access("a.conf", "SOURCE ANY\nKEY k\n"s + variable + " __changeme__\n");
    EXPECT_TRUE(has_message(file.errors, 3, std::string(variable) + ": still the __CHANGEME__ placeholder"))
        << variable << "\n"
        << all_messages(file);
  }
}

TEST(AccessParser, DebianTemplateFailsOnItsPlaceholdersAsFwknopd) {
  const std::string text = read_data_file("access.conf.debian");
  ASSERT_GT(text.size(), 5000u);
  const auto file = parse_access("access.conf", text);
  ASSERT_EQ(file.errors.size(), 3u) << all_messages(file);
  EXPECT_EQ(file.errors[0].to_string(),
            "access.conf:204: SOURCE: the stanza has no key: it needs KEY, KEY_BASE64, GPG_DECRYPT_PW, "
            "GPG_ALLOW_NO_PW or the two MODERN_ keys");
  EXPECT_EQ(file.errors[1].to_string(),
            "access.conf:205: KEY_BASE64: still the __CHANGEME__ placeholder: set a real key (fwknopd --key-gen)");
  EXPECT_EQ(file.errors[2].line, 206);
  EXPECT_TRUE(file.includes.empty());  // its %include examples are comments
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_TRUE(file.stanzas[0].source.any);

  // With keys filled in, it is a working file.
  std::string filled = text;
  filled.replace(filled.find("__CHANGEME__"), 12, "c2VzYW1lIHNlc2FtZSBzZXNhbWUgc2VzYW1lIQ==");
  filled.replace(filled.find("__CHANGEME__"), 12, "aG1hYyBrZXkgZm9yIHNlc2FtZQ==");
  const auto working = parse_ok(filled);
  ASSERT_EQ(working.stanzas.size(), 1u);
  EXPECT_EQ(working.stanzas[0].hmac_digest_type, spa::DigestType::kSha256);
}

TEST(AccessParser, Base64KeysMustBeBase64AndAreNotEchoed) {
  const auto file = parse_access(
      "a.conf", "SOURCE ANY\nKEY_BASE64 " + std::string(kKey) + "!\nHMAC_KEY_BASE64 " + std::string(kHmac) + "$\n");
  EXPECT_TRUE(has_message(file.errors, 2, "KEY_BASE64: not valid base64")) << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 3, "HMAC_KEY_BASE64: not valid base64"));
  EXPECT_EQ(all_messages(file).find(kKey), std::string::npos);
  EXPECT_EQ(all_messages(file).find(kHmac), std::string::npos);
  EXPECT_EQ(file.errors.at(2).to_string(), "a.conf:3: HMAC_KEY_BASE64: not valid base64");
}

TEST(AccessParser, KeyAndKeyBase64SetTheSameKey) {
  auto file = parse_ok("SOURCE ANY\nKEY_BASE64 c2VjcmV0\nKEY plain\n");
  EXPECT_EQ(text_of(*file.stanzas.at(0).key), "plain");
  EXPECT_TRUE(file.stanzas[0].is_key_base64_set);  // fwknopd -D still shows KEY_BASE64 as set
  file = parse_ok("SOURCE ANY\nKEY plain\nKEY_BASE64 c2VjcmV0\n");
  EXPECT_EQ(text_of(*file.stanzas.at(0).key), "secret");
}

TEST(AccessParser, AStanzaNeedsAKey) {
  auto file = parse_access("a.conf", "SOURCE ANY\nHMAC_KEY h\nOPEN_PORTS tcp/22\n\nSOURCE 10.0.0.1\nKEY k\n");
  ASSERT_EQ(file.errors.size(), 1u) << all_messages(file);
  EXPECT_EQ(file.errors[0].to_string(),
            "a.conf:1: SOURCE: the stanza has no key: it needs KEY, KEY_BASE64, GPG_DECRYPT_PW, GPG_ALLOW_NO_PW or "
            "the two MODERN_ keys");
  file = parse_access("a.conf", "SOURCE ANY\nKEY_BASE64 ====\n");  // decodes to nothing
  EXPECT_TRUE(has_message(file.errors, 1, "has no key"));
  parse_ok("SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\n");
  parse_ok("SOURCE ANY\nGPG_DECRYPT_PW pw\nGPG_REMOTE_ID AB12CD34\n");
  file = parse_access("a.conf", "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_ALLOW_NO_PW N\nGPG_DISABLE_SIG Y\n");
  EXPECT_TRUE(has_message(file.errors, 1, "has no key")) << all_messages(file);
}

TEST(AccessParser, KeysMustDiffer) {
  auto file = parse_access("a.conf", "SOURCE ANY\nKEY same\nHMAC_KEY same\n");
  ASSERT_EQ(file.errors.size(), 1u) << all_messages(file);
  EXPECT_EQ(file.errors[0].to_string(),
            "a.conf:3: HMAC_KEY: the HMAC key must differ from the encryption key or passphrase");
  file = parse_access("a.conf", "SOURCE ANY\nKEY_BASE64 c2FtZQ==\nHMAC_KEY_BASE64 c2FtZQ\n");
  EXPECT_TRUE(has_message(file.errors, 3, "HMAC_KEY_BASE64: the HMAC key must differ")) << all_messages(file);
  file = parse_access("a.conf", "SOURCE ANY\nGPG_DECRYPT_PW same\nGPG_DISABLE_SIG Y\nHMAC_KEY same\n");
  EXPECT_TRUE(has_message(file.errors, 4, "must differ")) << all_messages(file);
  // Legacy mode compares the 16 bytes it uses.
  file = parse_access("a.conf",
                      "SOURCE ANY\nENCRYPTION_MODE legacy\nKEY 0123456789abcdefXYZ\nHMAC_KEY 0123456789abcdef\n");
  EXPECT_TRUE(has_message(file.errors, 4, "must differ")) << all_messages(file);
  parse_ok("SOURCE ANY\nKEY one\nHMAC_KEY two\n");
}

TEST(AccessParser, LegacyModeCutsTheKeyTo16BytesWithAWarning) {
  const auto file = parse_ok("SOURCE ANY\nKEY 0123456789abcdefXYZ\nENCRYPTION_MODE legacy\n");
  const AccessStanza& s = file.stanzas.at(0);
  EXPECT_EQ(s.encryption_mode, spa::EncryptionMode::kCbcLegacyIv);
  EXPECT_EQ(text_of(*s.key), "0123456789abcdef");
  EXPECT_TRUE(has_message(file.warnings, 2, "KEY: ENCRYPTION_MODE legacy uses only the first 16 bytes"))
      << all_messages(file);
  EXPECT_EQ(all_messages(file).find("XYZ"), std::string::npos);
}

TEST(AccessParser, EncryptionModesAndDigests) {
  const std::pair<const char*, spa::EncryptionMode> modes[] = {{"CBC", spa::EncryptionMode::kCbc},
                                                               {"ecb", spa::EncryptionMode::kEcb},
                                                               {"Cfb", spa::EncryptionMode::kCfb},
                                                               {"OFB", spa::EncryptionMode::kOfb},
                                                               {"CTR", spa::EncryptionMode::kCtr},
                                                               {"legacy", spa::EncryptionMode::kCbcLegacyIv},
                                                               {"Asymmetric", spa::EncryptionMode::kAsymmetric}};
  for (const auto& [name, mode] : modes)
    EXPECT_EQ(parse_ok("SOURCE ANY\nKEY k\nENCRYPTION_MODE "s + name + "\n").stanzas.at(0).encryption_mode, mode)
        << name;
  auto file = parse_access("a.conf", "SOURCE ANY\nKEY k\nENCRYPTION_MODE PCBC\nHMAC_DIGEST_TYPE sha224\n");
  EXPECT_TRUE(has_message(file.errors, 3, "ENCRYPTION_MODE: \"PCBC\" is not one of CBC")) << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 4, "HMAC_DIGEST_TYPE: \"sha224\" is not one of md5"));
  const std::pair<const char*, spa::DigestType> digests[] = {
      {"md5", spa::DigestType::kMd5},          {"SHA1", spa::DigestType::kSha1},
      {"sha256", spa::DigestType::kSha256},    {"sha384", spa::DigestType::kSha384},
      {"sha512", spa::DigestType::kSha512},    {"sha3_256", spa::DigestType::kSha3_256},
      {"SHA3_512", spa::DigestType::kSha3_512}};
  for (const auto& [name, digest] : digests)
    EXPECT_EQ(
        parse_ok("SOURCE ANY\nKEY k\nHMAC_KEY h\nHMAC_DIGEST_TYPE "s + name + "\n").stanzas.at(0).hmac_digest_type,
        digest)
        << name;
  // HMAC_DIGEST_TYPE without a key is kept (fwknopd -D shows it); a key alone gets sha256.
  EXPECT_EQ(parse_ok("SOURCE ANY\nKEY k\nHMAC_DIGEST_TYPE md5\n").stanzas[0].hmac_digest_type, spa::DigestType::kMd5);
  EXPECT_EQ(parse_ok("SOURCE ANY\nKEY k\nHMAC_KEY h\n").stanzas[0].hmac_digest_type, spa::DigestType::kSha256);
}

TEST(AccessParser, Timeouts) {
  auto s = std::move(parse_ok("SOURCE ANY\nKEY k\nFW_ACCESS_TIMEOUT 0\nMAX_FW_TIMEOUT 0\n").stanzas.at(0));
  EXPECT_EQ(s.fw_access_timeout, seconds(30));  // < 1 means the default
  EXPECT_EQ(s.max_fw_timeout, seconds(300));
  s = std::move(parse_ok("SOURCE ANY\nKEY k\nFW_ACCESS_TIMEOUT 8388608\nMAX_FW_TIMEOUT 8388608\n").stanzas.at(0));
  EXPECT_EQ(s.fw_access_timeout, seconds(8388608));
  auto file = parse_ok("SOURCE ANY\nKEY k\nFW_ACCESS_TIMEOUT 100\nMAX_FW_TIMEOUT 50\n");
  EXPECT_TRUE(has_message(file.warnings, 4, "MAX_FW_TIMEOUT: below FW_ACCESS_TIMEOUT")) << all_messages(file);
  file = parse_access("a.conf",
                      "SOURCE ANY\nKEY k\nFW_ACCESS_TIMEOUT 8388609\nMAX_FW_TIMEOUT -1\nFW_ACCESS_TIMEOUT 30s\n"
                      "MAX_FW_TIMEOUT abc\nCMD_CYCLE_TIMER 0\nCMD_CYCLE_TIMER 99999999999999999999999\n");
  EXPECT_TRUE(has_message(file.errors, 3, "FW_ACCESS_TIMEOUT: \"8388609\" is not a number of seconds (0-8388608)"))
      << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 4, "MAX_FW_TIMEOUT: \"-1\" is not"));
  EXPECT_TRUE(has_message(file.errors, 5, "\"30s\" is not"));
  EXPECT_TRUE(has_message(file.errors, 6, "\"abc\" is not"));
  EXPECT_TRUE(has_message(file.errors, 7, "CMD_CYCLE_TIMER: \"0\" is not a number of seconds (1-8388608)"));
  EXPECT_TRUE(has_message(file.errors, 8, "CMD_CYCLE_TIMER"));
}

TEST(AccessParser, ACommentAfterATypedValueIsIgnoredWithAWarning) {
  const auto file = parse_ok(
      "SOURCE 10.0.0.0/24   # office\nKEY k # not a comment\nFW_ACCESS_TIMEOUT 60 # a minute\n"
      "OPEN_PORTS tcp/22, tcp/80\t# web\n");
  const AccessStanza& s = file.stanzas.at(0);
  EXPECT_EQ(s.text.source, "10.0.0.0/24");
  EXPECT_TRUE(s.source.contains(*IpAddress::parse("10.0.0.200")));
  EXPECT_EQ(text_of(*s.key), "k # not a comment");  // a key may hold " #"
  EXPECT_EQ(s.fw_access_timeout, seconds(60));
  EXPECT_EQ(s.open_ports->size(), 2u);
  EXPECT_TRUE(has_message(file.warnings, 1, "SOURCE: \"# office\" after the value ignored")) << all_messages(file);
  EXPECT_TRUE(has_message(file.warnings, 3, "FW_ACCESS_TIMEOUT: \"# a minute\""));
  EXPECT_TRUE(has_message(file.warnings, 4, "OPEN_PORTS"));
  EXPECT_FALSE(has_message(file.warnings, 2, "ignored"));
}

TEST(AccessParser, SourceDestinationAndPortErrorsNameTheBadItem) {
  const auto file = parse_access("a.conf",
                                 "SOURCE 10.0.0.1, 10.1\nKEY k\nDESTINATION 1.2.3.4/33\nOPEN_PORTS tcp/22, tcp/70000\n"
                                 "RESTRICT_PORTS icmp/0\nSOURCE 1.2.3.4 5.6.7.8\nKEY k\n");
  EXPECT_TRUE(
      has_message(file.errors, 1, "SOURCE: \"10.1\" is not an address, a network (IP/prefix, IPv4/dotted-mask) or ANY"))
      << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 3, "DESTINATION: \"1.2.3.4/33\" is not"));
  EXPECT_EQ(file.errors.at(2).to_string(),
            "a.conf:4: OPEN_PORTS: \"tcp/70000\" is not tcp/<port> or udp/<port> (port 0-65535)");
  EXPECT_TRUE(has_message(file.errors, 5, "RESTRICT_PORTS: \"icmp/0\" is not"));
  EXPECT_TRUE(has_message(file.errors, 6, "SOURCE: \"1.2.3.4 5.6.7.8\" is not"));
  EXPECT_EQ(file.stanzas.size(), 2u);  // a bad SOURCE still opens its stanza, so its lines land there
}

TEST(AccessParser, AccessExpire) {
  auto s = std::move(parse_ok("SOURCE ANY\nKEY k\nACCESS_EXPIRE 02/29/2096\n").stanzas.at(0));
  EXPECT_EQ(epoch_of(s.access_expire), local_midnight(2096, 2, 29));
  s = std::move(parse_ok("SOURCE ANY\nKEY k\nACCESS_EXPIRE 1/2/99\n").stanzas.at(0));  // 2-digit year: 20YY
  EXPECT_EQ(epoch_of(s.access_expire), local_midnight(2099, 1, 2));
  s = std::move(parse_ok("SOURCE ANY\nKEY k\nACCESS_EXPIRE 12/31/9999\n").stanzas.at(0));
  EXPECT_EQ(epoch_of(s.access_expire), local_midnight(9999, 12, 31));
  EXPECT_FALSE(s.is_expired(std::chrono::system_clock::now()));
  s = std::move(parse_ok("SOURCE ANY\nKEY k\nACCESS_EXPIRE_EPOCH 4102444800\n").stanzas.at(0));
  EXPECT_EQ(epoch_of(s.access_expire), 4102444800);
  s = std::move(parse_ok("SOURCE ANY\nKEY k\nACCESS_EXPIRE 01/01/2030\nACCESS_EXPIRE_EPOCH 0\n").stanzas.at(0));
  EXPECT_FALSE(s.access_expire);  // epoch 0 is "never", and the later line wins

  const auto past = parse_ok("SOURCE ANY\nKEY k\nACCESS_EXPIRE_EPOCH 1\n");
  EXPECT_TRUE(past.stanzas.at(0).is_expired(std::chrono::system_clock::now()));
  EXPECT_TRUE(has_message(past.warnings, 3, "ACCESS_EXPIRE: the stanza has expired")) << all_messages(past);

  const auto file = parse_access("a.conf",
                                 "SOURCE ANY\nKEY k\nACCESS_EXPIRE 13/01/2030\nACCESS_EXPIRE 02/29/2031\n"
                                 "ACCESS_EXPIRE 12/31/203\nACCESS_EXPIRE 2030-12-31\nACCESS_EXPIRE 12/31/2030x\n"
                                 "ACCESS_EXPIRE 00/10/2030\nACCESS_EXPIRE 01/01/1969\nACCESS_EXPIRE_EPOCH -5\n"
                                 "ACCESS_EXPIRE_EPOCH 99999999999999999999\n");
  for (int line = 3; line <= 9; ++line)
    EXPECT_TRUE(has_message(file.errors, line, "ACCESS_EXPIRE: ")) << line << "\n" << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 3, "is not a date (MM/DD/YYYY)"));
  EXPECT_TRUE(has_message(file.errors, 10, "ACCESS_EXPIRE_EPOCH: \"-5\" is not"));
  EXPECT_TRUE(has_message(file.errors, 11, "ACCESS_EXPIRE_EPOCH"));
}

TEST(AccessParser, GpgDefaultsAndSignatureRequirement) {
  auto file = parse_ok("SOURCE ANY\nGPG_DECRYPT_PW pw\nGPG_FINGERPRINT_ID ABCDEF\n", {.gpg_home_dir = "/var/gpg"});
  auto& s = file.stanzas.at(0);
  EXPECT_TRUE(s.gpg_require_sig);  // the default for GPG stanzas
  ASSERT_TRUE(s.gpg_home_dir);
  EXPECT_EQ(s.gpg_home_dir->name, "/var/gpg");
  EXPECT_EQ(s.gpg_home_dir->line, 0);  // fwknopd.conf's: not checked by the loader

  file = parse_ok("SOURCE ANY\nGPG_DECRYPT_PW pw\nGPG_REQUIRE_SIG N\nGPG_REMOTE_ID AB\n");
  EXPECT_TRUE(file.stanzas.at(0).gpg_require_sig);  // only GPG_DISABLE_SIG turns it off, as in fwknopd

  file = parse_ok("SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\n");
  EXPECT_FALSE(file.stanzas.at(0).gpg_require_sig);
  EXPECT_TRUE(file.stanzas.at(0).gpg_allow_no_pw);
  EXPECT_TRUE(file.stanzas.at(0).uses_gpg());
  EXPECT_TRUE(file.stanzas.at(0).gpg_decrypt_pw->empty());
  EXPECT_TRUE(has_message(file.warnings, 2, "GPG_REQUIRE_SIG should really be enabled")) << all_messages(file);

  file = parse_ok("SOURCE ANY\nGPG_DECRYPT_PW pw\nGPG_REQUIRE_SIG Y\nGPG_DISABLE_SIG Y\n");
  EXPECT_TRUE(has_message(file.warnings, 2, "signatures are checked")) << all_messages(file);

  file = parse_access("a.conf", "SOURCE ANY\nKEY k\nGPG_DECRYPT_PW pw\n");
  ASSERT_EQ(file.errors.size(), 1u) << all_messages(file);
  EXPECT_EQ(file.errors[0].to_string(),
            "a.conf:3: GPG_DECRYPT_PW: signatures are checked, so GPG_REMOTE_ID or GPG_FINGERPRINT_ID must name the "
            "accepted signers (or set GPG_DISABLE_SIG Y)");
  file = parse_access("a.conf", "SOURCE ANY\nGPG_ALLOW_NO_PW Y\n");
  EXPECT_TRUE(has_message(file.errors, 2, "GPG_ALLOW_NO_PW: signatures are checked")) << all_messages(file);
  // A Rijndael-only stanza has nothing to do with signatures.
  EXPECT_FALSE(parse_ok("SOURCE ANY\nKEY k\n").stanzas.at(0).gpg_require_sig);
}

TEST(AccessParser, CommandCycleConsistency) {
  auto file = parse_ok("SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN echo open\nCMD_CYCLE_CLOSE NONE\n");
  EXPECT_FALSE(file.stanzas.at(0).cmd_cycle_do_close);
  file = parse_ok("SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN echo open\nCMD_CYCLE_CLOSE NONEx\n");  // fwknop: 4 chars
  EXPECT_FALSE(file.stanzas.at(0).cmd_cycle_do_close);

  file =
      parse_access("a.conf",
                   "SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN echo open\n\nSOURCE 1.1.1.1\nKEY k\n"
                   "CMD_CYCLE_CLOSE echo close\n\nSOURCE 2.2.2.2\nKEY k\nCMD_CYCLE_OPEN a\n"
                   "CMD_CYCLE_CLOSE b\n\nSOURCE 3.3.3.3\nKEY k\nCMD_CYCLE_OPEN " +
                       std::string(256, 'x') + "\nCMD_CYCLE_CLOSE " + std::string(256, 'y') + "\nCMD_CYCLE_TIMER 5\n");
  EXPECT_TRUE(has_message(file.errors, 3, "CMD_CYCLE_OPEN: needs CMD_CYCLE_CLOSE")) << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 7, "CMD_CYCLE_CLOSE: needs CMD_CYCLE_OPEN"));
  EXPECT_TRUE(has_message(file.errors, 11, "CMD_CYCLE_OPEN: needs CMD_CYCLE_TIMER"));
  EXPECT_TRUE(has_message(file.errors, 16, "CMD_CYCLE_OPEN: longer than 255 characters"));
  EXPECT_TRUE(has_message(file.errors, 17, "CMD_CYCLE_CLOSE: longer than 255 characters"));
  EXPECT_EQ(file.errors.size(), 5u) << all_messages(file);
  parse_ok("SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN " + std::string(255, 'x') + "\nCMD_CYCLE_CLOSE NONE\n");
}

TEST(AccessParser, NatDirectives) {
  // Without ENABLE_IPT_FORWARDING / ENABLE_IPT_LOCAL_NAT, fwknopd refuses FORCE_NAT and FORCE_SNAT.
  auto file = parse_access("a.conf", "SOURCE ANY\nKEY k\nFORCE_NAT 10.0.0.2 22\nFORCE_SNAT 10.0.0.3\n");
  EXPECT_TRUE(has_message(file.errors, 3, "FORCE_NAT: needs ENABLE_IPT_FORWARDING or ENABLE_IPT_LOCAL_NAT"))
      << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 4, "FORCE_SNAT: needs"));

  const AccessDefaults nat{.force_nat_allowed = true};
  file = parse_access("a.conf",
                      "SOURCE ANY\nKEY k\nFORCE_NAT 10.0.0.2\nFORCE_NAT 10.0.0.2 70000\nFORCE_NAT ::1 22\n"
                      "FORCE_NAT 10.0.0.2 22 33\nFORCE_SNAT 10.0.0\nFORCE_SNAT host.example\n",
                      nat);
  for (int line = 3; line <= 6; ++line)
    EXPECT_TRUE(has_message(file.errors, line, "is not \"<IPv4 address> <port>\"")) << line << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 7, "FORCE_SNAT: \"10.0.0\" is not an IPv4 address"));
  EXPECT_TRUE(has_message(file.errors, 8, "FORCE_SNAT"));

  file = parse_access("a.conf", "SOURCE ANY\nKEY k\nFORCE_SNAT 10.0.0.3\n\nSOURCE 1.1.1.1\nKEY k\nFORCE_MASQUERADE Y\n",
                      nat);
  EXPECT_TRUE(has_message(file.errors, 3, "FORCE_SNAT: needs FORCE_NAT or FORWARD_ALL")) << all_messages(file);
  EXPECT_TRUE(has_message(file.errors, 7, "FORCE_MASQUERADE: needs FORCE_NAT or FORWARD_ALL"));

  // FORWARD_ALL stands for FORCE_NAT 0.0.0.0 0, even without the fwknopd.conf NAT settings.
  file = parse_ok("SOURCE ANY\nKEY k\nFORWARD_ALL Y\nFORCE_MASQUERADE Y\n");
  ASSERT_TRUE(file.stanzas.at(0).force_nat);
  EXPECT_EQ(file.stanzas[0].force_nat->ip, "0.0.0.0");
  EXPECT_EQ(file.stanzas[0].force_nat->port, 0);
  EXPECT_TRUE(file.stanzas[0].force_masquerade);
  file = parse_ok("SOURCE ANY\nKEY k\nFORCE_NAT 10.0.0.2 0\nFORCE_SNAT 10.0.0.3 # gw\n", nat);
  EXPECT_EQ(file.stanzas.at(0).force_nat->port, 0);
  EXPECT_EQ(file.stanzas[0].force_snat, "10.0.0.3");
}

TEST(AccessParser, BooleansReadTheirFirstCharacter) {
  const auto s = std::move(parse_ok("SOURCE ANY\nKEY k\nENABLE_CMD_EXEC yes please\nDISABLE_DNAT Nope\n"
                                    "FORWARD_ALL 1\nREQUIRE_SOURCE_ADDRESS Yikes\n")
                               .stanzas.at(0));
  EXPECT_TRUE(s.enable_cmd_exec);
  EXPECT_FALSE(s.disable_dnat);
  EXPECT_FALSE(s.forward_all);
  EXPECT_TRUE(s.require_source_address);
}

TEST(AccessParser, KeyLengthWarnings) {
  const auto file = parse_ok("SOURCE ANY\nKEY " + std::string(33, 'k') + "\nHMAC_KEY " + std::string(200, 'h') + "\n");
  EXPECT_TRUE(has_message(file.warnings, 2, "KEY: longer than 32 bytes")) << all_messages(file);
  EXPECT_TRUE(has_message(file.warnings, 3, "HMAC_KEY: longer than"));
}

TEST(AccessParser, IncludeKeysAppliesOnlyKeyVariables) {
  const std::string keys_text =
      "# keys\nKEY_BASE64: c2VjcmV0c2VjcmV0\nHMAC_KEY_BASE64: aG1hY2htYWM=\n"
      "HMAC_DIGEST_TYPE sha1\nOPEN_PORTS tcp/1\nSOURCE 9.9.9.9\n";
  const KeyFileTexts keys{{"/k/alice.keys", keys_text}};
  const auto file =
      parse_ok("SOURCE ANY\nOPEN_PORTS tcp/22\n%include_keys /k/alice.keys\nENABLE_CMD_EXEC Y\n", {}, keys);
  ASSERT_EQ(file.stanzas.size(), 1u) << all_messages(file);
  const AccessStanza& s = file.stanzas[0];
  EXPECT_EQ(text_of(*s.key), "secretsecret");
  EXPECT_EQ(text_of(*s.hmac_key), "hmachmac");
  EXPECT_EQ(s.hmac_digest_type, spa::DigestType::kSha256);  // HMAC_DIGEST_TYPE is not a key-file variable
  EXPECT_EQ(s.open_ports, (PortList{{Protocol::kTcp, 22}}));
  EXPECT_TRUE(s.enable_cmd_exec);
  ASSERT_EQ(file.includes.size(), 1u);
  EXPECT_EQ(file.includes[0].kind, IncludeKind::kKeys);
  EXPECT_EQ(file.includes[0].path, "/k/alice.keys");
  EXPECT_TRUE(has_message(file.warnings, 4, "HMAC_DIGEST_TYPE: not a key variable, ignored")) << all_messages(file);
  EXPECT_TRUE(has_message(file.warnings, 5, "OPEN_PORTS: not a key variable"));
  EXPECT_TRUE(has_message(file.warnings, 6, "SOURCE: not a key variable"));
  for (const auto& w : file.warnings) {
    if (w.line >= 4 && w.line <= 6 && w.message.find("key variable") != std::string::npos) {
      EXPECT_EQ(w.file, "/k/alice.keys");
    }
  }
}

TEST(AccessParser, IncludeKeysDropsAnIncompleteStanzaAsFwknopd) {
  // The keys are checked at the directive: a later KEY line is too late, and the stanza's remaining lines are
  // skipped (fwknopd's template: "Any other commands in the stanza must come before the %include_keys").
  const KeyFileTexts keys{{"hmac.keys", "HMAC_KEY only-hmac\n"}, {"full.keys", "KEY k\nHMAC_KEY h\n"}};
  const auto file = parse_ok(
      "SOURCE 1.1.1.1\nKEY kept\n\n"
      "SOURCE 2.2.2.2\n%include_keys hmac.keys\nKEY too-late\n%include dropped-stanza-include.conf\n\n"
      "SOURCE 3.3.3.3\n%include_keys missing.keys\n\n"
      "SOURCE 4.4.4.4\n%include_keys full.keys\n%include after.conf\n",
      {}, keys);
  ASSERT_EQ(file.stanzas.size(), 2u) << all_messages(file);
  EXPECT_EQ(file.stanzas[0].line, 1);
  EXPECT_EQ(file.stanzas[1].line, 12);
  EXPECT_TRUE(has_message(file.warnings, 5,
                          "%include_keys: \"hmac.keys\": stanza of line 4 dropped, as fwknopd "
                          "drops it: SOURCE: the stanza has no key"))
      << all_messages(file);
  EXPECT_TRUE(has_message(file.warnings, 10, "the key file was not read"));
  // The %include inside the dropped stanza is still read (fwknopd reads includes anywhere), and goes after
  // stanza 1, as no later stanza of this file had begun.
  ASSERT_EQ(file.includes.size(), 5u);
  EXPECT_EQ(file.includes[1].path, "dropped-stanza-include.conf");
  EXPECT_EQ(file.includes[1].stanza_index, 1u);
  EXPECT_EQ(file.includes[4].path, "after.conf");
  EXPECT_EQ(file.includes[4].stanza_index, 2u);
}

TEST(AccessParser, IncludeKeysProblemsDropTheStanzaWithoutEchoingKeys) {
  const std::string bad = "KEY " + std::string(kKey) + "\nHMAC_KEY_BASE64 " + std::string(kHmac) + "!\n";
  const KeyFileTexts keys{{"bad.keys", bad}, {"placeholder.keys", "KEY __CHANGEME__\n"}, {"junk.keys", "KEY\n"}};
  const auto file = parse_ok(
      "SOURCE 1.1.1.1\n%include_keys bad.keys\n\nSOURCE 2.2.2.2\nKEY k\n%include_keys placeholder.keys\n\n"
      "SOURCE 3.3.3.3\nKEY k\n%include_keys junk.keys\n\nSOURCE 4.4.4.4\nKEY k\n",
      {}, keys);
  ASSERT_EQ(file.stanzas.size(), 1u) << all_messages(file);
  EXPECT_EQ(file.stanzas[0].line, 12);
  // fwknopd would keep stanza 1 with its KEY but without the HMAC key that failed to decode.
  EXPECT_TRUE(has_message(file.warnings, 2, "stanza of line 1 dropped")) << all_messages(file);
  EXPECT_TRUE(has_message(file.warnings, 2, "HMAC_KEY_BASE64: not valid base64"));
  EXPECT_TRUE(has_message(file.warnings, 1, "KEY: still the __CHANGEME__ placeholder"));
  EXPECT_TRUE(has_message(file.warnings, 1, "expected \"VARIABLE value\""));
  EXPECT_EQ(all_messages(file).find(kKey), std::string::npos);
  EXPECT_EQ(all_messages(file).find(kHmac), std::string::npos);
}

TEST(AccessParser, ErrorsNeverHoldKeyValues) {
  // Every way a key-bearing line can go wrong, with recognisable keys.
  const std::string k(kKey), h(kHmac);
  const std::string text = "SOURCE ANY\nKEY " + k + "\nHMAC_KEY " + k +
                           "\n"  // equal keys
                           "KEY_BASE64 " +
                           k + "*\nHMAC_KEY_BASE64 " + h + "*\nGPG_DECRYPT_PW " + h +
                           "\n"
                           "KEY_BASE64:" +
                           k + "\nHMAC_KEY:" + h + "\nGPG_DECRYPT_PW\t" + h +
                           ";\n"
                           "SOURCE 1.2.3.4\nENCRYPTION_MODE legacy\nKEY " +
                           k + k + "\nHMAC_KEY " + k +
                           "\n"
                           "SOURCE 5.6.7.8\n%include_keys x.keys\nHMAC_KEY=" +
                           h + " junk\n";
  const std::string key_text = "KEY " + k + "\nKEY_BASE64 " + h + "\n" + "HMAC_KEY " + k + "\nFOO" + h + "\n";
  const KeyFileTexts keys{{"x.keys", key_text}};  // views: the texts must outlive the map
  const auto file = parse_access("a.conf", text, {}, keys);
  EXPECT_FALSE(file.errors.empty());
  const std::string messages = all_messages(file);
  EXPECT_EQ(messages.find(k), std::string::npos) << messages;
  EXPECT_EQ(messages.find(h), std::string::npos) << messages;
  EXPECT_EQ(messages.find("s3cr3t"), std::string::npos) << messages;
}

TEST(AccessParser, ErrorsAreInLineOrderAndAllReported) {
  const auto file =
      parse_access("a.conf", "SOURCE ANY\nOPEN_PORTS tcp/x\n\nSOURCE 10.0.0.1\nKEY k\nFW_ACCESS_TIMEOUT x\n");
  ASSERT_EQ(file.errors.size(), 3u) << all_messages(file);
  EXPECT_EQ(file.errors[0].line, 1);  // no key, found when the next SOURCE closed the stanza
  EXPECT_EQ(file.errors[1].line, 2);
  EXPECT_EQ(file.errors[2].line, 6);
}

TEST(AccessParser, EmptyAndStanzalessFiles) {
  for (const std::string& text : {""s, "\n\n"s, "# only comments\n"s, "KEY k\nFOO bar\n"s}) {
    const auto file = parse_access("a.conf", text);
    EXPECT_TRUE(file.errors.empty()) << all_messages(file);
    EXPECT_TRUE(file.stanzas.empty());  // "at least one stanza" is the loader's check, across all files
  }
}

TEST(AccessParser, HugeLinesAreFine) {
  const std::string huge(8 * 1024 * 1024, 'x');
  const auto file = parse_access(
      "a.conf", "SOURCE ANY\nKEY k\nREQUIRE_USERNAME " + huge + "\nOPEN_PORTS " + huge + "\n" + huge + "\n");
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_EQ(file.stanzas[0].require_username->size(), huge.size());
  EXPECT_TRUE(has_message(file.errors, 4, "OPEN_PORTS: \"xxxx"));
  EXPECT_TRUE(has_message(file.errors, 5, "expected"));
  for (const auto& e : file.errors) EXPECT_LT(e.message.size(), 300u);  // echoed values are cut
}

TEST(AccessParser, BinaryInputDoesNotCrash) {
  std::mt19937 random(1234);
  for (int round = 0; round < 200; ++round) {
    std::string text(static_cast<std::size_t>(random() % 4096), '\0');
    for (auto& c : text) c = static_cast<char>(random());
    if (round % 2) text = "SOURCE ANY\nKEY k\n" + text;
    const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    const auto file = parse_access("bin.conf", text);
    for (const auto& e : file.errors) {
      EXPECT_GE(e.line, 1);
      EXPECT_LE(e.line, lines);
      for (const char c : e.message) EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << "control byte echoed";
    }
  }
}

TEST(AccessParser, HundredThousandStanzasAreFast) {
  std::string text;
  for (int i = 0; i < 100000; ++i)
    text += "SOURCE 10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
            std::to_string(i % 256) + "\nKEY key" + std::to_string(i) + "\nOPEN_PORTS tcp/22\nREQUIRE_SOURCE Y\n";
  const auto start = std::chrono::steady_clock::now();
  const auto file = parse_access("big.conf", text);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(file.errors.empty());
  EXPECT_EQ(file.stanzas.size(), 100000u);
  EXPECT_EQ(file.stanzas.back().line, 399997);
  EXPECT_LT(elapsed, std::chrono::seconds(10));  // ~0.2 s in a release build; generous for sanitizers
}

TEST(AccessParser, ManyDroppedKeyStanzasAreFast) {
  std::string text;
  // Each %include is read inside a stanza that is then dropped, so its position moves back by one.
  for (int i = 0; i < 50000; ++i) text += "SOURCE ANY\n%include x\n%include_keys k" + std::to_string(i) + "\n";
  const auto start = std::chrono::steady_clock::now();
  const auto file = parse_access("big.conf", text);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(file.stanzas.empty());
  EXPECT_EQ(file.includes.size(), 100000u);
  EXPECT_EQ(file.includes.back().stanza_index, 0u);
}

}  // namespace
}  // namespace sesame::config
