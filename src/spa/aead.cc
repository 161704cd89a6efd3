// SPDX-License-Identifier: GPL-2.0-or-later
#include "spa/aead.h"

#include <algorithm>
#include <cctype>

#include <nettle/memops.h>

namespace sesame::spa {
namespace {

constexpr std::string_view kChaChaName = "chacha20-poly1305";
constexpr std::string_view kGcmName = "aes-256-gcm";

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A volatile store the compiler cannot drop, as the object is about to be freed.
void wipe(void* data, std::size_t size) {
  auto* bytes = static_cast<volatile std::uint8_t*>(data);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = 0;
}

}  // namespace

std::optional<AeadSuite> parse_aead_suite(std::string_view name) {
  if (equals_ignoring_case(name, kChaChaName)) return AeadSuite::kChaCha20Poly1305;
  if (equals_ignoring_case(name, kGcmName)) return AeadSuite::kAes256Gcm;
  return std::nullopt;
}

std::string_view aead_suite_name(AeadSuite suite) {
  return suite == AeadSuite::kAes256Gcm ? kGcmName : kChaChaName;
}

bool is_known_aead_suite(std::uint8_t value) {
  return value == static_cast<std::uint8_t>(AeadSuite::kChaCha20Poly1305) ||
         value == static_cast<std::uint8_t>(AeadSuite::kAes256Gcm);
}

Aead::KeyedState::~KeyedState() {
  wipe(&chacha, sizeof chacha);
  wipe(&gcm, sizeof gcm);
}

Result<Aead> Aead::create(AeadSuite suite, const SecretBytes& key) {
  if (key.size() != kAeadKeySize) return error(ErrorCode::kInvalidKey, "an AEAD key is 32 bytes");
  if (!is_known_aead_suite(static_cast<std::uint8_t>(suite)))
    return error(ErrorCode::kInvalidArgument, "unknown AEAD suite");
  auto keyed = std::make_unique<KeyedState>();
  if (suite == AeadSuite::kChaCha20Poly1305)
    chacha_poly1305_set_key(&keyed->chacha, key.bytes().data());
  else
    gcm_aes256_set_key(&keyed->gcm, key.bytes().data());
  return Aead(suite, std::move(keyed));
}

void Aead::begin(const AeadNonce& nonce, std::span<const std::uint8_t> associated_data) {
  if (suite_ == AeadSuite::kChaCha20Poly1305) {
    chacha_poly1305_set_nonce(&keyed_->chacha, nonce.data());
    chacha_poly1305_update(&keyed_->chacha, associated_data.size(), associated_data.data());
  } else {
    gcm_aes256_set_iv(&keyed_->gcm, nonce.size(), nonce.data());
    gcm_aes256_update(&keyed_->gcm, associated_data.size(), associated_data.data());
  }
}

void Aead::crypt(bool encrypt, std::size_t size, std::uint8_t* out, const std::uint8_t* in) {
  if (suite_ == AeadSuite::kChaCha20Poly1305) {
    if (encrypt)
      chacha_poly1305_encrypt(&keyed_->chacha, size, out, in);
    else
      chacha_poly1305_decrypt(&keyed_->chacha, size, out, in);
  } else {
    if (encrypt)
      gcm_aes256_encrypt(&keyed_->gcm, size, out, in);
    else
      gcm_aes256_decrypt(&keyed_->gcm, size, out, in);
  }
}

std::array<std::uint8_t, kAeadTagSize> Aead::finish() {
  std::array<std::uint8_t, kAeadTagSize> tag{};
  if (suite_ == AeadSuite::kChaCha20Poly1305)
    chacha_poly1305_digest(&keyed_->chacha, tag.size(), tag.data());
  else
    gcm_aes256_digest(&keyed_->gcm, tag.size(), tag.data());
  return tag;
}

std::vector<std::uint8_t> Aead::seal(const AeadNonce& nonce, std::span<const std::uint8_t> associated_data,
                                     std::string_view plaintext) {
  std::vector<std::uint8_t> sealed(plaintext.size() + kAeadTagSize);
  begin(nonce, associated_data);
  crypt(true, plaintext.size(), sealed.data(), reinterpret_cast<const std::uint8_t*>(plaintext.data()));
  const auto tag = finish();
  std::copy(tag.begin(), tag.end(), sealed.begin() + std::ptrdiff_t(plaintext.size()));
  return sealed;
}

std::optional<std::string> Aead::open(const AeadNonce& nonce, std::span<const std::uint8_t> associated_data,
                                      std::span<const std::uint8_t> sealed) {
  if (sealed.size() < kAeadTagSize) return std::nullopt;
  const std::size_t size = sealed.size() - kAeadTagSize;
  std::string plaintext(size, '\0');
  begin(nonce, associated_data);
  crypt(false, size, reinterpret_cast<std::uint8_t*>(plaintext.data()), sealed.data());
  const auto tag = finish();
  if (!memeql_sec(tag.data(), sealed.data() + size, kAeadTagSize)) {
    wipe(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace sesame::spa
