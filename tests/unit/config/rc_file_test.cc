// SPDX-License-Identifier: GPL-2.0-or-later
// The rc-file line syntax (client.md §3): comments, stanzas, "VARIABLE value", and hostile input.
#include "config/rc_file.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace sesame::config {
namespace {

using namespace std::string_literals;

const RcSetting& only_setting(const RcFile& file) {
  EXPECT_EQ(file.stanzas.size(), 1u);
  EXPECT_EQ(file.stanzas.at(0).settings.size(), 1u);
  return file.stanzas.at(0).settings.at(0);
}

TEST(RcFile, ReadsStanzasAndSettingsInFileOrder) {
  const auto file = parse_rc_file("rc", "[default]\nDIGEST_TYPE sha256\n\n[srv]\nSPA_SERVER 1.2.3.4\nACCESS tcp/22\n");
  EXPECT_EQ(file.file_name, "rc");
  EXPECT_TRUE(file.errors.empty());
  ASSERT_EQ(file.stanzas.size(), 2u);
  EXPECT_EQ(file.stanzas[0].name, "default");
  EXPECT_EQ(file.stanzas[0].line, 1);
  ASSERT_EQ(file.stanzas[0].settings.size(), 1u);
  EXPECT_EQ(file.stanzas[0].settings[0].variable, "DIGEST_TYPE");
  EXPECT_EQ(file.stanzas[0].settings[0].value_text(), "sha256");
  EXPECT_EQ(file.stanzas[0].settings[0].line, 2);
  EXPECT_EQ(file.stanzas[1].name, "srv");
  EXPECT_EQ(file.stanzas[1].line, 4);
  ASSERT_EQ(file.stanzas[1].settings.size(), 2u);
  EXPECT_EQ(file.stanzas[1].settings[1].variable, "ACCESS");
  EXPECT_EQ(file.stanzas[1].settings[1].value_text(), "tcp/22");
  EXPECT_EQ(file.stanzas[1].settings[1].line, 6);
}

TEST(RcFile, CommentOnlyWhenFirstByteIsHashSemicolonOrCr) {
  const auto file = parse_rc_file("rc", "[s]\n#ACCESS tcp/1\n;ACCESS tcp/2\n\rACCESS tcp/3\n");
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_TRUE(file.stanzas[0].settings.empty());
  EXPECT_TRUE(file.errors.empty());

  // "  # x" is not a comment for fwknop: "#" is the variable and "x" its value.
  const auto indented = parse_rc_file("rc", "[s]\n  # comment\n");
  const auto& setting = only_setting(indented);
  EXPECT_EQ(setting.variable, "#");
  EXPECT_EQ(setting.value_text(), "comment");
}

TEST(RcFile, BlankLinesAndWhitespaceOnlyLinesAreSkipped) {
  const auto file = parse_rc_file("rc", "[s]\n\n   \n\t\r\n \v\f\nACCESS tcp/22\n");
  EXPECT_TRUE(file.errors.empty());
  EXPECT_EQ(only_setting(file).value_text(), "tcp/22");
}

TEST(RcFile, StanzaNameMayBeIndentedAndEndsAtFirstBracket) {
  const auto file = parse_rc_file("rc", "  \t[ My Server ]] trailing\n");
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_EQ(file.stanzas[0].name, " My Server ");
  const auto empty = parse_rc_file("rc", "[]\n");
  ASSERT_EQ(empty.stanzas.size(), 1u);
  EXPECT_EQ(empty.stanzas[0].name, "");
}

TEST(RcFile, ValueEndsAtBlankSemicolonHashOrCr) {
  for (const std::string line : {"ACCESS tcp/22 tcp/23", "ACCESS tcp/22;udp/53", "ACCESS tcp/22#comment",
                                 "ACCESS tcp/22\t# comment", "ACCESS tcp/22\r", "ACCESS\t\t  tcp/22 ; x"}) {
    SCOPED_TRACE(line);
    const auto file = parse_rc_file("rc", "[s]\n" + line + "\n");
    EXPECT_TRUE(file.errors.empty());
    EXPECT_EQ(only_setting(file).value_text(), "tcp/22");
  }
}

TEST(RcFile, VariableLosesItsLastColonAndWhatFollows) {
  EXPECT_EQ(only_setting(parse_rc_file("rc", "[s]\nKEY_BASE64: abc\n")).variable, "KEY_BASE64");
  EXPECT_EQ(only_setting(parse_rc_file("rc", "[s]\nKEY_BASE64:x abc\n")).variable, "KEY_BASE64");
  EXPECT_EQ(only_setting(parse_rc_file("rc", "[s]\nA:B: abc\n")).variable, "A:B");
  EXPECT_EQ(only_setting(parse_rc_file("rc", "[s]\nkey_base64 abc\n")).variable, "key_base64");  // case kept
}

TEST(RcFile, LineWithoutValueIsAnErrorWithItsLineAndNoEcho) {
  const auto file = parse_rc_file("f.rc", "[s]\nACCESS tcp/22\nKEY_BASE64:c2VjcmV0a2V5\nUSE_HMAC\nKEY ;x\n");
  ASSERT_EQ(file.errors.size(), 3u);
  EXPECT_EQ(file.errors[0].line, 3);
  EXPECT_EQ(file.errors[1].line, 4);
  EXPECT_EQ(file.errors[2].line, 5);
  EXPECT_EQ(file.errors[0].to_string(), "f.rc:3: expected \"VARIABLE value\"");
  for (const auto& error : file.errors) EXPECT_EQ(error.message.find("c2VjcmV0a2V5"), std::string::npos);
  EXPECT_EQ(file.stanzas[0].settings.size(), 1u);
}

TEST(RcFile, UnclosedBracketIsAnErrorInsideAStanza) {
  const auto file = parse_rc_file("rc", "[s]\n[oops\n");
  ASSERT_EQ(file.errors.size(), 1u);
  EXPECT_EQ(file.errors[0].line, 2);
  EXPECT_EQ(file.stanzas.size(), 1u);
}

TEST(RcFile, LinesBeforeFirstStanzaAreIgnored) {
  const auto file = parse_rc_file("rc", "ACCESS tcp/22\nnonsense\n[oops\n[default]\n");
  EXPECT_TRUE(file.errors.empty());
  ASSERT_EQ(file.stanzas.size(), 1u);
  EXPECT_TRUE(file.stanzas[0].settings.empty());
}

TEST(RcFile, NulByteEndsItsLine) {
  const auto file = parse_rc_file("rc", "[s]\nACCESS tcp/22\0 junk\n\0ACCESS tcp/9\nSPA_SERVER h\0ost\n"s);
  EXPECT_TRUE(file.errors.empty());
  ASSERT_EQ(file.stanzas[0].settings.size(), 2u);
  EXPECT_EQ(file.stanzas[0].settings[0].value_text(), "tcp/22");
  EXPECT_EQ(file.stanzas[0].settings[1].value_text(), "h");
  EXPECT_EQ(file.stanzas[0].settings[1].line, 4);
}

TEST(RcFile, CrLfLinesAndMissingFinalNewline) {
  const auto file = parse_rc_file("rc", "[s]\r\nACCESS tcp/22\r\nSPA_SERVER host");
  EXPECT_TRUE(file.errors.empty());
  ASSERT_EQ(file.stanzas[0].settings.size(), 2u);
  EXPECT_EQ(file.stanzas[0].settings[0].value_text(), "tcp/22");
  EXPECT_EQ(file.stanzas[0].settings[1].value_text(), "host");
}

TEST(RcFile, StanzaNamesAreCaseInsensitiveAndListExcludesDefault) {
  const auto file = parse_rc_file("rc", "[DEFAULT]\n[Web]\n[db]\n[web]\n[Default]\n");
  EXPECT_TRUE(has_stanza(file, "WEB"));
  EXPECT_TRUE(has_stanza(file, "default"));
  EXPECT_FALSE(has_stanza(file, "mail"));
  EXPECT_EQ(stanza_names(file), (std::vector<std::string>{"Web", "db", "web"}));
}

TEST(RcFile, VeryLongLineIsReadWhole) {
  const std::string value(1 << 20, 'a');
  const auto file = parse_rc_file("rc", "[s]\nSPA_SERVER " + value + "\nACCESS tcp/22\n");
  EXPECT_TRUE(file.errors.empty());
  ASSERT_EQ(file.stanzas[0].settings.size(), 2u);
  EXPECT_EQ(file.stanzas[0].settings[0].value_text().size(), value.size());
  EXPECT_EQ(file.stanzas[0].settings[1].line, 3);
}

TEST(RcFile, HundredThousandStanzasStayFast) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "[s" + std::to_string(i) + "]\nACCESS tcp/22\n";
  const auto start = std::chrono::steady_clock::now();
  const auto file = parse_rc_file("rc", text);
  EXPECT_TRUE(has_stanza(file, "s99999"));
  EXPECT_EQ(stanza_names(file).size(), 100000u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(file.stanzas.size(), 100000u);
  EXPECT_EQ(file.stanzas.back().line, 199999);
}

TEST(RcFile, BinaryJunkNeverCrashesAndErrorsHaveLines) {
  std::mt19937 random(12345);
  for (int round = 0; round < 200; ++round) {
    std::string text = "[default]\n";
    const std::size_t size = random() % 4096;
    for (std::size_t i = 0; i < size; ++i) text += static_cast<char>(random() % 256);
    const auto file = parse_rc_file("junk", text);
    for (const auto& error : file.errors) {
      EXPECT_GE(error.line, 1);
      EXPECT_EQ(error.file, "junk");
    }
    for (const auto& stanza : file.stanzas)
      for (const auto& setting : stanza.settings) EXPECT_FALSE(setting.value_text().empty());
  }
}

}  // namespace
}  // namespace sesame::config
