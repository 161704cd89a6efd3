// SPDX-License-Identifier: GPL-2.0-or-later
// SecretBytes: key material that is wiped when dropped and never copied implicitly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sesame {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : bytes_(size) {}  // never resized: a reallocation leaves an unwiped copy
  explicit SecretBytes(std::span<const std::uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}
  static SecretBytes from_text(std::string_view text);

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes() { wipe(); }

  // An explicit copy, so that every duplicate of a key is visible in the code.
  SecretBytes clone() const { return SecretBytes(bytes()); }

  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::span<std::uint8_t> mutable_bytes() { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::string_view as_text() const { return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()}; }

  // Constant time: two keys are compared without leaking where they differ.
  bool equals(const SecretBytes& other) const;

 private:
  void wipe() noexcept;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace sesame
