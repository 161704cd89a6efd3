// SPDX-License-Identifier: GPL-2.0-or-later
// HmacAuthenticator over OpenSSL 3 EVP_MAC, keyed once per stanza.
#include "spa/hmac.h"

#include <array>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "spa/base64.h"
#include "spa/digest.h"

namespace sesame::spa {

Result<HmacAuthenticator> HmacAuthenticator::create(DigestType type, const SecretBytes& key) {
  if (key.empty()) return error(ErrorCode::kInvalidKey, "HMAC key is empty");
  if (key.size() > kMaxHmacKeySize)
    return error(ErrorCode::kInvalidKey, "HMAC key longer than " + std::to_string(kMaxHmacKeySize) + " bytes");
  MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  MacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
  char* digest = const_cast<char*>(openssl_digest_name(type));
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), key.bytes().data(), key.size(), params) != 1) {
    ERR_clear_error();
    return error(ErrorCode::kInternal, "cannot set up HMAC-" + std::string(digest_name(type)));
  }
  return HmacAuthenticator(type, std::move(ctx));
}

std::string HmacAuthenticator::tag(std::string_view message) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t size = 0;
  EVP_MAC_CTX* ctx = ctx_.get();
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      EVP_MAC_final(ctx, mac.data(), &size, mac.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  return base64_encode(std::span<const std::uint8_t>(mac.data(), size));
}

bool HmacAuthenticator::verify(std::string_view message, std::string_view tag_b64) const {
  const std::string expected = tag(message);
  return !expected.empty() && expected.size() == tag_b64.size() &&
         CRYPTO_memcmp(expected.data(), tag_b64.data(), expected.size()) == 0;
}

}  // namespace sesame::spa
