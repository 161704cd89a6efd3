// SPDX-License-Identifier: GPL-2.0-or-later
// NftBackend (see nft_backend.h): nft command text built per batch and run through libnftables, so that one
// receive burst costs one netlink transaction.
#include "server/firewall/nft_backend.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "server/firewall/nft_listing.h"
#include "server/firewall/nft_nat.h"

namespace sesame::server::firewall {
namespace {

constexpr std::size_t kMaxErrorText = 300;

FirewallError error(std::string message) {
  return FirewallError{std::move(message)};
}

// nft's error text repeats the whole command (for a batch, thousands of elements): keep its first line.
std::string first_line(const char* text) {
  std::string_view view = text ? text : "";
  view = view.substr(0, std::min(view.find('\n'), view.size()));
  if (view.size() > kMaxErrorText) view = view.substr(0, kMaxErrorText);
  return std::string(view);
}

bool families_overlap(std::string_view a, std::string_view b) {
  return a == "inet" || b == "inet" || a == b;
}

bool has_word(std::string_view text, std::string_view word) {
  std::size_t at = 0;
  while ((at = text.find(word, at)) != std::string_view::npos) {
    const bool starts = at == 0 || text[at - 1] == ' ';
    const bool ends = at + word.size() == text.size() || text[at + word.size()] == ' ';
    if (starts && ends) return true;
    at += word.size();
  }
  return false;
}

void append_element(std::string& out, const config::IpAddress& address, std::uint8_t protocol, std::uint16_t port) {
  out += address.to_string();
  out += " . ";
  out += std::to_string(protocol);
  out += " . ";
  out += std::to_string(port);
}

// What expire() reports for a NAT element found at start: the DNAT's source and requested port, or FORWARD_ALL's
// source; nothing for the elements that accompany them.
std::optional<ExpiredGrant> recovered_report(std::string_view object, std::string_view key) {
  if (object != "sesame_dnat4" && object != "sesame_dnat4d" && object != "sesame_fwd_all4") return std::nullopt;
  std::vector<std::string_view> parts;
  for (std::size_t at = 0; at <= key.size();) {
    const std::size_t end = std::min(key.find(" . ", at), key.size());
    parts.push_back(key.substr(at, end - at));
    at = end + 3;
  }
  const auto source = config::IpAddress::parse(parts.front());
  if (!source) return std::nullopt;
  if (parts.size() < 3) return ExpiredGrant{*source, 0, 0};
  const std::string_view protocol = parts[parts.size() - 2];
  const std::string port(parts.back());
  const std::uint8_t number = protocol == "tcp" ? 6 : protocol == "udp" ? 17 : 0;
  return ExpiredGrant{*source, number, static_cast<std::uint16_t>(std::strtoul(port.c_str(), nullptr, 10))};
}

}  // namespace

std::size_t NftBackend::KeyHash::operator()(const Key& key) const noexcept {
  std::size_t hash = (std::size_t{key.protocol} << 16) | key.port;
  for (const std::uint8_t byte : key.address.bytes()) hash = hash * 1099511628211ULL + byte;  // FNV-style
  return hash ^ (hash >> 29);
}

Result<std::unique_ptr<NftBackend>, FirewallError> NftBackend::create(NftSettings settings) {
  std::unique_ptr<nft_ctx, ContextFree> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) return fail(error("nftables: nft_ctx_new failed"));
  if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0)
    return fail(error("nftables: cannot buffer libnftables output"));
  // Without the fast lane grants still work, through libnftables (~5x slower per element).
  auto writer = NftElementWriter::create(settings.family, settings.table);
  return std::unique_ptr<NftBackend>(
      new NftBackend(std::move(settings), std::move(ctx), writer ? std::move(*writer) : nullptr));
}

NftBackend::NftBackend(NftSettings settings, std::unique_ptr<nft_ctx, ContextFree> ctx,
                       std::unique_ptr<NftElementWriter> writer)
    : settings_(std::move(settings)),
      table_(settings_.table_spec()),
      ctx_(std::move(ctx)),
      writer_(std::move(writer)) {}

Result<std::string, FirewallError> NftBackend::run(const std::string& commands, unsigned output_flags) {
  nft_ctx_output_set_flags(ctx_.get(), output_flags);
  const int rc = nft_run_cmd_from_buffer(ctx_.get(), commands.c_str());
  std::string output = nft_ctx_get_output_buffer(ctx_.get());  // reading the buffers also empties them
  const std::string problem = first_line(nft_ctx_get_error_buffer(ctx_.get()));
  if (rc != 0) return fail(error("nftables: " + (problem.empty() ? std::string("command failed") : problem)));
  return output;
}

Result<Ok, FirewallError> NftBackend::start(std::int64_t now_s) {
  auto listing = run("list ruleset", NFT_CTX_OUTPUT_HANDLE | NFT_CTX_OUTPUT_TERSE);
  if (!listing) return fail(listing.error());
  const std::vector<NftTable> tables = parse_nft_ruleset(*listing);
  const NftTable* table = find_table(tables, settings_.family, settings_.table);
  const NftChain* input = table ? table->find_chain(settings_.input_chain) : nullptr;
  const std::string chain_prefix = " " + table_ + " ";

  std::string batch;
  if (!table) batch += "add table " + table_ + " { comment \"" + std::string(kCreatedComment) + "\"; }\n";
  // Only a missing chain is created: `add chain` with a policy would change an existing chain's policy.
  if (!input)
    batch += "add chain" + chain_prefix + settings_.input_chain +
             " { type filter hook input priority 0; policy accept; comment \"" + std::string(kCreatedComment) +
             "\"; }\n";
  if (settings_.has_ipv4())
    batch += "add set" + chain_prefix + std::string(kSetIpv4) +
             " { type ipv4_addr . inet_proto . inet_service; flags timeout; }\n";
  if (settings_.has_ipv6())
    batch += "add set" + chain_prefix + std::string(kSetIpv6) +
             " { type ipv6_addr . inet_proto . inet_service; flags timeout; }\n";
  // Flushed and refilled in the same transaction: a restart neither duplicates the rules nor opens a gap.
  const std::string sesame_chain = chain_prefix + std::string(kInputChain);
  batch += "add chain" + sesame_chain + "\nflush chain" + sesame_chain + "\n";
  if (settings_.has_ipv4())
    batch += "add rule" + sesame_chain + " ip saddr . meta l4proto . th dport @" + std::string(kSetIpv4) + " accept\n";
  if (settings_.has_ipv6())
    batch += "add rule" + sesame_chain + " ip6 saddr . meta l4proto . th dport @" + std::string(kSetIpv6) + " accept\n";

  batch += jump_commands(settings_.input_chain, input, kInputChain);
  if (settings_.has_nat()) {
    batch += nft_nat_setup_commands(settings_, table_, table);
    if (settings_.enable_forwarding) {
      const NftChain* forward = table ? table->find_chain(settings_.forward_chain) : nullptr;
      if (!forward)
        batch += "add chain" + chain_prefix + settings_.forward_chain +
                 " { type filter hook forward priority 0; policy accept; comment \"" + std::string(kCreatedComment) +
                 "\"; }\n";
      batch += jump_commands(settings_.forward_chain, forward, kNftForwardChain);
    }
  }
  if (auto applied = run(batch); !applied) return fail(applied.error());

  find_unreachable_drops(tables);
  if (auto recovered = recover(now_s * 1000); !recovered) return recovered;
  return recover_nat(now_s * 1000);
}

std::string NftBackend::jump_commands(std::string_view base_chain, const NftChain* listed,
                                      std::string_view chain) const {
  const std::string jump = "jump " + std::string(chain);
  const auto is_jump = [&](const NftRule& rule) { return rule.text == jump; };
  const bool has_jump = listed && std::any_of(listed->rules.begin(), listed->rules.end(), is_jump);
  if (settings_.jump_position <= 0 || has_jump) return {};
  const std::string where = " " + table_ + " " + std::string(base_chain);
  const std::size_t index = static_cast<std::size_t>(settings_.jump_position) - 1;
  if (listed && index < listed->rules.size())
    return "insert rule" + where + " position " + std::to_string(listed->rules[index].handle) + " " + jump + "\n";
  return "add rule" + where + " " + jump + "\n";
}

// An accept in this table ends the packet's walk through this table only: a drop in another input hook chain
// still drops it. fwknopd has the same trap with a second iptables table; here it is worth a warning.
void NftBackend::find_unreachable_drops(const std::vector<NftTable>& tables) {
  warnings_.clear();
  for (const NftTable& table : tables) {
    if (!families_overlap(table.family, settings_.family)) continue;
    if (table.family != "inet" && table.family != "ip" && table.family != "ip6") continue;
    for (const NftChain& chain : table.chains) {
      const bool is_forward = chain.hook == "forward";
      if (chain.hook != "input" && !(is_forward && settings_.has_nat() && settings_.enable_forwarding)) continue;
      const std::string& our_chain = is_forward ? settings_.forward_chain : settings_.input_chain;
      const bool is_ours = table.family == settings_.family && table.name == settings_.table && chain.name == our_chain;
      if (is_ours) continue;
      std::string how;
      if (chain.policy == "drop") {
        how = "policy drop";
      } else {
        for (const NftRule& rule : chain.rules)
          if (has_word(rule.text, "drop") || has_word(rule.text, "reject")) {
            how = "rule \"" + rule.text + "\"";
            break;
          }
      }
      if (how.empty()) continue;
      warnings_.push_back("nftables: table " + table.family + " " + table.name + ", chain " + chain.name + " (hook " +
                          chain.hook + ") drops " + chain.hook + " with " + how + "; sesame's accept in table " +
                          table_ +
                          " cannot undo that: set NFT_TABLE to that table or accept sesame's grants there too");
    }
  }
}

// Takes over the elements a previous run left: they stay (the kernel expires them) and expire() reports them.
Result<Ok, FirewallError> NftBackend::recover(std::int64_t now_ms) {
  tracked_.clear();
  deadlines_ = {};
  is_tracking_complete_ = true;
  for (const auto set : {kSetIpv4, kSetIpv6}) {
    if ((set == kSetIpv4 && !settings_.has_ipv4()) || (set == kSetIpv6 && !settings_.has_ipv6())) continue;
    auto listed = run("list set " + table_ + " " + std::string(set));
    if (!listed) return fail(listed.error());
    for (const NftElement& element : parse_nft_elements(*listed)) {
      if (!element.expires_ms) continue;
      track(Key{element.address, element.protocol, element.port}, now_ms + *element.expires_ms);
    }
  }
  return Ok{};
}

// NAT elements a previous run left: remembered with their data, so that a re-grant can replace them.
Result<Ok, FirewallError> NftBackend::recover_nat(std::int64_t now_ms) {
  nat_tracked_.clear();
  nat_deadlines_ = {};
  for (const NftNatObject& object : nft_nat_objects()) {
    if (!is_used(object, settings_)) continue;
    auto listed = run(std::string(object.is_map ? "list map " : "list set ") + table_ + " " + std::string(object.name));
    if (!listed) return fail(listed.error());
    for (NftTextElement& element : parse_nft_text_elements(*listed)) {
      if (!element.expires_ms) continue;
      const auto report = recovered_report(object.name, element.key);
      track_nat(std::string(object.name) + " " + element.key,
                NatTracked{std::move(element.value), now_ms + *element.expires_ms, report});
    }
  }
  return Ok{};
}

void NftBackend::track_nat(const std::string& id, NatTracked tracked) {
  nat_deadlines_.push(NatDeadline{tracked.expires_ms, id});
  nat_tracked_[id] = std::move(tracked);
}

void NftBackend::track(const Key& key, std::int64_t expires_ms) {
  if (const auto found = tracked_.find(key); found != tracked_.end()) {
    found->second = expires_ms;
  } else if (tracked_.size() >= kMaxTracked) {
    is_tracking_complete_ = false;
    return;
  } else {
    tracked_.emplace(key, expires_ms);
  }
  deadlines_.push(Deadline{expires_ms, key});
  // Refreshed grants leave stale deadlines behind; rebuild before they outgrow the map.
  if (deadlines_.size() > 2 * kMaxTracked) {
    deadlines_ = {};
    for (const auto& [tracked_key, expires] : tracked_) deadlines_.push(Deadline{expires, tracked_key});
  }
}

Result<Ok, FirewallError> NftBackend::open(std::span<const GrantRequest> grants, std::int64_t now_s) {
  const std::int64_t now_ms = now_s * 1000;
  struct Element {
    Key key;
    std::int64_t expires_ms = 0;
    bool is_refresh = false;  // may exist already: replaced, since `add element` keeps an old timeout
  };
  struct NatElement {
    NftNatElement element;
    std::string id;
    std::int64_t expires_ms = 0;
    std::optional<std::string> old_value;  // known to exist (maybe with other data): replaced
  };
  std::vector<Element> elements;
  std::unordered_map<Key, std::size_t, KeyHash> in_batch;  // one element per key, the latest expiry
  std::vector<NatElement> nat_elements;
  std::unordered_map<std::string, std::size_t> nat_in_batch;

  const auto add_input = [&](const Key& key, std::int64_t timeout_ms) {
    std::int64_t expires_ms = now_ms + timeout_ms;
    const auto known = tracked_.find(key);
    // A re-grant never shortens access that is still running (fwknopd's older rule stays too).
    if (known != tracked_.end()) expires_ms = std::max(expires_ms, known->second);
    const auto [at, is_new] = in_batch.emplace(key, elements.size());
    if (!is_new) {
      elements[at->second].expires_ms = std::max(elements[at->second].expires_ms, expires_ms);
      return;
    }
    elements.push_back(Element{key, expires_ms, known != tracked_.end() || !is_tracking_complete_});
  };
  const auto add_nat = [&](NftNatElement element, std::int64_t timeout_ms) {
    std::string id = std::string(element.object) + " " + element.key;
    std::int64_t expires_ms = now_ms + timeout_ms;
    const auto known = nat_tracked_.find(id);
    std::optional<std::string> old_value;
    if (known != nat_tracked_.end()) {
      old_value = known->second.value;
      // The same translation keeps its longer time; a new NAT host for the same port replaces it.
      if (known->second.value == element.value) expires_ms = std::max(expires_ms, known->second.expires_ms);
    }
    const auto [at, is_new] = nat_in_batch.emplace(id, nat_elements.size());
    if (!is_new) {  // a later grant in the same burst wins
      NatElement& earlier = nat_elements[at->second];
      if (earlier.element.value == element.value) expires_ms = std::max(expires_ms, earlier.expires_ms);
      earlier.element = std::move(element);
      earlier.expires_ms = expires_ms;
      return;
    }
    nat_elements.push_back(NatElement{std::move(element), std::move(id), expires_ms, std::move(old_value)});
  };

  for (const GrantRequest& grant : grants) {
    if (!grant.request) return fail(error("nftables: a grant without a request"));
    const AccessRequest& request = *grant.request;
    const std::int64_t timeout_ms = std::max<std::int64_t>(1, request.timeout.count()) * 1000;
    if (is_nat_grant(grant)) {
      auto plan = plan_nat_grant(grant, settings_);
      if (!plan) return fail(plan.error());
      if (nat_tracked_.size() + plan->elements.size() > kMaxTracked)
        return fail(error("nftables: too many live NAT grants to add one for " + request.allow_ip.to_string()));
      for (const ExpiredGrant& input : plan->inputs)
        add_input(Key{input.source, input.protocol, input.port}, timeout_ms);
      for (NftNatElement& element : plan->elements) add_nat(std::move(element), timeout_ms);
      continue;
    }
    const config::IpAddress address = request.allow_ip.unmapped();
    if (address.is_ipv4() ? !settings_.has_ipv4() : !settings_.has_ipv6())
      return fail(error("nftables: table " + table_ + " cannot hold a grant for " + address.to_string()));
    for (const config::ProtoPort& entry : request.ports)
      add_input(Key{address, static_cast<std::uint8_t>(entry.protocol), entry.port}, timeout_ms);
  }
  if (elements.empty() && nat_elements.empty()) return Ok{};

  // One transaction: add everything (so that every refreshed element exists), delete the refreshed ones, add
  // them again with their new timeout. Kernels before 6.x keep the old timeout on a plain re-add.
  if (writer_ && nat_elements.empty()) {
    const auto queue = [&](bool is_delete, bool only_refresh) {
      for (const bool ipv4 : {true, false}) {
        const std::string& set = ipv4 ? set_ipv4_ : set_ipv6_;
        for (const Element& element : elements) {
          if (element.key.address.is_ipv4() != ipv4 || (only_refresh && !element.is_refresh)) continue;
          const NftElementKey key = nft_input_key(element.key.address, element.key.protocol, element.key.port);
          if (is_delete)
            writer_->remove(set, key);
          else
            writer_->add(set, key, std::max<std::int64_t>(1, element.expires_ms - now_ms));
        }
      }
    };
    queue(false, false);
    queue(true, true);
    queue(false, true);
    if (auto applied = writer_->commit(); !applied) return fail(applied.error());
    for (const Element& element : elements) track(element.key, element.expires_ms);
    return Ok{};
  }
  batch_.clear();
  const auto append_group = [&](std::string_view verb, bool ipv4, bool only_refresh, bool with_timeout) {
    bool is_open = false;
    for (const Element& element : elements) {
      if (element.key.address.is_ipv4() != ipv4 || (only_refresh && !element.is_refresh)) continue;
      if (!is_open) {
        batch_ += verb;
        batch_ += ' ';
        batch_ += table_;
        batch_ += ' ';
        batch_ += ipv4 ? kSetIpv4 : kSetIpv6;
        batch_ += " { ";
        is_open = true;
      } else {
        batch_ += ", ";
      }
      append_element(batch_, element.key.address, element.key.protocol, element.key.port);
      if (with_timeout) {
        batch_ += " timeout ";
        batch_ += std::to_string(std::max<std::int64_t>(1, element.expires_ms - now_ms));
        batch_ += "ms";
      }
    }
    if (is_open) batch_ += " }\n";
  };
  // NAT elements one command each (there are few). A map element that exists with other data cannot be added
  // again ("File exists"), so a known one is first added with the data it has.
  const auto append_nat = [&](std::string_view verb, const NatElement& nat, const std::string* value,
                              bool with_timeout) {
    batch_ += verb;
    batch_ += ' ';
    batch_ += table_;
    batch_ += ' ';
    batch_ += nat.element.object;
    batch_ += " { ";
    batch_ += nat.element.key;
    if (with_timeout) {
      batch_ += " timeout ";
      batch_ += std::to_string(std::max<std::int64_t>(1, nat.expires_ms - now_ms));
      batch_ += "ms";
    }
    if (value && !value->empty()) {
      batch_ += " : ";
      batch_ += *value;
    }
    batch_ += " }\n";
  };
  for (const bool ipv4 : {true, false}) append_group("add element", ipv4, false, true);
  for (const NatElement& nat : nat_elements)
    append_nat("add element", nat, nat.old_value ? &*nat.old_value : &nat.element.value, true);
  for (const bool ipv4 : {true, false}) append_group("delete element", ipv4, true, false);
  for (const NatElement& nat : nat_elements)
    if (nat.old_value) append_nat("delete element", nat, nullptr, false);
  for (const bool ipv4 : {true, false}) append_group("add element", ipv4, true, true);
  for (const NatElement& nat : nat_elements)
    if (nat.old_value) append_nat("add element", nat, &nat.element.value, true);
  if (auto applied = run(batch_); !applied) return fail(applied.error());
  for (const Element& element : elements) track(element.key, element.expires_ms);
  for (NatElement& nat : nat_elements) {
    std::optional<ExpiredGrant> report;
    if (nat.element.is_reported) report = nat.element.grant;
    track_nat(nat.id, NatTracked{std::move(nat.element.value), nat.expires_ms, report});
  }
  return Ok{};
}

Result<std::vector<ExpiredGrant>, FirewallError> NftBackend::expire(std::int64_t now_s) {
  const std::int64_t now_ms = now_s * 1000;
  std::vector<ExpiredGrant> expired;
  while (!deadlines_.empty() && deadlines_.top().expires_ms <= now_ms) {
    const Deadline deadline = deadlines_.top();
    deadlines_.pop();
    const auto found = tracked_.find(deadline.key);
    if (found == tracked_.end() || found->second != deadline.expires_ms) continue;  // refreshed since
    expired.push_back(ExpiredGrant{deadline.key.address, deadline.key.protocol, deadline.key.port});
    tracked_.erase(found);
  }
  while (!nat_deadlines_.empty() && nat_deadlines_.top().expires_ms <= now_ms) {
    const NatDeadline deadline = nat_deadlines_.top();
    nat_deadlines_.pop();
    const auto found = nat_tracked_.find(deadline.id);
    if (found == nat_tracked_.end() || found->second.expires_ms != deadline.expires_ms) continue;  // refreshed
    if (found->second.report) expired.push_back(*found->second.report);
    nat_tracked_.erase(found);
  }
  return expired;
}

Result<std::string, FirewallError> NftBackend::list(bool everything) {
  if (everything) return run("list table " + table_);
  // One command per run: nft 1.0.6 fails on the second of two `list set` commands in one buffer.
  std::string out;
  for (const auto set : {kSetIpv4, kSetIpv6}) {
    if ((set == kSetIpv4 && !settings_.has_ipv4()) || (set == kSetIpv6 && !settings_.has_ipv6())) continue;
    auto listed = run("list set " + table_ + " " + std::string(set));
    if (!listed) return fail(listed.error());
    out += *listed;
  }
  for (const NftNatObject& object : nft_nat_objects()) {
    if (!is_used(object, settings_)) continue;
    auto listed = run(std::string(object.is_map ? "list map " : "list set ") + table_ + " " + std::string(object.name));
    if (!listed) return fail(listed.error());
    out += *listed;
  }
  return out;
}

Result<Ok, FirewallError> NftBackend::flush() {
  auto listing = run("list ruleset", NFT_CTX_OUTPUT_HANDLE | NFT_CTX_OUTPUT_TERSE);
  if (!listing) return fail(listing.error());
  const std::vector<NftTable> tables = parse_nft_ruleset(*listing);
  tracked_.clear();
  deadlines_ = {};
  is_tracking_complete_ = true;
  nat_tracked_.clear();
  nat_deadlines_ = {};
  const NftTable* table = find_table(tables, settings_.family, settings_.table);
  if (!table) return Ok{};
  if (table->comment == kCreatedComment) {
    if (auto deleted = run("delete table " + table_); !deleted) return fail(deleted.error());
    return Ok{};
  }
  const std::string prefix = " " + table_ + " ";
  std::string batch = unhook_commands(*table, settings_.input_chain, kInputChain);
  batch += unhook_commands(*table, settings_.forward_chain, kNftForwardChain);
  for (const std::string_view chain : {kNftPreroutingChain, kNftPostroutingChain}) {
    if (const NftChain* listed = table->find_chain(chain); listed && listed->comment == kCreatedComment)
      batch += "flush chain" + prefix + std::string(chain) + "\ndelete chain" + prefix + std::string(chain) + "\n";
  }
  // Sets after the chains whose rules refer to them.
  for (const auto set : {kSetIpv4, kSetIpv6})
    if (table->has_set(set)) batch += "delete set" + prefix + std::string(set) + "\n";
  for (const NftNatObject& object : nft_nat_objects())
    if (table->has_set(object.name))
      batch += std::string(object.is_map ? "delete map" : "delete set") + prefix + std::string(object.name) + "\n";
  if (batch.empty()) return Ok{};
  if (auto applied = run(batch); !applied) return fail(applied.error());
  return Ok{};
}

std::string NftBackend::unhook_commands(const NftTable& table, std::string_view base_chain,
                                        std::string_view chain) const {
  const std::string prefix = " " + table_ + " ";
  const std::string jump = "jump " + std::string(chain);
  std::string batch;
  const NftChain* base = table.find_chain(base_chain);
  bool is_base_left_empty = true;
  if (base) {
    for (const NftRule& rule : base->rules) {
      if (rule.text == jump)
        batch += "delete rule" + prefix + std::string(base_chain) + " handle " + std::to_string(rule.handle) + "\n";
      else
        is_base_left_empty = false;
    }
  }
  if (table.find_chain(chain)) {
    const std::string ours = prefix + std::string(chain);
    batch += "flush chain" + ours + "\ndelete chain" + ours + "\n";
  }
  // A base chain sesamed added to the admin's table goes too, unless the admin has put rules into it since.
  if (base && base->comment == kCreatedComment && is_base_left_empty)
    batch += "delete chain" + prefix + std::string(base_chain) + "\n";
  return batch;
}

}  // namespace sesame::server::firewall
