// SPDX-License-Identifier: GPL-2.0-or-later
// The Prometheus exposition: cumulative histogram buckets, one series per outcome, HTTP answers by path.
#include "server/daemon/metrics.h"

#include <gtest/gtest.h>

namespace sesame::server::daemon {
namespace {

using namespace std::chrono_literals;

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  LatencyHistogram histogram;
  histogram.observe(5us);    // <= 10 us
  histogram.observe(300us);  // <= 500 us
  histogram.observe(20s);    // above every bound
  std::string out;
  histogram.render(out, "x_seconds", "help");
  EXPECT_NE(out.find("# TYPE x_seconds histogram\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{le=\"1e-05\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{le=\"0.00025\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{le=\"0.0005\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{le=\"10\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_sum 20.000305\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_count 3\n"), std::string::npos) << out;
}

TEST(Metrics, EveryDropReasonHasItsOwnSeries) {
  DropCounters drops;
  drops.count(DropReason::kSource);
  drops.count(DropReason::kSourceRequired);
  drops.count(DropReason::kSourceRequired);
  MetricsSnapshot snapshot;
  snapshot.drops = &drops;
  const std::string out = render_metrics(snapshot);
  EXPECT_NE(out.find("sesame_packets_total{outcome=\"source\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("sesame_packets_total{outcome=\"source_required\"} 2\n"), std::string::npos) << out;
  std::size_t series = 0;
  for (auto at = out.find("sesame_packets_total{"); at != std::string::npos;
       at = out.find("sesame_packets_total{", at + 1))
    ++series;
  EXPECT_EQ(series, kDropReasonCount + 2);  // + accepted + fwknop_replay
}

TEST(Metrics, HttpAnswersByMethodAndPath) {
  const MetricsSnapshot snapshot;
  EXPECT_TRUE(metrics_http_reply("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", snapshot).starts_with("HTTP/1.1 200 OK"));
  EXPECT_TRUE(metrics_http_reply("GET / HTTP/1.1\r\n\r\n", snapshot).starts_with("HTTP/1.1 404"));
  EXPECT_TRUE(metrics_http_reply("POST /metrics HTTP/1.1\r\n\r\n", snapshot).starts_with("HTTP/1.1 405"));
  EXPECT_TRUE(metrics_http_reply("garbage", snapshot).starts_with("HTTP/1.1 405"));
}

}  // namespace
}  // namespace sesame::server::daemon
