#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery {

// Levenshtein distance between two short identifiers.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate a mistyped word most likely meant, for "did you mean ...?" hints; nullopt when nothing is close.
[[nodiscard]] std::optional<std::string> closest_match(std::string_view word, std::span<const std::string> candidates);

// Text without leading and trailing white space.
[[nodiscard]] std::string_view trim(std::string_view text);

// ASCII lower case ("0xAB" -> "0xab").
[[nodiscard]] std::string to_lower(std::string_view text);

// Lower-case hex of bytes, no prefix.
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);

// The bytes of a string, not copied (hashing and SSZ take bytes; files and HTTP bodies arrive as strings).
[[nodiscard]] std::span<const std::uint8_t> as_bytes(std::string_view text) noexcept;

// Bytes from hex (no 0x prefix, either case); nullopt for odd length or a non-hex digit.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);

// Splits "a, b,,c" into {"a","b","c"}: trims blanks around items and drops empty ones.
[[nodiscard]] std::vector<std::string> split_list(std::string_view text, char separator);

// Joins items with a separator ("geth, besu").
[[nodiscard]] std::string join(std::span<const std::string> items, std::string_view separator);

}  // namespace ephemery
