// SPDX-License-Identifier: GPL-2.0-or-later
// NftElementWriter: adds and deletes set elements straight over netlink (libnftnl builds the messages, libmnl
// sends them), one batch = one nftables transaction. The grant path's fast lane: libnftables parses command
// text and refreshes its cache per run (~10 µs an element in a batch, ~50 µs for a single add); this costs ~1-3 µs
// an element. Tables, chains and listings stay with libnftables.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/firewall/firewall_backend.h"

struct mnl_socket;

namespace sesame::server::firewall {

// One set element: the key as the kernel holds it (concatenated fields, each padded to 4 bytes).
struct NftElementKey {
  std::array<std::uint8_t, 24> bytes{};  // ipv6_addr . inet_proto . inet_service is the longest: 16 + 4 + 4
  std::uint8_t size = 0;
};

// ipv4_addr . inet_proto . inet_service, or ipv6_addr . ..., for the input sets (sesame_in4, sesame_in6).
NftElementKey nft_input_key(const config::IpAddress& address, std::uint8_t protocol, std::uint16_t port);

class NftElementWriter {
 public:
  // family: "inet", "ip" or "ip6"; table: its name. Opens the netlink socket (needs CAP_NET_ADMIN).
  static Result<std::unique_ptr<NftElementWriter>, FirewallError> create(const std::string& family,
                                                                         const std::string& table);
  ~NftElementWriter();
  NftElementWriter(const NftElementWriter&) = delete;
  NftElementWriter& operator=(const NftElementWriter&) = delete;

  // Queues elements for the next commit(); timeout_ms is ignored for deletes.
  void add(const std::string& set, const NftElementKey& key, std::int64_t timeout_ms);
  void remove(const std::string& set, const NftElementKey& key);
  bool empty() const { return groups_.empty(); }
  // Sends everything queued as one transaction and waits for the kernel's verdict: all applied, or none.
  Result<Ok, FirewallError> commit();

 private:
  struct Element {
    NftElementKey key;
    std::int64_t timeout_ms = 0;
  };
  struct Group {  // consecutive operations of one kind on one set: one or more netlink messages
    bool is_delete = false;
    std::string set;
    std::vector<Element> elements;
  };

  NftElementWriter(std::uint16_t family, std::string table, mnl_socket* socket);
  Group& group_for(bool is_delete, const std::string& set);
  Result<Ok, FirewallError> receive_acks(std::uint32_t begin_seq, std::uint32_t expected);

  std::uint16_t family_;
  std::string table_;
  mnl_socket* socket_;
  std::uint32_t port_id_ = 0;
  std::uint32_t seq_ = 0;
  std::size_t send_buffer_ = 0;  // what SO_SNDBUF was last raised to
  std::vector<Group> groups_;
  std::vector<char> receive_buffer_;
};

}  // namespace sesame::server::firewall
