// SPDX-License-Identifier: GPL-2.0-or-later
// PacketFactory: fresh SPA packets (valid, or one of the junk kinds) for the sesamed-vs-fwknopd benchmark.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "spa/packet_codec.h"

namespace sesame::bench {

enum class PacketKind { kValid, kRandomBase64, kRandomBinary, kBadHmac };

std::optional<PacketKind> parse_packet_kind(std::string_view name);

// Text keys, as `KEY` and `HMAC_KEY` in both servers' access.conf: Rijndael-CBC, HMAC-SHA256 (the defaults).
struct BenchKeys {
  std::string key;
  std::string hmac_key;
};

class PacketFactory {
 public:
  static std::optional<PacketFactory> create(const BenchKeys& keys);

  // One packet asking for `access` ("IP,tcp/PORT"): every call a new random value and the current time, so no two
  // packets share a digest (both servers' replay caches would drop a repeat).
  std::string make(PacketKind kind, const std::string& access);
  std::vector<std::string> make_pool(PacketKind kind, const std::string& access, std::size_t count);

 private:
  explicit PacketFactory(spa::PacketCodec codec) : codec_(std::move(codec)) {}
  std::string valid(const std::string& access);

  spa::PacketCodec codec_;
  std::mt19937_64 random_{std::random_device{}()};
  std::uint64_t serial_ = 0;
};

}  // namespace sesame::bench
