// SPDX-License-Identifier: GPL-2.0-or-later
// ReplayLog: records survive a restart and a crash once flushed, a torn last line is cut off, write errors are
// reported and retried, compaction keeps exactly the live entries, and fwknopd's digest.cache is imported once.
#include "server/replay_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "server/replay_digest.h"
#include "spa/digest.h"
#include "support/temp_dir.h"

namespace sesame::server {
namespace {

using Verdict = ReplayCache::Verdict;
constexpr std::int64_t kNow = 1700000000;
constexpr std::string_view kHeader = "# sesame replay log 1: <replay key, 32 hex digits> <keep until, epoch seconds>\n";

ReplayKey key_of(int n) {
  return replay_key(canonical_replay_digest("packet-" + std::to_string(n), 0, spa::EncryptionType::kRijndael));
}

std::string hex(const ReplayKey& key) {
  std::string out;
  char byte[3];
  for (const std::uint8_t b : key) {
    std::snprintf(byte, sizeof(byte), "%02x", b);
    out += byte;
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_lines(const std::string& text) {
  return std::size_t(std::count(text.begin(), text.end(), '\n'));
}

class ReplayLogTest : public ::testing::Test {
 protected:
  ReplayLogOptions options() const {
    ReplayLogOptions options;
    options.path = path_;
    return options;
  }
  Result<ReplayLog, ReplayLogError> open(ReplayCache& cache, std::int64_t now_s = kNow) const {
    return ReplayLog::open(options(), cache, now_s);
  }
  // Remembers packets [first, last) the way the daemon does: cache first, then a buffered record.
  static void remember(ReplayCache& cache, ReplayLog& log, int first, int last, std::int64_t keep_until_s) {
    for (int n = first; n < last; ++n) {
      ASSERT_EQ(cache.check_and_insert(key_of(n), kNow, keep_until_s), Verdict::kFresh);
      ASSERT_TRUE(log.append(key_of(n), keep_until_s));
    }
  }

  test::TempDir dir_{"sesame-replay-log"};
  std::string path_ = dir_.path() + "/replay.log";
};

TEST_F(ReplayLogTest, CreatesAPrivateLogWithItsHeader) {
  ReplayCache cache(100);
  auto log = open(cache);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_TRUE(log->loaded().created);
  EXPECT_EQ(read_file(path_), kHeader);
  struct stat status {};
  ASSERT_EQ(::stat(path_.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(ReplayLogTest, FlushedRecordsAreRejectedAfterARestart) {
  {
    ReplayCache cache(100);
    auto log = open(cache);
    ASSERT_TRUE(log) << log.error().message;
    remember(cache, *log, 0, 10, kNow + 240);
    EXPECT_EQ(log->pending_records(), 10u);
    ASSERT_TRUE(log->flush());
    EXPECT_EQ(log->pending_records(), 0u);
    EXPECT_EQ(log->file_records(), 10u);
    ASSERT_TRUE(log->flush());  // nothing pending: nothing to do
  }
  EXPECT_EQ(count_lines(read_file(path_)), 11u);
  EXPECT_NE(read_file(path_).find(hex(key_of(3)) + " " + std::to_string(kNow + 240) + "\n"), std::string::npos);
  ReplayCache cache(100);
  auto log = open(cache, kNow + 100);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_FALSE(log->loaded().created);
  EXPECT_EQ(log->loaded().records, 10u);
  EXPECT_EQ(log->loaded().live, 10u);
  for (int n = 0; n < 10; ++n) EXPECT_EQ(cache.check_and_insert(key_of(n), kNow + 100, kNow + 300), Verdict::kReplay);
  EXPECT_EQ(cache.check_and_insert(key_of(10), kNow + 100, kNow + 300), Verdict::kFresh);
}

// A crash: the child process appends, flushes part of it, and dies without closing or flushing the rest.
TEST_F(ReplayLogTest, AfterACrashFlushedRecordsAreThereAndUnflushedOnesAreNot) {
  for (const bool sigkill : {false, true}) {
    std::filesystem::remove(path_);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ReplayCache cache(100);
      auto log = open(cache);
      if (!log) ::_exit(2);
      for (int n = 0; n < 5; ++n)
        if (cache.check_and_insert(key_of(n), kNow, kNow + 240) != Verdict::kFresh ||
            !log->append(key_of(n), kNow + 240))
          ::_exit(3);
      if (!log->flush()) ::_exit(4);
      for (int n = 5; n < 8; ++n)
        if (!log->append(key_of(n), kNow + 240)) ::_exit(5);
      if (sigkill) ::kill(::getpid(), SIGKILL);  // kill -9: no destructor, no atexit, no flush
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    if (sigkill) {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    }
    ReplayCache cache(100);
    auto log = open(cache, kNow + 1);
    ASSERT_TRUE(log) << log.error().message;  // the child's lock died with it
    EXPECT_EQ(log->loaded().records, 5u);
    for (int n = 0; n < 5; ++n) EXPECT_TRUE(cache.contains(key_of(n), kNow + 1)) << n;
    // Never flushed, so never granted: a replay of these may pass once, which grants once in total.
    for (int n = 5; n < 8; ++n) EXPECT_FALSE(cache.contains(key_of(n), kNow + 1)) << n;
  }
}

TEST_F(ReplayLogTest, TornLastLineIsIgnoredAndCutOffSoTheNextRecordStandsAlone) {
  const std::string whole = hex(key_of(1)) + " " + std::to_string(kNow + 240) + "\n";
  const std::string torn = hex(key_of(2)).substr(0, 20);
  dir_.write_file("replay.log", std::string(kHeader) + whole + torn);
  {
    ReplayCache cache(100);
    auto log = open(cache);
    ASSERT_TRUE(log) << log.error().message;
    EXPECT_TRUE(log->loaded().torn_tail);
    EXPECT_EQ(log->loaded().records, 1u);
    EXPECT_EQ(log->loaded().malformed, 0u);
    EXPECT_TRUE(cache.contains(key_of(1), kNow));
    EXPECT_EQ(read_file(path_), std::string(kHeader) + whole);
    remember(cache, *log, 3, 4, kNow + 240);
    ASSERT_TRUE(log->flush());
  }
  ReplayCache cache(100);
  auto log = open(cache);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_FALSE(log->loaded().torn_tail);
  EXPECT_EQ(log->loaded().malformed, 0u);
  EXPECT_EQ(log->loaded().records, 2u);
  EXPECT_TRUE(cache.contains(key_of(3), kNow));
}

TEST_F(ReplayLogTest, TornHeaderStartsTheLogAgain) {
  dir_.write_file("replay.log", std::string(kHeader.substr(0, 12)));
  ReplayCache cache(100);
  auto log = open(cache);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_TRUE(log->loaded().torn_tail);
  EXPECT_EQ(read_file(path_), kHeader);
}

TEST_F(ReplayLogTest, MalformedLinesAreSkippedAndCounted) {
  const std::string good = hex(key_of(1)) + " " + std::to_string(kNow + 240) + "\n";
  dir_.write_file("replay.log", std::string(kHeader) + "garbage\n" + hex(key_of(2)) + "\n" + hex(key_of(3)) + " 0\n" +
                                    hex(key_of(4)) + " 99999999999\n" + hex(key_of(5)).substr(1) + " 5\n" + "zz" +
                                    hex(key_of(6)).substr(2) + " 1800000000\n" + std::string(9000, 'x') + "\n" +
                                    "# a comment\n" + good);
  ReplayCache cache(100);
  auto log = open(cache);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->loaded().malformed, 7u);
  EXPECT_EQ(log->loaded().records, 1u);
  EXPECT_TRUE(cache.contains(key_of(1), kNow));
}

TEST_F(ReplayLogTest, ExpiredRecordsAreReadButNotRemembered) {
  {
    ReplayCache cache(100);
    auto log = open(cache);
    ASSERT_TRUE(log) << log.error().message;
    remember(cache, *log, 0, 4, kNow + 10);
    remember(cache, *log, 4, 6, kNow + 1000);
    ASSERT_TRUE(log->flush());
  }
  ReplayCache cache(100);
  auto log = open(cache, kNow + 11);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->loaded().records, 6u);
  EXPECT_EQ(log->loaded().live, 2u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST_F(ReplayLogTest, RefusesAFileThatIsNotASesameReplayLogAndLeavesItAlone) {
  const std::string fwknop_cache = "# <digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>\n";
  dir_.write_file("replay.log", fwknop_cache);
  ReplayCache cache(100);
  auto log = open(cache);
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("not a sesame replay log"), std::string::npos) << log.error().message;
  EXPECT_EQ(read_file(path_), fwknop_cache);
}

TEST_F(ReplayLogTest, MoreLiveRecordsThanTheCacheHoldsRefusesToStart) {
  {
    ReplayCache cache(100);
    auto log = open(cache);
    ASSERT_TRUE(log) << log.error().message;
    remember(cache, *log, 0, 20, kNow + 240);
    ASSERT_TRUE(log->flush());
  }
  ReplayCache small(10);
  auto log = open(small);
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("more live entries"), std::string::npos) << log.error().message;
}

TEST_F(ReplayLogTest, ASecondDaemonOnTheSameLogIsRefused) {
  ReplayCache cache(100);
  auto first = open(cache);
  ASSERT_TRUE(first) << first.error().message;
  ReplayCache other(100);
  auto second = open(other);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("locked"), std::string::npos) << second.error().message;
}

TEST_F(ReplayLogTest, AppendBufferIsBoundedUntilFlushed) {
  ReplayLogOptions bounded = options();
  bounded.max_pending_records = 3;
  ReplayCache cache(100);
  auto log = ReplayLog::open(bounded, cache, kNow);
  ASSERT_TRUE(log) << log.error().message;
  for (int n = 0; n < 3; ++n) EXPECT_TRUE(log->append(key_of(n), kNow + 10));
  EXPECT_FALSE(log->append(key_of(3), kNow + 10));
  ASSERT_TRUE(log->flush());
  EXPECT_TRUE(log->append(key_of(3), kNow + 10));
}

// Disk full, simulated with RLIMIT_FSIZE in a child: flush() fails (the caller then applies no grant), keeps the
// records, and a later flush() completes them, even after a short write that left half a record in the file.
TEST_F(ReplayLogTest, WriteErrorIsReportedAndTheRetryCompletesTheRecords) {
  {
    ReplayCache cache(100);
    ASSERT_TRUE(open(cache));
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of dying
    ReplayCache cache(100);
    auto log = open(cache);
    if (!log) ::_exit(2);
    for (int n = 0; n < 10; ++n)
      if (!log->append(key_of(n), kNow + 240)) ::_exit(3);
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(4);
    const rlim_t unlimited = limit.rlim_cur;
    limit.rlim_cur = kHeader.size() + 100;  // room for two records and a bit; the hard limit stays as it was
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(4);
    const auto failed = log->flush();
    if (failed) ::_exit(5);  // must fail
    if (failed.error().message.find("write") == std::string::npos) ::_exit(6);
    if (log->pending_records() != 10) ::_exit(7);
    limit.rlim_cur = unlimited;
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(8);
    if (!log->flush()) ::_exit(9);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  if (WEXITSTATUS(status) == 4 || WEXITSTATUS(status) == 8) GTEST_SKIP() << "cannot change RLIMIT_FSIZE here";
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ReplayCache cache(100);
  auto log = open(cache);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->loaded().records, 10u);
  EXPECT_EQ(log->loaded().malformed, 0u);
  EXPECT_FALSE(log->loaded().torn_tail);
}

TEST_F(ReplayLogTest, CompactionKeepsExactlyTheLiveEntriesIncludingUnflushedOnes) {
  {
    ReplayCache cache(10'000);
    auto log = open(cache);
    ASSERT_TRUE(log) << log.error().message;
    remember(cache, *log, 0, 3000, kNow + 10);       // will expire
    remember(cache, *log, 3000, 3100, kNow + 1000);  // stay
    ASSERT_TRUE(log->flush());
    EXPECT_FALSE(log->should_compact(cache));
    while (cache.sweep(kNow + 11) > 0) {
    }
    EXPECT_EQ(cache.size(), 100u);
    remember(cache, *log, 3100, 3110, kNow + 1000);  // buffered, not flushed
    ASSERT_TRUE(log->should_compact(cache));
    dir_.write_file("replay.log.tmp", "left over from a crash in an earlier compaction");
    const auto size_before = std::filesystem::file_size(path_);
    ASSERT_TRUE(log->compact(cache, kNow + 11));
    EXPECT_LT(std::filesystem::file_size(path_), size_before / 20);
    EXPECT_EQ(log->file_records(), 110u);
    EXPECT_EQ(log->pending_records(), 0u);
    EXPECT_FALSE(log->should_compact(cache));
    EXPECT_EQ(count_lines(read_file(path_)), 111u);
    EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
    // Appends go to the new file.
    remember(cache, *log, 3110, 3111, kNow + 1000);
    ASSERT_TRUE(log->flush());
  }
  ReplayCache reloaded(10'000);
  auto log = open(reloaded, kNow + 11);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->loaded().records, 111u);
  EXPECT_EQ(log->loaded().malformed, 0u);
  EXPECT_EQ(reloaded.size(), 111u);
  for (int n = 3000; n < 3111; ++n) EXPECT_TRUE(reloaded.contains(key_of(n), kNow + 11)) << n;
}

// fwknopd's own file, as server.md §9 describes it: header line, then one line per packet.
std::string fwknopd_cache_line(std::string_view wire, std::int64_t created_s) {
  return spa::replay_digest(wire) + " 17 192.0.2.7 53835 0.0.0.0 62201 " + std::to_string(created_s) + "\n";
}
constexpr std::string_view kFwknopHeader = "# <digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>\n";

TEST_F(ReplayLogTest, ImportsFwknopdsDigestCacheOnceAndKeepsItsRecentPackets) {
  const std::string recent = "recent-packet-accepted-by-fwknopd", older = "older-packet", ancient = "ancient-packet";
  const std::string fwknop_path =
      dir_.write_file("digest.cache", std::string(kFwknopHeader) + fwknopd_cache_line(ancient, kNow - 100'000) +
                                          fwknopd_cache_line(older, kNow - 200) + "broken line\n" +
                                          fwknopd_cache_line(recent, kNow - 5));
  ReplayLogOptions import = options();
  import.fwknop_digest_cache = fwknop_path;
  import.fwknop_keep_for_s = 240;
  {
    ReplayCache cache(100);
    auto log = ReplayLog::open(import, cache, kNow);
    ASSERT_TRUE(log) << log.error().message;
    EXPECT_TRUE(log->loaded().created);
    EXPECT_EQ(log->loaded().imported, 2u);
    EXPECT_EQ(log->loaded().import_expired, 1u);
    EXPECT_EQ(log->loaded().import_malformed, 1u);
    EXPECT_EQ(log->fwknop_digests_until_s(), kNow - 5 + 240);
    // The daemon's check while fwknop_digests_until_s() lies ahead: fwknopd's digest of the payload as received.
    EXPECT_TRUE(cache.contains(replay_key(fwknop_replay_digest(recent)), kNow));
    EXPECT_TRUE(cache.contains(replay_key(fwknop_replay_digest(older)), kNow));
    EXPECT_FALSE(cache.contains(replay_key(fwknop_replay_digest(ancient)), kNow));
    EXPECT_FALSE(cache.contains(replay_key(fwknop_replay_digest(older)), kNow + 41));  // 200 s ago + 240 s
    EXPECT_TRUE(cache.contains(replay_key(fwknop_replay_digest(recent)), kNow + 235));
  }
  // The second start reads sesame's own log (which now holds the imported digests), never digest.cache again.
  dir_.write_file("digest.cache", std::string(kFwknopHeader) + fwknopd_cache_line("another", kNow));
  ReplayCache cache(100);
  auto log = ReplayLog::open(import, cache, kNow + 10);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_FALSE(log->loaded().created);
  EXPECT_EQ(log->loaded().imported, 0u);
  EXPECT_EQ(log->loaded().live, 2u);
  EXPECT_EQ(log->fwknop_digests_until_s(), kNow - 5 + 240);
  EXPECT_TRUE(cache.contains(replay_key(fwknop_replay_digest(recent)), kNow + 10));
  EXPECT_FALSE(cache.contains(replay_key(fwknop_replay_digest("another")), kNow + 10));
  // Compaction keeps the marker while imported digests can still matter, and drops it after.
  ASSERT_TRUE(log->compact(cache, kNow + 10));
  EXPECT_NE(read_file(path_).find("# fwknop-digests-until"), std::string::npos);
  ASSERT_TRUE(log->compact(cache, kNow + 1000));
  EXPECT_EQ(log->fwknop_digests_until_s(), 0);
  EXPECT_EQ(read_file(path_).find("# fwknop-digests-until"), std::string::npos);
}

TEST_F(ReplayLogTest, MissingFwknopDigestCacheIsNoError) {
  ReplayLogOptions import = options();
  import.fwknop_digest_cache = dir_.path() + "/no-such-digest.cache";
  ReplayCache cache(100);
  auto log = ReplayLog::open(import, cache, kNow);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->loaded().imported, 0u);
  EXPECT_EQ(log->fwknop_digests_until_s(), 0);
}

}  // namespace
}  // namespace sesame::server
