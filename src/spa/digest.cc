// SPDX-License-Identifier: GPL-2.0-or-later
// DigestSet: the seven digest types through OpenSSL 3 EVP with algorithms fetched once.
#include "spa/digest.h"

#include <openssl/err.h>

#include "spa/base64.h"

namespace sesame::spa {

const char* openssl_digest_name(DigestType type) {
  switch (type) {
    case DigestType::kMd5:
      return "MD5";
    case DigestType::kSha1:
      return "SHA1";
    case DigestType::kSha256:
      return "SHA256";
    case DigestType::kSha384:
      return "SHA384";
    case DigestType::kSha512:
      return "SHA512";
    case DigestType::kSha3_256:
      return "SHA3-256";
    case DigestType::kSha3_512:
      return "SHA3-512";
  }
  return "";
}

DigestSet::DigestSet() : context_(EVP_MD_CTX_new()) {}

std::string DigestSet::base64_digest(DigestType type, std::string_view data) const {
  const auto index = static_cast<std::size_t>(type);
  if (index == 0 || index >= algorithms_.size()) return {};  // a cast int may be anything
  if (!algorithms_[index]) algorithms_[index].reset(EVP_MD_fetch(nullptr, openssl_digest_name(type), nullptr));
  const EVP_MD* md = algorithms_[index].get();
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int size = 0;
  EVP_MD_CTX* ctx = context_.get();
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx, hash.data(), &size) != 1) {
    ERR_clear_error();
    return {};
  }
  return base64_encode(std::span<const std::uint8_t>(hash.data(), size));
}

std::string base64_digest(DigestType type, std::string_view data) {
  return DigestSet().base64_digest(type, data);
}

std::string replay_digest(std::string_view wire_payload) {
  return base64_digest(DigestType::kSha256, wire_payload);
}

}  // namespace sesame::spa
