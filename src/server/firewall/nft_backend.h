// SPDX-License-Identifier: GPL-2.0-or-later
// NftBackend: grants as elements of nftables sets with kernel timeouts, through libnftables. Access closes on
// time in the kernel even if sesamed dies; a burst of grants is one transaction. The grant path's input set
// elements go straight over netlink (nft_element_writer.h); everything else is nft command text.
//
// In the configured table (NFT_TABLE, created if absent) it keeps sets sesame_in4 and sesame_in6
// (address . protocol . port, flags timeout), a chain sesame_input accepting what they hold, and one
// `jump sesame_input` at NFT_JUMP_POSITION of NFT_INPUT_CHAIN (a base chain with policy accept is created when
// absent; an existing chain's policy is never changed). With NFT_JUMP_POSITION 0 there is no jump: a
// hand-written ruleset refers to the sets or the chain itself.
//
// With ENABLE_IPT_FORWARDING or ENABLE_IPT_LOCAL_NAT, NAT grants are elements of the NAT sets and maps of
// nft_nat.h too (DNAT in sesame_prerouting, SNAT/MASQUERADE in sesame_postrouting, forward accepts in
// sesame_forward, jumped to from NFT_FORWARD_CHAIN as input is), added in the same transaction. docs/nftables.md
// describes the whole layout.
#pragma once

#include <nftables/libnftables.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/firewall/firewall_backend.h"
#include "server/firewall/nft_element_writer.h"
#include "server/firewall/nft_settings.h"

namespace sesame::server::firewall {

struct NftTable;
struct NftChain;

class NftBackend final : public FirewallBackend {
 public:
  static constexpr std::string_view kSetIpv4 = "sesame_in4";
  static constexpr std::string_view kSetIpv6 = "sesame_in6";
  static constexpr std::string_view kInputChain = "sesame_input";
  // Marks a table or base chain sesamed created, so that flush() (even of a later run) removes it again.
  static constexpr std::string_view kCreatedComment = "created by sesamed";
  // Grants remembered for expire() and for refreshing timeouts; past this, grants still work but are not
  // reported when they expire.
  static constexpr std::size_t kMaxTracked = std::size_t{1} << 20;

  static Result<std::unique_ptr<NftBackend>, FirewallError> create(NftSettings settings);

  std::string_view name() const override { return "nftables"; }
  Result<Ok, FirewallError> start(std::int64_t now_s) override;
  Result<Ok, FirewallError> open(std::span<const GrantRequest> grants, std::int64_t now_s) override;
  Result<std::vector<ExpiredGrant>, FirewallError> expire(std::int64_t now_s) override;
  Result<std::string, FirewallError> list(bool everything) override;
  Result<Ok, FirewallError> flush() override;

  // What start() found worth a log line: chains of other tables that drop input sesame's accept cannot reach.
  std::vector<std::string> warnings() const override { return warnings_; }
  std::size_t tracked_count() const { return tracked_.size(); }
  std::size_t nat_tracked_count() const { return nat_tracked_.size(); }

 private:
  struct ContextFree {
    void operator()(nft_ctx* ctx) const noexcept { nft_ctx_free(ctx); }
  };
  struct Key {  // one set element
    config::IpAddress address;
    std::uint8_t protocol = 0;
    std::uint16_t port = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Deadline {
    std::int64_t expires_ms = 0;
    Key key;
    bool operator>(const Deadline& other) const { return expires_ms > other.expires_ms; }
  };

  // One element of a NAT set or map, by "object key".
  struct NatTracked {
    std::string value;  // map data ("10.0.1.2 . 22222"); empty in a set
    std::int64_t expires_ms = 0;
    std::optional<ExpiredGrant> report;
  };
  struct NatDeadline {
    std::int64_t expires_ms = 0;
    std::string id;
    bool operator>(const NatDeadline& other) const { return expires_ms > other.expires_ms; }
  };

  NftBackend(NftSettings settings, std::unique_ptr<nft_ctx, ContextFree> ctx, std::unique_ptr<NftElementWriter> writer);

  // Runs nft commands (one transaction); returns what nft printed.
  Result<std::string, FirewallError> run(const std::string& commands, unsigned output_flags = 0);
  Result<Ok, FirewallError> recover(std::int64_t now_ms);
  Result<Ok, FirewallError> recover_nat(std::int64_t now_ms);
  void track(const Key& key, std::int64_t expires_ms);
  void track_nat(const std::string& id, NatTracked tracked);
  void find_unreachable_drops(const std::vector<NftTable>& tables);
  // The jump from `base_chain` (as listed, null when absent) to `chain` at NFT_JUMP_POSITION, unless it exists.
  std::string jump_commands(std::string_view base_chain, const NftChain* listed, std::string_view chain) const;
  // Deletes the jumps from `base_chain` to `chain`, `chain` itself, and `base_chain` if sesamed created it and
  // nothing else is left in it.
  std::string unhook_commands(const NftTable& table, std::string_view base_chain, std::string_view chain) const;

  NftSettings settings_;
  std::string table_;  // "inet filter"
  std::unique_ptr<nft_ctx, ContextFree> ctx_;
  std::unique_ptr<NftElementWriter> writer_;  // input set elements over raw netlink; null: through libnftables
  const std::string set_ipv4_{kSetIpv4};
  const std::string set_ipv6_{kSetIpv6};
  std::vector<std::string> warnings_;
  std::unordered_map<Key, std::int64_t, KeyHash> tracked_;                          // element -> when it expires (ms)
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;  // may hold stale entries
  bool is_tracking_complete_ = true;                         // false once an element exists that tracked_ does not know
  std::unordered_map<std::string, NatTracked> nat_tracked_;  // every live NAT element (there are few)
  std::priority_queue<NatDeadline, std::vector<NatDeadline>, std::greater<>> nat_deadlines_;  // may be stale
  std::string batch_;                                                                         // reused command buffer
};

}  // namespace sesame::server::firewall
