// SPDX-License-Identifier: GPL-2.0-or-later
// Wiping and constant-time comparison for SecretBytes, through calls the compiler cannot elide or shortcut.
#include "common/secret_bytes.h"

#include <string.h>  // explicit_bzero

#include <nettle/memops.h>

namespace sesame {

SecretBytes SecretBytes::from_text(std::string_view text) {
  return SecretBytes(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

bool SecretBytes::equals(const SecretBytes& other) const {
  return bytes_.size() == other.bytes_.size() && memeql_sec(bytes_.data(), other.bytes_.data(), bytes_.size()) != 0;
}

void SecretBytes::wipe() noexcept {
  if (!bytes_.empty()) explicit_bzero(bytes_.data(), bytes_.size());  // a plain memset may be optimised away
}

}  // namespace sesame
