// SPDX-License-Identifier: GPL-2.0-or-later
// run_client: the client's steps in fwknop's order, each failure one line and exit status 1.
#include "client/client_app.h"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client/command_line.h"
#include "client/external_ip.h"
#include "client/key_input.h"
#include "client/modern_keys.h"
#include "client/packet_plan.h"
#include "client/saved_args.h"
#include "common/private_file.h"
#include "config/rc_loader.h"
#include "config/rc_settings.h"
#include "config/setting_values.h"
#include "extras/qr_code.h"
#include "spa/field_dump.h"
#include "spa/field_rules.h"
#include "spa/key_gen.h"
#include "spa/message_codec.h"
#include "spa/packet_codec.h"

namespace sesame::client {
namespace {

constexpr std::string_view kVersionLine = "sesame client 0.1.0 (fwknop 2.6.10 compatible), FKO protocol version 3.0.0";

std::optional<std::string> home_dir(const ClientInvocation& invocation) {
  if (invocation.no_home_dir) return std::nullopt;
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return std::nullopt;
  return std::string(home);
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ClientError{"cannot read " + path});
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::string> saved_args_path(const ClientInvocation& invocation) {
  if (invocation.save_args_file) return *invocation.save_args_file;
  const auto home = home_dir(invocation);
  if (!home) return fail(ClientError{"--no-home-dir needs -E to name the saved command line file"});
  return *home + "/.sesame.run";
}

// The rc stanza merged under the command line, unless --no-rc-file. Also serves --stanza-list.
struct RcOutcome {
  std::optional<std::string> path;
  bool exit_now = false;
};

Result<RcOutcome> apply_rc_file(ClientInvocation& invocation, ClientStreams streams) {
  RcOutcome outcome;
  if (invocation.no_rc_file) {
    if (invocation.named_config || invocation.save_rc_stanza || invocation.stanza_list)
      return fail(ClientError{"--no-rc-file cannot be combined with -n, --save-rc-stanza or --stanza-list"});
    return outcome;
  }
  auto path = config::find_rc_file({invocation.rc_file, home_dir(invocation), invocation.no_home_dir});
  if (!path) return fail(ClientError{path.error()});
  outcome.path = *path;
  // The default rc file is created on first use; one named with --rc-file must exist unless a stanza is saved.
  const bool must_exist = invocation.stanza_list || (invocation.rc_file && !invocation.save_rc_stanza);
  const auto missing = must_exist ? config::IfRcFileMissing::kFail : config::IfRcFileMissing::kCreate;
  auto loaded = config::load_rc_file(*path, missing);
  if (!loaded) return fail(ClientError{loaded.error()});
  for (const auto& message : loaded->messages) streams.out << message << '\n';
  for (const auto& warning : loaded->warnings) streams.err << "[-] " << warning << '\n';
  if (invocation.stanza_list) {
    streams.out << "The following stanzas are configured in " << *path << " :\n";
    for (const auto& name : config::stanza_names(loaded->file)) streams.out << " - " << name << '\n';
    outcome.exit_now = true;
    return outcome;
  }
  // --save-rc-stanza -n NAME creates the stanza, so only reading needs it to exist.
  if (invocation.named_config && !invocation.save_rc_stanza &&
      !config::has_stanza(loaded->file, *invocation.named_config))
    return fail(ClientError{"Named configuration stanza: [" + *invocation.named_config + "] was not found."});
  auto settings = config::settings_from_rc(loaded->file, invocation.named_config);
  if (!settings) return fail(ClientError{settings.error().front().to_string()});
  config::ClientSettings merged = std::move(*settings);
  config::merge_settings(merged, std::move(invocation.settings));
  invocation.settings = std::move(merged);
  return outcome;
}

Result<spa::GeneratedKeys> generate_keys(const ClientInvocation& invocation) {
  const auto hmac_type = invocation.settings.hmac_digest_type.value_or(spa::kDefaultHmacType);
  auto keys =
      spa::generate_keys(hmac_type, invocation.key_length.value_or(spa::kDefaultKeyLength), invocation.hmac_key_length);
  if (!keys) return fail(ClientError{keys.error().to_string()});
  return std::move(*keys);
}

// --key-gen --modern: the client's X25519 key pair (no QR form: the Fwknop2 app has no modern mode).
Result<int> generate_modern_keys(const ClientInvocation& invocation, ClientStreams streams) {
  if (invocation.key_gen_qr || invocation.key_gen_qr_png) return fail(ClientError{"--qr, --qr-png: not with --modern"});
  auto text = spa::generate_modern_key_text(spa::ModernKeyOwner::kClient);
  if (!text) return fail(ClientError{text.error().to_string()});
  if (!invocation.key_gen_file) {
    streams.out << *text;
    return 0;
  }
  if (auto written = write_private_file(*invocation.key_gen_file, *text); !written)
    return fail(ClientError{written.error()});
  streams.out << "[+] Wrote the modern-mode key pair to: " << *invocation.key_gen_file << '\n';
  return 0;
}

Result<std::string> allow_ip(const ClientInvocation& invocation, ClientStreams streams) {
  const auto& s = invocation.settings;
  if (s.allow_ip) return *s.allow_ip;
  if (s.source_ip.value_or(false)) {
    if (s.verbose.value_or(0) > 0)
      streams.out << "[*] -s means the server allows the packet's source address: anyone on the path can race "
                     "you to it.\n";
    return std::string("0.0.0.0");
  }
  ResolveRequest request;
  if (s.resolve_url) request.url = *s.resolve_url;
  request.http_only = s.resolve_http_only.value_or(false);
  if (request.http_only && !s.resolve_url) request.url = std::string(kDefaultHttpResolveUrl);
  if (!s.use_wget_user_agent.value_or(false)) request.user_agent = s.user_agent.value_or("Fwknop/2.6.10");
  auto address = resolve_external_ip(request);
  if (!address) return fail(address.error());
  // An IPv6 answer goes into the packet as it is (docs/compat.md): only sesamed grants it, fwknopd refuses it.
  if (!spa::is_valid_allow_address(*address))
    return fail(ClientError{"-R resolved " + *address + ", which cannot be an allow address"});
  if (s.verbose.value_or(0) > 0)
    streams.out << "    Resolved external IP (via '" << request.url << "') as: " << *address << '\n';
  return std::move(*address);
}

SecretReader secret_reader(const ClientInvocation& invocation) {
  if (invocation.keys_from_fd) return fd_secret_reader(*invocation.keys_from_fd);
  if (invocation.keys_from_stdin) return fd_secret_reader(0);
  return terminal_secret_reader();
}

Result<Ok> save_packet(const ClientInvocation& invocation, const std::string& wire) {
  const auto mode = invocation.save_packet_append ? std::ios::app : std::ios::trunc;
  std::ofstream out(*invocation.save_packet_file, std::ios::out | mode);
  if (!(out << wire << '\n')) return fail(ClientError{"cannot write " + *invocation.save_packet_file});
  return Ok{};
}

// fwknop's dump of the packet just built. In test mode a Rijndael packet is decoded again, which proves it is
// readable and shows exactly what a server will see; a GPG packet cannot be: only the server holds its key.
Result<std::string> field_dump(const ClientInvocation& invocation, spa::PacketCodec& codec, const PacketPlan& plan,
                               const std::string& wire) {
  if (invocation.test && plan.keys.encryption_type == spa::EncryptionType::kRijndael) {
    auto decoded = codec.decode(wire);
    if (!decoded) return fail(ClientError{"the packet built does not decode: " + decoded.error().to_string()});
    return spa::format_field_dump(*decoded, plan.keys, wire);
  }
  const spa::DigestSet digests;
  auto plaintext = spa::make_plaintext(plan.message, digests);
  auto fields = plaintext ? spa::decode_plaintext(*plaintext, digests) : fail(plaintext.error());
  if (!fields) return fail(ClientError{fields.error().to_string()});
  spa::DecodedPacket packet;
  packet.message = std::move(fields->message);
  packet.encoded = std::move(fields->encoded);
  packet.digest = std::move(fields->digest);
  return spa::format_field_dump(packet, plan.keys, wire);
}

struct BuiltPacket {
  std::string wire;
  std::string field_dump;  // for -T and -v
};

Result<BuiltPacket> build_packet(const ClientInvocation& invocation, const PacketPlan& plan) {
  auto codec = spa::PacketCodec::create(plan.keys);
  if (!codec) return fail(ClientError{codec.error().to_string()});
  auto wire = codec->encode(plan.message);
  if (!wire) return fail(ClientError{wire.error().to_string()});
  BuiltPacket built{std::move(*wire), {}};
  if (invocation.test || invocation.settings.verbose.value_or(0) > 0) {
    auto dump = field_dump(invocation, *codec, plan, built.wire);
    if (!dump) return fail(dump.error());
    built.field_dump = std::move(*dump);
  }
  return built;
}

// In test mode the packet is opened again with the same key (both sides derive it), which proves it is sound.
Result<BuiltPacket> build_modern_packet(const ClientInvocation& invocation, const PacketPlan& plan) {
  auto codec = make_modern_codec(invocation.settings);
  if (!codec) return fail(codec.error());
  auto wire = codec->encode(plan.message);
  if (!wire) return fail(ClientError{wire.error().to_string()});
  if (invocation.test) {
    auto opened = codec->decode(*wire);
    if (!opened) return fail(ClientError{"the packet built does not decode: " + opened.error().to_string()});
  }
  std::string dump = spa::format_modern_field_dump(plan.message, *codec, *wire);
  return BuiltPacket{std::move(*wire), std::move(dump)};
}

Result<int> run(const std::vector<std::string>& original_args, ClientStreams streams) {
  auto parsed = parse_command_line(original_args);
  if (!parsed) return fail(parsed.error());
  if (parsed->help) {
    streams.out << parsed->help->text;
    return 0;
  }
  ClientInvocation invocation = std::move(parsed->invocation);
  if (invocation.version) {
    streams.out << kVersionLine << '\n';
    return 0;
  }
  std::vector<std::string> args = original_args;
  if (invocation.show_last || invocation.last_cmd) {
    auto path = saved_args_path(invocation);
    if (!path) return fail(path.error());
    auto line = read_saved_args(*path);
    if (!line) return fail(line.error());
    if (invocation.show_last) {
      streams.out << "Last sesame client command line: " << *line << '\n';
      return 0;
    }
    auto saved = split_saved_args(original_args.front(), *line);
    if (!saved) return fail(saved.error());
    args = std::move(*saved);
    auto reparsed = parse_command_line(args);
    if (!reparsed) return fail(reparsed.error());
    invocation = std::move(reparsed->invocation);
  }

  const bool key_gen = invocation.key_gen || invocation.key_gen_file;
  if (invocation.key_gen_modern && (!key_gen || invocation.save_rc_stanza))
    return fail(ClientError{"--modern needs --key-gen (and is not saved with --save-rc-stanza)"});
  if (invocation.key_gen_modern) return generate_modern_keys(invocation, streams);
  if (key_gen && !invocation.save_rc_stanza) {
    auto keys = generate_keys(invocation);
    if (!keys) return fail(keys.error());
    if (invocation.key_gen_file) {
      std::ofstream file(*invocation.key_gen_file, std::ios::trunc);
      if (!(file << keys->to_text())) return fail(ClientError{"cannot write " + *invocation.key_gen_file});
      streams.out << "[+] Wrote Rijndael and HMAC keys to: " << *invocation.key_gen_file << '\n';
    } else {
      streams.out << keys->to_text();
    }
    if (auto shown = extras::show_key_qr(keys->key_base64, keys->hmac_key_base64, invocation.key_gen_qr,
                                         invocation.key_gen_qr_png, streams.out);
        !shown)
      return fail(ClientError{shown.error()});
    return 0;
  }

  auto rc = apply_rc_file(invocation, streams);
  if (!rc) return fail(rc.error());
  if (rc->exit_now) return 0;

  if (invocation.save_rc_stanza) {
    // Saved: what the command line gave (parsed again, as the rc values are merged into invocation by now).
    auto command_line_only = parse_command_line(args);
    config::ClientSettings given = std::move(command_line_only->invocation.settings);
    if (invocation.key_gen) {
      auto keys = generate_keys(invocation);
      if (!keys) return fail(keys.error());
      given.key_base64 = SecretBytes::from_text(keys->key_base64);
      given.hmac_key_base64 = SecretBytes::from_text(keys->hmac_key_base64);
      given.use_hmac = true;
    }
    const std::string stanza = invocation.named_config.value_or(invocation.settings.spa_server.value_or(""));
    if (stanza.empty()) return fail(ClientError{"--save-rc-stanza needs a stanza name: give -n or -D"});
    const auto ask = [&](std::string_view variable) {
      if (invocation.force_stanza) return true;
      streams.out << "Variable '" << variable << "' found in stanza '" << stanza << "'. Overwrite [N/y] ? "
                  << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      return answer == "y" || answer == "Y";
    };
    auto kept = config::save_rc_stanza_to_file(*rc->path, stanza, given, ask);
    if (!kept) return fail(ClientError{kept.error()});
    if (invocation.key_gen) {
      streams.out << "[+] Wrote Rijndael and HMAC keys to rc file: " << *rc->path << '\n';
      return 0;
    }
    // Without --key-gen the packet is still built and sent, as fwknop does.
  }

  if (auto checked = check_settings(invocation); !checked) return fail(checked.error());
  const auto& s = invocation.settings;
  const int verbosity = s.verbose.value_or(0);

  PlanInputs inputs;
  auto address = allow_ip(invocation, streams);
  if (!address) return fail(address.error());
  inputs.allow_ip = std::move(*address);
  inputs.username = s.spoof_user.value_or(default_username());
  inputs.now_s = static_cast<std::int64_t>(std::time(nullptr));
  for (std::uint16_t* port : {&inputs.random_port, &inputs.random_nat_port}) {
    auto random = random_spa_port();
    if (!random) return fail(random.error());
    *port = *random;
  }
  // Modern mode needs no Rijndael key, HMAC key or passphrase: nothing is asked for.
  const bool modern = uses_modern_mode(s);
  auto keys = modern ? Result<ClientKeys>(ClientKeys{})
                     : acquire_keys(s, s.spa_server.value_or(""), read_text_file, secret_reader(invocation));
  if (!keys) return fail(keys.error());
  auto plan = plan_packet(invocation, std::move(*keys), inputs);
  if (!plan) return fail(plan.error());
  for (const auto& notice : plan->notices) streams.out << notice << '\n';

  auto built = modern ? build_modern_packet(invocation, *plan) : build_packet(invocation, *plan);
  if (!built) return fail(built.error());
  const std::string& wire = built->wire;
  if (invocation.save_packet_file) {
    if (auto saved = save_packet(invocation, wire); !saved) return fail(saved.error());
  }
  if (invocation.test || verbosity > 0) streams.out << built->field_dump;
  if (invocation.test) {
    if (plan->send.protocol == config::SpaProtocol::kHttp && verbosity > 0)
      streams.out << build_http_request(wire, plan->send);
    streams.out << "test mode enabled, SPA packet not actually sent.\n";
  } else {
    if (verbosity > 0)
      streams.out << "\nGenerating SPA packet:\n            protocol: "
                  << config::spa_protocol_name(plan->send.protocol) << "\n    destination port: " << plan->send.port
                  << "\n             IP/host: " << plan->send.server << '\n';
    auto sent = send_spa_packet(wire, plan->send);
    if (!sent) return fail(sent.error());
    if (verbosity > 0) streams.out << "send_spa_packet: bytes sent: " << sent->bytes_sent << '\n';
  }

  if (!s.no_save_args.value_or(false) && !invocation.last_cmd) {
    auto path = saved_args_path(invocation);
    auto line = join_saved_args(args);
    if (path && line) {
      if (auto written = write_saved_args(*path, *line); !written)
        streams.err << "[-] " << written.error().message << '\n';
    }
  }
  return 0;
}

}  // namespace

int run_client(const std::vector<std::string>& args, ClientStreams streams) {
  auto status = run(args, streams);
  if (!status) {
    streams.err << "sesame: " << status.error().message << '\n';
    return 1;
  }
  return *status;
}

}  // namespace sesame::client
