// SPDX-License-Identifier: GPL-2.0-or-later
#include "server/daemon/metrics.h"

#include <cstdio>

namespace sesame::server::daemon {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

void header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ").append(name).append(" ");
  out.append(type).append("\n");
}

void single(std::string& out, std::string_view name, std::string_view help, std::string_view type,
            std::uint64_t value) {
  header(out, name, help, type);
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

std::string http(std::string_view status, std::string_view content_type, const std::string& body) {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

void LatencyHistogram::observe(std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  ++counts_[bucket];
  sum_s_ += seconds;
  ++count_;
}

void LatencyHistogram::render(std::string& out, std::string_view name, std::string_view help) const {
  header(out, name, help, "histogram");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += counts_[i];
    out.append(name).append("_bucket{le=\"").append(i < kBounds.size() ? number(kBounds[i]) : "+Inf");
    out.append("\"} ").append(std::to_string(cumulative)).append("\n");
  }
  out.append(name).append("_sum ").append(number(sum_s_)).append("\n");
  out.append(name).append("_count ").append(std::to_string(count_)).append("\n");
}

std::string render_metrics(const MetricsSnapshot& s) {
  std::string out;
  header(out, "sesame_packets_total", "SPA packets by outcome: accepted, or the reason they were dropped.", "counter");
  out.append("sesame_packets_total{outcome=\"accepted\"} ").append(std::to_string(s.accepted)).append("\n");
  if (s.drops != nullptr) {
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
      const auto reason = static_cast<DropReason>(i);
      // Two reasons share the name "source" in logs; here each keeps its own label.
      const std::string label =
          reason == DropReason::kSourceRequired ? "source_required" : std::string(drop_reason_name(reason));
      out.append("sesame_packets_total{outcome=\"").append(label).append("\"} ");
      out.append(std::to_string((*s.drops)[reason])).append("\n");
    }
  }
  out.append("sesame_packets_total{outcome=\"fwknop_replay\"} ").append(std::to_string(s.fwknop_replays));
  out.append("\n");
  single(out, "sesame_packets_seen_total", "SPA packets received, whatever became of them.", "counter", s.packets);
  single(out, "sesame_grants_total", "Grants the firewall took.", "counter", s.grants);
  single(out, "sesame_grants_failed_total", "Grants refused by the firewall or the replay log.", "counter",
         s.grants_failed);
  single(out, "sesame_grants_active", "Grants open now (granted and not yet expired).", "gauge", s.grants_active);
  single(out, "sesame_replay_cache_entries", "Packets remembered by the replay cache.", "gauge",
         s.replay_cache_entries);
  single(out, "sesame_shared_replay_unavailable_total",
         "Fresh packets the shared replay cache (REPLAY_CACHE_URL) did not answer for.", "counter",
         s.shared_replay_unavailable);
  if (s.decision != nullptr)
    s.decision->render(out, "sesame_decision_seconds", "Time from a packet's arrival to its verdict.");
  if (s.firewall_change != nullptr)
    s.firewall_change->render(out, "sesame_firewall_change_seconds",
                              "Time one burst's firewall change took (all its grants in one transaction).");
  return out;
}

std::string metrics_http_reply(std::string_view request, const MetricsSnapshot& snapshot) {
  const std::string_view line = request.substr(0, request.find_first_of("\r\n"));
  if (!line.starts_with("GET ")) return http("405 Method Not Allowed", "text/plain", "GET only\n");
  const std::string_view target = line.substr(4, line.find(' ', 4) - 4);
  if (target != "/metrics") return http("404 Not Found", "text/plain", "try /metrics\n");
  return http("200 OK", "text/plain; version=0.0.4", render_metrics(snapshot));
}

}  // namespace sesame::server::daemon
