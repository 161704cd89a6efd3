// SPDX-License-Identifier: GPL-2.0-or-later
// Human-readable text for spa::Error.
#include "spa/error.h"

namespace sesame::spa {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadLength:
      return "length out of range";
    case ErrorCode::kNotBase64:
      return "not base64";
    case ErrorCode::kHmacMismatch:
      return "HMAC mismatch";
    case ErrorCode::kBadCipherLength:
      return "ciphertext length is not a whole number of AES blocks";
    case ErrorCode::kDecryptionFailed:
      return "decryption failed (wrong key or mode?)";
    case ErrorCode::kNotPrintable:
      return "plaintext has non-printable bytes";
    case ErrorCode::kTooFewFields:
      return "too few fields";
    case ErrorCode::kTooManyFields:
      return "too many fields";
    case ErrorCode::kUnknownDigestLength:
      return "digest length matches no digest type";
    case ErrorCode::kDigestMismatch:
      return "inner digest mismatch";
    case ErrorCode::kFieldMissing:
      return "missing";
    case ErrorCode::kFieldTooLong:
      return "too long";
    case ErrorCode::kFieldBadBase64:
      return "not valid base64";
    case ErrorCode::kFieldInvalid:
      return "invalid";
    case ErrorCode::kInvalidKey:
      return "invalid key";
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kTooLong:
      return "packet too long";
    case ErrorCode::kGpgError:
      return "GPG error";
    case ErrorCode::kGpgNoSignature:
      return "GPG signature missing";
    case ErrorCode::kGpgBadSignature:
      return "GPG signature bad";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown error";
}

std::string_view field_name(Field field) {
  switch (field) {
    case Field::kNone:
      return "";
    case Field::kRandomValue:
      return "random value";
    case Field::kUsername:
      return "username";
    case Field::kTimestamp:
      return "timestamp";
    case Field::kVersion:
      return "version";
    case Field::kMessageType:
      return "message type";
    case Field::kMessage:
      return "message";
    case Field::kNatAccess:
      return "NAT access";
    case Field::kServerAuth:
      return "server auth";
    case Field::kClientTimeout:
      return "client timeout";
    case Field::kDigest:
      return "digest";
  }
  return "";
}

std::string Error::to_string() const {
  std::string text;
  if (field != Field::kNone) {
    text = field == Field::kDigest ? "digest" : "field " + std::to_string(static_cast<int>(field));
    if (field != Field::kDigest) text += " (" + std::string(field_name(field)) + ")";
    text += ": ";
  }
  text += error_code_name(code);
  if (!detail.empty()) text += ": " + detail;
  return text;
}

}  // namespace sesame::spa
