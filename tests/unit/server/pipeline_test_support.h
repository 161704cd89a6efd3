// SPDX-License-Identifier: GPL-2.0-or-later
// What the pipeline tests share: the fwknop test keys, an in-memory replay store, and access.conf text loaded into
// an AccessConfig (the real loader, from a file in a test directory).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

#include "config/access_loader.h"
#include "server/pipeline.h"
#include "spa/base64.h"
#include "spa/keys.h"
#include "support/temp_dir.h"

namespace sesame::server::test_support {

inline constexpr const char* kKey = "8eRJ7C3hJ54OU7B46ToDehnJkRsqtpBwzGSbqXDQHY4=";
inline constexpr const char* kHmacKey =
    "PKQLbWi8yanTTm7qT1TUoG0nYKtCohPsI4KeQg8sO+9PYx3oLo9WyXplVLLpDfeCePV7UDm2liLeg3U7Qkma5Q==";
inline constexpr std::int64_t kNow = 1700000000;

// An in-memory store: the real cache has its own tests; here only the pipeline's use of it counts.
class MapReplayStore : public ReplayStore {
 public:
  bool contains(const ReplayDigest& key, std::int64_t) override { return entries_.count(key) > 0; }
  Insert insert(const ReplayDigest& key, std::int64_t, std::int64_t keep_until) override {
    if (full) return Insert::kFull;
    return entries_.emplace(key, keep_until).second ? Insert::kFresh : Insert::kReplay;
  }
  bool full = false;
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<ReplayDigest, std::int64_t> entries_;
};

// The client's side of kKey and kHmacKey (Rijndael CBC, HMAC-SHA256).
inline spa::Keys client_keys(bool hmac = true) {
  spa::Keys keys;
  keys.encryption_key = SecretBytes(*spa::base64_decode(kKey));
  if (hmac) keys.hmac_key = SecretBytes(*spa::base64_decode(kHmacKey));
  return keys;
}

// An access request from "alice" at `timestamp`, each with a new random value.
inline spa::Message access_message(std::string message = "10.0.0.1,tcp/22", std::uint32_t timestamp = kNow) {
  static std::uint64_t counter = 1000000000000000;
  spa::Message m;
  m.random_value = std::to_string(++counter);
  m.username = "alice";
  m.timestamp = timestamp;
  m.message = std::move(message);
  return m;
}

// `payload` as a UDP datagram from `source` to port 62201, received at `now`.
inline CapturedPacket captured(std::string_view payload, const char* source = "192.0.2.7", std::int64_t now = kNow) {
  CapturedPacket packet;
  packet.payload = payload;
  packet.source = *config::IpAddress::parse(source);
  packet.source_port = 40000;
  packet.destination_port = 62201;
  packet.received_s = now;
  return packet;
}

// access.conf `text` through the real loader; a load error fails the test (check with ASSERT_NO_FATAL_FAILURE).
inline void load_access_text(const test::TempDir& dir, const std::string& text, config::AccessConfig& access) {
  config::AccessLoadOptions options;
  options.access_file = dir.write_file("access.conf", text);
  auto loaded = config::load_access_config(options);
  ASSERT_TRUE(loaded) << loaded.error().front().to_string();
  access = std::move(*loaded);
}

}  // namespace sesame::server::test_support
