// SPDX-License-Identifier: GPL-2.0-or-later
// ReplayCache: the set of packets sesamed has already seen, in a fixed-size open-addressing table.
//
// Bounded memory by construction (20 bytes per slot, twice as many slots as entries: 40 MB for 1,000,000), O(1)
// check and insert, entries forgotten once their keep-until time has passed (a replay after that fails the time
// window anyway), and no allocation after the constructor. When every slot is held by a live entry the cache
// fails closed: check_and_insert() says kFull and the caller drops the packet. It never evicts a live entry,
// because forgetting a packet inside its time window would let it be replayed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>

namespace sesame::server {

// The first 16 bytes of a replay digest: 128 bits keep accidental collisions among a million entries below 2^-88.
using ReplayKey = std::array<std::uint8_t, 16>;

inline ReplayKey replay_key(const std::array<std::uint8_t, 32>& digest) {
  ReplayKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = digest[i];
  return key;
}

// Keep-until times are stored as unsigned 32-bit epoch seconds (good until 2106); 0 marks an empty slot.
inline std::uint32_t stored_expiry_s(std::int64_t keep_until_s) {
  if (keep_until_s < 1) return 1;
  if (keep_until_s > std::numeric_limits<std::uint32_t>::max()) return std::numeric_limits<std::uint32_t>::max();
  return static_cast<std::uint32_t>(keep_until_s);
}

class ReplayCache {
 public:
  enum class Verdict {
    kFresh,   // not seen: remembered now (unless keep_until_s had already passed)
    kReplay,  // seen before and still remembered: drop
    kFull,    // not seen, but no room without forgetting a live entry: drop (fail closed) and log
  };

  // Room for `max_entries` live entries. Allocates all memory here (zero pages: untouched slots cost no RSS);
  // throws std::bad_alloc if it cannot, at start-up.
  explicit ReplayCache(std::size_t max_entries);
  ReplayCache(ReplayCache&&) noexcept = default;
  ReplayCache& operator=(ReplayCache&&) noexcept = default;

  // Replay if `key` is remembered at `now_s`; otherwise remembers it until `keep_until_s` (inclusive) and says
  // kFresh. An entry whose keep-until time has passed is reclaimed on the way.
  Verdict check_and_insert(const ReplayKey& key, std::int64_t now_s, std::int64_t keep_until_s);
  // The check alone, for a packet that must first prove itself (decrypt) before it is remembered.
  bool contains(const ReplayKey& key, std::int64_t now_s) const;
  // Reclaims expired entries among the next `max_slots` slots (round robin), so that a periodic call keeps probe
  // sequences short at a bounded cost per call. Returns how many it reclaimed.
  std::size_t sweep(std::int64_t now_s, std::size_t max_slots = kSweepSlotsPerCall);

  // Calls visit(key, keep_until_s) for every entry still remembered at `now_s` (compaction of the log).
  template <class Visit>
  void for_each_live(std::int64_t now_s, Visit&& visit) const {
    for (std::size_t i = 0; i < slot_count_; ++i)
      if (slots_[i].keep_until_s != 0 && !is_expired(slots_[i], now_s)) visit(slots_[i].key, slots_[i].keep_until_s);
  }

  std::size_t size() const { return size_; }  // occupied slots: live entries plus expired ones not yet reclaimed
  std::size_t max_entries() const { return max_entries_; }
  std::size_t slot_count() const { return slot_count_; }
  std::size_t memory_bytes() const { return slot_count_ * sizeof(Slot); }
  // What a cache of `max_entries` allocates, for checking a configured size before building it.
  static std::size_t memory_bytes_for(std::size_t max_entries) { return slot_count_for(max_entries) * sizeof(Slot); }

  static constexpr std::size_t kSweepSlotsPerCall = 4096;
  static constexpr std::size_t kSlotSize = 20;

 private:
  struct Slot {
    ReplayKey key;
    std::uint32_t keep_until_s;  // 0: empty
  };
  static_assert(sizeof(Slot) == kSlotSize, "a slot is the 16-byte key and a 32-bit expiry, no padding");
  struct FreeSlots {
    void operator()(Slot* slots) const noexcept { std::free(slots); }
  };

  static std::size_t slot_count_for(std::size_t max_entries);
  static bool is_expired(const Slot& slot, std::int64_t now_s) { return std::int64_t(slot.keep_until_s) < now_s; }
  std::size_t home(const ReplayKey& key) const;
  std::size_t next(std::size_t index) const { return index + 1 == slot_count_ ? 0 : index + 1; }
  void erase_at(std::size_t index);
  void sweep_all(std::int64_t now_s);

  std::unique_ptr<Slot[], FreeSlots> slots_;
  std::size_t slot_count_ = 0;
  std::size_t max_entries_ = 0;
  std::size_t size_ = 0;
  std::size_t sweep_cursor_ = 0;
  std::int64_t last_full_sweep_s_ = std::numeric_limits<std::int64_t>::min();
};

}  // namespace sesame::server
