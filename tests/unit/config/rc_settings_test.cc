// SPDX-License-Identifier: GPL-2.0-or-later
// Every rc-file variable of client.md §3 mapped onto ClientSettings, stanza selection, and error messages.
#include "config/rc_settings.h"

#include <gtest/gtest.h>

#include <string>

namespace sesame::config {
namespace {

ClientSettings settings_of(std::string_view text, std::optional<std::string_view> stanza = std::nullopt) {
  auto settings = settings_from_rc(parse_rc_file("rc", text), stanza);
  EXPECT_TRUE(settings.has_value()) << (settings ? "" : settings.error().front().to_string());
  if (!settings) return {};
  return std::move(settings).value();
}

// The single error of a one-line [default] stanza.
ConfigError error_of(std::string_view line) {
  auto settings = settings_from_rc(parse_rc_file("my.rc", "[default]\n" + std::string(line) + "\n"), std::nullopt);
  EXPECT_FALSE(settings.has_value()) << line;
  if (settings) return {};
  EXPECT_EQ(settings.error().size(), 1u);
  return settings.error().front();
}

TEST(RcSettings, EveryStringVariable) {
  const auto s = settings_of(
      "[default]\n"
      "ACCESS tcp/22,udp/53\nSPA_SERVER host.example\nGPG_RECIPIENT AB12\nGPG_SIGNER CD34\n"
      "GPG_HOMEDIR /h/.gnupg/\nGPG_EXE /usr/bin/gpg2\nSPOOF_USER alice\nKEY_FILE /k\nNAT_ACCESS 10.0.0.2,22\n"
      "HTTP_USER_AGENT Agent/1\nRESOLVE_URL https://ip.example/\nWGET_CMD /usr/bin/wget\n");
  EXPECT_EQ(s.access, "tcp/22,udp/53");
  EXPECT_EQ(s.spa_server, "host.example");
  EXPECT_EQ(s.gpg_recipient, "AB12");
  EXPECT_EQ(s.gpg_signer, "CD34");
  EXPECT_EQ(s.gpg_home_dir, "/h/.gnupg/");
  EXPECT_EQ(s.gpg_exe, "/usr/bin/gpg2");
  EXPECT_EQ(s.spoof_user, "alice");
  EXPECT_EQ(s.key_file, "/k");
  EXPECT_EQ(s.nat_access, "10.0.0.2,22");
  EXPECT_EQ(s.user_agent, "Agent/1");
  EXPECT_EQ(s.resolve_url, "https://ip.example/");
  EXPECT_EQ(s.wget_cmd, "/usr/bin/wget");
  EXPECT_FALSE(s.use_gpg.has_value());  // unlike --gpg-recipient-key, GPG_RECIPIENT does not imply USE_GPG
}

TEST(RcSettings, EveryNumberAndName) {
  const auto s = settings_of(
      "[default]\nSPA_SERVER_PORT 65535\nSPA_SOURCE_PORT 0\nNAT_PORT 8080\nFW_TIMEOUT 65536\n"
      "SPA_SERVER_PROTO TCPraw\nDIGEST_TYPE sha3_256\nHMAC_DIGEST_TYPE SHA512\nENCRYPTION_MODE legacy\n"
      "SPOOF_SOURCE_IP 10.1.2.3\n");
  EXPECT_EQ(s.spa_server_port, 65535);
  EXPECT_EQ(s.spa_source_port, 0);
  EXPECT_EQ(s.nat_port, 8080);
  EXPECT_EQ(s.fw_timeout_s, 65536u);
  EXPECT_EQ(s.spa_server_proto, SpaProtocol::kTcpRaw);
  EXPECT_EQ(s.digest_type, spa::DigestType::kSha3_256);
  EXPECT_EQ(s.hmac_digest_type, spa::DigestType::kSha512);
  EXPECT_FALSE(s.use_hmac.has_value());  // HMAC_DIGEST_TYPE alone does not enable HMAC (client.md §3)
  EXPECT_EQ(s.encryption_mode, spa::EncryptionMode::kCbcLegacyIv);
  EXPECT_EQ(s.spoof_source_ip, "10.1.2.3");
  EXPECT_EQ(settings_of("[default]\nENCRYPTION_MODE asymmetric\n").encryption_mode, spa::EncryptionMode::kAsymmetric);
  for (const char* proto : {"udp", "tcp", "udpraw", "tcpraw", "icmp", "http"})
    EXPECT_TRUE(settings_of(std::string("[default]\nSPA_SERVER_PROTO ") + proto + "\n").spa_server_proto) << proto;
}

TEST(RcSettings, EveryBooleanIsYesOnlyForY) {
  const char* const kBooleans[] = {"USE_GPG",       "USE_GPG_AGENT",       "GPG_NO_SIGNING_PW",   "RAND_PORT",
                                   "USE_HMAC",      "USE_WGET_USER_AGENT", "SERVER_RESOLVE_IPV4", "NAT_LOCAL",
                                   "NAT_RAND_PORT", "RESOLVE_IP_HTTPS",    "RESOLVE_IP_HTTP",     "RESOLVE_HTTP_ONLY",
                                   "NO_SAVE_ARGS"};
  std::string yes = "[default]\n", lower = "[default]\n", no = "[default]\n";
  for (const char* name : kBooleans) {
    yes += std::string(name) + " Y\n";
    lower += std::string(name) + " y\n";
    no += std::string(name) + " yes\n";  // fwknop: anything but Y/y is no
  }
  for (const auto& [text, expected] : {std::pair{yes, true}, std::pair{lower, true}, std::pair{no, false}}) {
    const auto s = settings_of(text);
    EXPECT_EQ(s.use_gpg, expected);
    EXPECT_EQ(s.use_gpg_agent, expected);
    EXPECT_EQ(s.gpg_no_signing_pw, expected);
    EXPECT_EQ(s.rand_port, expected);
    EXPECT_EQ(s.use_hmac, expected);
    EXPECT_EQ(s.use_wget_user_agent, expected);
    EXPECT_EQ(s.server_resolve_ipv4, expected);
    EXPECT_EQ(s.nat_local, expected);
    EXPECT_EQ(s.nat_rand_port, expected);
    EXPECT_EQ(s.resolve_ip, expected);
    EXPECT_EQ(s.resolve_http_only, expected);
    EXPECT_EQ(s.no_save_args, expected);
  }
}

TEST(RcSettings, NamedStanzaNoUndoesDefaultYes) {
  const auto s = settings_of("[default]\nUSE_HMAC Y\nRAND_PORT Y\n[srv]\nUSE_HMAC N\n", "srv");
  EXPECT_EQ(s.use_hmac, false);
  EXPECT_EQ(s.rand_port, true);
}

TEST(RcSettings, KeysAreKeptAsGivenAndEnableHmac) {
  const auto s = settings_of(
      "[default]\nKEY passw0rd\nKEY_BASE64 a2V5a2V5a2V5a2V5\nHMAC_KEY hmacpass\nHMAC_KEY_BASE64 aG1hYw==\n"
      "GPG_SIGNING_PW signpw\nGPG_SIGNING_PW_BASE64 c2lnbg==\n");
  EXPECT_EQ(s.key->as_text(), "passw0rd");
  EXPECT_EQ(s.key_base64->as_text(), "a2V5a2V5a2V5a2V5");
  EXPECT_EQ(s.hmac_key->as_text(), "hmacpass");
  EXPECT_EQ(s.hmac_key_base64->as_text(), "aG1hYw==");
  EXPECT_EQ(s.gpg_signing_pw->as_text(), "signpw");
  EXPECT_EQ(s.gpg_signing_pw_base64->as_text(), "c2lnbg==");
  EXPECT_EQ(s.use_hmac, true);
  EXPECT_EQ(settings_of("[default]\nHMAC_KEY x\n").use_hmac, true);
  EXPECT_EQ(settings_of("[default]\nHMAC_KEY_BASE64 eA\n").use_hmac, true);
  EXPECT_FALSE(settings_of("[default]\nKEY x\n").use_hmac.has_value());
}

// fwknop 2.6.10 stores HMAC_KEY_FILE into the encryption key-file slot; sesame reads it as the HMAC key file.
TEST(RcSettings, HmacKeyFileIsTheHmacKeyFile) {
  const auto s = settings_of("[default]\nHMAC_KEY_FILE /keys/hmac\n");
  EXPECT_EQ(s.hmac_key_file, "/keys/hmac");
  EXPECT_FALSE(s.key_file.has_value());
  EXPECT_EQ(s.use_hmac, true);
}

TEST(RcSettings, AllowIpForms) {
  auto s = settings_of("[default]\nALLOW_IP 1.2.3.4\n");
  EXPECT_EQ(s.allow_ip, "1.2.3.4");
  EXPECT_EQ(s.source_ip, false);
  EXPECT_EQ(s.resolve_ip, false);
  s = settings_of("[default]\nALLOW_IP Source\n");
  EXPECT_FALSE(s.allow_ip.has_value());
  EXPECT_EQ(s.source_ip, true);
  s = settings_of("[default]\nALLOW_IP RESOLVE\n");
  EXPECT_EQ(s.resolve_ip, true);
  EXPECT_EQ(s.source_ip, false);
  // The later section wins, whatever the form (fwknop would keep [default]'s address here).
  s = settings_of("[default]\nALLOW_IP 1.2.3.4\n[srv]\nALLOW_IP resolve\n", "srv");
  EXPECT_FALSE(s.allow_ip.has_value());
  EXPECT_EQ(s.resolve_ip, true);
  // Leading zeros as fwknop (inet_aton) accepts them.
  EXPECT_EQ(settings_of("[default]\nALLOW_IP 010.1.1.1\n").allow_ip, "010.1.1.1");
  // sesame's IPv6 allow addresses (docs/compat.md).
  EXPECT_EQ(settings_of("[default]\nALLOW_IP 2001:db8::5\n").allow_ip, "2001:db8::5");
  EXPECT_NE(error_of("ALLOW_IP ::ffff:1.2.3.4").message.find("is not an IPv4 or IPv6 address"), std::string::npos);
}

TEST(RcSettings, TimeOffset) {
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET 30\n").time_offset_s, 30);
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET -30\n").time_offset_s, -30);
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET 2m\n").time_offset_s, 120);
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET -1H\n").time_offset_s, -3600);
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET 2days\n").time_offset_s, 2 * 86400);
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET 60sec\n").time_offset_s, 60);
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET 65536\n").time_offset_s, 65536);
  EXPECT_EQ(settings_of("[default]\nTIME_OFFSET 0\n").time_offset_s, 0);
  for (const char* bad : {"TIME_OFFSET 65537", "TIME_OFFSET 123456789", "TIME_OFFSET -", "TIME_OFFSET m"})
    EXPECT_NE(error_of(bad).message.find("is not a time offset"), std::string::npos) << bad;
}

TEST(RcSettings, Verbose) {
  EXPECT_EQ(settings_of("[default]\nVERBOSE Y\n").verbose, 1);
  EXPECT_EQ(settings_of("[default]\nVERBOSE y\n").verbose, 1);
  EXPECT_EQ(settings_of("[default]\nVERBOSE N\n").verbose, 0);  // what fwknop writes for no -v
  EXPECT_EQ(settings_of("[default]\nVERBOSE 0\n").verbose, 0);
  EXPECT_EQ(settings_of("[default]\nVERBOSE 4\n").verbose, 4);
  EXPECT_EQ(error_of("VERBOSE 5").to_string(), "my.rc:2: VERBOSE: \"5\" is not Y, N or a verbosity level (0-4)");
  EXPECT_FALSE(settings_from_rc(parse_rc_file("rc", "[default]\nVERBOSE yes\n"), std::nullopt).has_value());
}

TEST(RcSettings, BadValuesNameFileLineVariableAndValue) {
  EXPECT_EQ(error_of("SPA_SERVER_PORT 65536").to_string(),
            "my.rc:2: SPA_SERVER_PORT: \"65536\" is not a port (0-65535)");
  EXPECT_EQ(error_of("SPA_SOURCE_PORT -1").message, "SPA_SOURCE_PORT: \"-1\" is not a port (0-65535)");
  EXPECT_EQ(error_of("NAT_PORT 80x").message, "NAT_PORT: \"80x\" is not a port (0-65535)");
  EXPECT_EQ(error_of("FW_TIMEOUT 65537").message, "FW_TIMEOUT: \"65537\" is not a timeout in seconds (0-65536)");
  EXPECT_EQ(error_of("FW_TIMEOUT 30s").message, "FW_TIMEOUT: \"30s\" is not a timeout in seconds (0-65536)");
  EXPECT_EQ(error_of("SPA_SERVER_PROTO sctp").message,
            "SPA_SERVER_PROTO: \"sctp\" is not a protocol (udp, tcp, udpraw, tcpraw, icmp, http)");
  EXPECT_EQ(error_of("DIGEST_TYPE sha2").message,
            "DIGEST_TYPE: \"sha2\" is not a digest (md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512)");
  EXPECT_EQ(error_of("HMAC_DIGEST_TYPE crc").message.substr(0, 36), "HMAC_DIGEST_TYPE: \"crc\" is not a dig");
  EXPECT_EQ(error_of("ENCRYPTION_MODE pcbc").message,
            "ENCRYPTION_MODE: \"pcbc\" is not an encryption mode (CBC, ECB, CFB, OFB, CTR, legacy, Asymmetric)");
  EXPECT_EQ(error_of("ALLOW_IP 1.2.3").message,
            "ALLOW_IP: \"1.2.3\" is not an IPv4 or IPv6 address, \"source\" or \"resolve\"");
  EXPECT_EQ(error_of("ALLOW_IP 08.1.1.1").line, 2);
  EXPECT_EQ(error_of("SPOOF_SOURCE_IP host").message, "SPOOF_SOURCE_IP: \"host\" is not an IPv4 address");
}

TEST(RcSettings, EchoedValuesAreEscapedAndCut) {
  const auto error = error_of("SPA_SERVER_PORT \x1b[31m" + std::string(100, '9'));
  EXPECT_EQ(error.message.find('\x1b'), std::string::npos);
  EXPECT_NE(error.message.find("\\x1b[31m"), std::string::npos);
  EXPECT_NE(error.message.find("...\" is not a port"), std::string::npos);
}

TEST(RcSettings, BadBase64KeyIsReportedWithoutItsValue) {
  for (const char* variable : {"KEY_BASE64", "HMAC_KEY_BASE64", "GPG_SIGNING_PW_BASE64"}) {
    const auto error = error_of(std::string(variable) + " s3cr3t-k3y!");
    EXPECT_EQ(error.to_string(), "my.rc:2: " + std::string(variable) + ": not valid base64");
    EXPECT_EQ(error.message.find("s3cr3t"), std::string::npos);
  }
}

TEST(RcSettings, UnknownVariableIsAnErrorWithoutItsValue) {
  const auto error = error_of("CLIENT_TIMEOUT 60");  // the variable fwknop's own template suggests
  EXPECT_EQ(error.to_string(), "my.rc:2: CLIENT_TIMEOUT: unknown variable");
  const auto lower = error_of("key_base64 c2VjcmV0");
  EXPECT_EQ(lower.message, "key_base64: unknown variable (names are case-sensitive: KEY_BASE64)");
  EXPECT_EQ(lower.message.find("c2VjcmV0"), std::string::npos);
}

TEST(RcSettings, MalformedLineInsideRequestedStanzaIsAnError) {
  auto result = settings_from_rc(parse_rc_file("rc", "[default]\nACCESS\n[x]\n[y\n"), "x");
  ASSERT_FALSE(result.has_value());
  ASSERT_EQ(result.error().size(), 2u);
  EXPECT_EQ(result.error()[0].line, 2);
  EXPECT_EQ(result.error()[1].line, 4);
}

TEST(RcSettings, OnlyRequestedStanzasAreChecked) {
  const std::string text = "[default]\nACCESS tcp/22\n[broken]\nNOPE 1\nSPA_SERVER_PORT x\nJUNK\n[ok]\nSPA_SERVER h\n";
  EXPECT_TRUE(settings_from_rc(parse_rc_file("rc", text), "ok").has_value());
  EXPECT_TRUE(settings_from_rc(parse_rc_file("rc", text), std::nullopt).has_value());
  auto broken = settings_from_rc(parse_rc_file("rc", text), "BROKEN");
  ASSERT_FALSE(broken.has_value());
  ASSERT_EQ(broken.error().size(), 3u);  // every problem, in file order
  EXPECT_EQ(broken.error()[0].line, 4);
  EXPECT_EQ(broken.error()[1].line, 5);
  EXPECT_EQ(broken.error()[2].line, 6);
}

TEST(RcSettings, DefaultFirstThenEverySectionOfTheNamedStanza) {
  const std::string text =
      "[srv]\nSPA_SERVER_PORT 1\nACCESS tcp/1\n"
      "[default]\nSPA_SERVER_PORT 9\nDIGEST_TYPE md5\nSPA_SERVER d\n"
      "[other]\nSPA_SERVER o\n"
      "[SRV]\nACCESS tcp/2\n";
  const auto s = settings_of(text, "Srv");
  EXPECT_EQ(s.spa_server_port, 1);  // [srv] comes after [default] although it is first in the file
  EXPECT_EQ(s.access, "tcp/2");     // the later [SRV] section overrides the earlier one
  EXPECT_EQ(s.digest_type, spa::DigestType::kMd5);
  EXPECT_EQ(s.spa_server, "d");
  const auto defaults = settings_of(text);
  EXPECT_EQ(defaults.spa_server_port, 9);
  EXPECT_FALSE(defaults.access.has_value());
}

TEST(RcSettings, MissingStanzaYieldsDefaultsOnlyAndNamingDefaultReadsItOnce) {
  const std::string text = "[default]\nACCESS tcp/22\nNOPE x\n";
  auto missing = settings_from_rc(parse_rc_file("rc", "[default]\nACCESS tcp/22\n"), "nothere");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->access, "tcp/22");
  auto twice = settings_from_rc(parse_rc_file("rc", text), "DEFAULT");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().size(), 1u);
}

TEST(RcSettings, EmptyFileGivesEmptySettings) {
  const auto s = settings_of("");
  EXPECT_FALSE(s.access.has_value());
  EXPECT_FALSE(s.key.has_value());
}

}  // namespace
}  // namespace sesame::config
