// The API names of an enum: one table per enum, used to print, parse and read stored values.
//
//   enum class State { submitted, in_review, closed };   // values 0..N-1, in table order
//   constexpr auto kStates = core::enum_names<State>("submitted", "in_review", "closed");
//   std::string_view to_string(State s) { return kStates.name(s); }
//   std::optional<State> parse_state(std::string_view s) { return kStates.parse(s); }
//   State state = kStates.stored(row.text(3));   // a value the module itself wrote
//
// Constant expressions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace yiwang::core {

template <class E, std::size_t N>
struct EnumNames {
  std::array<std::string_view, N> names;

  constexpr std::string_view name(E e) const { return names.at(static_cast<std::size_t>(e)); }
  // nullopt for a string that names no value (input: the caller reports invalid_input).
  constexpr std::optional<E> parse(std::string_view s) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == s) return static_cast<E>(i);
    }
    return std::nullopt;
  }
  // A value read back from the module's own rows: an unknown one is a bug or a corrupt row, and
  // throws std::runtime_error (the store's caller turns it into an internal error).
  E stored(std::string_view s) const {
    if (auto e = parse(s)) return *e;
    throw std::runtime_error("unknown stored enum value: " + std::string(s));
  }
  // "a, b or c": for error messages that list the accepted values.
  std::string listing(std::string_view last_joiner = " or ") const {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) {
      if (i > 0) out += i + 1 == N ? last_joiner : std::string_view(", ");
      out += names[i];
    }
    return out;
  }
};

template <class E, class... S>
constexpr EnumNames<E, sizeof...(S)> enum_names(S... names) {
  return EnumNames<E, sizeof...(S)>{{std::string_view(names)...}};
}

}  // namespace yiwang::core
