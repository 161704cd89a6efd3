// SPDX-License-Identifier: GPL-2.0-or-later
// --save-rc-stanza as text (client.md §4): order, format, value spellings, critical prompts, round trips.
#include "config/rc_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "config/rc_file.h"
#include "config/rc_settings.h"

namespace sesame::config {
namespace {

using namespace std::string_literals;

const auto kNeverAsked = [](std::string_view variable) -> bool {
  ADD_FAILURE() << "asked about " << variable;
  return false;
};

std::string saved(std::string_view old_text, std::string_view stanza, const ClientSettings& given) {
  auto result = save_rc_stanza(old_text, stanza, given, kNeverAsked);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error());
  return result ? result->text : "";
}

// What the command line of client.md §4's verified example gives:
// fwknop -A tcp/22 -a 1.2.3.4 -D 5.6.7.8 --key-gen --use-hmac --save-rc-stanza -v
ClientSettings verified_example() {
  ClientSettings given;
  given.access = "tcp/22";
  given.allow_ip = "1.2.3.4";
  given.spa_server = "5.6.7.8";
  given.use_hmac = true;
  given.verbose = 1;
  given.key_base64 = SecretBytes::from_text("E/PV7oBRnSrQhjLhzYtUr2efts1pVyHjpSowq13hy9I=");
  given.hmac_key_base64 = SecretBytes::from_text(
      "yMq/H/bnj5PwurCFVnY7uNse53qv+xhci48Zg/cAkRqVyQuQ8sRCK5VlFRvOTpdY6DDTaIrZQKao2jRuhbfScg==");
  return given;
}

// Byte for byte what fwknop 2.6.10 wrote for the example on a fresh HOME (its template reduced to "[default]").
constexpr std::string_view kVerifiedExampleOutput =
    "[default]\n"
    "\n"
    "[5.6.7.8]\n"
    "ALLOW_IP                    1.2.3.4\n"
    "ACCESS                      tcp/22\n"
    "SPA_SERVER                  5.6.7.8\n"
    "KEY_BASE64                  E/PV7oBRnSrQhjLhzYtUr2efts1pVyHjpSowq13hy9I=\n"
    "HMAC_KEY_BASE64             "
    "yMq/H/bnj5PwurCFVnY7uNse53qv+xhci48Zg/cAkRqVyQuQ8sRCK5VlFRvOTpdY6DDTaIrZQKao2jRuhbfScg==\n"
    "USE_HMAC                    Y\n"
    "VERBOSE                     Y\n";

TEST(RcWriter, VerifiedExampleOnTheInitialFileMatchesFwknop) {
  EXPECT_EQ(saved(initial_rc_file_text(), "5.6.7.8", verified_example()), kVerifiedExampleOutput);
}

TEST(RcWriter, InitialFileParsesCleanlyWithAnEmptyDefaultStanza) {
  const auto file = parse_rc_file("rc", initial_rc_file_text());
  EXPECT_TRUE(file.errors.empty());
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_EQ(file.stanzas[0].name, "default");
  EXPECT_TRUE(file.stanzas[0].settings.empty());
  EXPECT_NE(initial_rc_file_text().find("\n[default]\n"), std::string::npos);
  EXPECT_TRUE(settings_from_rc(file, std::nullopt).has_value());
}

TEST(RcWriter, EveryVariableInFwknopOrderAndSpelling) {
  ClientSettings given;
  given.digest_type = spa::DigestType::kSha3_512;
  given.spa_server_proto = SpaProtocol::kTcpRaw;
  given.spa_server_port = 62201;
  given.spa_source_port = 0;
  given.fw_timeout_s = 30;
  given.allow_ip = "10.0.0.1";
  given.time_offset_s = -120;
  given.encryption_mode = spa::EncryptionMode::kCbcLegacyIv;
  given.use_gpg = true;
  given.use_gpg_agent = false;
  given.gpg_recipient = "R1";
  given.gpg_signer = "S1";
  given.gpg_home_dir = "/g";
  given.gpg_exe = "/usr/bin/gpg";
  given.gpg_signing_pw = SecretBytes::from_text("pw");
  given.gpg_signing_pw_base64 = SecretBytes::from_text("cHc=");
  given.gpg_no_signing_pw = true;
  given.spoof_user = "bob";
  given.spoof_source_ip = "10.9.9.9";
  given.access = "tcp/22";
  given.spa_server = "srv";
  given.rand_port = true;
  given.key = SecretBytes::from_text("k");
  given.key_base64 = SecretBytes::from_text("a2V5");
  given.hmac_digest_type = spa::DigestType::kSha256;
  given.hmac_key_base64 = SecretBytes::from_text("aG1hYw");
  given.hmac_key = SecretBytes::from_text("h");
  given.use_hmac = true;
  given.use_wget_user_agent = true;
  given.key_file = "/kf";
  given.hmac_key_file = "/hkf";
  given.nat_access = "10.0.0.2,22";
  given.user_agent = "UA/1";
  given.resolve_url = "https://x/";
  given.server_resolve_ipv4 = true;
  given.nat_local = true;
  given.nat_rand_port = true;
  given.nat_port = 2222;
  given.verbose = 3;
  given.resolve_ip = true;
  given.resolve_http_only = true;
  given.wget_cmd = "/w";
  given.no_save_args = true;
  EXPECT_EQ(saved("", "s", given),
            "\n[s]\n"
            "DIGEST_TYPE                 SHA3_512\n"
            "SPA_SERVER_PROTO            tcpraw\n"
            "SPA_SERVER_PORT             62201\n"
            "SPA_SOURCE_PORT             0\n"
            "FW_TIMEOUT                  30\n"
            "ALLOW_IP                    10.0.0.1\n"
            "TIME_OFFSET                 -120\n"
            "ENCRYPTION_MODE             legacy\n"
            "USE_GPG                     Y\n"
            "USE_GPG_AGENT               N\n"
            "GPG_RECIPIENT               R1\n"
            "GPG_SIGNER                  S1\n"
            "GPG_HOMEDIR                 /g\n"
            "GPG_EXE                     /usr/bin/gpg\n"
            "GPG_SIGNING_PW              pw\n"
            "GPG_SIGNING_PW_BASE64       cHc=\n"
            "GPG_NO_SIGNING_PW           Y\n"
            "SPOOF_USER                  bob\n"
            "SPOOF_SOURCE_IP             10.9.9.9\n"
            "ACCESS                      tcp/22\n"
            "SPA_SERVER                  srv\n"
            "RAND_PORT                   Y\n"
            "KEY                         k\n"
            "KEY_BASE64                  a2V5\n"
            "HMAC_DIGEST_TYPE            SHA256\n"
            "HMAC_KEY_BASE64             aG1hYw\n"
            "HMAC_KEY                    h\n"
            "USE_HMAC                    Y\n"
            "USE_WGET_USER_AGENT         Y\n"
            "KEY_FILE                    /kf\n"
            "HMAC_KEY_FILE               /hkf\n"
            "NAT_ACCESS                  10.0.0.2,22\n"
            "HTTP_USER_AGENT             UA/1\n"
            "RESOLVE_URL                 https://x/\n"
            "SERVER_RESOLVE_IPV4         Y\n"
            "NAT_LOCAL                   Y\n"
            "NAT_RAND_PORT               Y\n"
            "NAT_PORT                    2222\n"
            "VERBOSE                     3\n"
            "RESOLVE_IP_HTTPS            Y\n"
            "RESOLVE_HTTP_ONLY           Y\n"
            "WGET_CMD                    /w\n"
            "NO_SAVE_ARGS                Y\n");
}

TEST(RcWriter, SourceIpIsSavedAsAllowIpSource) {
  ClientSettings given;
  given.source_ip = true;
  EXPECT_EQ(saved("", "s", given), "\n[s]\nALLOW_IP                    source\n");
}

TEST(RcWriter, TimeOffsetBeyond65536SecondsGetsAUnit) {
  ClientSettings given;
  for (const auto& [seconds, text] : {std::pair<std::int64_t, std::string>{65536, "65536"},
                                      {2 * 86400, "2d"},
                                      {-20 * 3600, "-20h"},
                                      {-1200 * 60, "-20h"},
                                      {1100 * 60, "1100m"},
                                      {65536LL * 86400, "65536d"}}) {
    given.time_offset_s = seconds;
    const std::string out = saved("", "s", given);
    EXPECT_EQ(out, "\n[s]\nTIME_OFFSET                 " + text + "\n") << seconds;
    auto read = settings_from_rc(parse_rc_file("rc", out), "s");
    ASSERT_TRUE(read.has_value()) << seconds;
    EXPECT_EQ(read->time_offset_s, seconds);
  }
}

TEST(RcWriter, ReplacesTheStanzaAndKeepsTheOthersDroppingComments) {
  const std::string old_text =
      "# my comments\n"
      "[default]\n"
      "DIGEST_TYPE sha512 # keep this line as it is\n"
      "\n"
      "; more\n"
      "[Srv]\n"
      "ACCESS tcp/1\n"
      "SPA_SERVER old\n"
      "  # indented: a variable line to fwknop, dropped\n"
      "[other]\n"
      "ACCESS tcp/3\n";
  ClientSettings given;
  given.access = "tcp/2";
  EXPECT_EQ(saved(old_text, "srv", given),
            "[default]\n"
            "DIGEST_TYPE sha512 # keep this line as it is\n"
            "[Srv]\n"
            "ACCESS                      tcp/2\n"
            "\n"
            "[other]\n"
            "ACCESS tcp/3\n");
}

TEST(RcWriter, LastStanzaIsRewrittenAtTheEnd) {
  ClientSettings given;
  given.access = "tcp/2";
  EXPECT_EQ(saved("[default]\n[srv]\nACCESS tcp/1\nSPA_SERVER x", "srv", given),
            "[default]\n[srv]\nACCESS                      tcp/2\n");
  // A header without a final LF is not glued to the first new line.
  EXPECT_EQ(saved("[srv]", "srv", given), "[srv]\nACCESS                      tcp/2\n");
  // A last line without LF is ended before a new stanza is appended.
  EXPECT_EQ(saved("[default]\nACCESS tcp/1", "new", given),
            "[default]\nACCESS tcp/1\n\n[new]\nACCESS                      tcp/2\n");
}

TEST(RcWriter, SeveralSectionsOfTheSameNameGetTheNewLinesOnce) {
  ClientSettings given;
  given.access = "tcp/2";
  EXPECT_EQ(saved("[s]\nACCESS tcp/1\n[x]\nACCESS tcp/9\n[S]\nSPA_SERVER y\n[z]\n", "s", given),
            "[s]\nACCESS                      tcp/2\n\n[x]\nACCESS tcp/9\n[S]\n[z]\n");
}

TEST(RcWriter, CriticalVariablesAreAskedOnceInFileOrder) {
  const std::string old_text =
      "[s]\nHMAC_KEY_BASE64 b2xkaG1hYw\nKEY_BASE64: b2xka2V5\nACCESS tcp/1\nKEY_BASE64 dHdpY2U\n"
      "GPG_RECIPIENT r\n[t]\nKEY x\n";
  ClientSettings given;
  given.key_base64 = SecretBytes::from_text("bmV3a2V5");
  given.hmac_key_base64 = SecretBytes::from_text("bmV3aG1hYw");
  given.access = "tcp/2";
  std::vector<std::string> asked;
  auto result = save_rc_stanza(old_text, "s", given, [&](std::string_view variable) {
    asked.emplace_back(variable);
    return variable == "HMAC_KEY_BASE64";  // yes for the HMAC key, no for the others
  });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(asked, (std::vector<std::string>{"HMAC_KEY_BASE64", "KEY_BASE64", "GPG_RECIPIENT"}));
  EXPECT_EQ(result->kept_critical, (std::vector<std::string>{"KEY_BASE64", "GPG_RECIPIENT"}));
  EXPECT_EQ(result->text,
            "[s]\n"
            "KEY_BASE64: b2xka2V5\n"
            "KEY_BASE64 dHdpY2U\n"
            "GPG_RECIPIENT r\n"
            "ACCESS                      tcp/2\n"
            "HMAC_KEY_BASE64             bmV3aG1hYw\n"
            "\n"
            "[t]\n"
            "KEY x\n");
}

TEST(RcWriter, ForceReplacesEveryCriticalVariable) {
  ClientSettings given;
  given.key_base64 = SecretBytes::from_text("bmV3");
  auto result =
      save_rc_stanza("[s]\nKEY_BASE64 b2xk\nHMAC_KEY old\n", "s", given, [](std::string_view) { return true; });
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->kept_critical.empty());
  EXPECT_EQ(result->text, "[s]\nKEY_BASE64                  bmV3\n");
}

TEST(RcWriter, RefusesValuesThatWouldNotReadBackWithoutEchoingThem) {
  ClientSettings given;
  given.user_agent = "Mozilla 5.0";
  given.key = SecretBytes::from_text("pass#word");
  given.access = "tcp/22\nKEY_BASE64 injected";
  auto result = save_rc_stanza("", "s", given, kNeverAsked);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("ACCESS, KEY, HTTP_USER_AGENT"), std::string::npos) << result.error();
  EXPECT_EQ(result.error().find("pass"), std::string::npos);
  EXPECT_EQ(result.error().find("Mozilla"), std::string::npos);
  ClientSettings empty_value;
  empty_value.spa_server = "";
  EXPECT_FALSE(save_rc_stanza("", "s", empty_value, kNeverAsked).has_value());
}

TEST(RcWriter, RefusesStanzaNamesThatCannotBeWritten) {
  for (const auto& name : {""s, "a]b"s, "a\nb"s, "a\rb"s, "a\0b"s})
    EXPECT_FALSE(save_rc_stanza("", name, {}, kNeverAsked).has_value());
}

TEST(RcWriter, RoundTripReadsBackWhatWasSaved) {
  ClientSettings given = verified_example();
  given.digest_type = spa::DigestType::kSha384;
  given.spa_server_proto = SpaProtocol::kHttp;
  given.spa_server_port = 443;
  given.fw_timeout_s = 65536;
  given.encryption_mode = spa::EncryptionMode::kCtr;
  given.hmac_digest_type = spa::DigestType::kSha3_256;
  given.key_file = "/k";
  given.hmac_key_file = "/h";
  given.nat_access = "host,80";
  given.nat_port = 8080;
  given.time_offset_s = -90;
  given.verbose = 2;
  given.no_save_args = true;
  given.rand_port = false;
  const std::string text = saved("[default]\nSPA_SERVER_PORT 1\n[other]\nACCESS tcp/9\n", "Web", given);
  auto read = settings_from_rc(parse_rc_file("rc", text), "web");
  ASSERT_TRUE(read.has_value()) << read.error().front().to_string();
  const ClientSettings& s = *read;
  EXPECT_EQ(s.access, given.access);
  EXPECT_EQ(s.allow_ip, given.allow_ip);
  EXPECT_EQ(s.spa_server, given.spa_server);
  EXPECT_TRUE(s.key_base64->equals(*given.key_base64));
  EXPECT_TRUE(s.hmac_key_base64->equals(*given.hmac_key_base64));
  EXPECT_EQ(s.use_hmac, true);
  EXPECT_EQ(s.verbose, 2);
  EXPECT_EQ(s.digest_type, given.digest_type);
  EXPECT_EQ(s.spa_server_proto, given.spa_server_proto);
  EXPECT_EQ(s.spa_server_port, 443);
  EXPECT_EQ(s.fw_timeout_s, given.fw_timeout_s);
  EXPECT_EQ(s.encryption_mode, given.encryption_mode);
  EXPECT_EQ(s.hmac_digest_type, given.hmac_digest_type);
  EXPECT_EQ(s.key_file, given.key_file);
  EXPECT_EQ(s.hmac_key_file, given.hmac_key_file);
  EXPECT_EQ(s.nat_access, given.nat_access);
  EXPECT_EQ(s.nat_port, given.nat_port);
  EXPECT_EQ(s.time_offset_s, given.time_offset_s);
  EXPECT_EQ(s.no_save_args, true);
  EXPECT_EQ(s.rand_port, false);

  // Saving again (--force-stanza) drops the blank line before the appended stanza, as fwknop does, then
  // changes nothing.
  const auto force = [](std::string_view) { return true; };
  const std::string again = save_rc_stanza(text, "web", given, force)->text;
  EXPECT_EQ(again, "[default]\nSPA_SERVER_PORT 1\n[other]\nACCESS tcp/9\n" + text.substr(text.find("[Web]")));
  EXPECT_EQ(save_rc_stanza(again, "web", given, force)->text, again);
}

}  // namespace
}  // namespace sesame::config
