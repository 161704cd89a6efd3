// SPDX-License-Identifier: GPL-2.0-or-later
// The client's packet planning: checks, message type, message and NAT strings, random ports, keys.
#include "client/packet_plan.h"

#include <pwd.h>
#include <unistd.h>
#include <cstdlib>

#include "client/user_agent.h"
#include "config/setting_values.h"
#include "spa/field_rules.h"
#include "spa/random.h"

namespace sesame::client {
namespace {

using config::SpaProtocol;

constexpr std::size_t kMaxUsername = 29;  // fwknop's -U buffer
constexpr std::uint16_t kDefaultSpaPort = 62201;

bool is_raw(SpaProtocol protocol) {
  return protocol == SpaProtocol::kUdpRaw || protocol == SpaProtocol::kTcpRaw || protocol == SpaProtocol::kIcmp;
}

spa::MessageType message_type(const ClientInvocation& invocation) {
  const auto& s = invocation.settings;
  if (invocation.server_command) return spa::MessageType::kCommand;
  if (s.nat_local.value_or(false)) return spa::MessageType::kLocalNatAccess;
  if (s.nat_access || s.nat_rand_port.value_or(false) || s.nat_port) return spa::MessageType::kNatAccess;
  return spa::MessageType::kAccess;  // libsesame picks the client-timeout variant when a timeout is set
}

// The port of a single-entry access list ("tcp/22" -> "22"), which NAT strings reuse.
std::optional<std::string> single_access_port(std::string_view access) {
  if (access.find(',') != std::string_view::npos) return std::nullopt;
  const auto slash = access.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return std::string(access.substr(slash + 1));
}

}  // namespace

Result<Ok> check_settings(const ClientInvocation& invocation) {
  const auto& s = invocation.settings;
  if (invocation.save_rc_stanza && !invocation.named_config && !s.spa_server)
    return fail(ClientError{"--save-rc-stanza needs a stanza name: give -n or -D"});
  if (!s.spa_server && !invocation.test) return fail(ClientError{"Must use --destination unless --test mode is used"});
  const bool resolve = s.resolve_ip.value_or(false) || s.resolve_url.has_value();
  if (!s.allow_ip && !s.source_ip.value_or(false) && !resolve)
    return fail(ClientError{"Must use one of [-s|-R|-a] to specify IP for SPA access."});
  if (s.allow_ip && !spa::is_valid_allow_address(*s.allow_ip))
    return fail(ClientError{"Invalid allow IP specified for SPA access: " + *s.allow_ip});
  const SpaProtocol protocol = s.spa_server_proto.value_or(SpaProtocol::kUdp);
  if (s.spoof_source_ip) {
    if (!spa::is_valid_allow_ip(*s.spoof_source_ip))
      return fail(ClientError{"Invalid spoof source IP: " + *s.spoof_source_ip});
    if (!is_raw(protocol)) return fail(ClientError{"--spoof-source needs -P udpraw, tcpraw or icmp"});
  }
  if (invocation.http_proxy && protocol != SpaProtocol::kHttp)
    return fail(ClientError{"Cannot set --http-proxy with a non-HTTP protocol"});
  const bool gpg = s.use_gpg.value_or(false);
  if (gpg && !s.gpg_recipient) return fail(ClientError{"Must specify --gpg-recipient-key when GPG is used."});
  if (!gpg && s.encryption_mode == spa::EncryptionMode::kAsymmetric)
    return fail(ClientError{"--encryption-mode asymmetric needs GPG (--gpg-recipient-key)"});
  if (s.encryption_mode == spa::EncryptionMode::kCbcLegacyIv && s.use_hmac.value_or(false))
    return fail(ClientError{"Legacy encryption mode is incompatible with HMAC usage."});
  if (is_raw(protocol) && (s.spa_server && s.spa_server->find(':') != std::string::npos))
    return fail(ClientError{"raw modes (-P udpraw, tcpraw, icmp) send IPv4 only"});
  if (!invocation.server_command && !s.access)
    return fail(ClientError{"Must use -A to say which proto/port to open (e.g. -A tcp/22)"});
  if ((s.nat_access || s.nat_local.value_or(false)) && s.access && s.access->find(',') != std::string::npos)
    return fail(ClientError{"NAT access supports a single proto/port in -A"});
  return Ok{};
}

Result<PacketPlan> plan_packet(const ClientInvocation& invocation, ClientKeys keys, const PlanInputs& inputs) {
  const auto& s = invocation.settings;
  PacketPlan plan;
  spa::Message& message = plan.message;
  auto random_value = spa::make_random_value();
  if (!random_value) return fail(ClientError{random_value.error().to_string()});
  message.random_value = std::move(*random_value);
  message.username = inputs.username.substr(0, kMaxUsername);
  const std::int64_t timestamp = inputs.now_s + s.time_offset_s.value_or(0);
  if (timestamp < 0 || timestamp > spa::kMaxTimestamp)
    return fail(ClientError{"time offset gives an invalid timestamp"});
  message.timestamp = static_cast<std::uint32_t>(timestamp);
  message.type = message_type(invocation);
  message.client_timeout = s.fw_timeout_s.value_or(0);
  message.digest_type = s.digest_type.value_or(spa::kDefaultDigestType);

  if (invocation.server_command) {
    message.message = inputs.allow_ip + "," + *invocation.server_command;
  } else {
    std::string access = *s.access;
    if (message.type != spa::MessageType::kAccess) {
      // NAT: the access message names the port the client will connect to, the NAT string the real service.
      const auto port = single_access_port(access);
      if (!port) return fail(ClientError{"NAT access needs -A proto/port"});
      std::string host;
      std::string nat_port = *port;
      if (message.type == spa::MessageType::kLocalNatAccess) {
        host = s.spa_server.value_or("");
      } else if (s.nat_access) {
        const auto comma = s.nat_access->find(',');
        host = s.nat_access->substr(0, comma);
        if (comma != std::string::npos) nat_port = s.nat_access->substr(comma + 1);
      }
      std::optional<std::uint16_t> external_port = s.nat_port;
      if (s.nat_rand_port.value_or(false)) {
        external_port = inputs.random_nat_port;
        plan.notices.push_back("[+] Randomly assigned port '" + std::to_string(*external_port) + "' on: '" + access +
                               "' will grant access to: '" + host + "," + nat_port + "'");
      }
      if (external_port) access = access.substr(0, access.find('/') + 1) + std::to_string(*external_port);
      message.nat_access = host + "," + nat_port;
    }
    message.message = inputs.allow_ip + "," + access;
  }

  spa::Keys& k = plan.keys;
  if (s.use_gpg.value_or(false)) {
    k.encryption_type = spa::EncryptionType::kGpg;
    k.mode = spa::EncryptionMode::kAsymmetric;
    k.gpg_encrypt.home_dir = s.gpg_home_dir.value_or("");
    k.gpg_encrypt.recipient = *s.gpg_recipient;
    k.gpg_encrypt.signer = s.gpg_signer.value_or("");
    k.gpg_encrypt.signer_passphrase = std::move(keys.encryption_key);
  } else {
    k.mode = s.encryption_mode.value_or(spa::kDefaultEncryptionMode);
    if (k.mode == spa::EncryptionMode::kCbcLegacyIv && keys.encryption_key.size() > 16)
      plan.notices.push_back("[*] Legacy mode: the encryption key is truncated to 16 bytes");
    k.encryption_key = std::move(keys.encryption_key);
  }
  k.hmac_key = std::move(keys.hmac_key);
  k.hmac_type = s.hmac_digest_type.value_or(spa::kDefaultHmacType);

  SendRequest& send = plan.send;
  send.server = s.spa_server.value_or("");
  send.protocol = s.spa_server_proto.value_or(SpaProtocol::kUdp);
  send.port = s.rand_port.value_or(false) ? inputs.random_port : s.spa_server_port.value_or(kDefaultSpaPort);
  send.source_port = s.spa_source_port.value_or(0);
  send.spoof_source = s.spoof_source_ip;
  send.ipv4_only = invocation.ipv4_only;
  send.ipv6_only = invocation.ipv6_only;
  send.icmp_type = invocation.icmp_type;
  send.icmp_code = invocation.icmp_code;
  send.http_proxy = invocation.http_proxy;
  send.user_agent = s.user_agent.value_or(std::string(kDefaultUserAgent));
  return plan;
}

Result<std::uint16_t> random_spa_port() {
  std::uint32_t value = 0;
  // 55535 values; the modulo bias over 2^32 is below 2^-16 and harmless for a port choice.
  if (!spa::fill_random(std::span(reinterpret_cast<std::uint8_t*>(&value), sizeof value)))
    return fail(ClientError{"random source failed"});
  return static_cast<std::uint16_t>(10000 + value % 55535);
}

std::string default_username() {
  for (const char* name : {"SPOOF_USER", "LOGNAME"})
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  // libfko's cuserid(): the effective user, which needs no login session (getlogin() does).
  if (const passwd* user = ::getpwuid(::geteuid()); user != nullptr && user->pw_name != nullptr) return user->pw_name;
  if (const char* value = std::getenv("USER"); value != nullptr && *value != '\0') return value;
  return "NO_USER";
}

}  // namespace sesame::client
