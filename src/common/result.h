// SPDX-License-Identifier: GPL-2.0-or-later
// Result<T, E>: a value or an error, the expected-like return type of all library code (C++20 has no std::expected).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace sesame {

template <class E>
struct Failure {
  E error;
};

// Lets `return fail(Error{...});` convert into any Result<T, Error>.
template <class E>
Failure<std::decay_t<E>> fail(E&& error) {
  return {std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class F>
  Result(Failure<F> failure) : state_(std::in_place_index<1>, E(std::move(failure.error))) {}  // NOLINT

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

// Result of an operation that yields nothing but may fail.
struct Ok {};

}  // namespace sesame
