// SPDX-License-Identifier: GPL-2.0-or-later
// check_grant, the privileged parent's re-check: what the real pipeline accepts passes it after the trip through
// the wire format, and each way a compromised packet side could ask for more than access.conf allows is refused
// with its reason: stanza out of range, ports outside OPEN_PORTS or inside RESTRICT_PORTS, a longer timeout, a
// source outside SOURCE, NAT or a command the configuration does not enable, 0.0.0.0 under REQUIRE_SOURCE_ADDRESS.
#include "server/daemon/grant_check.h"

#include <gtest/gtest.h>

#include "pipeline_test_support.h"
#include "server/daemon/grant_message.h"
#include "spa/base64.h"
#include "spa/packet_codec.h"
#include "support/temp_dir.h"

namespace sesame::server::daemon {
namespace {

using namespace server::test_support;

class NoReplayStore : public ReplayStore {
 public:
  bool contains(const ReplayDigest&, std::int64_t) override { return false; }
  Insert insert(const ReplayDigest&, std::int64_t, std::int64_t) override { return Insert::kFresh; }
};

class GrantCheckTest : public ::testing::Test {
 protected:
  void load(const std::string& stanzas) { ASSERT_NO_FATAL_FAILURE(load_access_text(dir_, stanzas, access_)); }
  static std::string stanza(const std::string& extra) {
    return std::string("SOURCE 192.0.2.0/24\nKEY_BASE64 ") + kKey + "\nHMAC_KEY_BASE64 " + kHmacKey + "\n" + extra;
  }
  // What the real pipeline makes of a knock asking for `access`, sent through the wire format.
  AccessRequest accepted(const std::string& access, std::uint32_t client_timeout = 0) {
    auto pipeline = Pipeline::create(access_, settings_, replay_);
    EXPECT_TRUE(pipeline) << pipeline.error();
    spa::Message message;
    message.random_value = "1234567890123456";
    message.username = "alice";
    message.timestamp = kNow;
    message.message = access;
    if (client_timeout > 0) {
      message.type = spa::MessageType::kClientTimeoutAccess;
      message.client_timeout = client_timeout;
    }
    const std::string wire = *spa::encode(message, client_keys());
    Verdict verdict = pipeline->handle(captured(wire));
    EXPECT_TRUE(verdict.request) << drop_reason_name(verdict.reason);
    auto decoded = decode_grant_message(*encode_request_message(*verdict.request));
    EXPECT_TRUE(decoded) << decoded.error();
    return decoded->request;
  }
  std::string refusal(const AccessRequest& request) const {
    const auto checked = check_grant(request, access_, settings_, kNow);
    return checked ? "allowed" : checked.error();
  }

  test::TempDir dir_{"sesame-grant-check"};
  config::AccessConfig access_;
  PipelineSettings settings_;
  NoReplayStore replay_;
};

TEST_F(GrantCheckTest, WhatThePipelineAcceptsPasses) {
  load(stanza("OPEN_PORTS tcp/22, udp/53\nFW_ACCESS_TIMEOUT 30\nMAX_FW_TIMEOUT 60\n"));
  EXPECT_EQ(refusal(accepted("10.0.0.1,tcp/22,udp/53")), "allowed");
  EXPECT_EQ(refusal(accepted("10.0.0.1,tcp/22", 60)), "allowed");
}

TEST_F(GrantCheckTest, ForgedRequestsBeyondTheStanzaAreRefused) {
  load(stanza("OPEN_PORTS tcp/22\nRESTRICT_PORTS tcp/23\nFW_ACCESS_TIMEOUT 30\nMAX_FW_TIMEOUT 60\n"));
  const AccessRequest good = accepted("10.0.0.1,tcp/22");
  ASSERT_EQ(refusal(good), "allowed");

  AccessRequest forged = good;
  forged.stanza_index = 1;
  EXPECT_EQ(refusal(forged), "stanza index 1 out of range (1 stanzas)");
  forged = good;
  forged.ports = {{config::Protocol::kTcp, 80}};
  EXPECT_EQ(refusal(forged), "ports not allowed by OPEN_PORTS/RESTRICT_PORTS");
  forged.ports = {{config::Protocol::kTcp, 22}, {config::Protocol::kTcp, 23}};
  EXPECT_EQ(refusal(forged), "ports not allowed by OPEN_PORTS/RESTRICT_PORTS");
  forged.ports.clear();
  EXPECT_EQ(refusal(forged), "ports not allowed by OPEN_PORTS/RESTRICT_PORTS");
  forged = good;
  forged.timeout = std::chrono::seconds(61);
  EXPECT_EQ(refusal(forged), "timeout 61 s beyond FW_ACCESS_TIMEOUT/MAX_FW_TIMEOUT");
  forged.timeout = std::chrono::seconds(0);
  EXPECT_EQ(refusal(forged), "timeout 0 s beyond FW_ACCESS_TIMEOUT/MAX_FW_TIMEOUT");
  forged = good;
  forged.packet_source = *config::IpAddress::parse("198.51.100.1");
  EXPECT_EQ(refusal(forged), "packet source outside SOURCE");
  forged = good;
  forged.type = spa::MessageType::kNatAccess;
  forged.nat = NatTarget{"192.168.1.5", 22};
  EXPECT_EQ(refusal(forged), "NAT, and fwknopd.conf does not enable it");
  forged.nat.reset();
  EXPECT_EQ(refusal(forged), "NAT target and message type disagree");
  forged = good;
  forged.type = spa::MessageType::kCommand;
  forged.command = "rm -rf /";
  forged.ports.clear();
  EXPECT_EQ(refusal(forged), "a command message, and the stanza has no ENABLE_CMD_EXEC");
  forged = good;
  forged.command = "rm -rf /";
  EXPECT_EQ(refusal(forged), "a command in an access request");
}

TEST_F(GrantCheckTest, StanzaRequirementsAreCheckedAgain) {
  load(stanza("REQUIRE_SOURCE_ADDRESS Y\nREQUIRE_USERNAME alice\nENABLE_CMD_EXEC Y\n"));
  const AccessRequest good = accepted("10.0.0.1,tcp/22");
  ASSERT_EQ(refusal(good), "allowed");
  AccessRequest forged = good;
  forged.is_source_allow_ip = true;
  EXPECT_EQ(refusal(forged), "allow IP 0.0.0.0, and the stanza has REQUIRE_SOURCE_ADDRESS");
  forged = good;
  forged.username = "mallory";
  EXPECT_EQ(refusal(forged), "username is not REQUIRE_USERNAME");
  forged = good;
  forged.type = spa::MessageType::kCommand;
  forged.command = "uptime";
  forged.ports.clear();
  EXPECT_EQ(refusal(forged), "allowed");  // ENABLE_CMD_EXEC Y: a command is this stanza's to allow
}

TEST_F(GrantCheckTest, ExpiredStanzaGrantsNothing) {
  load(stanza("ACCESS_EXPIRE_EPOCH 1600000000\n"));
  AccessRequest request;
  request.packet_source = *config::IpAddress::parse("192.0.2.7");
  request.ports = {{config::Protocol::kTcp, 22}};
  request.timeout = std::chrono::seconds(30);
  EXPECT_EQ(refusal(request), "the stanza has expired (ACCESS_EXPIRE)");
}

}  // namespace
}  // namespace sesame::server::daemon
