// SPDX-License-Identifier: GPL-2.0-or-later
// NftBackend: grants as elements of nftables sets with kernel timeouts, through libnftables. Access closes on
// time in the kernel even if sesamed dies; a burst of grants is one transaction.
//
// In the configured table (NFT_TABLE, created if absent) it keeps sets sesame_in4 and sesame_in6
// (address . protocol . port, flags timeout), a chain sesame_input accepting what they hold, and one
// `jump sesame_input` at NFT_JUMP_POSITION of NFT_INPUT_CHAIN (a base chain with policy accept is created when
// absent; an existing chain's policy is never changed). With NFT_JUMP_POSITION 0 there is no jump: a
// hand-written ruleset refers to the sets or the chain itself.
#pragma once

#include <nftables/libnftables.h>

#include <array>
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/firewall/firewall_backend.h"
#include "server/firewall/nft_settings.h"

namespace sesame::server::firewall {

struct NftTable;

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
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::size_t tracked_count() const { return tracked_.size(); }

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

  NftBackend(NftSettings settings, std::unique_ptr<nft_ctx, ContextFree> ctx);

  // Runs nft commands (one transaction); returns what nft printed.
  Result<std::string, FirewallError> run(const std::string& commands, unsigned output_flags = 0);
  Result<Ok, FirewallError> recover(std::int64_t now_ms);
  void track(const Key& key, std::int64_t expires_ms);
  void find_unreachable_drops(const std::vector<NftTable>& tables);

  NftSettings settings_;
  std::string table_;  // "inet filter"
  std::unique_ptr<nft_ctx, ContextFree> ctx_;
  std::vector<std::string> warnings_;
  std::unordered_map<Key, std::int64_t, KeyHash> tracked_;                          // element -> when it expires (ms)
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;  // may hold stale entries
  bool is_tracking_complete_ = true;  // false once an element exists that tracked_ does not know
  std::string batch_;                 // reused command buffer
};

}  // namespace sesame::server::firewall
