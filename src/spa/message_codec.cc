// SPDX-License-Identifier: GPL-2.0-or-later
// Encoder and decoder of the inner SPA plaintext, field rules as libfko 2.6.10 applies them (protocol.md §3).
#include "spa/message_codec.h"

#include <algorithm>
#include <array>

#include <nettle/memops.h>

#include "spa/base64.h"
#include "spa/field_rules.h"

namespace sesame::spa {
namespace {

constexpr char kSeparator = ':';
constexpr std::size_t kMinSeparators = 6;
constexpr std::size_t kMaxUsernameB64 = 64;
constexpr std::size_t kMaxFieldB64 = 256;
constexpr std::size_t kMaxTimestampDigits = 12;
constexpr std::size_t kMaxTypeDigits = 2;
constexpr std::size_t kMaxTimeoutDigits = 256;

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Strict decimal: digits only (fwknop's strtol also takes "+1", " 1" or "12x"; its client never sends them).
template <class Int>
bool parse_decimal(std::string_view text, Int max, Int& value) {
  if (!all_digits(text)) return false;
  std::uint64_t parsed = 0;
  for (const char c : text) {
    parsed = parsed * 10 + std::uint64_t(c - '0');
    if (parsed > std::uint64_t(max)) return false;
  }
  value = Int(parsed);
  return true;
}

// The fields of an encoded message, without allocating: a valid one has at most 10 (protocol.md §3.2).
struct FieldList {
  static constexpr std::size_t kCapacity = 10;
  std::array<std::string_view, kCapacity> parts;
  std::size_t count = 0;
  bool overflow = false;  // more fields than any message type allows

  std::size_t size() const { return count; }
  std::string_view operator[](std::size_t i) const { return parts[i]; }
};

FieldList split(std::string_view text) {
  FieldList fields;
  std::size_t start = 0;
  while (true) {
    if (fields.count == FieldList::kCapacity) {
      fields.overflow = true;
      return fields;
    }
    const auto end = text.find(kSeparator, start);
    fields.parts[fields.count++] = text.substr(start, end - start);
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

// Most ':' separators allowed from the type field to the end (protocol.md §3.2): type:msg[:nat][:sa][:timeout].
std::size_t max_trailing_separators(MessageType type) {
  switch (type) {
    case MessageType::kCommand:
    case MessageType::kAccess:
      return 2;
    case MessageType::kNatAccess:
    case MessageType::kLocalNatAccess:
    case MessageType::kClientTimeoutAccess:
      return 3;
    case MessageType::kClientTimeoutNatAccess:
    case MessageType::kClientTimeoutLocalNatAccess:
      return 4;
  }
  return 0;
}

// A base64 text field: length 1..max, decodable, and (decoded as a C string by fwknop) free of NUL bytes.
Result<std::string> decode_text_field(std::string_view b64, std::size_t max_b64, Field field) {
  if (b64.empty()) return field_error(ErrorCode::kFieldMissing, field);
  if (b64.size() > max_b64) return field_error(ErrorCode::kFieldTooLong, field);
  auto text = base64_decode_text(b64);
  if (!text) return field_error(ErrorCode::kFieldBadBase64, field);
  if (text->find('\0') != std::string::npos) return field_error(ErrorCode::kFieldInvalid, field, "contains a NUL byte");
  return std::move(*text);
}

std::optional<DigestType> verify_digest(std::string_view encoded, std::string_view digest, const DigestSet& digests,
                                        bool& known_length) {
  // 43 and 86 characters are ambiguous between SHA2 and SHA3, so those are tried in turn.
  static constexpr DigestType kCandidates[] = {DigestType::kMd5,      DigestType::kSha1,   DigestType::kSha256,
                                               DigestType::kSha3_256, DigestType::kSha384, DigestType::kSha512,
                                               DigestType::kSha3_512};
  known_length = false;
  for (const DigestType type : kCandidates) {
    if (digest_b64_length(type) != digest.size()) continue;
    known_length = true;
    const std::string expected = digests.base64_digest(type, encoded);
    if (expected.size() == digest.size() && memeql_sec(expected.data(), digest.data(), digest.size()) != 0) return type;
  }
  return std::nullopt;
}

Result<Ok> check_encodable(const Message& message, MessageType type) {
  if (!is_valid_message_type(static_cast<int>(type))) return field_error(ErrorCode::kFieldInvalid, Field::kMessageType);
  if (message.random_value.size() != 16 || !all_digits(message.random_value))
    return field_error(ErrorCode::kFieldInvalid, Field::kRandomValue, "must be 16 decimal digits");
  if (message.username.size() > kMaxUsernameSize)
    return field_error(ErrorCode::kFieldTooLong, Field::kUsername, "at most 48 bytes decode");
  if (!is_valid_username(message.username)) return field_error(ErrorCode::kFieldInvalid, Field::kUsername);
  if (message.timestamp > kMaxTimestamp) return field_error(ErrorCode::kFieldInvalid, Field::kTimestamp);
  if (message.version.empty() || message.version.size() > kMaxVersionSize || !is_printable(message.version) ||
      message.version.find(kSeparator) != std::string::npos)
    return field_error(ErrorCode::kFieldInvalid, Field::kVersion, "1..8 printable characters without ':'");
  if (message.message.size() > kMaxMessageSize)
    return field_error(ErrorCode::kFieldTooLong, Field::kMessage, "at most 192 bytes decode");
  const bool valid_message = type == MessageType::kCommand ? is_valid_command_message(message.message)
                                                           : is_valid_access_message(message.message);
  if (!valid_message) return field_error(ErrorCode::kFieldInvalid, Field::kMessage);
  if (message.nat_access) {
    if (type == MessageType::kCommand)
      return field_error(ErrorCode::kInvalidArgument, Field::kNatAccess, "a command message carries no NAT access");
    if (message.nat_access->size() > kMaxNatAccessSize) return field_error(ErrorCode::kFieldTooLong, Field::kNatAccess);
    if (!is_valid_nat_access(*message.nat_access)) return field_error(ErrorCode::kFieldInvalid, Field::kNatAccess);
  } else if (has_nat_field(type)) {
    return field_error(ErrorCode::kFieldMissing, Field::kNatAccess);
  }
  if (message.server_auth && (message.server_auth->empty() || message.server_auth->size() > kMaxServerAuthSize ||
                              message.server_auth->find('\0') != std::string::npos))
    return field_error(ErrorCode::kFieldInvalid, Field::kServerAuth, "1..63 bytes without NUL");
  if (message.client_timeout > kMaxClientTimeout)
    return field_error(ErrorCode::kFieldInvalid, Field::kClientTimeout, "at most 65536 seconds decode");
  return Ok{};
}

// Each field in order (protocol.md §3.7), once the digest is checked: `encoded` has at least 5 separators.
Result<Ok> parse_fields(std::string_view encoded, Message& message) {
  const auto fields = split(encoded);  // at least 6 entries

  // Exactly 16 digits; libfko keeps the first 16 of a longer field (see docs/compat.md).
  if (fields[0].size() != 16 || !all_digits(fields[0]))
    return field_error(ErrorCode::kFieldInvalid, Field::kRandomValue, "must be 16 decimal digits");
  message.random_value = std::string(fields[0]);

  auto username = decode_text_field(fields[1], kMaxUsernameB64, Field::kUsername);
  if (!username) return fail(username.error());
  if (!is_valid_username(*username)) return field_error(ErrorCode::kFieldInvalid, Field::kUsername);
  message.username = std::move(*username);

  if (fields[2].empty()) return field_error(ErrorCode::kFieldMissing, Field::kTimestamp);
  if (fields[2].size() > kMaxTimestampDigits) return field_error(ErrorCode::kFieldTooLong, Field::kTimestamp);
  if (!parse_decimal(fields[2], kMaxTimestamp, message.timestamp))
    return field_error(ErrorCode::kFieldInvalid, Field::kTimestamp);

  if (fields[3].empty()) return field_error(ErrorCode::kFieldMissing, Field::kVersion);
  if (fields[3].size() > kMaxVersionSize) return field_error(ErrorCode::kFieldTooLong, Field::kVersion);
  message.version = std::string(fields[3]);

  if (fields[4].empty()) return field_error(ErrorCode::kFieldMissing, Field::kMessageType);
  if (fields[4].size() > kMaxTypeDigits) return field_error(ErrorCode::kFieldTooLong, Field::kMessageType);
  int type_code = 0;
  if (!parse_decimal(fields[4], 6, type_code)) return field_error(ErrorCode::kFieldInvalid, Field::kMessageType);
  message.type = static_cast<MessageType>(type_code);
  if (fields.overflow || fields.size() - 1 - 4 > max_trailing_separators(message.type))
    return error(ErrorCode::kTooManyFields);

  auto text = decode_text_field(fields[5], kMaxFieldB64, Field::kMessage);
  if (!text) return fail(text.error());
  const bool valid_message =
      message.type == MessageType::kCommand ? is_valid_command_message(*text) : is_valid_access_message(*text);
  if (!valid_message) return field_error(ErrorCode::kFieldInvalid, Field::kMessage);
  message.message = std::move(*text);

  std::size_t next = 6;
  if (has_nat_field(message.type)) {
    if (next >= fields.size()) return field_error(ErrorCode::kFieldMissing, Field::kNatAccess);
    auto nat = decode_text_field(fields[next++], kMaxFieldB64, Field::kNatAccess);
    if (!nat) return fail(nat.error());
    if (!is_valid_nat_access(*nat)) return field_error(ErrorCode::kFieldInvalid, Field::kNatAccess);
    message.nat_access = std::move(*nat);
  }

  // What remains is [server_auth][:timeout] (protocol.md §3.4).
  const std::size_t remaining = fields.size() - next;
  const bool wants_timeout = has_client_timeout_field(message.type);
  if (wants_timeout && remaining == 0) return field_error(ErrorCode::kFieldMissing, Field::kClientTimeout);
  if (remaining == 2 || (!wants_timeout && remaining == 1)) {
    auto server_auth = decode_text_field(fields[next++], kMaxFieldB64, Field::kServerAuth);
    if (!server_auth) return fail(server_auth.error());
    // What the encoder can send back (fwknopd takes any decoded length, even none; no fwknop client sets it).
    if (server_auth->empty() || server_auth->size() > kMaxServerAuthSize)
      return field_error(ErrorCode::kFieldInvalid, Field::kServerAuth, "1..63 bytes");
    message.server_auth = std::move(*server_auth);
  }
  if (wants_timeout) {
    const std::string_view timeout = fields[next];
    if (timeout.empty()) return field_error(ErrorCode::kFieldMissing, Field::kClientTimeout);
    if (timeout.size() > kMaxTimeoutDigits) return field_error(ErrorCode::kFieldTooLong, Field::kClientTimeout);
    if (!parse_decimal(timeout, kMaxClientTimeout, message.client_timeout))
      return field_error(ErrorCode::kFieldInvalid, Field::kClientTimeout);
  }
  return Ok{};
}
}  // namespace

MessageType adjusted_type(MessageType type, bool has_nat_access, std::uint32_t client_timeout) {
  if (type == MessageType::kCommand) return type;
  if (has_nat_access && !has_nat_field(type)) type = MessageType::kNatAccess;
  const bool timeout = client_timeout > 0;
  switch (type) {
    case MessageType::kAccess:
    case MessageType::kClientTimeoutAccess:
      return timeout ? MessageType::kClientTimeoutAccess : MessageType::kAccess;
    case MessageType::kNatAccess:
    case MessageType::kClientTimeoutNatAccess:
      return timeout ? MessageType::kClientTimeoutNatAccess : MessageType::kNatAccess;
    case MessageType::kLocalNatAccess:
    case MessageType::kClientTimeoutLocalNatAccess:
      return timeout ? MessageType::kClientTimeoutLocalNatAccess : MessageType::kLocalNatAccess;
    case MessageType::kCommand:
      break;
  }
  return type;
}

Result<std::string> encode_message(const Message& message) {
  const MessageType type = adjusted_type(message.type, message.nat_access.has_value(), message.client_timeout);
  if (auto checked = check_encodable(message, type); !checked) return fail(checked.error());
  std::string encoded = message.random_value;
  encoded += kSeparator + base64_encode(message.username);
  encoded += kSeparator + std::to_string(message.timestamp);
  encoded += kSeparator + message.version;
  encoded += kSeparator + std::to_string(static_cast<int>(type));
  encoded += kSeparator + base64_encode(message.message);
  if (message.nat_access) encoded += kSeparator + base64_encode(*message.nat_access);
  if (message.server_auth) encoded += kSeparator + base64_encode(*message.server_auth);
  if (has_client_timeout_field(type)) encoded += kSeparator + std::to_string(message.client_timeout);
  if (encoded.size() < kMinPlaintextSize || encoded.size() > kMaxPlaintextSize)
    return error(ErrorCode::kBadLength, "encoded message is " + std::to_string(encoded.size()) + " bytes");
  return encoded;
}

Result<std::string> make_plaintext(const Message& message, const DigestSet& digests) {
  auto encoded = encode_message(message);
  if (!encoded) return encoded;
  const std::string digest = digests.base64_digest(message.digest_type, *encoded);
  if (digest.empty()) return error(ErrorCode::kInternal, "digest failed");
  std::string plaintext = std::move(*encoded) + kSeparator + digest;
  if (plaintext.size() > kMaxPlaintextSize)
    return error(ErrorCode::kBadLength, "plaintext is " + std::to_string(plaintext.size()) + " bytes");
  return plaintext;
}

Result<DecodedPlaintext> decode_plaintext(std::string_view plaintext, const DigestSet& digests) {
  if (plaintext.size() < kMinPlaintextSize || plaintext.size() > kMaxPlaintextSize)
    return error(ErrorCode::kBadLength, "plaintext is " + std::to_string(plaintext.size()) + " bytes");
  if (!is_printable(plaintext)) return error(ErrorCode::kNotPrintable);
  if (std::size_t(std::count(plaintext.begin(), plaintext.end(), kSeparator)) < kMinSeparators)
    return error(ErrorCode::kTooFewFields);

  // The digest is checked before any field is parsed, so a corrupted field is reported as corruption.
  const auto last = plaintext.rfind(kSeparator);
  DecodedPlaintext decoded;
  decoded.encoded = std::string(plaintext.substr(0, last));
  decoded.digest = std::string(plaintext.substr(last + 1));
  bool known_length = false;
  const auto digest_type = verify_digest(decoded.encoded, decoded.digest, digests, known_length);
  if (!known_length)
    return field_error(ErrorCode::kUnknownDigestLength, Field::kDigest,
                       std::to_string(decoded.digest.size()) + " chars");
  if (!digest_type) return field_error(ErrorCode::kDigestMismatch, Field::kDigest);

  if (auto fields = parse_fields(decoded.encoded, decoded.message); !fields) return fail(fields.error());
  decoded.message.digest_type = *digest_type;
  return decoded;
}

Result<Message> decode_message(std::string_view encoded) {
  if (encoded.size() < kMinPlaintextSize || encoded.size() > kMaxPlaintextSize)
    return error(ErrorCode::kBadLength, "encoded message is " + std::to_string(encoded.size()) + " bytes");
  if (!is_printable(encoded)) return error(ErrorCode::kNotPrintable);
  if (std::size_t(std::count(encoded.begin(), encoded.end(), kSeparator)) < kMinSeparators - 1)
    return error(ErrorCode::kTooFewFields);
  Message message;
  if (auto fields = parse_fields(encoded, message); !fields) return fail(fields.error());
  return message;
}

}  // namespace sesame::spa
