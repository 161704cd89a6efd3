// SPDX-License-Identifier: GPL-2.0-or-later
// PacketFactory: fresh SPA packets (valid, or one of the junk kinds) for the sesamed-vs-fwknopd benchmark.
#include "packet_factory.h"

#include <ctime>

namespace sesame::bench {
namespace {

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::optional<PacketKind> parse_packet_kind(std::string_view name) {
  if (name == "valid") return PacketKind::kValid;
  if (name == "base64") return PacketKind::kRandomBase64;
  if (name == "binary") return PacketKind::kRandomBinary;
  if (name == "badhmac") return PacketKind::kBadHmac;
  return std::nullopt;
}

std::optional<PacketFactory> PacketFactory::create(const BenchKeys& keys) {
  spa::Keys spa_keys;
  spa_keys.encryption_key = SecretBytes::from_text(keys.key);
  spa_keys.hmac_key = SecretBytes::from_text(keys.hmac_key);
  auto codec = spa::PacketCodec::create(spa_keys);
  if (!codec) return std::nullopt;
  return PacketFactory(std::move(*codec));
}

std::string PacketFactory::valid(const std::string& access) {
  spa::Message message;
  // 16 digits: a serial keeps them distinct within a run, the random high part across runs.
  const std::uint64_t value = (random_() % 100000000ULL) * 100000000ULL + (serial_++ % 100000000ULL);
  std::string digits = std::to_string(value);
  message.random_value = std::string(16 - std::min<std::size_t>(16, digits.size()), '0') + digits;
  message.username = "bench";
  message.timestamp = std::uint32_t(std::time(nullptr));
  message.message = access;
  auto wire = codec_.encode(message);
  return wire ? std::move(*wire) : std::string();
}

std::string PacketFactory::make(PacketKind kind, const std::string& access) {
  std::string packet = valid(access);
  switch (kind) {
    case PacketKind::kValid:
      break;
    case PacketKind::kRandomBase64:  // the size of a real packet, so the server cannot reject it by length
      for (char& c : packet) c = kBase64Alphabet[random_() % kBase64Alphabet.size()];
      break;
    case PacketKind::kRandomBinary:
      for (char& c : packet) c = char(random_() & 0xff);
      break;
    case PacketKind::kBadHmac: {  // a real packet whose tag (the last 43 characters) has one character changed
      char& c = packet[packet.size() - 1 - random_() % 40];
      c = c == 'A' ? 'B' : 'A';
      break;
    }
  }
  return packet;
}

std::vector<std::string> PacketFactory::make_pool(PacketKind kind, const std::string& access, std::size_t count) {
  std::vector<std::string> pool;
  pool.reserve(count);
  for (std::size_t i = 0; i < count; ++i) pool.push_back(make(kind, access));
  return pool;
}

}  // namespace sesame::bench
