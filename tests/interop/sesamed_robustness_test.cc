// SPDX-License-Identifier: GPL-2.0-or-later
// sesamed (-t) under a flood of malformed datagrams over UDP: nothing granted, still alive and still granting,
// every datagram counted and its reject lines rate limited. Also prints (asserts nothing about) its packet rates.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "spa/base64.h"
#include "spa/hmac.h"
#include "spa/packet_codec.h"
#include "spa/random.h"
#include "support/sesamed_process.h"
#include "support/temp_dir.h"

namespace sesame::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kBase64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::vector<std::uint8_t> random_bytes(std::mt19937& rng, std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& b : bytes) b = std::uint8_t(byte(rng));
  return bytes;
}

std::string random_base64_text(std::mt19937& rng, std::size_t size) {
  std::uniform_int_distribution<std::size_t> pick(0, kBase64Chars.size() - 1);
  std::string text(size, 'A');
  for (char& c : text) c = kBase64Chars[pick(rng)];
  return text;
}

std::size_t uniform(std::mt19937& rng, std::size_t low, std::size_t high) {
  return std::uniform_int_distribution<std::size_t>(low, high)(rng);
}

// A key set for the one stanza of these tests, as libsesame Keys and as access.conf text.
struct KeyPair {
  std::vector<std::uint8_t> key;
  std::vector<std::uint8_t> hmac_key;

  spa::Keys keys() const {
    spa::Keys keys;
    keys.encryption_key = SecretBytes(key);
    keys.hmac_key = SecretBytes(hmac_key);
    keys.hmac_type = spa::DigestType::kSha256;
    return keys;
  }
  std::string stanza() const {
    return "SOURCE ANY\nKEY_BASE64 " + spa::base64_encode_padded(key) + "\nHMAC_KEY_BASE64 " +
           spa::base64_encode_padded(hmac_key) + "\nOPEN_PORTS tcp/22\n";
  }
};

KeyPair random_keys(std::mt19937& rng) {
  return {random_bytes(rng, 32), random_bytes(rng, 32)};
}

// Distinct valid access requests for tcp/22 (each has its own random value, so none is a replay of another).
std::vector<std::string> valid_packets(const KeyPair& pair, std::size_t count, const std::string& allow_ip) {
  auto codec = spa::PacketCodec::create(pair.keys());
  if (!codec) throw std::runtime_error(codec.error().to_string());
  std::vector<std::string> packets;
  packets.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    spa::Message message;
    auto random_value = spa::make_random_value();
    if (!random_value) throw std::runtime_error(random_value.error().to_string());
    message.random_value = *random_value;
    message.username = "flood";
    message.timestamp = static_cast<std::uint32_t>(std::time(nullptr));
    message.type = spa::MessageType::kAccess;
    message.message = allow_ip + ",tcp/22";
    auto wire = codec->encode(message);
    if (!wire) throw std::runtime_error(wire.error().to_string());
    packets.push_back(std::move(*wire));
  }
  return packets;
}

// `count` malformed datagrams of every kind a scanner or an attacker sends, shuffled.
std::vector<std::string> junk_packets(std::mt19937& rng, const KeyPair& right, std::size_t count) {
  const KeyPair wrong = random_keys(rng);
  const std::vector<std::string> good = valid_packets(right, 64, "10.0.0.1");
  const std::vector<std::string> foreign = valid_packets(wrong, 64, "10.0.0.2");
  auto hmac = spa::HmacAuthenticator::create(spa::DigestType::kSha256, SecretBytes(right.hmac_key));
  if (!hmac) throw std::runtime_error(hmac.error().to_string());
  std::vector<std::string> junk;
  junk.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    switch (i % 6) {
      case 0: {  // random bytes of any size a datagram here has
        const auto bytes = random_bytes(rng, uniform(rng, 1, 1500));
        junk.emplace_back(bytes.begin(), bytes.end());
        break;
      }
      case 1: {  // a valid packet cut short
        const std::string& packet = good[i % good.size()];
        junk.push_back(packet.substr(0, uniform(rng, 1, packet.size() - 1)));
        break;
      }
      case 2:  // longer than any SPA packet: 1501 .. 9000 bytes of base64
        junk.push_back(random_base64_text(rng, uniform(rng, 1501, 9000)));
        break;
      case 3: {  // the right size, but not base64
        std::string text = random_base64_text(rng, uniform(rng, 150, 600));
        for (int n = 0; n < 3; ++n) text[uniform(rng, 0, text.size() - 1)] = "*~ \n\x01\xff"[uniform(rng, 0, 5)];
        junk.push_back(std::move(text));
        break;
      }
      case 4: {  // a correct HMAC over base64 garbage: passes the first check, must fail decryption
        const std::string body = random_base64_text(rng, uniform(rng, 150, 380));
        junk.push_back(body + hmac->tag(std::string(spa::kRijndaelPrefix) + body));
        break;
      }
      case 5:  // well-formed, but under other keys
        junk.push_back(foreign[i % foreign.size()]);
        break;
    }
  }
  std::shuffle(junk.begin(), junk.end(), rng);
  return junk;
}

// The receive queue and drop count the kernel shows for the UDP socket bound to `port` (/proc/net/udp{,6}).
struct SocketQueue {
  std::uint64_t rx_bytes = 0;
  std::uint64_t drops = 0;
  bool found = false;
};

SocketQueue socket_queue(std::uint16_t port) {
  SocketQueue queue;
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, ":%04X", unsigned(port));
  for (const char* file : {"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode, refs, pointer, drops;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode >> refs >>
          pointer >> drops;
      if (!local.ends_with(wanted)) continue;
      queue.found = true;
      queue.rx_bytes += std::stoull(queues.substr(queues.find(':') + 1), nullptr, 16);
      queue.drops += drops.empty() ? 0 : std::stoull(drops);
    }
  }
  return queue;
}

// Sends `packets` to sesamed in batches, each once its socket has room (the kernel drops what does not fit, and a
// flood test wants every datagram to reach the daemon); returns when sesamed's queue is empty again. The queue is
// counted in kernel buffer sizes, about twice the payload for small datagrams, so both limits stay well under the
// default receive buffer (208 KiB).
std::size_t send_paced(std::uint16_t port, const std::vector<std::string>& packets) {
  constexpr std::size_t kMaxBatch = 64;
  constexpr std::size_t kMaxBatchBytes = 24 * 1024;
  constexpr std::uint64_t kMaxQueued = 48 * 1024;
  std::size_t sent = 0;
  std::vector<std::string> batch;
  for (std::size_t next = 0; next < packets.size();) {
    while (socket_queue(port).rx_bytes > kMaxQueued) std::this_thread::sleep_for(std::chrono::microseconds(20));
    batch.clear();
    for (std::size_t bytes = 0; next < packets.size() && batch.size() < kMaxBatch &&
                                (batch.empty() || bytes + packets[next].size() <= kMaxBatchBytes);
         ++next) {
      bytes += packets[next].size();
      batch.push_back(packets[next]);
    }
    sent += send_udp(port, batch);
  }
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (socket_queue(port).rx_bytes > 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  return sent;
}

// CPU time (user + system) the process has used so far, at the kernel's tick resolution.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  return ticks / double(::sysconf(_SC_CLK_TCK));
}

// Sends SIGUSR1 until the counters show `packets` (or stop growing); returns the last counters event.
json counters_once_settled(SesamedProcess& sesamed, std::uint64_t packets) {
  json last;
  std::uint64_t previous = ~std::uint64_t{0};
  for (int tries = 0; tries < 100; ++tries) {
    const auto counters = sesamed.counters();
    if (!counters) break;
    last = *counters;
    const std::uint64_t seen = last.value("packets", std::uint64_t{0});
    if (seen >= packets || seen == previous) break;
    previous = seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return last;
}

std::uint64_t total_rejected(const json& counters) {
  std::uint64_t total = 0;
  const json rejected = counters.value("rejected", json::object());  // a named copy: items() must not outlive it
  for (const auto& [reason, count] : rejected.items()) total += count.get<std::uint64_t>();
  return total;
}

class SesamedRobustness : public ::testing::Test {
 protected:
  void SetUp() override {
    if (sesamed_path().empty()) GTEST_SKIP() << "SKIPPED: no sesamed binary";
  }
};

TEST_F(SesamedRobustness, TenThousandMalformedDatagramsGrantNothingAndAValidKnockStillWorks) {
  std::mt19937 rng(4242);
  const KeyPair keys = random_keys(rng);
  const TempDir dir("sesame-robustness");
  SesamedProcess sesamed(dir, {.access_conf = keys.stanza()});
  const std::vector<std::string> junk = junk_packets(rng, keys, 10'000);

  const std::size_t sent = send_paced(sesamed.port(), junk);
  ASSERT_EQ(sent, junk.size());
  const SocketQueue queue = socket_queue(sesamed.port());
  ASSERT_TRUE(queue.found);
  const json counters = counters_once_settled(sesamed, sent - queue.drops);
  ASSERT_TRUE(sesamed.is_running()) << sesamed.output();
  EXPECT_EQ(counters.value("packets", 0u) + queue.drops, sent) << counters.dump();
  EXPECT_EQ(queue.drops, 0u) << "the kernel dropped datagrams despite the pacing";
  EXPECT_EQ(counters.value("grants", 1u), 0u) << counters.dump();
  EXPECT_EQ(total_rejected(counters), counters.value("packets", 0u)) << counters.dump();
  for (const char* reason : {"too_short", "too_long", "not_spa", "hmac", "decode"})
    EXPECT_GT(counters.value("rejected", json::object()).value(reason, 0u), 0u) << reason << ": " << counters.dump();
  EXPECT_TRUE(sesamed.events("grant").empty());

  // Still listening, and still granting.
  ASSERT_EQ(send_udp(sesamed.port(), valid_packets(keys, 1, "10.20.30.40")), 1u);
  const auto grants = sesamed.wait_for_events("grant", 1);
  ASSERT_EQ(grants.size(), 1u) << sesamed.output();
  EXPECT_EQ(grants[0]["src"], "10.20.30.40");
  EXPECT_EQ(grants[0]["port"], 22);

  // Reject lines are rate limited (20 a second): a few, not thousands; the rest is summed up every 10 s.
  const std::size_t reject_lines = sesamed.events("reject").size();
  EXPECT_GT(reject_lines, 0u);
  EXPECT_LT(reject_lines, 500u);
  const auto summaries = sesamed.wait_for_events("reject_summary", 1, std::chrono::seconds(13));
  ASSERT_EQ(summaries.size(), 1u) << "no reject_summary event";
  EXPECT_GT(summaries[0].value("suppressed", 0u), 0u) << summaries[0].dump();
  std::printf("[ flood    ] %zu datagrams sent, %zu reject lines logged, %llu suppressed in the first summary\n", sent,
              reject_lines, static_cast<unsigned long long>(summaries[0].value("suppressed", 0ull)));
  EXPECT_TRUE(sesamed.send_signal(SIGTERM));
  EXPECT_EQ(sesamed.wait_exit(), 0) << sesamed.output();
}

// Parses the "time" of a JSON log line (RFC 3339 UTC with milliseconds) as milliseconds since the epoch.
std::int64_t event_time_ms(const json& event) {
  const std::string text = event.value("time", "");
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &millis) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::int64_t(timegm(&tm)) * 1000 + millis;
}

struct Rate {
  std::size_t sent = 0;
  std::uint64_t counted = 0;
  std::uint64_t dropped = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // sesamed's own, so a busy machine (or a slow sender) does not hide its cost
};

// Sends all `packets` as fast as the socket takes them (paced only to spare the kernel's drops) and times until
// sesamed has counted them.
Rate measure(SesamedProcess& sesamed, const std::vector<std::string>& packets) {
  const std::uint64_t before = counters_once_settled(sesamed, 0).value("packets", std::uint64_t{0});
  const std::uint64_t drops_before = socket_queue(sesamed.port()).drops;
  Rate rate;
  const double cpu_before = cpu_seconds(sesamed.pid());
  const auto start = Clock::now();
  rate.sent = send_paced(sesamed.port(), packets);
  rate.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  rate.cpu_seconds = cpu_seconds(sesamed.pid()) - cpu_before;
  rate.dropped = socket_queue(sesamed.port()).drops - drops_before;
  rate.counted = counters_once_settled(sesamed, before + rate.sent - rate.dropped).value("packets", before) - before;
  return rate;
}

void print_rate(const char* what, const Rate& rate) {
  std::printf(
      "[ rate     ] %-6s %zu sent, %llu counted, %llu dropped by the kernel, %.3f s: %.0f packets/s; "
      "sesamed used %.2f s of CPU: %.0f packets per CPU second\n",
      what, rate.sent, static_cast<unsigned long long>(rate.counted), static_cast<unsigned long long>(rate.dropped),
      rate.seconds, rate.seconds > 0 ? double(rate.counted) / rate.seconds : 0.0, rate.cpu_seconds,
      rate.cpu_seconds > 0 ? double(rate.counted) / rate.cpu_seconds : 0.0);
}

TEST_F(SesamedRobustness, PrintsValidAndJunkPacketRatesInTestMode) {
  std::mt19937 rng(99);
  const KeyPair keys = random_keys(rng);
  const TempDir dir("sesame-rate");
  SesamedProcess sesamed(dir, {.access_conf = keys.stanza()});
  const std::vector<std::string> valid = valid_packets(keys, 20'000, "10.1.1.1");
  const std::vector<std::string> junk = junk_packets(rng, keys, 20'000);

  const Rate valid_rate = measure(sesamed, valid);
  print_rate("valid", valid_rate);
  // From sesamed's own clock: the first and last grant lines (millisecond resolution) bound the processing time.
  const auto grants = sesamed.events("grant");
  EXPECT_EQ(grants.size(), valid_rate.counted);
  if (grants.size() > 1) {
    const double ms = double(event_time_ms(grants.back()) - event_time_ms(grants.front()));
    std::printf("[ rate     ] valid  %zu grant lines logged within %.0f ms: %.0f grants/s by sesamed's clock\n",
                grants.size(), ms, ms > 0 ? double(grants.size() - 1) * 1000.0 / ms : 0.0);
  }
  const Rate junk_rate = measure(sesamed, junk);
  print_rate("junk", junk_rate);
  EXPECT_GT(valid_rate.counted, 0u);
  EXPECT_GT(junk_rate.counted, 0u);
  EXPECT_TRUE(sesamed.is_running());
}

}  // namespace
}  // namespace sesame::test
