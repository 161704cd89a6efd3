// SPDX-License-Identifier: GPL-2.0-or-later
// ReplayCache: linear probing at a load of at most one half, with backward-shift deletion instead of tombstones,
// so reclaimed entries shorten probe sequences again instead of lengthening them forever.
#include "server/replay_cache.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace sesame::server {

std::size_t ReplayCache::slot_count_for(std::size_t max_entries) {
  // Load factor 1/2: a miss probes 2.5 slots on average with linear probing, a hit 1.5.
  return std::max<std::size_t>(2 * max_entries, 8);
}

ReplayCache::ReplayCache(std::size_t max_entries)
    : slots_(static_cast<Slot*>(std::calloc(slot_count_for(max_entries), sizeof(Slot)))),
      slot_count_(slot_count_for(max_entries)),
      max_entries_(max_entries) {
  // calloc, not a value-initialised vector: fresh pages from the kernel are already zero, so an idle cache of a
  // million entries does not occupy 40 MB of RSS from the start.
  if (!slots_) throw std::bad_alloc();
}

std::size_t ReplayCache::home(const ReplayKey& key) const {
  // Keys are SHA-256 output: any 64 bits of them are uniform. Multiply-shift maps them onto any slot count.
  std::uint64_t bits = 0;
  std::memcpy(&bits, key.data(), sizeof(bits));
  return static_cast<std::size_t>((static_cast<unsigned __int128>(bits) * slot_count_) >> 64);
}

ReplayCache::Verdict ReplayCache::check_and_insert(const ReplayKey& key, std::int64_t now_s,
                                                   std::int64_t keep_until_s) {
  // Reclaiming by a full scan costs a few ms for a million entries, so at most once per second, and only when
  // the alternative is to refuse a packet.
  if (size_ >= max_entries_ && last_full_sweep_s_ != now_s) {
    sweep_all(now_s);
    last_full_sweep_s_ = now_s;
  }
  std::size_t index = home(key);
  while (slots_[index].keep_until_s != 0) {
    Slot& slot = slots_[index];
    if (is_expired(slot, now_s)) {
      erase_at(index);  // a later entry of this run may now sit here: look at the same index again
      continue;
    }
    if (slot.key == key) return Verdict::kReplay;
    index = next(index);
  }
  // Nothing to remember: the packet can no longer pass the time window, wherever it comes from.
  if (keep_until_s < now_s) return Verdict::kFresh;
  if (size_ >= max_entries_) return Verdict::kFull;
  slots_[index] = Slot{key, stored_expiry_s(keep_until_s)};
  ++size_;
  return Verdict::kFresh;
}

bool ReplayCache::contains(const ReplayKey& key, std::int64_t now_s) const {
  for (std::size_t index = home(key); slots_[index].keep_until_s != 0; index = next(index))
    if (slots_[index].key == key) return !is_expired(slots_[index], now_s);
  return false;
}

void ReplayCache::erase_at(std::size_t index) {
  // Backward shift: move each later entry of the run into the hole when the hole lies on its probe path (between
  // its home and where it sits), so every entry stays reachable from its home without tombstones.
  std::size_t hole = index;
  for (std::size_t j = next(index); slots_[j].keep_until_s != 0; j = next(j)) {
    const std::size_t entry_home = home(slots_[j].key);
    const std::size_t displacement = j >= entry_home ? j - entry_home : j + slot_count_ - entry_home;
    const std::size_t hole_distance = j >= hole ? j - hole : j + slot_count_ - hole;
    if (hole_distance <= displacement) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --size_;
}

std::size_t ReplayCache::sweep(std::int64_t now_s, std::size_t max_slots) {
  std::size_t reclaimed = 0;
  for (std::size_t step = 0; step < max_slots && size_ > 0; ++step) {
    const Slot& slot = slots_[sweep_cursor_];
    if (slot.keep_until_s != 0 && is_expired(slot, now_s)) {
      erase_at(sweep_cursor_);  // stay: the shift may have moved another expired entry here
      ++reclaimed;
    } else {
      sweep_cursor_ = next(sweep_cursor_);
    }
  }
  return reclaimed;
}

void ReplayCache::sweep_all(std::int64_t now_s) {
  for (std::size_t index = 0; index < slot_count_ && size_ > 0;) {
    if (slots_[index].keep_until_s != 0 && is_expired(slots_[index], now_s))
      erase_at(index);
    else
      ++index;
  }
}

}  // namespace sesame::server
