// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-inspect run as a program (docs/man/sesame-inspect.1.md): its field dump, its one-line reasons and its exit
// codes, 0 for a valid packet, 1 for an invalid one, 2 for a usage error.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/field_dump.h"
#include "support/gpg_home.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "support/test_vectors.h"

#ifndef SESAME_INSPECT_PATH
#error "SESAME_INSPECT_PATH must name the built sesame-inspect"
#endif

namespace sesame::test {
namespace {

nlohmann::json vector_with_id(const std::string& file, const std::string& id) {
  const nlohmann::json vectors = load_json(file).at("vectors");
  for (const auto& vector : vectors) {
    if (vector.at("id") == id) return vector;
  }
  throw std::runtime_error(file + ": no vector " + id);
}

// --key-base64-rijndael and --key-base64-hmac of a vector with base64 keys (HMAC type: the default, SHA256).
std::vector<std::string> base64_keys(const nlohmann::json& vector) {
  return {"--key-base64-rijndael", vector.at("key_base64"), "--key-base64-hmac", vector.at("hmac_key_base64")};
}

bool has_line(const std::string& output, const std::string& line) {
  const std::vector<std::string> lines = split_lines(output);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

class SesameInspect : public ::testing::Test {
 protected:
  static ProcessResult inspect(std::vector<std::string> args, std::optional<std::string> stdin_text = {}) {
    args.insert(args.begin(), SESAME_INSPECT_PATH);
    return run_process(args, {.stdin_text = std::move(stdin_text), .timeout = std::chrono::seconds(30)});
  }
  // `args`, then a file holding `packet`.
  ProcessResult inspect_packet(std::vector<std::string> args, const std::string& packet) {
    args.push_back(dir_.write_file("spa.packet", packet));
    return inspect(std::move(args));
  }

  const nlohmann::json cbc_ = vector_with_id("deterministic_vectors.json", "det_cbc_hmac_sha256");
  const std::string cbc_wire_ = cbc_.at("spa_wire");
  TempDir dir_{"sesame-inspect-test"};
};

TEST_F(SesameInspect, ValidPacketFilePrintsEveryFieldAndExitsZero) {
  const ProcessResult run = inspect_packet(base64_keys(cbc_), cbc_wire_);
  ASSERT_EQ(run.exit_status, 0) << run.output;
  for (const char* line :
       {"       Username: alice", " Message String: 192.168.1.10,tcp/22", "    Digest Type: 3 (SHA256)",
        "      HMAC Type: 3 (SHA256)", "Encryption Mode: 2 (CBC)", "           Salt: 0011223344556677"})
    EXPECT_TRUE(has_line(run.output, line)) << line << "\n" << run.output;
  const FieldMap fields = parse_field_dump(run.output);
  EXPECT_EQ(fields.at("Replay Digest"), cbc_.at("replay_digest"));
  EXPECT_EQ(fields.at("Final SPA Data"), cbc_wire_);
}

TEST_F(SesameInspect, DashReadsThePacketFromStandardInput) {
  std::vector<std::string> args = base64_keys(cbc_);
  args.push_back("-");
  const ProcessResult run = inspect(args, cbc_wire_);
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(run.output, inspect_packet(base64_keys(cbc_), cbc_wire_).output);
}

// `fwknop -B FILE` ends the packet with a newline; the wire payload has none.
TEST_F(SesameInspect, TrailingNewlineOfFwknopSaveFileIsIgnored) {
  const ProcessResult run = inspect_packet(base64_keys(cbc_), cbc_wire_ + "\n");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(parse_field_dump(run.output).at("Final SPA Data"), cbc_wire_);
}

TEST_F(SesameInspect, OneChangedCharacterIsOneLineHmacMismatch) {
  std::string changed = cbc_wire_;
  changed[20] = changed[20] == 'A' ? 'B' : 'A';
  const ProcessResult run = inspect_packet(base64_keys(cbc_), changed);
  EXPECT_EQ(run.exit_status, 1);
  EXPECT_EQ(split_lines(run.output).size(), 1u) << run.output;
  EXPECT_NE(run.output.find("HMAC mismatch"), std::string::npos) << run.output;
}

// The HMAC is checked first and passes; only then does the wrong Rijndael key fail.
TEST_F(SesameInspect, WrongRijndaelKeyWithRightHmacKeyFailsDecryption) {
  const ProcessResult run =
      inspect_packet({"--key-rijndael", "not the key", "--key-base64-hmac", cbc_.at("hmac_key_base64")}, cbc_wire_);
  EXPECT_EQ(run.exit_status, 1);
  EXPECT_EQ(run.output.find("HMAC mismatch"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("decryption failed"), std::string::npos) << run.output;
}

TEST_F(SesameInspect, MissingHmacKeyForHmacPacketHintsAtKeyHmac) {
  const ProcessResult run = inspect_packet({"--key-base64-rijndael", cbc_.at("key_base64")}, cbc_wire_);
  EXPECT_EQ(run.exit_status, 1);
  EXPECT_NE(run.output.find("give --key-hmac or --key-base64-hmac"), std::string::npos) << run.output;
}

TEST_F(SesameInspect, UsageErrorsExitTwo) {
  const std::string packet = dir_.write_file("spa.packet", cbc_wire_);
  const struct {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{packet}, "no key"},
      {{"--key-base64-rijndael", "!!!", packet}, "--key-base64-rijndael: not valid base64"},
      {{"--key-rijndael", "k", "-M", "bogus", packet}, "\"bogus\" is not one of"},
      {{"--key-rijndael", "k", dir_.path() + "/missing.packet"}, "cannot read"},
  };
  for (const auto& c : cases) {
    const ProcessResult run = inspect(c.args);
    EXPECT_EQ(run.exit_status, 2) << c.says << "\n" << run.output;
    EXPECT_NE(run.output.find(c.says), std::string::npos) << run.output;
  }
}

TEST_F(SesameInspect, LegacyModePacketWithoutHmacDecodes) {
  const auto legacy = vector_with_id("deterministic_vectors.json", "det_legacy_no_hmac");
  const ProcessResult run = inspect_packet({"--key-rijndael", "fwknoptest", "-M", "legacy"}, legacy.at("spa_wire"));
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_TRUE(has_line(run.output, "      HMAC Type: 0 (None)")) << run.output;
}

TEST_F(SesameInspect, CtrPacketNeedsCtrMode) {
  const auto ctr = vector_with_id("deterministic_vectors.json", "det_ctr_hmac_sha512_timeout");
  std::vector<std::string> args = base64_keys(ctr);
  args.insert(args.end(), {"--hmac-digest-type", "sha512"});
  const ProcessResult cbc = inspect_packet(args, ctr.at("spa_wire"));
  EXPECT_EQ(cbc.exit_status, 1) << cbc.output;
  args.insert(args.end(), {"-M", "ctr"});
  const ProcessResult run = inspect_packet(args, ctr.at("spa_wire"));
  EXPECT_EQ(run.exit_status, 0) << run.output;
}

TEST_F(SesameInspect, HelpExitsZero) {
  const ProcessResult run = inspect({"--help"});
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("--key-base64-hmac"), std::string::npos) << run.output;
}

TEST_F(SesameInspect, SignedGpgPacketFromFwknopShowsTheSigner) {
  const auto gpg = vector_with_id("client_vectors.json", "gpg_signed_hmac_sha256");
  const GpgHome home;
  const ProcessResult run = inspect_packet(
      {"--gpg-home-dir", home.path(), "--key-base64-hmac", gpg.at("hmac_key_base64")}, gpg.at("spa_wire"));
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_TRUE(has_line(run.output, "     GPG sig ID: CB817768")) << run.output;
  EXPECT_TRUE(has_line(run.output, "   GPG sig good: Yes")) << run.output;
  EXPECT_TRUE(has_line(run.output, "Encryption Type: 2 (GPG)")) << run.output;
}

}  // namespace
}  // namespace sesame::test
