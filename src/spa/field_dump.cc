// SPDX-License-Identifier: GPL-2.0-or-later
// Text layout of a decoded packet, matching fwknop's verbose dump.
#include "spa/field_dump.h"

#include <cstdio>
#include <span>

#include "spa/digest.h"

namespace sesame::spa {
namespace {

void add_line(std::string& out, std::string_view label, std::string_view value) {
  char padded[32];
  std::snprintf(padded, sizeof padded, "%15.*s: ", int(label.size()), label.data());
  out += padded;
  out += value;
  out += '\n';
}

std::string coded(int code, std::string_view name) {
  return std::to_string(code) + " (" + std::string(name) + ")";
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
}

// The header and the message's own fields, the same in every mode.
std::string message_lines(const Message& message) {
  std::string out = "SPA Field Values:\n=================\n";
  add_line(out, "Random Value", message.random_value);
  add_line(out, "Username", message.username);
  add_line(out, "Timestamp", std::to_string(message.timestamp));
  add_line(out, "FKO Version", message.version);
  add_line(out, "Message Type", coded(int(message.type), message_type_name(message.type)));
  add_line(out, "Message String", message.message);
  add_line(out, "Nat Access", message.nat_access.value_or("<NULL>"));
  add_line(out, "Server Auth", message.server_auth.value_or("<NULL>"));
  add_line(out, "Client Timeout", std::to_string(message.client_timeout));
  return out;
}

}  // namespace

std::string format_field_dump(const DecodedPacket& packet, const Keys& keys, std::string_view wire) {
  const Message& message = packet.message;
  const bool gpg = keys.encryption_type == EncryptionType::kGpg;
  std::string out = message_lines(message);
  add_line(out, "Digest Type", coded(int(message.digest_type), digest_name(message.digest_type)));
  add_line(out, "HMAC Type", keys.uses_hmac() ? coded(int(keys.hmac_type), digest_name(keys.hmac_type)) : "0 (None)");
  add_line(out, "Encryption Type", coded(int(keys.encryption_type), encryption_type_name(keys.encryption_type)));
  const EncryptionMode mode = gpg ? EncryptionMode::kAsymmetric : keys.mode;
  add_line(out, "Encryption Mode", coded(int(mode), encryption_mode_name(mode)));
  if (gpg) {
    const GpgSignature& signature = packet.gpg_signature;
    const auto or_null = [](const std::string& text) { return text.empty() ? std::string("<NULL>") : text; };
    add_line(out, "GPG signer", or_null(keys.gpg_encrypt.signer));
    add_line(out, "GPG recipient", or_null(keys.gpg_encrypt.recipient));
    add_line(out, "GPG sig verify", signature.present ? "Yes" : "No");
    add_line(out, "GPG sig ID", signature.present ? signature.id : "<NULL>");
    add_line(out, "GPG sig fpr", signature.present ? signature.fingerprint : "<NULL>");
    add_line(out, "GPG sig status", signature.present ? signature.status_text : "<NULL>");
    add_line(out, "GPG sig good", signature.good ? "Yes" : "No");
    const std::string& home = keys.gpg_decrypt.home_dir.empty() ? keys.gpg_encrypt.home_dir : keys.gpg_decrypt.home_dir;
    add_line(out, "GPG home dir", home.empty() ? "<default>" : home);
  }
  add_line(out, "Encoded Data", packet.encoded);
  add_line(out, "SPA Data Digest", packet.digest);
  if (keys.uses_hmac()) {
    const std::size_t tag_length = digest_b64_length(keys.hmac_type);
    add_line(out, "HMAC", wire.size() >= tag_length ? wire.substr(wire.size() - tag_length) : "<NULL>");
  }
  if (packet.salt) add_line(out, "Salt", hex(*packet.salt));
  add_line(out, "Replay Digest", replay_digest(wire));
  add_line(out, "Final SPA Data", wire);
  return out;
}

std::string format_modern_field_dump(const Message& message, const ModernCodec& codec, std::string_view wire) {
  std::string out = message_lines(message);
  add_line(out, "Encryption", "modern (X25519, " + std::string(aead_suite_name(codec.suite())) + ")");
  add_line(out, "Key ID", hex(codec.key_id()));
  add_line(out, "Final SPA Data", wire);
  return out;
}

}  // namespace sesame::spa
