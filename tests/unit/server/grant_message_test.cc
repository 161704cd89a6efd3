// SPDX-License-Identifier: GPL-2.0-or-later
// GrantMessage: what the packet side sends the privileged parent round-trips field by field, and the parent's
// decoder refuses every malformed message (truncated, oversized, unknown version, kind, type, flag or family,
// trailing bytes) with the field named, instead of trusting part of it.
#include "server/daemon/grant_message.h"

#include <gtest/gtest.h>

#include <random>

namespace sesame::server::daemon {
namespace {

AccessRequest sample_request() {
  AccessRequest request;
  request.stanza_index = 2;
  request.type = spa::MessageType::kClientTimeoutNatAccess;
  request.allow_ip = *config::IpAddress::parse("10.0.0.1");
  request.is_source_allow_ip = true;
  request.packet_source = *config::IpAddress::parse("2001:db8::7");
  request.packet_destination = *config::IpAddress::parse("192.0.2.1");
  request.ports = {{config::Protocol::kTcp, 22}, {config::Protocol::kUdp, 53}};
  request.timeout = std::chrono::seconds(45);
  request.client_timeout = std::chrono::seconds(45);
  request.nat = NatTarget{"192.168.1.5", 2222};
  request.username = "alice";
  request.timestamp_s = 1700000000;
  return request;
}

TEST(GrantMessage, RequestRoundTripsEveryField) {
  const AccessRequest sent = sample_request();
  const auto bytes = encode_request_message(sent);
  ASSERT_TRUE(bytes);
  const auto got = decode_grant_message(*bytes);
  ASSERT_TRUE(got) << got.error();
  ASSERT_EQ(got->kind, GrantMessageKind::kRequest);
  const AccessRequest& r = got->request;
  EXPECT_EQ(r.stanza_index, 2u);
  EXPECT_EQ(r.type, spa::MessageType::kClientTimeoutNatAccess);
  EXPECT_EQ(r.allow_ip, sent.allow_ip);
  EXPECT_TRUE(r.is_source_allow_ip);
  EXPECT_EQ(r.packet_source, sent.packet_source);
  EXPECT_EQ(r.packet_destination, sent.packet_destination);
  EXPECT_EQ(r.ports, sent.ports);
  EXPECT_EQ(r.timeout, std::chrono::seconds(45));
  EXPECT_EQ(r.client_timeout, std::chrono::seconds(45));
  ASSERT_TRUE(r.nat);
  EXPECT_EQ(r.nat->host, "192.168.1.5");
  EXPECT_EQ(r.nat->port, 2222);
  EXPECT_FALSE(r.command);
  EXPECT_EQ(r.username, "alice");
  EXPECT_EQ(r.timestamp_s, 1700000000);
}

TEST(GrantMessage, CommandAndReadyRoundTrip) {
  AccessRequest sent;
  sent.type = spa::MessageType::kCommand;
  sent.command = "touch /tmp/x";
  const auto got = decode_grant_message(*encode_request_message(sent));
  ASSERT_TRUE(got) << got.error();
  ASSERT_TRUE(got->request.command);
  EXPECT_EQ(*got->request.command, "touch /tmp/x");
  EXPECT_EQ(decode_grant_message(encode_ready_message())->kind, GrantMessageKind::kReady);
}

TEST(GrantMessage, EveryTruncationIsRefused) {
  const auto bytes = *encode_request_message(sample_request());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const auto got = decode_grant_message(std::span(bytes).first(size));
    EXPECT_FALSE(got) << "accepted the first " << size << " of " << bytes.size() << " bytes";
  }
}

TEST(GrantMessage, MalformedFieldsAreNamed) {
  const auto good = *encode_request_message(sample_request());
  const auto with = [&](std::size_t at, std::uint8_t value) {
    auto bytes = good;
    bytes[at] = value;
    const auto got = decode_grant_message(bytes);
    return got ? std::string("accepted") : got.error();
  };
  EXPECT_EQ(with(0, 2), "version: 2 is not 1");
  EXPECT_EQ(with(1, 9), "kind: unknown value 9");
  EXPECT_EQ(with(6, 7), "message type: unknown value 7");
  EXPECT_EQ(with(7, 0x80), "flags: unknown bits");
  EXPECT_EQ(with(8, 5), "allow IP: unknown address family");
  EXPECT_EQ(with(8 + 1 + 5, 1), "allow IP: IPv4 address with stray bytes");
  auto trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(decode_grant_message(trailing).error(), "trailing bytes after the message");
  EXPECT_EQ(decode_grant_message(std::vector<std::uint8_t>(kMaxGrantMessageBytes + 1, 1)).error(),
            "message larger than its bound");
}

TEST(GrantMessage, BoundsHoldOnBothSides) {
  AccessRequest request = sample_request();
  request.ports.assign(kMaxGrantPorts + 1, {config::Protocol::kTcp, 1});
  EXPECT_FALSE(encode_request_message(request));
  request.ports.assign(kMaxGrantPorts, {config::Protocol::kTcp, 1});
  auto bytes = *encode_request_message(request);
  EXPECT_TRUE(decode_grant_message(bytes));
  // A port count past the bound, written by a compromised child, is refused before any port is read.
  const std::size_t count_at = 2 + 4 + 1 + 1 + 3 * 17 + 4 + 4 + 8 + 2 + request.username.size();
  bytes[count_at] = 0xff;
  bytes[count_at + 1] = 0xff;
  EXPECT_EQ(decode_grant_message(bytes).error(), "port count: more than 1024");
}

TEST(GrantMessage, RandomBytesNeverCrashTheDecoder) {
  std::mt19937 random(20261126);
  const auto good = *encode_request_message(sample_request());
  for (int i = 0; i < 20000; ++i) {
    auto bytes = good;
    for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips)
      bytes[random() % bytes.size()] = static_cast<std::uint8_t>(random());
    bytes.resize(random() % (bytes.size() + 8), 0x41);
    const auto got = decode_grant_message(bytes);
    if (got && got->kind == GrantMessageKind::kRequest) {
      EXPECT_LE(got->request.ports.size(), kMaxGrantPorts);
    }
  }
}

}  // namespace
}  // namespace sesame::server::daemon
