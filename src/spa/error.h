// SPDX-License-Identifier: GPL-2.0-or-later
// Typed errors of libsesame: what failed and, for field errors, which field.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace sesame::spa {

// The plaintext fields in wire order (protocol.md §3.1), so an error can say "field 6 (message)".
enum class Field : int {
  kNone = 0,
  kRandomValue = 1,
  kUsername = 2,
  kTimestamp = 3,
  kVersion = 4,
  kMessageType = 5,
  kMessage = 6,
  kNatAccess = 7,
  kServerAuth = 8,
  kClientTimeout = 9,
  kDigest = 10,
};

enum class ErrorCode {
  // Packet framing (before any crypto).
  kBadLength,         // wire, base64 or plaintext outside 36..1499 bytes
  kNotBase64,         // a byte outside [A-Za-z0-9+/=]
  kHmacMismatch,      // HMAC does not verify
  kBadCipherLength,   // decoded ciphertext is not salt + whole AES blocks
  kDecryptionFailed,  // wrong key or corrupt ciphertext (post-decryption checks of protocol.md §4.6)
  // Plaintext structure (protocol.md §3.7).
  kNotPrintable,
  kTooFewFields,
  kTooManyFields,
  kUnknownDigestLength,
  kDigestMismatch,
  // One field: `field` says which.
  kFieldMissing,
  kFieldTooLong,
  kFieldBadBase64,
  kFieldInvalid,
  // Caller input.
  kInvalidKey,       // key missing, too long, or HMAC key equal to the encryption key
  kInvalidArgument,  // a Message or option the protocol cannot carry
  kTooLong,          // the packet would be too long for fwknop to decrypt (protocol.md §11)
  // GPG.
  kGpgError,
  kGpgNoSignature,
  kGpgBadSignature,
  // Library failure (random source).
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  Field field = Field::kNone;
  std::string detail;  // never key material

  // One line for a human: "field 6 (message): not valid base64".
  std::string to_string() const;
};

template <class T>
using Result = sesame::Result<T, Error>;

inline Failure<Error> error(ErrorCode code, std::string detail = {}) {
  return {Error{code, Field::kNone, std::move(detail)}};
}
inline Failure<Error> field_error(ErrorCode code, Field field, std::string detail = {}) {
  return {Error{code, field, std::move(detail)}};
}

std::string_view error_code_name(ErrorCode code);
std::string_view field_name(Field field);

}  // namespace sesame::spa
