// SPDX-License-Identifier: GPL-2.0-or-later
#include "server/redis_claimer.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <array>
#include <cstring>

namespace sesame::server {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

struct ReplyFree {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

Reply command(redisContext* context, const char* format, auto... args) {
  return Reply(static_cast<redisReply*>(redisCommand(context, format, args...)));
}

}  // namespace

RedisClaimer::RedisClaimer(Options options, StateReport report)
    : options_(std::move(options)), report_(std::move(report)) {}

RedisClaimer::~RedisClaimer() {
  if (context_ != nullptr) redisFree(context_);
}

std::string RedisClaimer::key_of(const ReplayDigest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "sesame:replay:";
  for (const std::uint8_t byte : digest) {
    key += kHex[byte >> 4];
    key += kHex[byte & 0xf];
  }
  return key;
}

bool RedisClaimer::connect(std::string& why) {
  const timeval timeout = to_timeval(options_.timeout);
  context_ = redisConnectWithTimeout(options_.url.host.c_str(), options_.url.port, timeout);
  if (context_ == nullptr || context_->err != 0) {
    why = context_ != nullptr ? context_->errstr : "out of memory";
    return false;
  }
  if (redisSetTimeout(context_, timeout) != REDIS_OK) {
    why = "cannot set the command timeout";
    return false;
  }
  if (options_.url.db != 0) {
    const Reply selected = command(context_, "SELECT %d", options_.url.db);
    if (!selected || selected->type == REDIS_REPLY_ERROR) {
      why = selected ? std::string("SELECT: ") + selected->str : std::string(context_->errstr);
      return false;
    }
  }
  return true;
}

ReplayClaimer::Claim RedisClaimer::unavailable(const std::string& why) {
  if (context_ != nullptr) {
    redisFree(context_);  // a timed-out or broken connection may still deliver an old reply: start afresh
    context_ = nullptr;
  }
  retry_at_ = Clock::now() + options_.retry_after;
  if (!is_down_) {
    is_down_ = true;
    if (report_) report_(false, options_.url.to_string() + ": " + why);
  }
  return Claim::kUnavailable;
}

ReplayClaimer::Claim RedisClaimer::claim(const ReplayDigest& digest, std::chrono::milliseconds keep_for) {
  if (context_ == nullptr) {
    if (is_down_ && Clock::now() < retry_at_) return Claim::kUnavailable;
    std::string why;
    if (!connect(why)) return unavailable(why);
  }
  const std::string key = key_of(digest);
  const Reply reply = command(context_, "SET %b 1 NX PX %lld", key.data(), key.size(),
                              static_cast<long long>(std::max<std::int64_t>(keep_for.count(), 1)));
  if (!reply) return unavailable(context_->errstr[0] != '\0' ? context_->errstr : "no answer");
  if (reply->type == REDIS_REPLY_ERROR) return unavailable(std::string("SET: ") + reply->str);
  if (is_down_) {
    is_down_ = false;
    if (report_) report_(true, options_.url.to_string());
  }
  if (reply->type == REDIS_REPLY_NIL) return Claim::kTaken;
  if (reply->type == REDIS_REPLY_STATUS && std::strcmp(reply->str, "OK") == 0) return Claim::kClaimed;
  return unavailable("unexpected answer to SET");
}

}  // namespace sesame::server
