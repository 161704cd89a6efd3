// SPDX-License-Identifier: GPL-2.0-or-later
// REPLAY_CACHE_URL's form: redis://HOST[:PORT][/DB].
#include "config/redis_url.h"

#include <gtest/gtest.h>

namespace sesame::config {
namespace {

TEST(RedisUrl, HostPortAndDatabase) {
  auto url = parse_redis_url("redis://cache.example:6380/2");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->host, "cache.example");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->db, 2);
  EXPECT_EQ(url->to_string(), "redis://cache.example:6380/2");
}

TEST(RedisUrl, DefaultsArePort6379AndDatabase0) {
  for (const char* text : {"redis://10.0.0.5", "redis://10.0.0.5/", "redis://10.0.0.5:6379/0"}) {
    auto url = parse_redis_url(text);
    ASSERT_TRUE(url) << text << ": " << url.error();
    EXPECT_EQ(url->to_string(), "redis://10.0.0.5:6379/0") << text;
  }
}

TEST(RedisUrl, Ipv6HostInBrackets) {
  auto url = parse_redis_url("redis://[fd00::7]:7000/1");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->host, "fd00::7");
  EXPECT_EQ(url->port, 7000);
  EXPECT_EQ(url->to_string(), "redis://[fd00::7]:7000/1");
}

TEST(RedisUrl, MalformedOnesSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://h:1/0", "must start with redis://"},
      {"redis://", "bad host"},
      {"redis://h:0", "port must be 1-65535"},
      {"redis://h:65536", "port must be 1-65535"},
      {"redis://h:12x", "port must be 1-65535"},
      {"redis://h/x", "database must be 0-9999"},
      {"redis://h/10000", "database must be 0-9999"},
      {"redis://[fd00::1", "unclosed ["},
      {"redis://h;rm -rf", "bad host"},
      {"redis://[fd00::1]x", "unexpected text"},
  };
  for (const auto& [text, why] : cases) {
    auto url = parse_redis_url(text);
    ASSERT_FALSE(url) << text;
    EXPECT_NE(url.error().find(why), std::string::npos) << text << ": " << url.error();
  }
}

// A password would end up in -D dumps and logs; it is refused without echoing it.
TEST(RedisUrl, CredentialsAreRefusedWithoutEchoingThem) {
  auto url = parse_redis_url("redis://:hunter2@h:6379/0");
  ASSERT_FALSE(url);
  EXPECT_NE(url.error().find("not supported"), std::string::npos) << url.error();
  EXPECT_EQ(url.error().find("hunter2"), std::string::npos) << url.error();
}

}  // namespace
}  // namespace sesame::config
