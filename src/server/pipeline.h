// SPDX-License-Identifier: GPL-2.0-or-later
// The packet pipeline, cheapest check first: size and character class, per-stanza HMAC (constant time), replay
// cache, decryption and decoding, time window, then the stanza's policy (source, username, expiry, ports,
// timeout). A packet becomes an AccessRequest or a DropReason; it never throws, logs or blocks.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/access_loader.h"
#include "server/access_request.h"
#include "server/captured_packet.h"
#include "server/drop_reason.h"
#include "server/replay_digest.h"
#include "spa/modern_codec.h"
#include "spa/packet_codec.h"

namespace sesame::server {

// What the pipeline needs of a replay cache (replay_cache.h has the real one).
class ReplayStore {
 public:
  // kUnavailable: a shared store (REPLAY_CACHE_URL) could not say, and its failure mode is closed.
  enum class Insert { kFresh, kReplay, kFull, kUnavailable };
  virtual ~ReplayStore() = default;
  virtual bool contains(const ReplayDigest& digest, std::int64_t now_s) = 0;
  // keep_until_s: when the packet would be stale anyway, so the entry may go.
  virtual Insert insert(const ReplayDigest& digest, std::int64_t now_s, std::int64_t keep_until_s) = 0;
};

struct PipelineSettings {
  bool packet_aging = true;                  // ENABLE_SPA_PACKET_AGING
  std::chrono::seconds max_packet_age{120};  // MAX_SPA_PACKET_AGE
  bool nat_forwarding = false;               // ENABLE_IPT_FORWARDING: types 2 and 4
  bool local_nat = false;                    // ENABLE_IPT_LOCAL_NAT: types 5 and 6
};

struct Verdict {
  std::optional<AccessRequest> request;     // set when accepted
  DropReason reason = DropReason::kSource;  // otherwise: why, from the stanza the packet got furthest with
  std::optional<std::size_t> stanza;        // that stanza, when one matched the source
};

// fwknopd's minimum payload: shorter ones cannot be SPA data with today's version string (protocol.md §17.6).
constexpr std::size_t kMinSpaPayload = 140;
constexpr std::size_t kMaxSpaPayload = 1500;

class Pipeline {
 public:
  // `access` and `replay` must outlive the pipeline; the daemon builds a new pipeline on reload.
  static Result<Pipeline, std::string> create(const config::AccessConfig& access, PipelineSettings settings,
                                              ReplayStore& replay);

  Verdict handle(const CapturedPacket& packet);

  const DropCounters& drops() const { return drops_; }
  std::uint64_t accepted() const { return accepted_; }

 private:
  Pipeline(const config::AccessConfig& access, PipelineSettings settings, ReplayStore& replay)
      : access_(&access), settings_(settings), replay_(&replay) {}
  // Where a packet got furthest among the stanzas tried: its drop reason and stanza if nothing accepts it.
  struct Furthest {
    std::optional<DropReason> reason;
    std::optional<std::size_t> stanza;
    void note(DropReason why, std::size_t at);
  };
  // What became of an authentic packet at one stanza: a request, or a reason that either ends the packet
  // (replayed, replay store refused) or lets the next stanza try.
  struct Outcome {
    std::optional<AccessRequest> request;
    DropReason reason = DropReason::kSource;
    bool is_final = false;
  };
  // Modern mode: one lookup by key id, no trial decryption. Nothing when the packet is not a modern one for any
  // stanza here, so fwknop's stanzas get it.
  std::optional<Verdict> handle_modern(const CapturedPacket& packet);
  // Authentic and decoded: the replay store, the time window, then the stanza's policy.
  Outcome accept_authentic(std::size_t stanza_index, const ReplayDigest& digest, const spa::DecodedPacket& decoded,
                           const CapturedPacket& packet, bool bind_plaintext);
  Verdict accepted(AccessRequest request, std::size_t stanza_index);
  // Decoded and not replayed: the stanza's policy turns it into a request, or says why not.
  std::optional<DropReason> apply_policy(const config::AccessStanza& stanza, const spa::DecodedPacket& decoded,
                                         const CapturedPacket& packet, AccessRequest& request);
  Verdict drop(DropReason reason, std::optional<std::size_t> stanza = std::nullopt);
  // Inserts into the replay store: nullopt when fresh, else why the packet must be dropped.
  std::optional<DropReason> remember(const ReplayDigest& digest, std::int64_t now_s, std::int64_t keep_until_s);

  const config::AccessConfig* access_;
  PipelineSettings settings_;
  ReplayStore* replay_;
  std::vector<std::optional<spa::PacketCodec>> codecs_;         // per stanza: fwknop's keys, if it has them
  std::vector<std::optional<spa::ModernCodec>> modern_codecs_;  // per stanza: modern mode's keys, if it has them
  // Key id (as a number) -> the stanzas with that key pair, in stanza order.
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> modern_stanzas_;
  std::array<std::uint8_t, kMaxSpaPayload> packet_scratch_{};  // a modern packet, base64-decoded
  DropCounters drops_;
  std::uint64_t accepted_ = 0;
  config::PortList ports_scratch_;
  ReplayDigester digester_;  // reused: a digest costs no allocation
};

}  // namespace sesame::server
