// SPDX-License-Identifier: GPL-2.0-or-later
// The packet pipeline: every drop reason in its place, replays (also re-encoded ones), the stanza policy, and a
// junk flood that grants nothing.
#include "server/pipeline.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "pipeline_test_support.h"
#include "spa/base64.h"
#include "support/temp_dir.h"

namespace sesame::server {
namespace {

using namespace test_support;

std::string knock(const spa::Message& message, bool hmac = true) {
  return *spa::encode(message, client_keys(hmac));
}

class PipelineTest : public ::testing::Test {
 protected:
  // Loads `stanzas` (access.conf text) and builds a pipeline over it.
  void load(const std::string& stanzas, PipelineSettings settings = {}) {
    ASSERT_NO_FATAL_FAILURE(load_access_text(dir_, stanzas, access_));
    auto pipeline = Pipeline::create(access_, settings, replay_);
    ASSERT_TRUE(pipeline) << pipeline.error();
    pipeline_.emplace(std::move(*pipeline));
  }
  static std::string stanza(const std::string& extra = "", const std::string& source = "ANY", bool hmac = true) {
    return "SOURCE " + source + "\nKEY_BASE64 " + kKey + "\n" +
           (hmac ? std::string("HMAC_KEY_BASE64 ") + kHmacKey + "\n" : "") + extra;
  }
  Verdict handle(std::string_view payload, const char* source = "192.0.2.7", std::int64_t now = kNow) {
    return pipeline_->handle(captured(payload, source, now));
  }

  test::TempDir dir_{"sesame-pipeline-test"};
  config::AccessConfig access_;
  MapReplayStore replay_;
  std::optional<Pipeline> pipeline_;
};

TEST_F(PipelineTest, ValidKnockBecomesAnAccessRequest) {
  load(stanza("FW_ACCESS_TIMEOUT 45\n"));
  const Verdict verdict = handle(knock(access_message("10.0.0.1,tcp/22,udp/53")));
  ASSERT_TRUE(verdict.request) << drop_reason_name(verdict.reason);
  EXPECT_EQ(verdict.request->allow_ip.to_string(), "10.0.0.1");
  EXPECT_EQ(verdict.request->packet_source.to_string(), "192.0.2.7");
  ASSERT_EQ(verdict.request->ports.size(), 2u);
  EXPECT_EQ(config::to_string(verdict.request->ports[1]), "udp/53");
  EXPECT_EQ(verdict.request->timeout, std::chrono::seconds(45));
  EXPECT_EQ(verdict.request->username, "alice");
  EXPECT_EQ(pipeline_->accepted(), 1u);
}

TEST_F(PipelineTest, CheapChecksComeFirst) {
  load(stanza());
  EXPECT_EQ(handle(std::string(139, 'A')).reason, DropReason::kTooShort);
  EXPECT_EQ(handle(std::string(1501, 'A')).reason, DropReason::kTooLong);
  EXPECT_EQ(handle(std::string(200, '!')).reason, DropReason::kNotSpaData);
  const std::string valid = knock(access_message());
  EXPECT_EQ(handle(std::string(spa::kRijndaelPrefix) + valid).reason, DropReason::kNotSpaData);
  EXPECT_EQ(handle(std::string(200, 'A')).reason, DropReason::kHmac);
  EXPECT_EQ(replay_.size(), 0u);  // nothing unauthenticated reaches the replay cache
}

TEST_F(PipelineTest, ReplayIsRejectedEvenReEncoded) {
  load(stanza("", "ANY", false));
  const std::string wire = knock(access_message(), false);
  EXPECT_TRUE(handle(wire).request);
  EXPECT_EQ(handle(wire).reason, DropReason::kReplay);
  // protocol.md §17.5: without an HMAC, a padded copy still decodes; it is the same packet.
  EXPECT_EQ(handle(wire + "=").reason, DropReason::kReplay);
}

TEST_F(PipelineTest, WithoutHmacTheSameMessageReEncryptedIsAReplay) {
  load(stanza("", "ANY", false));
  const spa::Message message = access_message();
  const std::string first = knock(message, false);
  const std::string second = knock(message, false);  // a new salt: other ciphertext, same plaintext
  ASSERT_NE(first, second);
  EXPECT_TRUE(handle(first).request);
  EXPECT_EQ(handle(second).reason, DropReason::kReplay);
}

TEST_F(PipelineTest, ReplayIsCaughtWhicheverStanzaReadsThePacket) {
  // Stanza 1 has no HMAC and another key, so it reads the packet differently from stanza 2, which accepts it.
  load("SOURCE ANY\nKEY another-key\n" + stanza());
  const std::string wire = knock(access_message());
  const Verdict first = handle(wire);
  ASSERT_TRUE(first.request) << drop_reason_name(first.reason);
  EXPECT_EQ(first.request->stanza_index, 1u);
  EXPECT_EQ(handle(wire).reason, DropReason::kReplay);
}

TEST_F(PipelineTest, ReplayCacheFullFailsClosed) {
  load(stanza());
  replay_.full = true;
  EXPECT_EQ(handle(knock(access_message())).reason, DropReason::kReplayCacheFull);
}

TEST_F(PipelineTest, TimeWindowIsSymmetric) {
  load(stanza());
  EXPECT_EQ(handle(knock(access_message("10.0.0.1,tcp/22", kNow - 121))).reason, DropReason::kStale);
  EXPECT_EQ(handle(knock(access_message("10.0.0.1,tcp/22", kNow + 121))).reason, DropReason::kStale);
  EXPECT_TRUE(handle(knock(access_message("10.0.0.1,tcp/22", kNow - 119))).request);
  // A packet from the future is burnt even though refused: replayed later, inside its window, it stays refused.
  const std::string future = knock(access_message("10.0.0.1,tcp/22", kNow + 200));
  EXPECT_EQ(handle(future).reason, DropReason::kStale);
  EXPECT_EQ(handle(future, "192.0.2.7", kNow + 200).reason, DropReason::kReplay);
}

TEST_F(PipelineTest, AgingCanBeTurnedOff) {
  load(stanza(), PipelineSettings{.packet_aging = false});
  EXPECT_TRUE(handle(knock(access_message("10.0.0.1,tcp/22", 1000))).request);
}

TEST_F(PipelineTest, SourceAndDestinationSelectStanzas) {
  load(stanza("", "10.9.0.0/16"));
  EXPECT_EQ(handle(knock(access_message()), "192.0.2.7").reason, DropReason::kSource);
  EXPECT_TRUE(handle(knock(access_message()), "10.9.1.2").request);
}

TEST_F(PipelineTest, ZeroAllowIpMeansThePacketSourceUnlessRequired) {
  load(stanza());
  const Verdict verdict = handle(knock(access_message("0.0.0.0,tcp/22")));
  ASSERT_TRUE(verdict.request);
  EXPECT_EQ(verdict.request->allow_ip.to_string(), "192.0.2.7");
  load(stanza("REQUIRE_SOURCE_ADDRESS Y\n"));
  EXPECT_EQ(handle(knock(access_message("0.0.0.0,tcp/22"))).reason, DropReason::kSourceRequired);
}

// sesame's extension: an IPv6 allow address is granted as it is, from an IPv4 or an IPv6 packet.
TEST_F(PipelineTest, Ipv6AllowAddressIsGranted) {
  load(stanza("REQUIRE_SOURCE_ADDRESS Y\n"));
  const Verdict over_ipv4 = handle(knock(access_message("2001:db8::5,tcp/22")));
  ASSERT_TRUE(over_ipv4.request) << drop_reason_name(over_ipv4.reason);
  EXPECT_EQ(over_ipv4.request->allow_ip.to_string(), "2001:db8::5");
  EXPECT_FALSE(over_ipv4.request->is_source_allow_ip);
  const Verdict over_ipv6 = handle(knock(access_message("fd00::2,tcp/22")), "fd00::2");
  ASSERT_TRUE(over_ipv6.request) << drop_reason_name(over_ipv6.reason);
  EXPECT_EQ(over_ipv6.request->allow_ip.to_string(), "fd00::2");
  EXPECT_EQ(over_ipv6.request->packet_source.to_string(), "fd00::2");
}

TEST_F(PipelineTest, StanzaPolicy) {
  load(stanza("REQUIRE_USERNAME bob\n"));
  EXPECT_EQ(handle(knock(access_message())).reason, DropReason::kUser);
  load(stanza("ACCESS_EXPIRE_EPOCH 1600000000\n"));
  EXPECT_EQ(handle(knock(access_message())).reason, DropReason::kExpiredStanza);
  load(stanza("OPEN_PORTS tcp/22\n"));
  EXPECT_EQ(handle(knock(access_message("10.0.0.1,tcp/22,tcp/80"))).reason, DropReason::kDeniedPort);
  EXPECT_TRUE(handle(knock(access_message("10.0.0.1,tcp/22"))).request);
  load(stanza("RESTRICT_PORTS udp/53\n"));
  EXPECT_EQ(handle(knock(access_message("10.0.0.1,tcp/22,udp/53"))).reason, DropReason::kDeniedPort);
}

TEST_F(PipelineTest, ClientTimeoutIsCappedByMaxFwTimeout) {
  load(stanza("MAX_FW_TIMEOUT 60\n"));
  spa::Message message = access_message();
  message.client_timeout = 600;
  const Verdict capped = handle(knock(message));
  ASSERT_TRUE(capped.request);
  EXPECT_EQ(capped.request->timeout, std::chrono::seconds(60));
  message = access_message();
  message.client_timeout = 20;
  EXPECT_EQ(handle(knock(message)).request->timeout, std::chrono::seconds(20));
}

TEST_F(PipelineTest, CommandsNeedEnableCmdExec) {
  spa::Message command = access_message("10.0.0.1,uptime");
  command.type = spa::MessageType::kCommand;
  load(stanza());
  EXPECT_EQ(handle(knock(command)).reason, DropReason::kCommandNotAllowed);
  load(stanza("ENABLE_CMD_EXEC Y\n"));
  command = access_message("10.0.0.1,uptime");
  command.type = spa::MessageType::kCommand;
  const Verdict verdict = handle(knock(command));
  ASSERT_TRUE(verdict.request);
  EXPECT_EQ(verdict.request->command, "uptime");
}

TEST_F(PipelineTest, NatNeedsItsServerSwitch) {
  spa::Message nat = access_message("10.0.0.1,tcp/55000");
  nat.nat_access = "192.168.1.2,22";
  load(stanza());
  EXPECT_EQ(handle(knock(nat)).reason, DropReason::kNatNotEnabled);
  load(stanza(), PipelineSettings{.nat_forwarding = true});
  nat.random_value = access_message().random_value;
  const Verdict verdict = handle(knock(nat));
  ASSERT_TRUE(verdict.request);
  EXPECT_EQ(verdict.request->nat->host, "192.168.1.2");
  EXPECT_EQ(verdict.request->nat->port, 22);
}

TEST_F(PipelineTest, LaterStanzaWithTheRightKeyWins) {
  const std::string wrong = "SOURCE ANY\nKEY wrong-key\nHMAC_KEY wrong-hmac-key\n";
  load(wrong + stanza());
  const Verdict verdict = handle(knock(access_message()));
  ASSERT_TRUE(verdict.request);
  EXPECT_EQ(verdict.request->stanza_index, 1u);
}

TEST_F(PipelineTest, JunkFloodGrantsNothingAndAValidKnockStillWorks) {
  load(stanza());
  std::mt19937 random(42);
  const std::string valid = knock(access_message());
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  for (int i = 0; i < 10000; ++i) {
    std::string junk;
    switch (i % 4) {
      case 0:  // random bytes
        junk.resize(random() % 1600);
        for (auto& c : junk) c = char(random());
        break;
      case 1:  // random base64
        junk.resize(100 + random() % 600);
        for (auto& c : junk) c = kAlphabet[random() % kAlphabet.size()];
        break;
      case 2:  // a valid packet with a byte changed
        junk = valid;
        junk[random() % junk.size()] = kAlphabet[random() % 64];
        if (junk == valid) continue;
        break;
      default:  // truncated
        junk = valid.substr(0, random() % valid.size());
    }
    ASSERT_FALSE(handle(junk).request) << i;
  }
  EXPECT_EQ(pipeline_->accepted(), 0u);
  EXPECT_EQ(replay_.size(), 0u);
  EXPECT_TRUE(handle(valid).request);
}

}  // namespace
}  // namespace sesame::server
