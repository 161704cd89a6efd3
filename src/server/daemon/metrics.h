// SPDX-License-Identifier: GPL-2.0-or-later
// The Prometheus text endpoint of sesamed (METRICS_PORT): packets by outcome, grants, active grants, replay cache
// size, and latency histograms of decisions (one packet through the pipeline) and firewall changes (one burst's
// transaction). docs/metrics.md lists every series and has a Grafana dashboard for them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/drop_reason.h"

namespace sesame::server::daemon {

// A Prometheus histogram with fixed buckets from 10 µs to 10 s (cumulative when rendered).
class LatencyHistogram {
 public:
  static constexpr std::array<double, 13> kBounds = {1e-5,   2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
                                                     2.5e-3, 5e-3,   1e-2, 0.1,  1.0,    10.0};
  void observe(std::chrono::nanoseconds duration);
  // `name`_bucket{le=...}, `name`_sum, `name`_count, after HELP and TYPE lines.
  void render(std::string& out, std::string_view name, std::string_view help) const;

 private:
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};  // the last: above every bound
  double sum_s_ = 0;
  std::uint64_t count_ = 0;
};

struct MetricsSnapshot {
  std::uint64_t packets = 0;
  std::uint64_t accepted = 0;  // through the pipeline: granted, a command run, a cycle, or a failed grant
  std::uint64_t grants = 0;
  std::uint64_t grants_failed = 0;
  std::uint64_t grants_active = 0;
  std::uint64_t fwknop_replays = 0;
  std::uint64_t shared_replay_unavailable = 0;
  std::uint64_t replay_cache_entries = 0;
  const DropCounters* drops = nullptr;
  const LatencyHistogram* decision = nullptr;
  const LatencyHistogram* firewall_change = nullptr;
};

// The whole exposition, text format 0.0.4.
std::string render_metrics(const MetricsSnapshot& snapshot);
// The HTTP answer to one request: the metrics for GET /metrics, 404 for any other path, 405 for another method.
std::string metrics_http_reply(std::string_view request, const MetricsSnapshot& snapshot);

}  // namespace sesame::server::daemon
