// SPDX-License-Identifier: GPL-2.0-or-later
// The shared replay cache against a real redis-server on a loopback port: first claim wins, every later one is
// taken, entries expire, a dead server is reported once and then not asked again before the retry interval, and
// claims work again when it is back. Also the store's use of it (PersistentReplayStore::share_with).
#include "server/redis_claimer.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <thread>
#include <vector>

#include "server/persistent_replay_store.h"
#include "support/redis_server.h"

namespace sesame::server {
namespace {

using namespace std::chrono_literals;

ReplayDigest digest(std::uint8_t seed) {
  ReplayDigest d{};
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = std::uint8_t(seed + i);
  return d;
}

struct Reports {
  std::vector<std::pair<bool, std::string>> seen;
  RedisClaimer::StateReport callback() {
    return [this](bool is_up, const std::string& why) { seen.emplace_back(is_up, why); };
  }
};

class RedisClaimerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::RedisServer::executable().empty()) GTEST_SKIP() << "SKIPPED: redis-server not installed";
    redis_ = std::make_unique<test::RedisServer>();
  }
  RedisClaimer::Options options() const {
    return {.url = *config::parse_redis_url(redis_->url()), .timeout = 250ms, .retry_after = 300ms};
  }
  // PTTL of a key, asked over a connection of the test's own.
  long long pttl(const std::string& key) const {
    redisContext* context = redisConnect("127.0.0.1", redis_->port());
    auto* reply = static_cast<redisReply*>(redisCommand(context, "PTTL %s", key.c_str()));
    const long long ttl = reply != nullptr && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -100;
    if (reply != nullptr) freeReplyObject(reply);
    redisFree(context);
    return ttl;
  }

  std::unique_ptr<test::RedisServer> redis_;
};

TEST_F(RedisClaimerTest, FirstClaimWinsAndTheOthersAreTaken) {
  Reports reports;
  RedisClaimer first(options(), reports.callback());
  RedisClaimer second(options(), reports.callback());  // another gateway
  EXPECT_EQ(first.claim(digest(1), 120s), ReplayClaimer::Claim::kClaimed);
  EXPECT_EQ(second.claim(digest(1), 120s), ReplayClaimer::Claim::kTaken);
  EXPECT_EQ(first.claim(digest(1), 120s), ReplayClaimer::Claim::kTaken);
  EXPECT_EQ(second.claim(digest(2), 120s), ReplayClaimer::Claim::kClaimed);
  const long long ttl = pttl(RedisClaimer::key_of(digest(1)));
  EXPECT_GT(ttl, 110000);
  EXPECT_LE(ttl, 120000);
  EXPECT_TRUE(reports.seen.empty());
}

TEST_F(RedisClaimerTest, AnEntryGoesAfterItsTime) {
  RedisClaimer claimer(options(), nullptr);
  EXPECT_EQ(claimer.claim(digest(3), 200ms), ReplayClaimer::Claim::kClaimed);
  EXPECT_EQ(claimer.claim(digest(3), 200ms), ReplayClaimer::Claim::kTaken);
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(claimer.claim(digest(3), 200ms), ReplayClaimer::Claim::kClaimed);
}

TEST_F(RedisClaimerTest, ADeadServerIsReportedOnceNotAskedUntilTheRetryAndUsedAgainWhenBack) {
  Reports reports;
  RedisClaimer claimer(options(), reports.callback());
  EXPECT_EQ(claimer.claim(digest(4), 120s), ReplayClaimer::Claim::kClaimed);
  redis_->stop();
  EXPECT_EQ(claimer.claim(digest(5), 120s), ReplayClaimer::Claim::kUnavailable);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(claimer.claim(digest(6), 120s), ReplayClaimer::Claim::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms) << "a dead server must not cost a timeout per packet";
  ASSERT_EQ(reports.seen.size(), 1u);
  EXPECT_FALSE(reports.seen[0].first);
  EXPECT_NE(reports.seen[0].second.find(redis_->url()), std::string::npos) << reports.seen[0].second;

  redis_->start();  // empty again: nothing persisted
  std::this_thread::sleep_for(350ms);
  EXPECT_EQ(claimer.claim(digest(7), 120s), ReplayClaimer::Claim::kClaimed);
  ASSERT_EQ(reports.seen.size(), 2u);
  EXPECT_TRUE(reports.seen[1].first);
}

TEST_F(RedisClaimerTest, NothingListensIsUnavailableWithinTheTimeout) {
  RedisClaimer::Options dead = options();
  redis_->stop();
  RedisClaimer claimer(dead, nullptr);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(claimer.claim(digest(8), 120s), ReplayClaimer::Claim::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

// The store in front of the shared cache: local replays never reach it; its answers become the store's.
class FixedClaimer : public ReplayClaimer {
 public:
  Claim answer = Claim::kClaimed;
  int calls = 0;
  Claim claim(const ReplayDigest&, std::chrono::milliseconds) override {
    ++calls;
    return answer;
  }
};

TEST(PersistentReplayStoreShared, TheSharedAnswerDecidesAFreshDigest) {
  ReplayCache cache(1024);
  PersistentReplayStore store(cache, nullptr);
  FixedClaimer shared;
  store.share_with(shared, false);
  EXPECT_EQ(store.insert(digest(10), 1000, 1120), ReplayStore::Insert::kFresh);
  EXPECT_EQ(store.insert(digest(10), 1000, 1120), ReplayStore::Insert::kReplay);  // local: no round trip
  EXPECT_EQ(shared.calls, 1);
  shared.answer = ReplayClaimer::Claim::kTaken;
  EXPECT_EQ(store.insert(digest(11), 1000, 1120), ReplayStore::Insert::kReplay);
  shared.answer = ReplayClaimer::Claim::kUnavailable;
  EXPECT_EQ(store.insert(digest(12), 1000, 1120), ReplayStore::Insert::kUnavailable);  // closed
  EXPECT_EQ(store.shared_unavailable(), 1u);
  store.share_with(shared, true);
  EXPECT_EQ(store.insert(digest(13), 1000, 1120), ReplayStore::Insert::kFresh);  // open
  EXPECT_EQ(store.shared_unavailable(), 2u);
}

}  // namespace
}  // namespace sesame::server
