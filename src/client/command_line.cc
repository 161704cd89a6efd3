// SPDX-License-Identifier: GPL-2.0-or-later
// CLI11 setup for every fwknop client option, and the conversion of their values into ClientInvocation.
#include "client/command_line.h"

#include <CLI/CLI.hpp>

#include "client/named_options.h"
#include "config/setting_values.h"
#include "spa/message.h"

namespace sesame::client {
namespace {

using config::ClientSettings;

// Raw option text, converted after parsing so that every bad value gets one clear line naming the option.
struct RawValues {
  std::optional<std::string> digest_type, hmac_digest_type, encryption_mode, server_proto, server_port, source_port,
      nat_port, fw_timeout, time_offset_plus, time_offset_minus, nat_access;
  std::optional<std::string> key, key_base64, hmac_key, hmac_key_base64;
  bool source_ip = false, resolve_ip = false, resolve_http_only = false, rand_port = false, nat_local = false,
       nat_rand_port = false, use_hmac = false, use_gpg = false, gpg_agent = false, gpg_no_signing_pw = false,
       use_wget_user_agent = false, server_resolve_ipv4 = false, no_save_args = false;
  int verbose = 0;
};

Failure<ClientError> bad_value(std::string_view option, std::string_view value, std::string_view expected) {
  return fail(ClientError{std::string(option) + ": \"" + std::string(value) + "\" is not " + std::string(expected)});
}

std::optional<bool> flag(bool given) {
  return given ? std::optional<bool>(true) : std::nullopt;
}

std::optional<SecretBytes> secret(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return SecretBytes::from_text(*text);
}

// Gives CLI11 an option only when the command line may name it (named_options.h); each option joins the current
// --help group. Names and help stay C strings until an option is really added: most are not.
class OptionAdder {
 public:
  OptionAdder(CLI::App& app, const NamedOptions& named) : app_(app), named_(named) {}

  void group(const char* name) { group_ = name; }

  template <typename T>
  void option(const char* names, T& target, const char* help) {
    if (named_.may_name(names)) app_.add_option(names, target, help)->group(group_);
  }

  template <typename T>
  void option_in_range(const char* names, T& target, const char* help, int low, int high) {
    if (named_.may_name(names)) app_.add_option(names, target, help)->check(CLI::Range(low, high))->group(group_);
  }

  template <typename T>
  void flag(const char* names, T& target, const char* help) {
    if (named_.may_name(names)) app_.add_flag(names, target, help)->group(group_);
  }

 private:
  CLI::App& app_;
  const NamedOptions& named_;
  std::string group_;
};

void add_options(OptionAdder& add, ClientInvocation& invocation, RawValues& raw) {
  ClientSettings& s = invocation.settings;
  add.group("Request");
  add.option("-A,--access", s.access, "Ports to open: proto/port[,proto/port...], e.g. tcp/22");
  add.option("-a,--allow-ip", s.allow_ip, "IPv4 or IPv6 address the server should allow");
  add.flag("-s,--source-ip", raw.source_ip, "Let the server allow the packet's source address");
  add.flag("-R,--resolve-ip-https,--resolve-ip-http", raw.resolve_ip, "Find the allow IP through a web service");
  add.flag("--resolve-http-only", raw.resolve_http_only, "Use plain HTTP for -R");
  add.option("--resolve-url", s.resolve_url, "Resolver URL for -R");
  add.option("-w,--wget-cmd", s.wget_cmd, "Accepted for fwknop compatibility; -R uses libcurl");
  add.flag("--use-wget-user-agent", raw.use_wget_user_agent, "Accepted for fwknop compatibility");
  add.option("-u,--user-agent", s.user_agent, "User-Agent for -R and -P http");
  add.option("-C,--server-cmd", invocation.server_command, "Send a command message instead of an access request");
  add.option("-f,--fw-timeout", raw.fw_timeout, "Ask for this many seconds of access (client timeout)");
  add.option("-U,--spoof-user", s.spoof_user, "Username to put in the packet");
  add.option("--time-offset-plus", raw.time_offset_plus, "Move the timestamp forward: N[s|m|h|d]");
  add.option("--time-offset-minus", raw.time_offset_minus, "Move the timestamp back: N[s|m|h|d]");

  add.group("NAT");
  add.option("-N,--nat-access", raw.nat_access, "Forward to an internal host: host:port or host,port");
  add.flag("--nat-local", raw.nat_local, "Forward to a port on the SPA server itself");
  add.option("--nat-port", raw.nat_port, "Port the server should translate");
  add.flag("--nat-rand-port", raw.nat_rand_port, "Pick the translated port at random");

  add.group("Server and transport");
  add.option("-D,--destination", s.spa_server, "SPA server host name or address");
  add.option("-p,--server-port", raw.server_port, "Destination port (default 62201)");
  add.option("-P,--server-proto", raw.server_proto, "udp (default), tcp, udpraw, tcpraw, icmp or http");
  add.option("-S,--source-port", raw.source_port, "Source port");
  add.option("-Q,--spoof-source,--spoof-src", s.spoof_source_ip, "Forged source IPv4 (raw modes, root)");
  add.flag("-r,--rand-port", raw.rand_port, "Send to a random port in 10000-65534");
  add.option_in_range("--icmp-type", invocation.icmp_type, "ICMP type for -P icmp (default 0)", 0, 40);
  add.option_in_range("--icmp-code", invocation.icmp_code, "ICMP code for -P icmp (default 0)", 0, 15);
  add.option("-H,--http-proxy", invocation.http_proxy, "Send through this HTTP proxy: host[:port]");
  add.flag("--server-resolve-ipv4", raw.server_resolve_ipv4, "Use only IPv4 answers for -D");
  add.flag("-4", invocation.ipv4_only, "Use IPv4 to reach the server");
  add.flag("-6", invocation.ipv6_only, "Use IPv6 to reach the server");

  add.group("Encryption and keys");
  add.option("-m,--digest-type", raw.digest_type,
             "Inner digest: md5 sha1 sha256 (default) sha384 sha512 "
             "sha3_256 sha3_512");
  add.option("-M,--encryption-mode", raw.encryption_mode, "cbc (default) ecb cfb ofb ctr legacy asymmetric");
  add.option("--key-rijndael", raw.key, "Encryption key as text");
  add.option("--key-base64-rijndael", raw.key_base64, "Encryption key in base64");
  add.flag("--use-hmac", raw.use_hmac, "Authenticate the packet with an HMAC");
  add.option("--hmac-digest-type", raw.hmac_digest_type, "HMAC hash (default sha256)");
  add.option("--key-hmac", raw.hmac_key, "HMAC key as text");
  add.option("--key-base64-hmac", raw.hmac_key_base64, "HMAC key in base64");
  add.option("-G,--get-key", s.key_file, "Read the encryption key from a key file");
  add.option("--get-hmac-key", s.hmac_key_file, "Read the HMAC key from a key file");
  add.flag("--stdin", invocation.keys_from_stdin, "Read keys from standard input");
  add.option("--fd", invocation.keys_from_fd, "Read keys from this file descriptor");
  add.flag("-k,--key-gen", invocation.key_gen, "Print new random keys and exit");
  add.option("-K,--key-gen-file", invocation.key_gen_file, "Write new random keys to this file and exit");
  add.option_in_range("--key-len", invocation.key_length, "Key length for --key-gen (default 32)", 1, 128);
  add.option_in_range("--hmac-key-len", invocation.hmac_key_length, "HMAC key length for --key-gen", 1, 128);
  add.flag("--qr", invocation.key_gen_qr, "With --key-gen: also print the keys as a QR code");
  add.option("--qr-png", invocation.key_gen_qr_png, "With --key-gen: also write that QR code to this PNG file");
  add.flag("--modern", invocation.key_gen_modern, "With --key-gen: an X25519 key pair for modern mode instead");

  add.group("GnuPG");
  add.flag("-g,--gpg-encryption", raw.use_gpg, "Encrypt with GnuPG");
  add.option("--gpg-recipient-key", s.gpg_recipient, "Server's key");
  add.option("--gpg-signer-key", s.gpg_signer, "Your signing key");
  add.option("--gpg-home-dir", s.gpg_home_dir, "GnuPG home directory");
  add.option("--gpg-exe", s.gpg_exe, "gpg binary");
  add.flag("--gpg-agent", raw.gpg_agent, "Let gpg-agent supply the signing passphrase");
  add.flag("--gpg-no-signing-pw", raw.gpg_no_signing_pw, "The signing key has no passphrase");

  add.group("Files and modes");
  add.flag("-T,--test", invocation.test, "Build and show the packet, send nothing");
  add.option("-B,--save-packet", invocation.save_packet_file, "Save the packet to this file");
  add.flag("-b,--save-packet-append", invocation.save_packet_append, "With -B: append");
  add.option("-n,--named-config", invocation.named_config, "Use this stanza of the rc file");
  add.option("--rc-file", invocation.rc_file, "rc file instead of ~/.sesamerc or ~/.fwknoprc");
  add.flag("--no-rc-file", invocation.no_rc_file, "Read no rc file");
  add.flag("--no-home-dir", invocation.no_home_dir, "Do not use $HOME");
  add.flag("--save-rc-stanza", invocation.save_rc_stanza, "Save these options as an rc-file stanza");
  add.flag("--force-stanza", invocation.force_stanza, "With --save-rc-stanza: overwrite keys without asking");
  add.flag("--stanza-list", invocation.stanza_list, "List the stanzas of the rc file");
  add.option("-E,--save-args-file", invocation.save_args_file, "Save the command line here");
  add.flag("--no-save-args", raw.no_save_args, "Do not save the command line");
  add.flag("-l,--last-cmd", invocation.last_cmd, "Run the last saved command line again");
  add.flag("--show-last", invocation.show_last, "Show the last saved command line");
  add.flag("-v,--verbose", raw.verbose, "More output (repeat for more)");
  add.flag("-V,--version", invocation.version, "Print the version");
}

Result<Ok> convert_values(const RawValues& raw, ClientInvocation& invocation) {
  ClientSettings& s = invocation.settings;
  if (raw.digest_type) {
    s.digest_type = spa::parse_digest_name(*raw.digest_type);
    if (!s.digest_type)
      return bad_value("--digest-type", *raw.digest_type,
                       "md5, sha1, sha256, sha384, sha512, "
                       "sha3_256 or sha3_512");
  }
  if (raw.hmac_digest_type) {
    s.hmac_digest_type = spa::parse_digest_name(*raw.hmac_digest_type);
    if (!s.hmac_digest_type)
      return bad_value("--hmac-digest-type", *raw.hmac_digest_type,
                       "md5, sha1, sha256, sha384, sha512, sha3_256 "
                       "or sha3_512");
    s.use_hmac = true;
  }
  if (raw.encryption_mode) {
    s.encryption_mode = config::parse_client_encryption_mode(*raw.encryption_mode);
    if (!s.encryption_mode)
      return bad_value("--encryption-mode", *raw.encryption_mode, "cbc, ecb, cfb, ofb, ctr, legacy or asymmetric");
  }
  if (raw.server_proto) {
    s.spa_server_proto = config::parse_spa_protocol(*raw.server_proto);
    if (!s.spa_server_proto)
      return bad_value("--server-proto", *raw.server_proto, "udp, tcp, udpraw, tcpraw, icmp or http");
  }
  const std::pair<const std::optional<std::string>*, std::pair<std::optional<std::uint16_t>*, const char*>> ports[] = {
      {&raw.server_port, {&s.spa_server_port, "--server-port"}},
      {&raw.source_port, {&s.spa_source_port, "--source-port"}},
      {&raw.nat_port, {&s.nat_port, "--nat-port"}},
  };
  for (const auto& [text, target] : ports) {
    if (!*text) continue;
    *target.first = config::parse_port(**text);
    if (!*target.first) return bad_value(target.second, **text, "a port (0-65535)");
  }
  if (raw.fw_timeout) {
    // fwknop takes up to 131072 but no server decodes more than 65536, so sesame says so now.
    s.fw_timeout_s = config::parse_unsigned(*raw.fw_timeout, spa::kMaxClientTimeout);
    if (!s.fw_timeout_s) return bad_value("--fw-timeout", *raw.fw_timeout, "a number of seconds (0-65536)");
  }
  if (raw.time_offset_plus && raw.time_offset_minus)
    return fail(ClientError{"--time-offset-plus and --time-offset-minus cannot be combined"});
  for (const auto& [text, sign, name] : {std::tuple{&raw.time_offset_plus, 1, "--time-offset-plus"},
                                         {&raw.time_offset_minus, -1, "--time-offset-minus"}}) {
    if (!*text) continue;
    const auto offset = config::parse_time_offset(**text);
    if (!offset) return bad_value(name, **text, "N[s|m|h|d] with N at most 65536");
    s.time_offset_s = sign * *offset;
  }
  if (raw.nat_access) {
    // fwknop accepts host:port and host,port and sends host,port.
    std::string nat = *raw.nat_access;
    if (const auto colon = nat.rfind(':'); colon != std::string::npos && nat.find(',') == std::string::npos)
      nat[colon] = ',';
    s.nat_access = nat;
  }
  s.key = secret(raw.key);
  s.key_base64 = secret(raw.key_base64);
  s.hmac_key = secret(raw.hmac_key);
  s.hmac_key_base64 = secret(raw.hmac_key_base64);
  if (raw.hmac_key || raw.hmac_key_base64 || s.hmac_key_file || invocation.hmac_key_length) s.use_hmac = true;
  if (raw.use_hmac) s.use_hmac = true;
  s.source_ip = flag(raw.source_ip);
  s.resolve_ip = flag(raw.resolve_ip || raw.resolve_http_only || s.resolve_url.has_value());
  s.resolve_http_only = flag(raw.resolve_http_only);
  s.rand_port = flag(raw.rand_port);
  s.nat_local = flag(raw.nat_local);
  s.nat_rand_port = flag(raw.nat_rand_port);
  const bool gpg_option = raw.use_gpg || s.gpg_recipient || s.gpg_signer || s.gpg_home_dir || s.gpg_exe ||
                          raw.gpg_agent || raw.gpg_no_signing_pw;
  s.use_gpg = flag(gpg_option);
  s.use_gpg_agent = flag(raw.gpg_agent);
  s.gpg_no_signing_pw = flag(raw.gpg_no_signing_pw);
  s.use_wget_user_agent = flag(raw.use_wget_user_agent);
  s.server_resolve_ipv4 = flag(raw.server_resolve_ipv4);
  s.no_save_args = flag(raw.no_save_args);
  if (raw.verbose > 0) s.verbose = raw.verbose;
  if (s.gpg_home_dir)
    while (s.gpg_home_dir->size() > 1 && s.gpg_home_dir->back() == '/') s.gpg_home_dir->pop_back();
  if (invocation.http_proxy) {
    if (s.spa_server_proto && *s.spa_server_proto != config::SpaProtocol::kHttp)
      return fail(ClientError{"Cannot set --http-proxy with a non-HTTP protocol"});
    s.spa_server_proto = config::SpaProtocol::kHttp;
  }
  if (invocation.ipv4_only && invocation.ipv6_only) return fail(ClientError{"-4 and -6 cannot be combined"});
  if (s.server_resolve_ipv4) invocation.ipv4_only = true;
  return Ok{};
}

// One CLI11 pass over the options `named` lets in. Without every option, anything CLI11 does not understand (help,
// an unknown option) returns nullopt: the caller parses again with all of them for the full text.
std::optional<Result<ParsedCommandLine>> parse_pass(const std::vector<std::string>& args, const NamedOptions& named) {
  CLI::App app{
      "sesame: Single Packet Authorization client, compatible with fwknop 2.6.x.\n"
      "Usage: sesame -A proto/port -a IP|-s|-R -D server [options]    or    sesame -n stanza [options]",
      "sesame"};
  app.get_formatter()->column_width(32);
  ParsedCommandLine parsed;
  RawValues raw;
  OptionAdder adder{app, named};
  add_options(adder, parsed.invocation, raw);
  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);  // CLI11 takes the arguments in reverse
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    if (!named.names_every_option()) return std::nullopt;
    parsed.help = HelpRequest{app.help()};
    return parsed;
  } catch (const CLI::ParseError& e) {
    if (!named.names_every_option()) return std::nullopt;
    return fail(ClientError{e.what()});
  }
  if (!app.remaining().empty()) {
    if (!named.names_every_option()) return std::nullopt;
    return fail(ClientError{"unexpected argument: " + app.remaining().front()});
  }
  if (auto converted = convert_values(raw, parsed.invocation); !converted) return fail(converted.error());
  return parsed;
}

}  // namespace

Result<ParsedCommandLine> parse_command_line(const std::vector<std::string>& args) {
  const std::vector<std::string> arguments(args.begin() + (args.empty() ? 0 : 1), args.end());
  if (auto parsed = parse_pass(args, NamedOptions::in(arguments))) return std::move(*parsed);
  return std::move(*parse_pass(args, NamedOptions::all()));
}

}  // namespace sesame::client
