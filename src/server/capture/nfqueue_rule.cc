// SPDX-License-Identifier: GPL-2.0-or-later
// The NFQUEUE rule through libnftables: what exists is listed first, so that sesamed only ever adds to a table it
// does not own and only ever deletes what it created.
#include "server/capture/nfqueue_rule.h"

#include <nftables/libnftables.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "config/server_config_parser.h"
#include "server/capture/nfqueue_iptables_rule.h"
#include "server/firewall/nft_listing.h"

namespace sesame::server::capture {
namespace {

// The same mark NftBackend puts on what it creates: either side recognises the other's as sesamed's.
constexpr std::string_view kCreatedComment = "created by sesamed";
// fwknopd's NFQ_TABLE default, an iptables table name.
constexpr std::string_view kIptablesDefaultTable = "mangle";
constexpr std::string_view kOwnTable = "sesame_nfq";

struct ContextFree {
  void operator()(nft_ctx* ctx) const noexcept { nft_ctx_free(ctx); }
};
using Context = std::unique_ptr<nft_ctx, ContextFree>;

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Names end up in nft command text: only plain identifiers, so that no value can add a command.
bool is_nft_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  if (!(is_ascii_alnum(name[0]) && !(name[0] >= '0' && name[0] <= '9')) && name[0] != '_') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_ascii_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

// An interface name inside nft's double quotes: what Linux allows (at most 15 bytes, no '/', ':' or blank) minus
// quotes and backslashes; a trailing '*' is nft's wildcard ("eth*").
bool is_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '/' && c != ':' && c != '"' && c != '\\' && c != '\'';
  });
}

std::string quoted(std::string_view text) {
  std::string result;
  result.reserve(text.size() + 2);
  result += '"';
  result += text;
  result += '"';
  return result;
}

std::string first_line(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

std::string table_spec(const NfqueueRuleOptions& options) {
  return options.family + " " + options.table;
}

Result<Ok, std::string> check(const NfqueueRuleOptions& options) {
  if (options.family != "inet" && options.family != "ip" && options.family != "ip6")
    return fail("NFQ_TABLE: family " + quoted(options.family) + " is not inet, ip or ip6");
  if (!is_nft_name(options.table))
    return fail("NFQ_TABLE: " + quoted(options.table) + " is not a name nft takes unquoted");
  if (!is_nft_name(options.chain))
    return fail("NFQ_CHAIN: " + quoted(options.chain) + " is not a name nft takes unquoted");
  if (!options.interface.empty() && !is_interface_name(options.interface))
    return fail("NFQ_INTERFACE: " + quoted(options.interface) + " is not an interface name");
  if (options.port == 0) return fail(std::string("NFQ_PORT: 0 is not a port (1-65535)"));
  return Ok{};
}

Result<Context, std::string> make_context() {
  Context ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) return fail(std::string("nftables: nft_ctx_new failed"));
  if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0)
    return fail(std::string("nftables: cannot buffer libnftables output"));
  return ctx;
}

Result<std::string, std::string> run(nft_ctx* ctx, const std::string& commands, unsigned output_flags = 0) {
  nft_ctx_output_set_flags(ctx, output_flags);
  const int rc = nft_run_cmd_from_buffer(ctx, commands.c_str());
  std::string output = nft_ctx_get_output_buffer(ctx);  // reading the buffers also empties them
  const std::string problem = first_line(nft_ctx_get_error_buffer(ctx));
  if (rc != 0) return fail("nftables: " + (problem.empty() ? std::string("command failed") : problem));
  return output;
}

// The table as it is now; nullopt when it does not exist (or cannot be listed: the next command will say why).
std::optional<firewall::NftTable> list_table(nft_ctx* ctx, const NfqueueRuleOptions& options) {
  auto listing = run(ctx, "list table " + table_spec(options), NFT_CTX_OUTPUT_HANDLE | NFT_CTX_OUTPUT_TERSE);
  if (!listing) return std::nullopt;
  const std::vector<firewall::NftTable> tables = firewall::parse_nft_ruleset(*listing);
  const firewall::NftTable* table = firewall::find_table(tables, options.family, options.table);
  if (!table) return std::nullopt;
  return *table;
}

}  // namespace

NfqueueRuleOptions nfqueue_rule_options_from(const config::ServerConfig& config) {
  NfqueueRuleOptions options;
  const auto [family, table] = config::split_nft_table(config.nfq_table);
  if (table == kIptablesDefaultTable && family == "inet") {
    options.table = std::string(kOwnTable);
  } else {
    options.family = std::string(family);
    options.table = std::string(table);
  }
  // The iptables fallback takes fwknopd's meaning: NFQ_TABLE is an iptables table with an INPUT chain.
  if (config.nfq_table == "mangle" || config.nfq_table == "filter") options.iptables_table = config.nfq_table;
  options.chain = config.nfq_chain;
  options.port = config.nfq_port;
  options.interface = config.nfq_interface;
  options.queue_number = static_cast<std::uint16_t>(config.nfq_queue_number);
  return options;
}

Result<std::string, std::string> nfqueue_rule_commands(const NfqueueRuleOptions& options) {
  if (auto checked = check(options); !checked) return fail(checked.error());
  const std::string chain = " " + table_spec(options) + " " + options.chain;
  std::string rule = "udp dport " + std::to_string(options.port);
  if (!options.interface.empty()) rule += " iifname " + quoted(options.interface);
  rule += " counter queue num " + std::to_string(options.queue_number) + " bypass";
  // `add chain` alone cannot change an existing chain's priority: the chain is made anew, in the same transaction,
  // so a changed configuration takes effect and packets see either the old rule or the new one, never none.
  return "add chain" + chain + "\nflush chain" + chain + "\ndelete chain" + chain + "\nadd chain" + chain +
         " { type filter hook input priority " + std::to_string(options.priority) + "; policy accept; comment " +
         quoted(kCreatedComment) + "; }\nadd rule" + chain + " " + rule + "\n";
}

namespace {

Result<Ok, std::string> install_nft(const NfqueueRuleOptions& options, const std::string& commands) {
  auto ctx = make_context();
  if (!ctx) return fail(ctx.error());
  const std::optional<firewall::NftTable> table = list_table(ctx->get(), options);
  std::string batch;
  if (!table) {
    batch = "add table " + table_spec(options) + " { comment " + quoted(kCreatedComment) + "; }\n";
  } else if (const firewall::NftChain* chain = table->find_chain(options.chain);
             chain && chain->comment != kCreatedComment) {
    return fail("NFQ_CHAIN: chain " + options.chain + " of table " + table_spec(options) +
                " was not created by sesamed; sesamed will not replace its rules");
  }
  batch += commands;
  if (auto done = run(ctx->get(), batch); !done) return fail(done.error());
  return Ok{};
}

Result<Ok, std::string> remove_nft(const NfqueueRuleOptions& options) {
  auto ctx = make_context();
  if (!ctx) return fail(ctx.error());
  const std::optional<firewall::NftTable> table = list_table(ctx->get(), options);
  if (!table) return Ok{};
  const firewall::NftChain* chain = table->find_chain(options.chain);
  const bool is_ours = chain && chain->comment == kCreatedComment;
  const bool is_table_left_empty =
      table->sets.empty() && std::all_of(table->chains.begin(), table->chains.end(),
                                         [&](const firewall::NftChain& other) { return other.name == options.chain; });
  std::string batch;
  if (table->comment == kCreatedComment && is_table_left_empty && (is_ours || !chain)) {
    batch = "delete table " + table_spec(options) + "\n";
  } else if (is_ours) {
    const std::string spec = " " + table_spec(options) + " " + options.chain;
    batch = "flush chain" + spec + "\ndelete chain" + spec + "\n";
  } else {
    return Ok{};
  }
  if (auto done = run(ctx->get(), batch); !done) return fail(done.error());
  return Ok{};
}

// What nft says when the kernel has no queue expression (CONFIG_NFT_QUEUE unset): the rule's ENOENT.
bool lacks_queue_expression(const std::string& error) {
  return error.find("Could not process rule: No such file or directory") != std::string::npos;
}

}  // namespace

Result<NfqueueRuleBackend, std::string> install_nfqueue_rule(const NfqueueRuleOptions& options) {
  auto commands = nfqueue_rule_commands(options);
  if (!commands) return fail(commands.error());
  if (options.backend != NfqueueRuleBackend::kIptables) {
    auto installed = install_nft(options, *commands);
    if (installed) return NfqueueRuleBackend::kNftables;
    if (options.backend == NfqueueRuleBackend::kNftables || !lacks_queue_expression(installed.error()))
      return fail(installed.error());
    // The failed transaction left nothing behind, but a table it would have created is not there either.
  }
  if (auto installed = install_nfqueue_iptables_rule(options); !installed) return fail(installed.error());
  return NfqueueRuleBackend::kIptables;
}

Result<Ok, std::string> remove_nfqueue_rule(const NfqueueRuleOptions& options, NfqueueRuleBackend backend) {
  if (auto checked = check(options); !checked) return fail(checked.error());
  if (backend != NfqueueRuleBackend::kIptables)
    if (auto removed = remove_nft(options); !removed) return fail(removed.error());
  if (backend != NfqueueRuleBackend::kNftables)
    if (auto removed = remove_nfqueue_iptables_rule(options); !removed) return fail(removed.error());
  return Ok{};
}

}  // namespace sesame::server::capture
