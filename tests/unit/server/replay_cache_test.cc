// SPDX-License-Identifier: GPL-2.0-or-later
// ReplayCache: fresh, replay, expiry, failing closed when full, bounded sweeps, a model check of the probing and
// deletion logic, no allocation after construction, and the million-entry size and speed targets.
#include "server/replay_cache.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define SESAME_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SESAME_TEST_ASAN 1
#endif
#endif
#ifdef SESAME_TEST_ASAN
// From <sanitizer/allocator_interface.h>, which GCC 12 does not ship; libasan has the function.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace sesame::server {
namespace {

using Verdict = ReplayCache::Verdict;
constexpr std::int64_t kNow = 1700000000;

ReplayKey random_key(std::mt19937_64& rng) {
  ReplayKey key;
  for (std::size_t i = 0; i < key.size(); i += 8) {
    const std::uint64_t bits = rng();
    std::memcpy(key.data() + i, &bits, 8);
  }
  return key;
}

std::size_t heap_bytes_in_use() {
#ifdef SESAME_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = ::mallinfo2();
  return info.uordblks + info.hblkhd;  // small blocks plus mmap()ed ones
#endif
}

constexpr bool kOptimisedBuild =
#if defined(NDEBUG) && !defined(SESAME_TEST_ASAN)
    true;
#else
    false;
#endif

TEST(ReplayCache, AMillionEntriesFitIn64Megabytes) {
  EXPECT_EQ(ReplayCache::kSlotSize, 20u);  // 16 bytes of digest, 32-bit keep-until, no padding
  const std::size_t bytes = ReplayCache::memory_bytes_for(1'000'000);
  EXPECT_EQ(bytes, 2'000'000u * 20u);  // load factor 1/2
  EXPECT_LE(bytes, 64u << 20);
  const ReplayCache cache(1'000'000);
  EXPECT_EQ(cache.memory_bytes(), bytes);
  EXPECT_EQ(cache.slot_count(), 2'000'000u);
  EXPECT_EQ(cache.max_entries(), 1'000'000u);
}

TEST(ReplayCache, SecondSightingIsAReplay) {
  ReplayCache cache(16);
  std::mt19937_64 rng(1);
  const ReplayKey key = random_key(rng), other = random_key(rng);
  EXPECT_FALSE(cache.contains(key, kNow));
  EXPECT_EQ(cache.check_and_insert(key, kNow, kNow + 240), Verdict::kFresh);
  EXPECT_TRUE(cache.contains(key, kNow));
  EXPECT_EQ(cache.check_and_insert(key, kNow + 1, kNow + 500), Verdict::kReplay);
  EXPECT_EQ(cache.check_and_insert(other, kNow, kNow + 240), Verdict::kFresh);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ReplayCache, EntryIsKeptThroughItsKeepUntilSecondAndForgottenAfter) {
  ReplayCache cache(16);
  std::mt19937_64 rng(2);
  const ReplayKey key = random_key(rng);
  ASSERT_EQ(cache.check_and_insert(key, kNow, kNow + 120), Verdict::kFresh);
  EXPECT_TRUE(cache.contains(key, kNow + 120));
  EXPECT_EQ(cache.check_and_insert(key, kNow + 120, kNow + 240), Verdict::kReplay);
  EXPECT_FALSE(cache.contains(key, kNow + 121));
  // Past its time the packet fails the time window anyway; its slot is reused.
  EXPECT_EQ(cache.check_and_insert(key, kNow + 121, kNow + 241), Verdict::kFresh);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.check_and_insert(key, kNow + 200, kNow + 300), Verdict::kReplay);
}

TEST(ReplayCache, PacketAlreadyOutsideItsWindowIsNotStored) {
  ReplayCache cache(16);
  std::mt19937_64 rng(3);
  const ReplayKey key = random_key(rng);
  EXPECT_EQ(cache.check_and_insert(key, kNow, kNow - 1), Verdict::kFresh);
  EXPECT_EQ(cache.size(), 0u);
  // But a remembered packet stays a replay, whatever keep-until the caller passes now.
  ASSERT_EQ(cache.check_and_insert(key, kNow, kNow + 10), Verdict::kFresh);
  EXPECT_EQ(cache.check_and_insert(key, kNow, kNow - 1), Verdict::kReplay);
}

TEST(ReplayCache, FullOfLiveEntriesFailsClosedAndNeverEvicts) {
  constexpr std::size_t kMax = 64;
  ReplayCache cache(kMax);
  std::mt19937_64 rng(4);
  std::vector<ReplayKey> kept;
  for (std::size_t i = 0; i < kMax; ++i) {
    kept.push_back(random_key(rng));
    ASSERT_EQ(cache.check_and_insert(kept.back(), kNow, kNow + 100), Verdict::kFresh);
  }
  for (int i = 0; i < 1000; ++i)
    EXPECT_EQ(cache.check_and_insert(random_key(rng), kNow + i % 50, kNow + 200), Verdict::kFull);
  for (const ReplayKey& key : kept) {  // every live entry is still there: nothing was evicted to make room
    EXPECT_TRUE(cache.contains(key, kNow + 100));
    EXPECT_EQ(cache.check_and_insert(key, kNow + 100, kNow + 200), Verdict::kReplay);
  }
  EXPECT_EQ(cache.size(), kMax);
  // Once they expire, the room comes back without any sweep() call.
  EXPECT_EQ(cache.check_and_insert(random_key(rng), kNow + 101, kNow + 200), Verdict::kFresh);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ReplayCache, SweepIsBoundedPerCallAndReclaimsEverythingExpired) {
  ReplayCache cache(1000);
  std::mt19937_64 rng(5);
  std::vector<ReplayKey> live;
  for (int i = 0; i < 1000; ++i) {
    const bool keep = i % 4 == 0;
    const ReplayKey key = random_key(rng);
    ASSERT_EQ(cache.check_and_insert(key, kNow, keep ? kNow + 1000 : kNow + 10), Verdict::kFresh);
    if (keep) live.push_back(key);
  }
  EXPECT_EQ(cache.sweep(kNow + 5, 10'000), 0u);  // nothing has expired yet
  const std::size_t first = cache.sweep(kNow + 11, 64);
  EXPECT_LE(first, 64u);
  EXPECT_GT(first, 0u);
  std::size_t calls = 1;
  while (cache.size() > live.size() && calls < 1000) {
    cache.sweep(kNow + 11, 64);
    ++calls;
  }
  EXPECT_EQ(cache.size(), live.size());
  // Each step either reclaims an entry or moves on: one lap of the table plus one step per reclaimed entry.
  EXPECT_LE(calls, (cache.slot_count() + 750) / 64 + 2);
  for (const ReplayKey& key : live) EXPECT_TRUE(cache.contains(key, kNow + 11));
}

TEST(ReplayCache, ForEachLiveVisitsExactlyTheLiveEntries) {
  ReplayCache cache(100);
  std::mt19937_64 rng(6);
  std::map<ReplayKey, std::uint32_t> expected;
  for (int i = 0; i < 100; ++i) {
    const ReplayKey key = random_key(rng);
    const std::int64_t keep_until = kNow + (i % 3 == 0 ? 5 : 500);
    ASSERT_EQ(cache.check_and_insert(key, kNow, keep_until), Verdict::kFresh);
    if (keep_until >= kNow + 10) expected[key] = std::uint32_t(keep_until);
  }
  std::map<ReplayKey, std::uint32_t> visited;
  cache.for_each_live(kNow + 10, [&](const ReplayKey& key, std::uint32_t keep_until) { visited[key] = keep_until; });
  EXPECT_EQ(visited, expected);
}

// The probing and backward-shift deletion against a std::map, in a small table with many colliding homes.
TEST(ReplayCache, BehavesLikeAMapOfKeepUntilTimes) {
  constexpr std::size_t kMax = 40;
  ReplayCache cache(kMax);
  std::map<ReplayKey, std::int64_t> model;  // key -> keep_until, expired ones included until reclaimed
  std::mt19937_64 rng(7);
  std::vector<ReplayKey> pool;
  for (int i = 0; i < 120; ++i) {
    ReplayKey key = random_key(rng);
    if (i % 3 == 0) std::memset(key.data(), 0, 8);  // same home as every other such key: long runs
    pool.push_back(key);
  }
  std::int64_t now = kNow;
  for (int step = 0; step < 200'000; ++step) {
    const ReplayKey& key = pool[rng() % pool.size()];
    const auto live = [&](const ReplayKey& k) { return model.count(k) && model[k] >= now; };
    switch (rng() % 8) {
      case 0:
        now += std::int64_t(rng() % 3);
        break;
      case 1:
        cache.sweep(now, 1 + rng() % 20);
        break;
      case 2:
        ASSERT_EQ(cache.contains(key, now), live(key)) << "step " << step;
        break;
      default: {
        const std::int64_t keep_until = now + std::int64_t(rng() % 30) - 2;
        std::size_t live_count = 0;
        for (const auto& [k, until] : model) live_count += until >= now;
        Verdict expected = Verdict::kFresh;
        if (live(key))
          expected = Verdict::kReplay;
        else if (keep_until >= now && live_count >= kMax)
          expected = Verdict::kFull;
        ASSERT_EQ(cache.check_and_insert(key, now, keep_until), expected) << "step " << step;
        if (expected == Verdict::kFresh && keep_until >= now) model[key] = keep_until;
        ASSERT_LE(cache.size(), kMax);
      }
    }
  }
}

TEST(ReplayCache, NoAllocationAfterConstruction) {
  ReplayCache cache(200'000);
  std::mt19937_64 rng(8);
  std::vector<ReplayKey> keys(300'000);
  for (ReplayKey& key : keys) key = random_key(rng);
  const std::size_t before = heap_bytes_in_use();
  std::size_t fresh = 0, full = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const Verdict verdict = cache.check_and_insert(keys[i], kNow + std::int64_t(i / 50'000), kNow + 60);
    fresh += verdict == Verdict::kFresh;
    full += verdict == Verdict::kFull;
    if (i % 1000 == 0) cache.sweep(kNow + std::int64_t(i / 50'000));
  }
  for (const ReplayKey& key : keys) (void)cache.contains(key, kNow + 100);
  const std::size_t after = heap_bytes_in_use();
  EXPECT_EQ(after, before);
  EXPECT_EQ(fresh, 200'000u);
  EXPECT_EQ(full, 100'000u);
}

TEST(ReplayCache, MillionEntryFillIsFast) {
  constexpr std::size_t kEntries = 1'000'000;
  std::mt19937_64 rng(9);
  std::vector<ReplayKey> keys(kEntries);
  for (ReplayKey& key : keys) key = random_key(rng);
  const auto start = std::chrono::steady_clock::now();
  ReplayCache cache(kEntries);
  std::size_t fresh = 0, replays = 0;
  for (const ReplayKey& key : keys) fresh += cache.check_and_insert(key, kNow, kNow + 240) == Verdict::kFresh;
  for (const ReplayKey& key : keys) replays += cache.check_and_insert(key, kNow, kNow + 240) == Verdict::kReplay;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(fresh, kEntries);
  EXPECT_EQ(replays, kEntries);
  EXPECT_EQ(cache.check_and_insert(random_key(rng), kNow, kNow + 240), Verdict::kFull);
  std::cout << "[          ] 1,000,000 inserts + 1,000,000 replays: " << seconds << " s, " << cache.memory_bytes() / 1e6
            << " MB\n";
  if (kOptimisedBuild) {
    EXPECT_LT(seconds, 2.0);
  }
}

}  // namespace
}  // namespace sesame::server
