// SPDX-License-Identifier: GPL-2.0-or-later
// Pipeline::handle: one captured payload through every check, in the order of the server issue.
#include "server/pipeline.h"

#include <algorithm>
#include <limits>

#include "server/replay_digest.h"
#include "server/stanza_codec.h"
#include "spa/base64.h"
#include "spa/field_rules.h"

namespace sesame::server {
namespace {

constexpr std::size_t kGpgPrefixedMinimum = 400;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool is_nat(spa::MessageType type) {
  return spa::has_nat_field(type);
}

bool is_local_nat(spa::MessageType type) {
  return type == spa::MessageType::kLocalNatAccess || type == spa::MessageType::kClientTimeoutLocalNatAccess;
}

// GPG_REQUIRE_SIG, GPG_IGNORE_SIG_VERIFY_ERROR, GPG_FINGERPRINT_ID (checked first, as fwknopd) and GPG_REMOTE_ID.
bool signature_acceptable(const config::AccessStanza& stanza, const spa::GpgSignature& signature) {
  if (!stanza.gpg_require_sig) return true;
  if (!signature.present) return false;
  if (!signature.good && !stanza.gpg_ignore_sig_verify_error) return false;
  const auto listed = [](const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  if (stanza.is_gpg_fingerprint_id_set && !listed(stanza.gpg_fingerprint_ids, signature.fingerprint)) return false;
  if (stanza.is_gpg_remote_id_set && !listed(stanza.gpg_remote_ids, signature.id)) return false;
  return true;
}

std::uint64_t key_id_number(const spa::ModernKeyId& id) {
  std::uint64_t number = 0;
  for (const std::uint8_t byte : id) number = (number << 8) | byte;
  return number;
}

}  // namespace

Result<Pipeline, std::string> Pipeline::create(const config::AccessConfig& access, PipelineSettings settings,
                                               ReplayStore& replay) {
  Pipeline pipeline(access, settings, replay);
  pipeline.codecs_.reserve(access.stanzas.size());
  pipeline.modern_codecs_.reserve(access.stanzas.size());
  for (std::size_t i = 0; i < access.stanzas.size(); ++i) {
    const auto& stanza = access.stanzas[i];
    const auto where = stanza.file + ":" + std::to_string(stanza.line) + ": ";
    auto& codec = pipeline.codecs_.emplace_back();
    if (stanza.uses_fwknop_keys()) {
      auto made = make_stanza_codec(stanza);
      if (!made) return fail(where + "stanza keys: " + made.error().to_string());
      codec.emplace(std::move(*made));
    }
    auto& modern = pipeline.modern_codecs_.emplace_back();
    if (stanza.uses_modern()) {
      auto made = make_stanza_modern_codec(stanza);
      if (!made) return fail(where + "modern keys: " + made.error().to_string());
      pipeline.modern_stanzas_[key_id_number(made->key_id())].push_back(i);
      modern.emplace(std::move(*made));
    }
  }
  return pipeline;
}

std::optional<DropReason> Pipeline::remember(const ReplayDigest& digest, std::int64_t now_s,
                                             std::int64_t keep_until_s) {
  switch (replay_->insert(digest, now_s, keep_until_s)) {
    case ReplayStore::Insert::kFresh:
      return std::nullopt;
    case ReplayStore::Insert::kReplay:
      return DropReason::kReplay;
    case ReplayStore::Insert::kFull:
      return DropReason::kReplayCacheFull;
    case ReplayStore::Insert::kUnavailable:
      return DropReason::kReplayStoreDown;
  }
  return DropReason::kReplayCacheFull;
}

Verdict Pipeline::drop(DropReason reason, std::optional<std::size_t> stanza) {
  drops_.count(reason);
  return Verdict{std::nullopt, reason, stanza};
}

Verdict Pipeline::handle(const CapturedPacket& packet) {
  const std::string_view wire = packet.payload;
  if (wire.size() < kMinSpaPayload) return drop(DropReason::kTooShort);
  if (wire.size() > kMaxSpaPayload) return drop(DropReason::kTooLong);
  // A copy of a seen packet with its constant prefix put back is the same packet (protocol.md §11); the
  // canonical replay digest catches it too, but no legitimate client ever sends one.
  if (starts_with(wire, spa::kRijndaelPrefix) ||
      (wire.size() > kGpgPrefixedMinimum && starts_with(wire, spa::kGpgPrefix)) || !spa::is_base64_text(wire))
    return drop(DropReason::kNotSpaData);

  if (!modern_stanzas_.empty()) {
    if (auto verdict = handle_modern(packet)) return std::move(*verdict);
  }

  Furthest furthest;
  // The canonical digest depends on how a stanza reads the packet (its HMAC tag length and encryption type), so it
  // is computed per stanza tried, once per distinct reading.
  struct Reading {
    std::size_t tag_length = 0;
    spa::EncryptionType encryption = spa::EncryptionType::kRijndael;
    ReplayDigest digest{};
  };
  std::optional<Reading> reading;
  const auto& stanzas = access_->stanzas;
  for (std::size_t i = 0; i < stanzas.size(); ++i) {
    const config::AccessStanza& stanza = stanzas[i];
    if (!codecs_[i]) continue;  // a modern-only stanza
    if (!stanza.source.contains(packet.source)) continue;
    if (stanza.destination && !stanza.destination->contains(packet.destination)) continue;
    spa::PacketCodec& codec = *codecs_[i];
    // HMAC before anything else: a junk flood costs one MAC per matching stanza and nothing more.
    if (stanza.uses_hmac() && !codec.authenticate(wire)) {
      furthest.note(DropReason::kHmac, i);
      continue;
    }
    const std::size_t tag_length =
        stanza.uses_hmac() ? spa::digest_b64_length(stanza.hmac_digest_type.value_or(spa::kDefaultHmacType)) : 0;
    const spa::EncryptionType encryption =
        stanza.uses_gpg() ? spa::EncryptionType::kGpg : spa::EncryptionType::kRijndael;
    if (!reading || reading->tag_length != tag_length || reading->encryption != encryption) {
      reading = Reading{tag_length, encryption, digester_.canonical(wire, tag_length, encryption)};
      if (replay_->contains(reading->digest, packet.received_s)) return drop(DropReason::kReplay, i);
    }
    auto decoded = codec.decode(wire);
    if (!decoded) {
      furthest.note(DropReason::kDecode, i);
      continue;
    }
    if (stanza.uses_gpg() && !signature_acceptable(stanza, decoded->gpg_signature)) {
      furthest.note(DropReason::kGpgSignature, i);
      continue;
    }
    // Without an HMAC nothing binds the framing (a GPG message can be re-framed and still decrypt), so the
    // decrypted message itself is remembered too.
    Outcome outcome = accept_authentic(i, reading->digest, *decoded, packet, !stanza.uses_hmac());
    if (outcome.request) return accepted(std::move(*outcome.request), i);
    if (outcome.is_final) return drop(outcome.reason, i);
    furthest.note(outcome.reason, i);
  }
  return drop(furthest.reason.value_or(DropReason::kSource), furthest.stanza);
}

void Pipeline::Furthest::note(DropReason why, std::size_t at) {
  if (!reason || drop_reason_depth(why) > drop_reason_depth(*reason)) {
    reason = why;
    stanza = at;
  }
}

Verdict Pipeline::accepted(AccessRequest request, std::size_t stanza_index) {
  request.stanza_index = stanza_index;
  ++accepted_;
  return Verdict{std::move(request), DropReason::kSource, stanza_index};
}

std::optional<Verdict> Pipeline::handle_modern(const CapturedPacket& packet) {
  const auto size = spa::base64_decode_into(packet.payload, packet_scratch_);
  if (!size) return std::nullopt;
  const std::span<const std::uint8_t> bytes(packet_scratch_.data(), *size);
  const auto header = spa::read_modern_header(bytes);
  if (!header) return std::nullopt;
  const auto found = modern_stanzas_.find(key_id_number(header->key_id));
  if (found == modern_stanzas_.end()) return std::nullopt;

  // The key id names this client's key pair: no fwknop stanza is tried after it.
  Furthest furthest;
  std::optional<ReplayDigest> digest;
  for (const std::size_t i : found->second) {
    const config::AccessStanza& stanza = access_->stanzas[i];
    if (!stanza.source.contains(packet.source)) continue;
    if (stanza.destination && !stanza.destination->contains(packet.destination)) continue;
    auto message = modern_codecs_[i]->open(bytes, *header);
    if (!message) {
      furthest.note(DropReason::kDecode, i);
      continue;
    }
    if (!digest) {
      digest = digester_.sealed(bytes);
      if (replay_->contains(*digest, packet.received_s)) return drop(DropReason::kReplay, i);
    }
    spa::DecodedPacket decoded;
    decoded.message = std::move(*message);
    Outcome outcome = accept_authentic(i, *digest, decoded, packet, false);
    if (outcome.request) return accepted(std::move(*outcome.request), i);
    if (outcome.is_final) return drop(outcome.reason, i);
    furthest.note(outcome.reason, i);
  }
  return drop(furthest.reason.value_or(DropReason::kSource), furthest.stanza);
}

Pipeline::Outcome Pipeline::accept_authentic(std::size_t stanza_index, const ReplayDigest& digest,
                                             const spa::DecodedPacket& decoded, const CapturedPacket& packet,
                                             bool bind_plaintext) {
  const config::AccessStanza& stanza = access_->stanzas[stanza_index];
  // Burnt once authentic, before any policy check, so a denied packet cannot be tried again later; kept only
  // while it could still pass the time window (a packet stale in the past is never stored).
  const std::int64_t timestamp = decoded.message.timestamp;
  const std::int64_t keep_until =
      settings_.packet_aging ? timestamp + settings_.max_packet_age.count() : std::numeric_limits<std::int64_t>::max();
  if (keep_until >= packet.received_s) {
    if (const auto refused = remember(digest, packet.received_s, keep_until)) return {std::nullopt, *refused, true};
    if (bind_plaintext) {
      const ReplayDigest plaintext = digester_.plaintext(decoded.encoded);
      if (replay_->contains(plaintext, packet.received_s)) return {std::nullopt, DropReason::kReplay, true};
      if (const auto refused = remember(plaintext, packet.received_s, keep_until))
        return {std::nullopt, *refused, true};
    }
  }
  if (settings_.packet_aging) {
    const std::int64_t skew = packet.received_s - timestamp;
    if (skew > settings_.max_packet_age.count() || -skew > settings_.max_packet_age.count())
      return {std::nullopt, DropReason::kStale, false};
  }
  AccessRequest request;
  if (const auto denied = apply_policy(stanza, decoded, packet, request)) return {std::nullopt, *denied, false};
  return {std::move(request), DropReason::kSource, false};
}

std::optional<DropReason> Pipeline::apply_policy(const config::AccessStanza& stanza, const spa::DecodedPacket& decoded,
                                                 const CapturedPacket& packet, AccessRequest& request) {
  const spa::Message& message = decoded.message;
  const std::string_view text = message.message;
  const auto comma = text.find(',');  // the decoder guarantees "IP,..."
  const std::string_view allow_text = text.substr(0, comma);
  const auto allow_ip = spa::parse_allow_ip(allow_text);
  const auto allow_ipv6 = allow_ip ? std::nullopt : spa::parse_allow_ipv6(allow_text);
  if (!allow_ip && !allow_ipv6) return DropReason::kDecode;
  if (allow_ipv6) {
    request.allow_ip = config::IpAddress::ipv6(*allow_ipv6);  // sesame's extension (docs/compat.md)
  } else if (*allow_ip == 0) {
    // 0.0.0.0: "the packet's source", which anyone on the path can race for (REQUIRE_SOURCE_ADDRESS).
    if (stanza.require_source_address) return DropReason::kSourceRequired;
    request.allow_ip = packet.source.unmapped();
    request.is_source_allow_ip = true;
  } else {
    request.allow_ip = config::IpAddress::ipv4(*allow_ip);
  }
  if (stanza.require_username && *stanza.require_username != message.username) return DropReason::kUser;
  if (stanza.is_expired(std::chrono::system_clock::time_point(std::chrono::seconds(packet.received_s))))
    return DropReason::kExpiredStanza;

  request.type = message.type;
  request.packet_source = packet.source;
  request.packet_destination = packet.destination;
  request.username = message.username;
  request.timestamp_s = message.timestamp;
  if (message.type == spa::MessageType::kCommand) {
    if (!stanza.enable_cmd_exec) return DropReason::kCommandNotAllowed;
    request.command = std::string(text.substr(comma + 1));
    return std::nullopt;
  }
  if (is_nat(message.type)) {
    const bool enabled = is_local_nat(message.type) ? settings_.local_nat : settings_.nat_forwarding;
    if (!enabled) return DropReason::kNatNotEnabled;
    const std::string& nat = *message.nat_access;  // "host,port", validated by the decoder
    const auto nat_comma = nat.find(',');
    request.nat = NatTarget{nat.substr(0, nat_comma), static_cast<std::uint16_t>(std::stoi(nat.substr(nat_comma + 1)))};
  }
  if (!config::parse_port_list_into(text.substr(comma + 1), ports_scratch_) ||
      !config::ports_allowed(ports_scratch_, stanza.open_ports, stanza.restrict_ports))
    return DropReason::kDeniedPort;
  request.ports = ports_scratch_;
  if (spa::has_client_timeout_field(message.type))
    request.client_timeout = std::chrono::seconds(message.client_timeout);
  // A client may ask for its own timeout, never more than MAX_FW_TIMEOUT.
  request.timeout = spa::has_client_timeout_field(message.type) && message.client_timeout > 0
                        ? std::min(std::chrono::seconds(message.client_timeout), stanza.max_fw_timeout)
                        : stanza.fw_access_timeout;
  return std::nullopt;
}

}  // namespace sesame::server
