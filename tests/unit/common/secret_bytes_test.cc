// SPDX-License-Identifier: GPL-2.0-or-later
// SecretBytes: explicit copies only, empty after a move, constant-time equality.
#include "common/secret_bytes.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

namespace sesame {
namespace {

std::vector<std::uint8_t> to_vector(const SecretBytes& secret) {
  return {secret.bytes().begin(), secret.bytes().end()};
}

static_assert(!std::is_copy_constructible_v<SecretBytes>, "a key is duplicated only through clone()");
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_assignable_v<SecretBytes>);

TEST(SecretBytes, FromTextHoldsTheTextBytes) {
  const auto secret = SecretBytes::from_text("fwknoptest");
  EXPECT_EQ(secret.size(), 10u);
  EXPECT_FALSE(secret.empty());
  EXPECT_EQ(secret.as_text(), "fwknoptest");
  EXPECT_EQ(to_vector(secret), std::vector<std::uint8_t>({'f', 'w', 'k', 'n', 'o', 'p', 't', 'e', 's', 't'}));
}

TEST(SecretBytes, FromTextKeepsBinaryAndEmbeddedNul) {
  const std::string text("a\0\xff", 3);
  const auto secret = SecretBytes::from_text(text);
  EXPECT_EQ(to_vector(secret), std::vector<std::uint8_t>({'a', 0x00, 0xff}));
  EXPECT_EQ(secret.as_text(), text);
  EXPECT_TRUE(SecretBytes::from_text("").empty());
}

TEST(SecretBytes, SizedConstructorIsZeroFilled) {
  const SecretBytes secret(5);
  EXPECT_EQ(to_vector(secret), std::vector<std::uint8_t>(5, 0));
  EXPECT_TRUE(SecretBytes().empty());
  EXPECT_EQ(SecretBytes().size(), 0u);
}

TEST(SecretBytes, SpanConstructorCopiesBytes) {
  const std::vector<std::uint8_t> bytes = {1, 2, 3};
  const SecretBytes secret{std::span<const std::uint8_t>(bytes)};
  EXPECT_EQ(to_vector(secret), bytes);
}

TEST(SecretBytes, EqualsComparesContentAndSize) {
  const auto a = SecretBytes::from_text("key one");
  EXPECT_TRUE(a.equals(SecretBytes::from_text("key one")));
  EXPECT_TRUE(a.equals(a));
  EXPECT_FALSE(a.equals(SecretBytes::from_text("key onf")));
  EXPECT_FALSE(a.equals(SecretBytes::from_text("Key one")));
  EXPECT_FALSE(a.equals(SecretBytes::from_text("key one ")));
  EXPECT_FALSE(a.equals(SecretBytes::from_text("key on")));
  EXPECT_FALSE(a.equals(SecretBytes()));
  EXPECT_TRUE(SecretBytes().equals(SecretBytes()));
  EXPECT_TRUE(SecretBytes().equals(SecretBytes::from_text("")));
}

TEST(SecretBytes, CloneIsAnIndependentCopy) {
  const auto original = SecretBytes::from_text("secret");
  SecretBytes copy = original.clone();
  EXPECT_TRUE(copy.equals(original));
  EXPECT_NE(copy.bytes().data(), original.bytes().data());
  copy.mutable_bytes()[0] = 'S';
  EXPECT_EQ(copy.as_text(), "Secret");
  EXPECT_EQ(original.as_text(), "secret");
}

TEST(SecretBytes, MovedFromIsEmpty) {
  auto source = SecretBytes::from_text("secret");
  SecretBytes moved(std::move(source));
  EXPECT_EQ(moved.as_text(), "secret");
  EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move): the state after a move is the point
  EXPECT_EQ(source.size(), 0u);

  SecretBytes target = SecretBytes::from_text("old value");
  target = std::move(moved);
  EXPECT_EQ(target.as_text(), "secret");
  EXPECT_TRUE(moved.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretBytes, SelfMoveAssignmentKeepsValue) {
  auto secret = SecretBytes::from_text("secret");
  SecretBytes& alias = secret;
  secret = std::move(alias);
  EXPECT_EQ(secret.as_text(), "secret");
}

TEST(SecretBytes, MutableBytesWriteThrough) {
  SecretBytes secret(3);
  secret.mutable_bytes()[1] = 0x42;
  EXPECT_EQ(to_vector(secret), std::vector<std::uint8_t>({0, 0x42, 0}));
}

}  // namespace
}  // namespace sesame
