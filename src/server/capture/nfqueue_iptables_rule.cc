// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd's NFQUEUE chain through iptables/ip6tables, run to completion with ProcessRunner (start and exit only).
#include "server/capture/nfqueue_iptables_rule.h"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <string_view>
#include <vector>

#include "server/exec/process_runner.h"

namespace sesame::server::capture {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  bool is_success = false;
  std::string output;
};

// Runs one iptables command and waits for it (bounded: a wedged iptables lock must not hang the start).
Result<Outcome, std::string> run(exec::ProcessRunner& runner, std::vector<std::string> argv) {
  exec::CommandSpec spec;
  spec.display = argv.front();
  for (std::size_t i = 1; i < argv.size(); ++i) spec.display += " " + argv[i];
  spec.argv = std::move(argv);
  spec.timeout = 10s;
  auto spawned = runner.spawn(spec, "nfq");
  if (!spawned) return fail(spawned.error());
  for (;;) {
    pollfd entry{runner.fd(), POLLIN, 0};
    ::poll(&entry, 1, 100);
    for (auto& finished : runner.collect(exec::ProcessRunner::Clock::now())) {
      Outcome outcome;
      outcome.is_success = finished.exit_code == 0;
      outcome.output = std::move(finished.output);
      if (finished.exit_code == 127) return fail("cannot execute " + spec.display);
      return outcome;
    }
  }
}

// An absolute path where the tool usually is: a daemon's PATH often lacks the sbin directories.
std::string tool_path(std::string_view tool) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
    std::string path = std::string(dir) + std::string(tool);
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return std::string(tool);
}

std::vector<std::string> tools_for(const NfqueueRuleOptions& options) {
  if (options.family == "ip") return {tool_path("iptables")};
  if (options.family == "ip6") return {tool_path("ip6tables")};
  return {tool_path("iptables"), tool_path("ip6tables")};
}

Result<Ok, std::string> check(const NfqueueRuleOptions& options) {
  // Arguments, not a shell line: no quoting problem, but a name starting with '-' would read as an option.
  for (const std::string* name : {&options.iptables_table, &options.chain, &options.interface})
    if (name->starts_with('-') || name->size() > 28) return fail("NFQUEUE: iptables name \"" + *name + "\" refused");
  if (options.iptables_table.empty() || options.chain.empty()) return fail(std::string("NFQUEUE: empty name"));
  return Ok{};
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

Result<Ok, std::string> install_nfqueue_iptables_rule(const NfqueueRuleOptions& options) {
  if (auto checked = check(options); !checked) return fail(checked.error());
  auto runner = exec::ProcessRunner::create(1);
  if (!runner) return fail(runner.error());
  const std::string& table = options.iptables_table;
  const std::string& chain = options.chain;
  for (const std::string& tool : tools_for(options)) {
    // -N fails when the chain exists (a restart after a crash): the flush that follows makes it ours again.
    if (auto created = run(*runner, {tool, "-w", "-t", table, "-N", chain}); !created) return fail(created.error());
    std::vector<std::string> rule = {tool, "-w", "-t", table, "-F", chain};
    auto flushed = run(*runner, rule);
    if (!flushed) return fail(flushed.error());
    if (!flushed->is_success) return fail(tool + ": " + first_line(flushed->output));
    rule = {tool, "-w", "-t", table, "-A", chain, "-p", "udp", "-m", "udp", "--dport", std::to_string(options.port)};
    if (!options.interface.empty()) rule.insert(rule.end(), {"-i", options.interface});
    rule.insert(rule.end(), {"-j", "NFQUEUE", "--queue-num", std::to_string(options.queue_number), "--queue-bypass"});
    auto added = run(*runner, rule);
    if (!added) return fail(added.error());
    if (!added->is_success) return fail(tool + ": " + first_line(added->output));
    auto jumps = run(*runner, {tool, "-w", "-t", table, "-C", "INPUT", "-j", chain});
    if (!jumps) return fail(jumps.error());
    if (!jumps->is_success) {
      auto jumped = run(*runner, {tool, "-w", "-t", table, "-I", "INPUT", "1", "-j", chain});
      if (!jumped) return fail(jumped.error());
      if (!jumped->is_success) return fail(tool + ": " + first_line(jumped->output));
    }
  }
  return Ok{};
}

Result<Ok, std::string> remove_nfqueue_iptables_rule(const NfqueueRuleOptions& options) {
  if (auto checked = check(options); !checked) return fail(checked.error());
  auto runner = exec::ProcessRunner::create(1);
  if (!runner) return fail(runner.error());
  const std::string& table = options.iptables_table;
  const std::string& chain = options.chain;
  for (const std::string& tool : tools_for(options)) {
    for (int i = 0; i < 16; ++i) {  // every jump, however many crashes added one
      auto deleted = run(*runner, {tool, "-w", "-t", table, "-D", "INPUT", "-j", chain});
      if (!deleted) return fail(deleted.error());
      if (!deleted->is_success) break;
    }
    auto flushed = run(*runner, {tool, "-w", "-t", table, "-F", chain});
    if (!flushed) return fail(flushed.error());
    if (!flushed->is_success) continue;  // no such chain: nothing to remove
    auto removed = run(*runner, {tool, "-w", "-t", table, "-X", chain});
    if (!removed) return fail(removed.error());
    if (!removed->is_success) return fail(tool + ": " + first_line(removed->output));
  }
  return Ok{};
}

}  // namespace sesame::server::capture
