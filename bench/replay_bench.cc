// SPDX-License-Identifier: GPL-2.0-or-later
// Per-packet cost of replay protection: the canonical digest, ReplayCache::check_and_insert at a million entries
// (fresh packets with expiry in steady state, replays, misses), and one fdatasync'ed log flush per burst.
// Figures, not tests: run build/release/bench/replay_bench.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include "server/replay_cache.h"
#include "server/replay_digest.h"
#include "server/replay_log.h"

namespace {

using namespace sesame::server;

constexpr std::size_t kMillion = 1'000'000;
constexpr std::int64_t kStart = 1700000000;

// splitmix64: cheap enough not to show in the figures, and good enough to stand in for SHA-256 output.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

ReplayKey key_of(std::uint64_t n) {
  ReplayKey key;
  const std::uint64_t a = mix(n), b = mix(~n);
  std::memcpy(key.data(), &a, 8);
  std::memcpy(key.data() + 8, &b, 8);
  return key;
}

// Steady state of a busy server: 3,000 fresh packets a second kept for 240 s (720,000 live of 1,000,000), so
// expired entries are reclaimed on the way and by a sweep every 1,000 packets.
void BM_CheckAndInsertFreshSteadyState(benchmark::State& state) {
  ReplayCache cache(kMillion);
  std::uint64_t n = 0;
  for (std::uint64_t i = 0; i < 2'000'000; ++i, ++n) {  // warm up past the first expiries
    const std::int64_t now = kStart + std::int64_t(n / 3000);
    cache.check_and_insert(key_of(n), now, now + 240);
    if (n % 1000 == 0) cache.sweep(now);
  }
  std::size_t full = 0;
  for (auto _ : state) {
    const std::int64_t now = kStart + std::int64_t(n / 3000);
    full += cache.check_and_insert(key_of(n), now, now + 240) == ReplayCache::Verdict::kFull;
    if (++n % 1000 == 0) cache.sweep(now);
  }
  if (full != 0) state.SkipWithError("cache full in steady state");
  state.counters["occupied"] = double(cache.size());  // live plus expired not yet reclaimed
}
BENCHMARK(BM_CheckAndInsertFreshSteadyState);

void BM_CheckAndInsertReplay(benchmark::State& state) {
  ReplayCache cache(kMillion);
  for (std::uint64_t n = 0; n < kMillion; ++n) cache.check_and_insert(key_of(n), kStart, kStart + 240);
  std::uint64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.check_and_insert(key_of(n), kStart, kStart + 240));
    n = n + 1 == kMillion ? 0 : n + 1;
  }
}
BENCHMARK(BM_CheckAndInsertReplay);

void BM_ContainsMissAtFullLoad(benchmark::State& state) {
  ReplayCache cache(kMillion);
  for (std::uint64_t n = 0; n < kMillion; ++n) cache.check_and_insert(key_of(n), kStart, kStart + 240);
  std::uint64_t n = kMillion;
  for (auto _ : state) benchmark::DoNotOptimize(cache.contains(key_of(n++), kStart));
}
BENCHMARK(BM_ContainsMissAtFullLoad);

void BM_CanonicalDigest(benchmark::State& state) {
  // The size of a typical Rijndael packet with HMAC-SHA256: 182 characters of body, 43 of tag.
  std::string wire;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::uint64_t i = 0; i < 225; ++i) wire += alphabet[mix(i) % 64];
  ReplayDigester digester;
  for (auto _ : state) benchmark::DoNotOptimize(digester.canonical(wire, 43, sesame::spa::EncryptionType::kRijndael));
}
BENCHMARK(BM_CanonicalDigest);

// One receive burst of `range(0)` fresh packets: append each record, then one write + fdatasync. The figure
// depends on the file system under $TMPDIR.
void BM_LogFlushPerBurst(benchmark::State& state) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("replay-bench-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  {
    ReplayCache cache(kMillion);
    ReplayLogOptions options;
    options.path = dir + "/replay.log";
    auto log = ReplayLog::open(options, cache, kStart);
    if (!log) {
      state.SkipWithError(log.error().message.c_str());
    } else {
      std::uint64_t n = 0;
      for (auto _ : state) {
        for (std::int64_t i = 0; i < state.range(0); ++i)
          if (!log->append(key_of(n++), kStart + 240)) std::abort();
        if (!log->flush()) state.SkipWithError("flush failed");
      }
      state.SetItemsProcessed(state.iterations() * state.range(0));
    }
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LogFlushPerBurst)->Arg(1)->Arg(32);

}  // namespace

BENCHMARK_MAIN();
