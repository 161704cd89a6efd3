// SPDX-License-Identifier: GPL-2.0-or-later
// IpfwBackend (see ipfw_backend.h): ipfw command lines, and the parsing of ipfw's listings they depend on.
#include "server/firewall/ipfw_backend.h"

#include <algorithm>
#include <charconv>
#include <set>
#include "server/firewall/nat_decision.h"
#include "server/firewall/rule_text.h"

namespace sesame::server::firewall {
namespace {

constexpr std::string_view kDisabledPrefix = "# DISABLED ";  // how `ipfw -S` shows a rule of a disabled set
constexpr int kHighestRuleNumber = 65534;                    // 65535 is ipfw's default rule

FirewallError error(std::string message) {
  std::string text = "ipfw: ";
  text += message;
  return FirewallError{std::move(text)};
}

// One line of `ipfw [-S] [set N] list`: "10000 [set 1] allow tcp from 192.0.2.7 to me dst-port 22 setup
// keep-state // _exp_1700000030". FreeBSD prints the port right after the address ("to me 22"), older ipfw after
// dst-port: both are read.
struct ListedRule {
  int number = 0;
  std::optional<std::int64_t> expires_s;
  std::optional<ExpiredGrant> grant;
  bool is_check_state = false;
};

std::optional<ListedRule> parse_listed_rule(std::string_view line) {
  if (line.starts_with(kDisabledPrefix)) line.remove_prefix(kDisabledPrefix.size());
  const std::vector<std::string_view> words = split(line, ' ');
  if (words.empty()) return std::nullopt;
  const auto number = number_in<int>(words[0]);
  if (!number) return std::nullopt;
  ListedRule rule{*number, rule_expiry(line), std::nullopt, false};
  rule.is_check_state = std::find(words.begin(), words.end(), "check-state") != words.end();
  const auto from = std::find(words.begin(), words.end(), "from");
  if (from == words.begin() || from == words.end() || from + 1 == words.end()) return rule;
  const std::uint8_t protocol = protocol_number(*(from - 1));
  const auto source = config::IpAddress::parse(*(from + 1));
  std::optional<std::uint16_t> port;
  if (const auto dst_port = std::find(from, words.end(), "dst-port"); dst_port != words.end()) {
    if (dst_port + 1 != words.end()) port = number_in<std::uint16_t>(*(dst_port + 1));
  } else if (from + 4 < words.end() && *(from + 2) == "to") {
    port = number_in<std::uint16_t>(*(from + 4));
  }
  if (protocol != 0 && source && port) rule.grant = ExpiredGrant{*source, protocol, *port};
  return rule;
}

}  // namespace

IpfwSettings ipfw_settings_from(const config::ServerConfig& config) {
  IpfwSettings settings;
  settings.exe = config.firewall_exe.value_or("/sbin/ipfw");
  settings.flush_at_init = config.flush_ipfw_at_init;
  settings.flush_at_exit = config.flush_ipfw_at_exit;
  settings.start_rule_num = config.ipfw_start_rule_num;
  settings.max_rules = config.ipfw_max_rules;
  settings.active_set = config.ipfw_active_set_num;
  settings.expire_set = config.ipfw_expire_set_num;
  settings.purge_interval_s = config.ipfw_expire_purge_interval.count();
  settings.add_check_state = config.ipfw_add_check_state;
  settings.use_destination = config.enable_destination_rule;
  return settings;
}

std::unique_ptr<FirewallBackend> make_ipfw_backend(const config::ServerConfig& config,
                                                   std::unique_ptr<CommandExecutor> executor) {
  return std::make_unique<IpfwBackend>(ipfw_settings_from(config), std::move(executor));
}

IpfwBackend::IpfwBackend(IpfwSettings settings, std::unique_ptr<CommandExecutor> executor)
    : settings_(std::move(settings)), executor_(std::move(executor)) {}

std::size_t IpfwBackend::active_count() const {
  return static_cast<std::size_t>(std::count_if(
      slots_.begin(), slots_.end(), [](const auto& slot) { return slot.second.state == SlotState::kActive; }));
}

std::size_t IpfwBackend::expired_count() const {
  return static_cast<std::size_t>(std::count_if(
      slots_.begin(), slots_.end(), [](const auto& slot) { return slot.second.state == SlotState::kExpired; }));
}

Result<CommandOutcome, FirewallError> IpfwBackend::execute(const std::vector<std::string>& args) {
  std::vector<std::string> argv{settings_.exe};
  argv.insert(argv.end(), args.begin(), args.end());
  auto outcome = executor_->run(argv, {});
  if (!outcome) return fail(error("cannot run `" + command_line(argv) + "`: " + outcome.error()));
  return std::move(*outcome);
}

Result<std::string, FirewallError> IpfwBackend::run(const std::vector<std::string>& args) {
  auto outcome = execute(args);
  if (!outcome) return fail(outcome.error());
  if (!outcome->succeeded()) return fail(error(failure_text(settings_.exe, args, *outcome)));
  return std::move(outcome->output);
}

bool IpfwBackend::in_range(int number) const {
  return number >= std::max(settings_.start_rule_num, 1) &&
         number < std::min<std::int64_t>(std::int64_t{settings_.start_rule_num} + settings_.max_rules,
                                         std::int64_t{kHighestRuleNumber} + 1);
}

Result<Ok, FirewallError> IpfwBackend::start(std::int64_t now_s) {
  warnings_.clear();
  slots_.clear();
  numbers_.clear();
  unreported_.clear();
  last_purge_s_.reset();
  const std::string active = std::to_string(settings_.active_set);
  const std::string expire = std::to_string(settings_.expire_set);

  // fwknopd lists the active set first: to see whether there is anything to delete, or (here, without the
  // flush) to take over the grants a previous run left in it. A failed listing reads as an empty set.
  auto listed = execute({"set", active, "list"});
  if (!listed) return fail(listed.error());
  const bool has_rules = listed->succeeded() && !listed->output.empty();
  // Set 0 is the admin's own: never deleted, whatever FLUSH_IPFW_AT_INIT says (fwknopd skips it too).
  if (settings_.flush_at_init && settings_.active_set > 0) {
    if (has_rules)
      if (auto deleted = run({"delete", "set", active}); !deleted) return fail(deleted.error());
  } else if (listed->succeeded()) {
    recover_active(listed->output, now_s);
  }

  if (settings_.add_check_state) {
    const int number = settings_.start_rule_num;
    const auto taken = slots_.find(number);
    if (taken == slots_.end() || taken->second.state != SlotState::kCheckState) {
      // fwknopd only logs a failed check-state rule: keep-state rules still work through their own check.
      if (auto added = run({"add", std::to_string(number), "set", active, "check-state"}); !added)
        warnings_.push_back(added.error().message);
      else if (taken == slots_.end())
        slots_[number] = Slot{SlotState::kCheckState, 0, {}};
    }
  }

  // Unlike fwknopd (which disables it only along with FLUSH_IPFW_AT_INIT), always: a rule moved into an enabled
  // expire set would go on letting new connections in.
  if (settings_.expire_set > 0) {
    if (auto disabled = run({"set", "disable", expire}); !disabled) return fail(disabled.error());
  } else {
    warnings_.push_back(
        "ipfw: IPFW_EXPIRE_SET_NUM is 0, the default set, which stays enabled: expired rules keep letting new "
        "connections in until they are purged");
  }

  // Rules an earlier run moved to the expire set: purged once their connections are gone.
  auto expired = run({"-S", "set", expire, "list"});
  if (!expired) return fail(expired.error());
  recover_expired(*expired);
  return Ok{};
}

void IpfwBackend::recover_active(std::string_view listing, std::int64_t now_s) {
  for (const std::string_view line : split(listing, '\n')) {
    const auto rule = parse_listed_rule(line);
    if (!rule || !in_range(rule->number)) continue;
    if (rule->is_check_state) {
      slots_.try_emplace(rule->number, Slot{SlotState::kCheckState, 0, {}});
      continue;
    }
    if (!rule->expires_s) continue;
    auto [slot, is_new] = slots_.try_emplace(rule->number, Slot{SlotState::kActive, *rule->expires_s, {}});
    if (slot->second.state != SlotState::kActive) continue;
    slot->second.expires_s = std::min(slot->second.expires_s, *rule->expires_s);
    if (!rule->grant) continue;
    slot->second.grants.push_back(*rule->grant);
    // A grant listed twice keeps the number that lasts longer.
    const std::string key = grant_key(*rule->grant);
    const auto known = numbers_.find(key);
    if (known == numbers_.end() || slots_.at(known->second).expires_s < *rule->expires_s) numbers_[key] = rule->number;
  }
  (void)now_s;  // rules already due are moved by the first expire()
}

void IpfwBackend::recover_expired(std::string_view listing) {
  for (const std::string_view line : split(listing, '\n')) {
    // Only disabled rules: were the expire set enabled (set 0), its listing would hold the admin's rules too.
    if (!line.starts_with(kDisabledPrefix)) continue;
    const auto rule = parse_listed_rule(line);
    if (rule && in_range(rule->number)) slots_.try_emplace(rule->number, Slot{SlotState::kExpired, 0, {}});
  }
}

Result<Ok, FirewallError> IpfwBackend::open(std::span<const GrantRequest> grants, std::int64_t now_s) {
  struct Planned {
    ExpiredGrant grant;
    std::string key;
    std::string destination;
    std::int64_t expires_s = 0;
    int number = 0;
    std::optional<int> old_number;  // the rule this one replaces
  };
  std::vector<Planned> planned;
  std::map<std::string, std::size_t> in_batch;
  for (const GrantRequest& grant : grants) {
    if (!grant.request) return fail(error("a grant without a request"));
    const AccessRequest& request = *grant.request;
    // As fwknopd's ipfw build: no NAT. Refused as a whole, so that no part of a NAT grant opens directly.
    if (is_nat_grant(grant))
      return fail(error("NAT access for " + request.allow_ip.to_string() + " is not supported by the ipfw backend"));
    const config::IpAddress source = request.allow_ip.unmapped();
    const config::IpAddress destination = request.packet_destination.unmapped();
    const bool has_destination = settings_.use_destination && destination != config::IpAddress() &&
                                 destination != config::IpAddress::ipv6({}) && destination.family() == source.family();
    // `me` matches the host's IPv4 addresses only; IPv6 grants need `me6`.
    const std::string to = has_destination ? destination.to_string() : source.is_ipv4() ? "me" : "me6";
    const std::int64_t expires_s = now_s + std::max<std::int64_t>(1, request.timeout.count());
    for (const config::ProtoPort& entry : request.ports) {
      const ExpiredGrant key_grant{source, static_cast<std::uint8_t>(entry.protocol), entry.port};
      std::string key = grant_key(key_grant);
      const auto [at, is_new] = in_batch.try_emplace(key, planned.size());
      if (!is_new) {  // the same grant twice in one burst: one rule, the later expiry and destination
        planned[at->second].expires_s = std::max(planned[at->second].expires_s, expires_s);
        planned[at->second].destination = to;
        continue;
      }
      planned.push_back(Planned{key_grant, std::move(key), to, expires_s, 0, std::nullopt});
    }
  }
  // A grant whose rule lasts at least as long already needs nothing; a longer one replaces the old rule.
  std::erase_if(planned, [&](Planned& plan) {
    const auto known = numbers_.find(plan.key);
    if (known == numbers_.end()) return false;
    if (slots_.at(known->second).expires_s >= plan.expires_s) return true;
    plan.old_number = known->second;
    return false;
  });

  std::set<int> numbers;
  int candidate = std::max(settings_.start_rule_num, 1);
  for (Planned& plan : planned) {
    while (in_range(candidate) && slots_.contains(candidate)) ++candidate;
    if (!in_range(candidate))
      return fail(error("no free rule number for " + plan.key + ": all IPFW_MAX_RULES (" +
                        std::to_string(settings_.max_rules) + ") numbers from " +
                        std::to_string(settings_.start_rule_num) + " are in use"));
    plan.number = candidate++;
  }

  const std::string active = std::to_string(settings_.active_set);
  const std::string expire = std::to_string(settings_.expire_set);
  for (std::size_t i = 0; i < planned.size(); ++i) {
    const Planned& plan = planned[i];
    std::vector<std::string> args{
        "add",  std::to_string(plan.number),   "set", active,           "pass",     std::to_string(plan.grant.protocol),
        "from", plan.grant.source.to_string(), "to",  plan.destination, "dst-port", std::to_string(plan.grant.port)};
    // fwknopd adds `setup` to udp rules too, where it can never match (it tests TCP flags).
    if (plan.grant.protocol == 6) args.push_back("setup");
    args.insert(args.end(), {"keep-state", "//", std::string(kExpireCommentPrefix) + std::to_string(plan.expires_s)});
    if (auto added = run(args); !added) {
      // All or nothing: the rules of this burst already added go to the expire set, to be purged.
      for (std::size_t j = 0; j < i; ++j) {
        const int number = planned[j].number;
        if (auto moved = execute({"set", "move", "rule", std::to_string(number), "to", expire}); moved)
          slots_[number] = Slot{SlotState::kExpired, 0, {}};
      }
      return fail(added.error());
    }
  }
  for (const Planned& plan : planned) {
    slots_[plan.number] = Slot{SlotState::kActive, plan.expires_s, {plan.grant}};
    numbers_[plan.key] = plan.number;
    if (!plan.old_number) continue;
    Slot& old = slots_.at(*plan.old_number);
    std::erase_if(old.grants, [&](const ExpiredGrant& grant) { return grant_key(grant) == plan.key; });
    // A recovered fwknopd rule number may hold other ports still running: it then expires on its own time.
    if (!old.grants.empty()) continue;
    auto moved = execute({"set", "move", "rule", std::to_string(*plan.old_number), "to", expire});
    if (moved && moved->succeeded()) old = Slot{SlotState::kExpired, 0, {}};
  }
  return Ok{};
}

void IpfwBackend::drop_keys_of(int number) {
  std::erase_if(numbers_, [&](const auto& entry) { return entry.second == number; });
}

Result<Ok, FirewallError> IpfwBackend::move_due_rules(std::int64_t now_s, std::vector<ExpiredGrant>& expired) {
  const std::string expire = std::to_string(settings_.expire_set);
  auto listing = run({"set", std::to_string(settings_.active_set), "list"});
  if (!listing) return fail(listing.error());
  std::optional<FirewallError> problem;
  std::set<int> listed;
  for (const std::string_view line : split(*listing, '\n')) {
    const auto rule = parse_listed_rule(line);
    if (!rule) continue;
    listed.insert(rule->number);
    if (!rule->expires_s || *rule->expires_s > now_s) continue;
    const auto slot = slots_.find(rule->number);
    if (slot != slots_.end() && slot->second.state == SlotState::kExpired) continue;  // moved at an earlier line
    // Any rule of the active set whose _exp_ has passed goes, as in fwknopd, even one sesamed does not know.
    if (auto moved = run({"set", "move", "rule", std::to_string(rule->number), "to", expire}); !moved) {
      problem = moved.error();
      continue;
    }
    if (slot != slots_.end()) {
      expired.insert(expired.end(), slot->second.grants.begin(), slot->second.grants.end());
      slot->second = Slot{SlotState::kExpired, 0, {}};
      drop_keys_of(rule->number);
    } else {
      if (rule->grant) expired.push_back(*rule->grant);
      if (in_range(rule->number)) slots_[rule->number] = Slot{SlotState::kExpired, 0, {}};
    }
  }
  // Due grants whose rules someone else removed: nothing to move, the number is free again.
  for (auto slot = slots_.begin(); slot != slots_.end();) {
    const bool is_gone =
        slot->second.state == SlotState::kActive && slot->second.expires_s <= now_s && !listed.contains(slot->first);
    if (!is_gone) {
      ++slot;
      continue;
    }
    expired.insert(expired.end(), slot->second.grants.begin(), slot->second.grants.end());
    drop_keys_of(slot->first);
    slot = slots_.erase(slot);
  }
  if (problem) return fail(*problem);
  return Ok{};
}

// Deletes the expire set's rules that hold no dynamic state any more, as `ipfw -d` lists them after its
// "## Dynamic rules" line, each starting with its rule number.
Result<Ok, FirewallError> IpfwBackend::purge() {
  const std::string expire = std::to_string(settings_.expire_set);
  auto listing = run({"-d", "set", expire, "list"});
  if (!listing) return fail(listing.error());
  std::set<int> with_states;
  bool is_dynamic = false;
  for (const std::string_view line : split(*listing, '\n')) {
    if (!is_dynamic) {
      std::string lower(line);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      is_dynamic = lower.find("## dynamic rules") != std::string::npos;
      continue;
    }
    const std::size_t digits = line.find_first_of("0123456789");
    if (digits == std::string_view::npos) continue;
    std::string_view number = line.substr(digits);
    number = number.substr(0, std::min(number.find_first_not_of("0123456789"), number.size()));
    if (const auto parsed = number_in<int>(number)) with_states.insert(*parsed);
  }
  std::vector<int> purgeable;
  for (const auto& [number, slot] : slots_)
    if (slot.state == SlotState::kExpired && !with_states.contains(number)) purgeable.push_back(number);
  std::optional<FirewallError> problem;
  for (const int number : purgeable) {
    if (auto deleted = run({"set", expire, "delete", std::to_string(number)}); !deleted) {
      problem = deleted.error();  // stays expired: the next purge tries again
      continue;
    }
    slots_.erase(number);
  }
  if (problem) return fail(*problem);
  return Ok{};
}

Result<std::vector<ExpiredGrant>, FirewallError> IpfwBackend::expire(std::int64_t now_s) {
  std::vector<ExpiredGrant> expired = std::move(unreported_);
  unreported_.clear();
  std::optional<FirewallError> problem;
  const bool is_due = std::any_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
    return slot.second.state == SlotState::kActive && slot.second.expires_s <= now_s;
  });
  if (is_due)
    if (auto moved = move_due_rules(now_s, expired); !moved) problem = moved.error();
  const bool has_expired = expired_count() > 0;
  if (has_expired && (!last_purge_s_ || now_s - *last_purge_s_ >= settings_.purge_interval_s)) {
    last_purge_s_ = now_s;
    if (auto purged = purge(); !purged && !problem) problem = purged.error();
  }
  if (problem) {
    unreported_ = std::move(expired);  // reported by the next call that succeeds
    return fail(*problem);
  }
  return expired;
}

Result<std::string, FirewallError> IpfwBackend::list(bool everything) {
  if (everything) {
    auto all = run({"list"});
    if (!all) return fail(all.error());
    return "Listing all ipfw rules...\n" + *all;
  }
  std::string out = "Listing fwknopd ipfw rules...\n";
  for (const auto& [title, set] :
       {std::pair{"\nActive Rules:\n", settings_.active_set}, std::pair{"\nExpired Rules:\n", settings_.expire_set}}) {
    auto listed = run({"-d", "-S", "-T", "set", std::to_string(set), "list"});
    if (!listed) return fail(listed.error());
    out += title;
    out += *listed;
  }
  return out;
}

// fwknopd's cleanup: the active set goes (when it has rules); the expire set stays, so that connections let in
// before keep their dynamic states, and the next start takes it over and purges it.
Result<Ok, FirewallError> IpfwBackend::flush() {
  const std::string active = std::to_string(settings_.active_set);
  if (settings_.active_set > 0) {
    auto listed = execute({"set", active, "list"});
    if (!listed) return fail(listed.error());
    if (listed->succeeded() && !listed->output.empty())
      if (auto deleted = run({"delete", "set", active}); !deleted) return fail(deleted.error());
  }
  std::erase_if(slots_, [](const auto& slot) { return slot.second.state != SlotState::kExpired; });
  numbers_.clear();
  return Ok{};
}

}  // namespace sesame::server::firewall
