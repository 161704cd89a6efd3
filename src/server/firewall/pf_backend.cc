// SPDX-License-Identifier: GPL-2.0-or-later
// PfBackend (see pf_backend.h): pfctl command lines and anchor texts, and the parsing of pfctl's listing.
#include "server/firewall/pf_backend.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <charconv>
#include <set>
#include "server/firewall/nat_decision.h"
#include "server/firewall/rule_text.h"

namespace sesame::server::firewall {
namespace {

FirewallError error(std::string message) {
  std::string text = "pf: ";
  text += message;
  return FirewallError{std::move(text)};
}

std::string_view trimmed(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// pfctl's output is stdout and stderr in one (the executor joins them): only rule lines may be loaded back, not
// "No ALTQ support in kernel" and the like.
bool is_rule_line(std::string_view line) {
  const std::string_view word = line.substr(0, std::min(line.find(' '), line.size()));
  static constexpr std::string_view kActions[] = {"pass",  "block", "match", "anchor", "antispoof",
                                                  "scrub", "nat",   "rdr",   "binat",  "load"};
  return std::find(std::begin(kActions), std::end(kActions), word) != std::end(kActions);
}

// "pass in quick inet proto tcp from 192.0.2.7 to any port = 22 flags S/SA keep state label "_exp_1700000030"",
// as pfctl prints the rule this backend loaded; the port may be a service name.
std::optional<ExpiredGrant> parse_grant(std::string_view line) {
  const std::vector<std::string_view> words = split(line, ' ');
  const auto proto = std::find(words.begin(), words.end(), "proto");
  const auto from = std::find(words.begin(), words.end(), "from");
  const auto port = std::find(from, words.end(), "port");
  if (proto == words.end() || proto + 1 == words.end() || from == words.end() || from + 1 == words.end() ||
      port == words.end())
    return std::nullopt;
  const std::string_view protocol = *(proto + 1);
  const std::uint8_t number = protocol == "tcp" || protocol == "6" ? 6 : protocol == "udp" || protocol == "17" ? 17 : 0;
  const auto source = config::IpAddress::parse(*(from + 1));
  auto value = port + 1;
  if (value != words.end() && *value == "=") ++value;
  if (number == 0 || !source || value == words.end()) return std::nullopt;
  std::optional<std::uint16_t> port_number = number_in<std::uint16_t>(*value);
  if (!port_number) {
    const std::string service(*value);
    if (const servent* entry = getservbyname(service.c_str(), number == 6 ? "tcp" : "udp"))
      port_number = static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(entry->s_port)));
  }
  if (!port_number) return std::nullopt;
  return ExpiredGrant{*source, number, *port_number};
}

}  // namespace

PfSettings pf_settings_from(const config::ServerConfig& config) {
  PfSettings settings;
  settings.exe = config.firewall_exe.value_or("/sbin/pfctl");
  settings.anchor = config.pf_anchor_name;
  settings.expire_interval_s = config.pf_expire_interval.count();
  settings.use_destination = config.enable_destination_rule;
  return settings;
}

std::unique_ptr<FirewallBackend> make_pf_backend(const config::ServerConfig& config,
                                                 std::unique_ptr<CommandExecutor> executor) {
  return std::make_unique<PfBackend>(pf_settings_from(config), std::move(executor));
}

PfBackend::PfBackend(PfSettings settings, std::unique_ptr<CommandExecutor> executor)
    : settings_(std::move(settings)), executor_(std::move(executor)) {}

Result<CommandOutcome, FirewallError> PfBackend::execute(const std::vector<std::string>& args, std::string_view input) {
  std::vector<std::string> argv{settings_.exe};
  argv.insert(argv.end(), args.begin(), args.end());
  auto outcome = executor_->run(argv, input);
  if (!outcome) return fail(error("cannot run `" + command_line(argv) + "`: " + outcome.error()));
  return std::move(*outcome);
}

Result<std::string, FirewallError> PfBackend::run(const std::vector<std::string>& args, std::string_view input) {
  auto outcome = execute(args, input);
  if (!outcome) return fail(outcome.error());
  if (!outcome->succeeded()) return fail(error(failure_text(settings_.exe, args, *outcome)));
  return std::move(outcome->output);
}

Result<Ok, FirewallError> PfBackend::start(std::int64_t now_s) {
  tracked_.clear();
  last_scan_s_.reset();
  // Rules in an anchor no pf.conf rule refers to are never evaluated: every grant would silently do nothing.
  auto anchors = run({"-s", "Anchor"});
  if (!anchors) return fail(anchors.error());
  const auto lines = split(*anchors, '\n');
  const bool is_referenced =
      std::any_of(lines.begin(), lines.end(), [&](std::string_view line) { return trimmed(line) == settings_.anchor; });
  if (!is_referenced)
    return fail(error("anchor \"" + settings_.anchor + "\" (PF_ANCHOR_NAME) is not referenced from pf.conf: `" +
                      settings_.exe + " -s Anchor` does not list it; add `anchor \"" + settings_.anchor +
                      "\"` to pf.conf and reload it"));
  // fwknopd flushes the anchor here; its live grants are taken over instead, and only the expired ones dropped.
  may_hold_rules_ = true;
  return rewrite_without_expired(now_s, nullptr);
}

Result<Ok, FirewallError> PfBackend::flush_anchor() {
  if (auto flushed = run({"-a", settings_.anchor, "-F", "all"}); !flushed) return fail(flushed.error());
  may_hold_rules_ = false;
  return Ok{};
}

Result<Ok, FirewallError> PfBackend::rewrite_without_expired(std::int64_t now_s, std::vector<ExpiredGrant>* expired) {
  last_scan_s_ = now_s;
  auto listing = run({"-a", settings_.anchor, "-s", "rules"});
  if (!listing) return fail(listing.error());
  std::string kept;
  std::map<std::string, Tracked> live;
  std::vector<ExpiredGrant> dropped;
  bool has_dropped = false;
  for (const std::string_view line : split(*listing, '\n')) {
    if (!is_rule_line(line)) continue;
    // As fwknopd: the anchor is sesamed's, and what is rewritten is its live _exp_ rules only.
    const auto expires_s = rule_expiry(line);
    const auto grant = parse_grant(line);
    if (!expires_s || *expires_s <= now_s) {
      has_dropped = true;
      if (expires_s && grant) dropped.push_back(*grant);
      continue;
    }
    kept += line;
    kept += '\n';
    if (!grant) continue;
    const std::string key = grant_key(*grant);
    if (const auto known = live.find(key); known == live.end() || known->second.expires_s < *expires_s)
      live[key] = Tracked{*grant, *expires_s};
  }
  if (has_dropped || (kept.empty() && may_hold_rules_ && !expired)) {
    if (kept.empty()) {
      if (auto flushed = flush_anchor(); !flushed) return flushed;
    } else if (auto loaded = run({"-a", settings_.anchor, "-f", "-"}, kept); !loaded) {
      return fail(loaded.error());
    }
  }
  may_hold_rules_ = !kept.empty();
  if (expired) {
    std::set<std::string> reported;
    for (const ExpiredGrant& grant : dropped)
      if (reported.insert(grant_key(grant)).second) expired->push_back(grant);
    // Due grants whose rules someone else removed are over too.
    for (const auto& [key, tracked] : tracked_)
      if (tracked.expires_s <= now_s && !live.contains(key) && reported.insert(key).second)
        expired->push_back(tracked.grant);
  }
  tracked_ = std::move(live);
  return Ok{};
}

Result<Ok, FirewallError> PfBackend::open(std::span<const GrantRequest> grants, std::int64_t now_s) {
  struct Planned {
    ExpiredGrant grant;
    std::string destination;
    std::int64_t expires_s = 0;
  };
  std::map<std::string, Planned> planned;  // by grant key
  std::vector<std::string> order;          // keys in request order, for a predictable anchor text
  for (const GrantRequest& grant : grants) {
    if (!grant.request) return fail(error("a grant without a request"));
    const AccessRequest& request = *grant.request;
    // As fwknopd's pf build: no NAT. Refused as a whole, so that no part of a NAT grant opens directly.
    if (is_nat_grant(grant))
      return fail(error("NAT access for " + request.allow_ip.to_string() + " is not supported by the pf backend"));
    const config::IpAddress source = request.allow_ip.unmapped();
    const config::IpAddress destination = request.packet_destination.unmapped();
    const bool has_destination = settings_.use_destination && destination != config::IpAddress() &&
                                 destination != config::IpAddress::ipv6({}) && destination.family() == source.family();
    const std::string to = has_destination ? destination.to_string() : "any";
    const std::int64_t expires_s = now_s + std::max<std::int64_t>(1, request.timeout.count());
    for (const config::ProtoPort& entry : request.ports) {
      const ExpiredGrant key_grant{source, static_cast<std::uint8_t>(entry.protocol), entry.port};
      const std::string key = grant_key(key_grant);
      const auto [at, is_new] = planned.try_emplace(key, Planned{key_grant, to, expires_s});
      if (is_new) {
        order.push_back(key);
      } else {  // the same grant twice in one burst: one rule, the later expiry and destination
        at->second.expires_s = std::max(at->second.expires_s, expires_s);
        at->second.destination = to;
      }
    }
  }
  // A grant whose rule lasts at least as long already needs nothing; a longer one replaces the old rule.
  std::erase_if(order, [&](const std::string& key) {
    const auto known = tracked_.find(key);
    if (known == tracked_.end() || known->second.expires_s < planned.at(key).expires_s) return false;
    planned.erase(key);
    return true;
  });
  if (order.empty()) return Ok{};

  auto listing = run({"-a", settings_.anchor, "-s", "rules"});
  if (!listing) return fail(listing.error());
  std::string text;
  for (const std::string_view line : split(*listing, '\n')) {
    if (!is_rule_line(line)) continue;
    if (const auto grant = parse_grant(line); grant && rule_expiry(line) && planned.contains(grant_key(*grant)))
      continue;  // replaced by the longer rule below
    text += line;
    text += '\n';
  }
  for (const std::string& key : order) {
    const Planned& plan = planned.at(key);
    text += "pass in quick proto " + std::to_string(plan.grant.protocol) + " from " + plan.grant.source.to_string() +
            " to " + plan.destination + " port " + std::to_string(plan.grant.port) + " keep state label " +
            std::string(kExpireCommentPrefix) + std::to_string(plan.expires_s) + "\n";
  }
  // One load for the whole burst: pfctl replaces the anchor's rules atomically, so a failure leaves it as it was.
  if (auto loaded = run({"-a", settings_.anchor, "-f", "-"}, text); !loaded) return fail(loaded.error());
  for (const std::string& key : order) {
    const Planned& plan = planned.at(key);
    tracked_[key] = Tracked{plan.grant, plan.expires_s};
  }
  may_hold_rules_ = true;
  return Ok{};
}

Result<std::vector<ExpiredGrant>, FirewallError> PfBackend::expire(std::int64_t now_s) {
  std::vector<ExpiredGrant> expired;
  const bool is_due =
      std::any_of(tracked_.begin(), tracked_.end(), [&](const auto& entry) { return entry.second.expires_s <= now_s; });
  // PF_EXPIRE_INTERVAL: the rules sesamed does not track (another program's, an unparsable one) are found by a
  // periodic scan; an empty anchor is not scanned.
  const bool is_scan_time = may_hold_rules_ && (!last_scan_s_ || now_s - *last_scan_s_ >= settings_.expire_interval_s);
  if (!is_due && !is_scan_time) return expired;
  if (auto rewritten = rewrite_without_expired(now_s, &expired); !rewritten) return fail(rewritten.error());
  return expired;
}

Result<std::string, FirewallError> PfBackend::list(bool everything) {
  (void)everything;  // fwknopd's pf build lists the anchor for both
  auto listed = run({"-a", settings_.anchor, "-s", "rules"});
  if (!listed) return fail(listed.error());
  return "Listing fwknopd pf rules...\n\nActive Rules in PF anchor '" + settings_.anchor + "':\n" + *listed;
}

Result<Ok, FirewallError> PfBackend::flush() {
  tracked_.clear();
  return flush_anchor();
}

}  // namespace sesame::server::firewall
