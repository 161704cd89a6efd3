// SPDX-License-Identifier: GPL-2.0-or-later
// GrantMessage encoding: little-endian integers, an address as its family byte and 16 bytes, strings as a length
// and their bytes. Layout of a request (after version and kind):
//   u32 stanza_index, u8 type, u8 flags (1 source allow IP, 2 NAT, 4 command), 3 x address (allow, source,
//   destination), u32 timeout_s, u32 client_timeout_s, i64 timestamp_s, u16 username length + bytes,
//   u16 port count + (u8 protocol, u16 port) each, [NAT: u16 port, u16 host length + bytes],
//   [command: u16 length + bytes].
#include "server/daemon/grant_message.h"

#include <algorithm>
#include <array>

namespace sesame::server::daemon {
namespace {

constexpr std::uint8_t kFlagSourceAllowIp = 1;
constexpr std::uint8_t kFlagNat = 2;
constexpr std::uint8_t kFlagCommand = 4;
constexpr std::uint8_t kKnownFlags = kFlagSourceAllowIp | kFlagNat | kFlagCommand;
constexpr std::uint8_t kFamilyIpv4 = 4;
constexpr std::uint8_t kFamilyIpv6 = 6;
constexpr int kLastMessageType = static_cast<int>(spa::MessageType::kClientTimeoutLocalNatAccess);

class Writer {
 public:
  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) { put(value, 2); }
  void u32(std::uint32_t value) { put(value, 4); }
  void i64(std::int64_t value) { put(static_cast<std::uint64_t>(value), 8); }
  void address(const config::IpAddress& address) {
    u8(address.is_ipv4() ? kFamilyIpv4 : kFamilyIpv6);
    std::array<std::uint8_t, 16> bytes{};
    const auto view = address.bytes();
    std::copy(view.begin(), view.end(), bytes.begin());
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  void text(std::string_view value) {
    u16(static_cast<std::uint16_t>(value.size()));
    out_.insert(out_.end(), value.begin(), value.end());
  }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  void put(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  std::vector<std::uint8_t> out_;
};

// Every read fails (and stays failed) past the end, naming the field it was reading.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool u8(std::uint8_t& value, const char* field) {
    std::uint64_t wide = 0;
    if (!get(wide, 1, field)) return false;
    value = static_cast<std::uint8_t>(wide);
    return true;
  }
  bool u16(std::uint16_t& value, const char* field) {
    std::uint64_t wide = 0;
    if (!get(wide, 2, field)) return false;
    value = static_cast<std::uint16_t>(wide);
    return true;
  }
  bool u32(std::uint32_t& value, const char* field) {
    std::uint64_t wide = 0;
    if (!get(wide, 4, field)) return false;
    value = static_cast<std::uint32_t>(wide);
    return true;
  }
  bool i64(std::int64_t& value, const char* field) {
    std::uint64_t wide = 0;
    if (!get(wide, 8, field)) return false;
    value = static_cast<std::int64_t>(wide);
    return true;
  }
  bool address(config::IpAddress& address, const char* field) {
    std::uint8_t family = 0;
    if (!u8(family, field)) return false;
    if (family != kFamilyIpv4 && family != kFamilyIpv6) return bad(field, "unknown address family");
    if (bytes_.size() - at_ < 16) return bad(field, "truncated");
    std::array<std::uint8_t, 16> raw{};
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(at_), 16, raw.begin());
    at_ += 16;
    if (family == kFamilyIpv4) {
      // The unused 12 bytes must be zero: one address, one encoding.
      for (std::size_t i = 4; i < 16; ++i)
        if (raw[i] != 0) return bad(field, "IPv4 address with stray bytes");
      address = config::IpAddress::ipv4(std::uint32_t{raw[0]} << 24 | std::uint32_t{raw[1]} << 16 |
                                        std::uint32_t{raw[2]} << 8 | raw[3]);
    } else {
      address = config::IpAddress::ipv6(raw);
    }
    return true;
  }
  bool text(std::string& value, std::size_t max, const char* field) {
    std::uint16_t size = 0;
    if (!u16(size, field)) return false;
    if (size > max) return bad(field, "longer than " + std::to_string(max) + " bytes");
    if (bytes_.size() - at_ < size) return bad(field, "truncated");
    value.assign(reinterpret_cast<const char*>(bytes_.data()) + at_, size);
    at_ += size;
    return true;
  }
  bool bad(const char* field, const std::string& why) {
    if (error_.empty()) error_ = std::string(field) + ": " + why;
    return false;
  }
  bool at_end() const { return at_ == bytes_.size(); }
  const std::string& error() const { return error_; }

 private:
  bool get(std::uint64_t& value, int size, const char* field) {
    if (!error_.empty()) return false;
    if (bytes_.size() - at_ < static_cast<std::size_t>(size)) return bad(field, "truncated");
    value = 0;
    for (int i = 0; i < size; ++i) value |= std::uint64_t{bytes_[at_ + i]} << (8 * i);
    at_ += static_cast<std::size_t>(size);
    return true;
  }
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
  std::string error_;
};

bool decode_request(Reader& in, AccessRequest& request) {
  std::uint32_t stanza_index = 0, timeout_s = 0, client_timeout_s = 0;
  std::uint8_t type = 0, flags = 0;
  if (!in.u32(stanza_index, "stanza index") || !in.u8(type, "message type") || !in.u8(flags, "flags")) return false;
  if (type > kLastMessageType) return in.bad("message type", "unknown value " + std::to_string(type));
  if ((flags & ~kKnownFlags) != 0) return in.bad("flags", "unknown bits");
  request.stanza_index = stanza_index;
  request.type = static_cast<spa::MessageType>(type);
  request.is_source_allow_ip = (flags & kFlagSourceAllowIp) != 0;
  if (!in.address(request.allow_ip, "allow IP") || !in.address(request.packet_source, "packet source") ||
      !in.address(request.packet_destination, "packet destination") || !in.u32(timeout_s, "timeout") ||
      !in.u32(client_timeout_s, "client timeout") || !in.i64(request.timestamp_s, "timestamp") ||
      !in.text(request.username, kMaxGrantNameBytes, "username"))
    return false;
  request.timeout = std::chrono::seconds(timeout_s);
  request.client_timeout = std::chrono::seconds(client_timeout_s);
  std::uint16_t port_count = 0;
  if (!in.u16(port_count, "port count")) return false;
  if (port_count > kMaxGrantPorts) return in.bad("port count", "more than " + std::to_string(kMaxGrantPorts));
  request.ports.clear();
  for (std::uint16_t i = 0; i < port_count; ++i) {
    std::uint8_t protocol = 0;
    std::uint16_t port = 0;
    if (!in.u8(protocol, "port protocol") || !in.u16(port, "port")) return false;
    if (protocol != static_cast<std::uint8_t>(config::Protocol::kTcp) &&
        protocol != static_cast<std::uint8_t>(config::Protocol::kUdp))
      return in.bad("port protocol", "neither tcp nor udp");
    request.ports.push_back(config::ProtoPort{static_cast<config::Protocol>(protocol), port});
  }
  if ((flags & kFlagNat) != 0) {
    NatTarget nat;
    if (!in.u16(nat.port, "NAT port") || !in.text(nat.host, kMaxGrantNameBytes, "NAT host")) return false;
    request.nat = std::move(nat);
  }
  if ((flags & kFlagCommand) != 0) {
    std::string command;
    if (!in.text(command, kMaxGrantCommandBytes, "command")) return false;
    request.command = std::move(command);
  }
  return true;
}

}  // namespace

std::vector<std::uint8_t> encode_ready_message() {
  return {kGrantMessageVersion, static_cast<std::uint8_t>(GrantMessageKind::kReady)};
}

Result<std::vector<std::uint8_t>, std::string> encode_request_message(const AccessRequest& request) {
  if (request.ports.size() > kMaxGrantPorts) return fail(std::string("too many ports"));
  if (request.username.size() > kMaxGrantNameBytes) return fail(std::string("username too long"));
  if (request.nat && request.nat->host.size() > kMaxGrantNameBytes) return fail(std::string("NAT host too long"));
  if (request.command && request.command->size() > kMaxGrantCommandBytes) return fail(std::string("command too long"));
  Writer out;
  out.u8(kGrantMessageVersion);
  out.u8(static_cast<std::uint8_t>(GrantMessageKind::kRequest));
  out.u32(static_cast<std::uint32_t>(request.stanza_index));
  out.u8(static_cast<std::uint8_t>(request.type));
  out.u8(static_cast<std::uint8_t>((request.is_source_allow_ip ? kFlagSourceAllowIp : 0) |
                                   (request.nat ? kFlagNat : 0) | (request.command ? kFlagCommand : 0)));
  out.address(request.allow_ip);
  out.address(request.packet_source);
  out.address(request.packet_destination);
  out.u32(static_cast<std::uint32_t>(request.timeout.count()));
  out.u32(static_cast<std::uint32_t>(request.client_timeout.count()));
  out.i64(request.timestamp_s);
  out.text(request.username);
  out.u16(static_cast<std::uint16_t>(request.ports.size()));
  for (const auto& entry : request.ports) {
    out.u8(static_cast<std::uint8_t>(entry.protocol));
    out.u16(entry.port);
  }
  if (request.nat) {
    out.u16(request.nat->port);
    out.text(request.nat->host);
  }
  if (request.command) out.text(*request.command);
  return out.take();
}

Result<GrantMessage, std::string> decode_grant_message(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > kMaxGrantMessageBytes) return fail(std::string("message larger than its bound"));
  Reader in(bytes);
  std::uint8_t version = 0, kind = 0;
  if (!in.u8(version, "version") || !in.u8(kind, "kind")) return fail(in.error());
  if (version != kGrantMessageVersion) return fail("version: " + std::to_string(version) + " is not 1");
  GrantMessage message;
  if (kind == static_cast<std::uint8_t>(GrantMessageKind::kReady)) {
    message.kind = GrantMessageKind::kReady;
  } else if (kind == static_cast<std::uint8_t>(GrantMessageKind::kRequest)) {
    if (!decode_request(in, message.request)) return fail(in.error());
  } else {
    return fail("kind: unknown value " + std::to_string(kind));
  }
  if (!in.at_end()) return fail(std::string("trailing bytes after the message"));
  return message;
}

}  // namespace sesame::server::daemon
