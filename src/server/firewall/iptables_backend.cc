// SPDX-License-Identifier: GPL-2.0-or-later
// IptablesBackend: batches of iptables-restore --noflush, rules tracked until they expire.
#include "server/firewall/iptables_backend.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace sesame::server::firewall {
namespace {

// fwknopd's address for its start-up rule checks: nothing real ever comes from it.
constexpr std::string_view kProbeSource = "127.0.0.2";
constexpr std::string_view kProbeComment = "__TMPCOMMENT__";
constexpr std::int64_t kProbeDatestop = 2145916800;  // 2038-01-01: xt_time takes nothing past 2038-01-19

FirewallError error(std::string message) {
  return FirewallError{"iptables: " + std::move(message)};
}

std::string join(const std::vector<std::string>& words) {
  return command_line(words);
}

// One table of an iptables-save listing.
struct SavedTable {
  std::set<std::string> chains;
  std::vector<std::string> rules;  // "-A CHAIN ...", in order

  static SavedTable parse(const std::string& text) {
    SavedTable table;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.starts_with(":")) table.chains.insert(line.substr(1, line.find(' ') - 1));
      if (line.starts_with("-A ")) table.rules.push_back(line);
    }
    return table;
  }
  bool has_chain(const std::string& chain) const { return chains.contains(chain); }
  std::size_t rule_count(const std::string& chain) const {
    return std::size_t(std::count_if(rules.begin(), rules.end(),
                                     [&](const std::string& rule) { return rule.starts_with("-A " + chain + " "); }));
  }
  // How many `-A from -j to` jump rules there are.
  std::size_t jump_count(const std::string& from, const std::string& to) const {
    const std::string jump = "-A " + from + " -j " + to;
    return std::size_t(std::count(rules.begin(), rules.end(), jump));
  }
  // The rules of `chain` without their "-A CHAIN ", as `-D CHAIN ...` takes them.
  std::vector<std::string> specs(const std::string& chain) const {
    std::vector<std::string> specs;
    const std::string prefix = "-A " + chain + " ";
    for (const std::string& rule : rules)
      if (rule.starts_with(prefix)) specs.push_back(rule.substr(prefix.size()));
    return specs;
  }
};

std::string word_after(const std::vector<std::string>& words, std::string_view option) {
  const auto at = std::find(words.begin(), words.end(), option);
  return at == words.end() || at + 1 == words.end() ? std::string() : *(at + 1);
}

// What a recovered input rule grants, read back from iptables-save's spelling of it.
std::optional<ExpiredGrant> granted_by(const std::string& spec) {
  std::vector<std::string> words;
  std::istringstream stream(spec);
  for (std::string word; stream >> word;) words.push_back(word);
  std::string source = word_after(words, "-s");
  source = source.substr(0, source.find('/'));
  const auto address = config::IpAddress::parse(source);
  const std::string protocol = word_after(words, "-p");
  const std::string port = word_after(words, "--dport");
  if (!address || port.empty()) return std::nullopt;
  ExpiredGrant grant{*address, 0, 0};
  grant.protocol = protocol_number(protocol);
  grant.port = std::uint16_t(std::atoi(port.c_str()));
  return grant;
}

bool is_executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

IptTools IptTools::from_exe(const std::string& firewall_exe) {
  const std::size_t slash = firewall_exe.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : firewall_exe.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? firewall_exe : firewall_exe.substr(slash + 1);
  if (base.starts_with("ip6tables")) base = "iptables" + base.substr(9);
  // iptables, iptables-nft, iptables-legacy: restore and save are the same variant with a suffix.
  const std::string base6 = "ip6tables" + base.substr(std::min<std::size_t>(8, base.size()));
  IptTools tools;
  tools.iptables = dir + base;
  tools.restore = dir + base + "-restore";
  tools.save = dir + base + "-save";
  tools.ip6tables = dir + base6;
  tools.restore6 = dir + base6 + "-restore";
  tools.save6 = dir + base6 + "-save";
  tools.has_ipv6 = is_executable(tools.restore6) && is_executable(tools.save6);
  return tools;
}

IptablesBackend::IptablesBackend(IptSettings settings, IptTools tools, std::unique_ptr<CommandExecutor> executor)
    : settings_(std::move(settings)), tools_(std::move(tools)), executor_(std::move(executor)) {}

std::vector<const config::ChainAccess*> IptablesBackend::chains(bool is_ipv6) const {
  std::vector<const config::ChainAccess*> all = ipt_chains(settings_);
  if (!is_ipv6) return all;
  std::vector<const config::ChainAccess*> filter;
  for (const config::ChainAccess* chain : all)
    if (chain == &settings_.input_access || chain == &settings_.output_access) filter.push_back(chain);
  return filter;
}

Result<std::string, FirewallError> IptablesBackend::save(bool is_ipv6, const std::string& table) {
  const std::vector<std::string> argv{is_ipv6 ? tools_.save6 : tools_.save, "-t", table};
  auto ran = executor_->run(argv);
  if (!ran) return fail(error(ran.error()));
  if (!ran->succeeded()) return fail(error(command_line(argv) + " failed: " + ran->output));
  return std::move(ran->output);
}

Result<Ok, FirewallError> IptablesBackend::restore(bool is_ipv6, const Batch& batch) {
  std::string input;
  for (const auto& [key, lines] : batch) {
    if (key.first != is_ipv6 || lines.empty()) continue;
    input += "*" + key.second + "\n" + lines + "COMMIT\n";
  }
  if (input.empty()) return Ok{};
  const std::vector<std::string> argv{is_ipv6 ? tools_.restore6 : tools_.restore, "--noflush"};
  auto ran = executor_->run(argv, input);
  if (!ran) return fail(error(ran.error()));
  if (!ran->succeeded()) {
    std::string output = ran->output;
    std::replace(output.begin(), output.end(), '\n', ' ');
    return fail(error(command_line(argv) + " failed: " + output));
  }
  return Ok{};
}

Result<Ok, FirewallError> IptablesBackend::apply(const Batch& batch) {
  if (auto done = restore(false, batch); !done) return done;
  return restore(true, batch);
}

Result<Ok, FirewallError> IptablesBackend::start_family(bool is_ipv6) {
  Batch batch;
  std::map<std::string, SavedTable> saved;
  for (const config::ChainAccess* chain : chains(is_ipv6)) {
    if (!saved.contains(chain->table)) {
      auto listing = save(is_ipv6, chain->table);
      if (!listing) return fail(listing.error());
      saved[chain->table] = SavedTable::parse(*listing);
    }
  }
  std::set<std::string> done;  // SNAT and MASQUERADE may share one chain
  for (const config::ChainAccess* chain : chains(is_ipv6)) {
    if (!done.insert(chain->table + " " + chain->to_chain).second) continue;
    const SavedTable& table = saved[chain->table];
    std::string& lines = batch[{is_ipv6, chain->table}];
    if (!table.has_chain(chain->to_chain)) {
      lines += "-N " + chain->to_chain + "\n";
    } else if (settings_.flush_at_init) {
      lines += "-F " + chain->to_chain + "\n";
    } else {
      for (const std::string& spec : table.specs(chain->to_chain)) {
        const auto expires = rule_expiry(spec);
        if (!expires) continue;  // not sesamed's or fwknopd's: left alone
        const bool is_input = chain == &settings_.input_access;
        track("recovered " + std::to_string(is_ipv6) + chain->table + chain->to_chain + spec,
              Tracked{is_ipv6, chain->table, chain->to_chain, spec, *expires,
                      is_input ? granted_by(spec) : std::nullopt});
      }
    }
    if (chain->jump_position > 0 && table.jump_count(chain->from_chain, chain->to_chain) == 0) {
      // fwknopd's position, but a chain shorter than that gets the jump at its end instead of an error.
      const bool fits = std::size_t(chain->jump_position) <= table.rule_count(chain->from_chain) + 1;
      lines +=
          fits ? "-I " + chain->from_chain + " " + std::to_string(chain->jump_position) : "-A " + chain->from_chain;
      lines += " -j " + chain->to_chain + "\n";
    }
  }
  return restore(is_ipv6, batch);
}

// fwknopd's start-up check of the comment match (ENABLE_IPT_COMMENT_CHECK), extended to the time match: a probe
// rule added and deleted in one transaction.
Result<Ok, FirewallError> IptablesBackend::check_matches(bool is_ipv6) {
  const config::ChainAccess& input = settings_.input_access;
  const std::string source = is_ipv6 ? "::2" : std::string(kProbeSource);
  auto probe = [&](bool time_match) {
    std::string spec = "-s " + source + " -m comment --comment " + std::string(kProbeComment);
    if (time_match) spec += " -m time --datestop " + ipt_utc_time(kProbeDatestop);
    spec += " -j " + input.target;
    Batch batch;
    batch[{is_ipv6, input.table}] =
        "-I " + input.to_chain + " 1 " + spec + "\n-D " + input.to_chain + " " + spec + "\n";
    return restore(is_ipv6, batch);
  };
  // IPv6 rules are written as IPv4's are: with the time match when IPv4 has it.
  if (is_ipv6) return probe(has_time_match_);
  has_time_match_ = probe(true).has_value();
  if (has_time_match_) return Ok{};
  warnings_.push_back("iptables: no time match (xt_time): a grant closes only while sesamed runs to delete it");
  // Every rule carries an _exp_ comment; without the comment match no grant could be made.
  if (auto plain = probe(false); !plain && settings_.comment_check)
    return fail(error("the comment match does not work: " + plain.error().message));
  return Ok{};
}

Result<Ok, FirewallError> IptablesBackend::start(std::int64_t /*now_s*/) {
  if (auto started = start_family(false); !started) return started;
  if (auto checked = check_matches(false); !checked) return checked;
  has_ipv6_ = false;
  if (tools_.has_ipv6) {
    if (auto started = start_family(true); started) {
      has_ipv6_ = check_matches(true).has_value();
    } else {
      warnings_.push_back("iptables: IPv6 grants are refused: " + started.error().message);
    }
  } else {
    warnings_.push_back("iptables: IPv6 grants are refused: " + tools_.restore6 + " is missing");
  }
  return Ok{};
}

void IptablesBackend::track(std::string identity, Tracked rule) {
  deadlines_.push(Deadline{rule.expires_s, identity});
  tracked_[std::move(identity)] = std::move(rule);
}

Result<Ok, FirewallError> IptablesBackend::open(std::span<const GrantRequest> grants, std::int64_t now_s) {
  Batch batch;
  std::vector<std::pair<std::string, Tracked>> added;
  std::vector<Tracked> superseded;
  for (const GrantRequest& grant : grants) {
    auto rules = plan_ipt_grant(grant, settings_);
    if (!rules) return fail(error(rules.error().message));
    for (const IptRule& rule : *rules) {
      if (rule.is_ipv6 && !has_ipv6_) return fail(error("no IPv6 firewall for " + grant.request->allow_ip.to_string()));
      const std::int64_t expires_s = now_s + grant.request->timeout.count();
      Tracked tracked{
          rule.is_ipv6, rule.chain->table, rule.chain->to_chain, join(rule.spec(expires_s, has_time_match_)),
          expires_s,    rule.report};
      batch[{rule.is_ipv6, tracked.table}] +=
          (settings_.enable_rule_prepend ? "-I " : "-A ") + tracked.chain + " " + tracked.spec + "\n";
      std::string identity = rule.identity();
      if (const auto old = tracked_.find(identity); old != tracked_.end()) superseded.push_back(old->second);
      added.emplace_back(std::move(identity), std::move(tracked));
    }
  }
  const auto applied = restore(false, batch);
  if (!applied) return applied;
  const auto applied6 = restore(true, batch);
  for (auto& [identity, tracked] : added) {
    if (tracked.is_ipv6 && !applied6) continue;
    track(std::move(identity), std::move(tracked));
  }
  // The new rule is in place before the one it extends goes, so the access never blinks.
  delete_rules(superseded);
  return applied6;
}

void IptablesBackend::delete_rules(const std::vector<Tracked>& rules) {
  if (rules.empty()) return;
  Batch batch;
  for (const Tracked& rule : rules) batch[{rule.is_ipv6, rule.table}] += "-D " + rule.chain + " " + rule.spec + "\n";
  if (apply(batch)) return;
  // Someone deleted one of them already (the whole transaction then fails): the others, one at a time.
  for (const Tracked& rule : rules) {
    Batch one;
    one[{rule.is_ipv6, rule.table}] = "-D " + rule.chain + " " + rule.spec + "\n";
    (void)apply(one);
  }
}

Result<std::vector<ExpiredGrant>, FirewallError> IptablesBackend::expire(std::int64_t now_s) {
  std::vector<Tracked> due;
  // A rule expires at the end of its `_exp_` second: never before its full timeout has passed.
  while (!deadlines_.empty() && deadlines_.top().expires_s < now_s) {
    const Deadline deadline = deadlines_.top();
    deadlines_.pop();
    const auto found = tracked_.find(deadline.identity);
    if (found == tracked_.end() || found->second.expires_s != deadline.expires_s) continue;  // extended since
    due.push_back(std::move(found->second));
    tracked_.erase(found);
  }
  delete_rules(due);
  std::vector<ExpiredGrant> expired;
  for (const Tracked& rule : due)
    if (rule.report) expired.push_back(*rule.report);
  return expired;
}

Result<std::string, FirewallError> IptablesBackend::list(bool everything) {
  std::string out = everything ? "Listing all iptables rules in applicable tables...\n"
                               : "Listing rules in sesamed iptables chains...\n";
  for (const bool is_ipv6 : {false, true}) {
    if (is_ipv6 && !tools_.has_ipv6) continue;
    const std::string& program = is_ipv6 ? tools_.ip6tables : tools_.iptables;
    std::set<std::string> listed;
    for (const config::ChainAccess* chain : chains(is_ipv6)) {
      const std::vector<std::string> argv =
          everything
              ? std::vector<std::string>{program, "-t", chain->table, "-v", "-n", "-L", "--line-numbers"}
              : std::vector<std::string>{program, "-t", chain->table, "-L", chain->to_chain, "--line-numbers", "-n"};
      if (!listed.insert(command_line(argv)).second) continue;
      auto ran = executor_->run(argv);
      if (!ran) return fail(error(ran.error()));
      // A chain that does not exist (sesamed not started) is worth the tool's own message, not an error.
      out += ran->output;
      if (!ran->output.empty() && ran->output.back() != '\n') out += '\n';
      out += '\n';
    }
  }
  return out;
}

Result<Ok, FirewallError> IptablesBackend::flush_family(bool is_ipv6) {
  Batch batch;
  std::map<std::string, SavedTable> saved;
  std::set<std::string> done;
  for (const config::ChainAccess* chain : chains(is_ipv6)) {
    if (!saved.contains(chain->table)) {
      auto listing = save(is_ipv6, chain->table);
      if (!listing) return fail(listing.error());
      saved[chain->table] = SavedTable::parse(*listing);
    }
    const SavedTable& table = saved[chain->table];
    if (!table.has_chain(chain->to_chain) || !done.insert(chain->table + " " + chain->to_chain).second) continue;
    std::string& lines = batch[{is_ipv6, chain->table}];
    for (const std::string& from : table.chains)
      for (std::size_t i = 0; i < table.jump_count(from, chain->to_chain); ++i)
        lines += "-D " + from + " -j " + chain->to_chain + "\n";
    lines += "-F " + chain->to_chain + "\n-X " + chain->to_chain + "\n";
  }
  return restore(is_ipv6, batch);
}

Result<Ok, FirewallError> IptablesBackend::flush() {
  if (auto flushed = flush_family(false); !flushed) return flushed;
  if (tools_.has_ipv6) {
    if (auto flushed = flush_family(true); !flushed) return flushed;
  }
  tracked_.clear();
  deadlines_ = {};
  return Ok{};
}

Result<Ok, FirewallError> IptablesBackend::stop() {
  if (!settings_.flush_at_exit) return Ok{};
  return flush();
}

}  // namespace sesame::server::firewall
