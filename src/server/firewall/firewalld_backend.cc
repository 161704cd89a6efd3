// SPDX-License-Identifier: GPL-2.0-or-later
// FirewalldBackend: one firewall-cmd passthrough per rule, expiry by listing.
#include "server/firewall/firewalld_backend.h"

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

#include "server/firewall/ipt_rules.h"

namespace sesame::server::firewall {
namespace {

FirewallError error(std::string message) {
  return FirewallError{"firewalld: " + std::move(message)};
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream stream(line);
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

// One rule of `iptables -L CHAIN --line-numbers -n`: "1 ACCEPT tcp -- 10.0.0.2 0.0.0.0/0 tcp dpt:22 /* _exp_9 */".
struct ListedRule {
  int number = 0;
  std::int64_t expires_s = 0;
  std::optional<ExpiredGrant> grant;
};

std::optional<ListedRule> parse_listed_rule(const std::string& line) {
  const std::vector<std::string> words = words_of(line);
  if (words.size() < 6 || words[0].find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const auto expires = rule_expiry(line);
  if (!expires) return std::nullopt;
  ListedRule rule{std::atoi(words[0].c_str()), *expires, std::nullopt};
  const auto source = config::IpAddress::parse(words[4].substr(0, words[4].find('/')));
  const auto port =
      std::find_if(words.begin(), words.end(), [](const std::string& w) { return w.starts_with("dpt:"); });
  if (source && port != words.end()) {
    const std::string& protocol = words[2];
    const std::uint8_t number = protocol == "tcp"   ? 6
                                : protocol == "udp" ? 17
                                                    : std::uint8_t(std::atoi(protocol.c_str()));
    rule.grant = ExpiredGrant{*source, number, std::uint16_t(std::atoi(port->c_str() + 4))};
  }
  return rule;
}

}  // namespace

FirewalldBackend::FirewalldBackend(IptSettings settings, std::string firewall_cmd,
                                   std::unique_ptr<CommandExecutor> executor)
    : settings_(std::move(settings)), firewall_cmd_(std::move(firewall_cmd)), executor_(std::move(executor)) {}

std::vector<const config::ChainAccess*> FirewalldBackend::chains(bool is_ipv6) const {
  std::vector<const config::ChainAccess*> all = ipt_chains(settings_);
  std::vector<const config::ChainAccess*> unique;
  std::set<std::string> seen;
  for (const config::ChainAccess* chain : all) {
    if (is_ipv6 && chain != &settings_.input_access && chain != &settings_.output_access) continue;
    if (seen.insert(chain->table + " " + chain->to_chain).second) unique.push_back(chain);
  }
  return unique;
}

Result<std::string, FirewallError> FirewalldBackend::passthrough(bool is_ipv6, const std::vector<std::string>& args) {
  std::vector<std::string> argv{firewall_cmd_, "--direct", "--passthrough", is_ipv6 ? "ipv6" : "ipv4"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto ran = executor_->run(argv);
  if (!ran) return fail(error(ran.error()));
  if (!ran->succeeded()) return fail(error(command_line(argv) + " failed: " + ran->output));
  return std::move(ran->output);
}

bool FirewalldBackend::chain_exists(bool is_ipv6, const config::ChainAccess& chain) {
  return passthrough(is_ipv6, {"-t", chain.table, "-L", chain.to_chain, "-n"}).has_value();
}

Result<Ok, FirewallError> FirewalldBackend::start_family(bool is_ipv6) {
  for (const config::ChainAccess* chain : chains(is_ipv6)) {
    const std::string& table = chain->table;
    if (!chain_exists(is_ipv6, *chain)) {
      if (auto made = passthrough(is_ipv6, {"-t", table, "-N", chain->to_chain}); !made) return fail(made.error());
    } else if (settings_.flush_at_init) {
      if (auto done = passthrough(is_ipv6, {"-t", table, "-F", chain->to_chain}); !done) return fail(done.error());
    } else {
      next_expiry_[{is_ipv6, chain->to_chain}] = 0;  // rules of a previous run: the first expire() lists them
    }
    const std::vector<std::string> jump{chain->from_chain, "-j", chain->to_chain};
    if (chain->jump_position > 0 && !passthrough(is_ipv6, {"-t", table, "-C", jump[0], jump[1], jump[2]})) {
      auto added = passthrough(
          is_ipv6, {"-t", table, "-I", chain->from_chain, std::to_string(chain->jump_position), "-j", chain->to_chain});
      if (!added) return fail(added.error());
    }
  }
  return Ok{};
}

Result<Ok, FirewallError> FirewalldBackend::start(std::int64_t /*now_s*/) {
  for (const bool is_ipv6 : {false, true})
    if (auto started = start_family(is_ipv6); !started) return started;
  if (settings_.comment_check) {  // fwknopd's probe: a commented rule from an address nothing comes from
    const config::ChainAccess& input = settings_.input_access;
    auto probe = passthrough(false, {"-t", input.table, "-I", input.to_chain, "1", "-s", "127.0.0.2", "-m", "comment",
                                     "--comment", "__TMPCOMMENT__", "-j", input.target});
    if (!probe) return fail(error("the comment match does not work: " + probe.error().message));
    if (auto removed = passthrough(false, {"-t", input.table, "-D", input.to_chain, "1"}); !removed)
      return fail(removed.error());
  }
  return Ok{};
}

Result<Ok, FirewallError> FirewalldBackend::open(std::span<const GrantRequest> grants, std::int64_t now_s) {
  for (const GrantRequest& grant : grants) {
    auto rules = plan_ipt_grant(grant, settings_);
    if (!rules) return fail(error(rules.error().message));
    const std::int64_t expires_s = now_s + grant.request->timeout.count();
    for (const IptRule& rule : *rules) {
      std::vector<std::string> args{settings_.enable_rule_prepend ? "-I" : "-A", rule.chain->to_chain, "-t",
                                    rule.chain->table};
      const std::vector<std::string> spec = rule.spec(expires_s, false);
      args.insert(args.end(), spec.begin(), spec.end());
      // A rule added before a failure keeps its _exp_ comment, so the listing scan still removes it on time.
      if (auto added = passthrough(rule.is_ipv6, args); !added) return fail(added.error());
      auto [at, is_new] = next_expiry_.try_emplace({rule.is_ipv6, rule.chain->to_chain}, expires_s);
      if (!is_new) at->second = std::min(at->second, expires_s);
    }
  }
  return Ok{};
}

Result<Ok, FirewallError> FirewalldBackend::expire_chain(bool is_ipv6, const config::ChainAccess& chain,
                                                         std::int64_t now_s, std::vector<ExpiredGrant>& expired) {
  auto listing = passthrough(is_ipv6, {"-t", chain.table, "-L", chain.to_chain, "--line-numbers", "-n"});
  if (!listing) return fail(listing.error());
  std::vector<ListedRule> due;
  std::optional<std::int64_t> earliest_left;
  std::istringstream lines(*listing);
  for (std::string line; std::getline(lines, line);) {
    const auto rule = parse_listed_rule(line);
    if (!rule) continue;
    if (rule->expires_s < now_s) {
      due.push_back(*rule);
    } else {
      earliest_left = std::min(earliest_left.value_or(rule->expires_s), rule->expires_s);
    }
  }
  // Highest number first, so the numbers of those still to delete stay right.
  std::sort(due.begin(), due.end(), [](const ListedRule& a, const ListedRule& b) { return a.number > b.number; });
  for (const ListedRule& rule : due) {
    if (auto removed = passthrough(is_ipv6, {"-t", chain.table, "-D", chain.to_chain, std::to_string(rule.number)});
        !removed)
      return fail(removed.error());
    if (rule.grant && &chain == &settings_.input_access) expired.push_back(*rule.grant);
  }
  if (earliest_left) {
    next_expiry_[{is_ipv6, chain.to_chain}] = *earliest_left;
  } else {
    next_expiry_.erase({is_ipv6, chain.to_chain});
  }
  return Ok{};
}

Result<std::vector<ExpiredGrant>, FirewallError> FirewalldBackend::expire(std::int64_t now_s) {
  std::vector<ExpiredGrant> expired;
  for (const bool is_ipv6 : {false, true}) {
    for (const config::ChainAccess* chain : chains(is_ipv6)) {
      const auto next = next_expiry_.find({is_ipv6, chain->to_chain});
      if (next == next_expiry_.end() || next->second >= now_s) continue;
      if (auto done = expire_chain(is_ipv6, *chain, now_s, expired); !done) return fail(done.error());
    }
  }
  return expired;
}

Result<std::string, FirewallError> FirewalldBackend::list(bool everything) {
  std::string out = everything ? "Listing all firewalld rules in applicable tables...\n"
                               : "Listing rules in sesamed firewalld chains...\n";
  std::set<std::string> tables;
  for (const config::ChainAccess* chain : chains(false)) {
    if (everything && !tables.insert(chain->table).second) continue;
    auto listing = everything ? passthrough(false, {"-t", chain->table, "-v", "-n", "-L", "--line-numbers"})
                              : passthrough(false, {"-t", chain->table, "-L", chain->to_chain, "--line-numbers", "-n"});
    if (!listing) return fail(listing.error());
    out += *listing + "\n";
  }
  return out;
}

Result<Ok, FirewallError> FirewalldBackend::flush_family(bool is_ipv6) {
  for (const config::ChainAccess* chain : chains(is_ipv6)) {
    if (!chain_exists(is_ipv6, *chain)) continue;
    const std::string& table = chain->table;
    while (passthrough(is_ipv6, {"-t", table, "-C", chain->from_chain, "-j", chain->to_chain}))
      if (auto removed = passthrough(is_ipv6, {"-t", table, "-D", chain->from_chain, "-j", chain->to_chain}); !removed)
        return fail(removed.error());
    if (auto flushed = passthrough(is_ipv6, {"-t", table, "-F", chain->to_chain}); !flushed)
      return fail(flushed.error());
    if (auto removed = passthrough(is_ipv6, {"-t", table, "-X", chain->to_chain}); !removed)
      return fail(removed.error());
  }
  return Ok{};
}

Result<Ok, FirewallError> FirewalldBackend::flush() {
  for (const bool is_ipv6 : {false, true})
    if (auto flushed = flush_family(is_ipv6); !flushed) return flushed;
  next_expiry_.clear();
  return Ok{};
}

Result<Ok, FirewallError> FirewalldBackend::stop() {
  if (!settings_.flush_at_exit) return Ok{};
  return flush();
}

}  // namespace sesame::server::firewall
