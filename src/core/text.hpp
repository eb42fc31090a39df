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

// Text safe to show on a terminal or in a log: control characters, bidirectional overrides and other invisible
// format characters (U+202E could reverse what follows), line separators and bytes that are not UTF-8 are written
// as escapes (\x1b, \u{202E}, \xff). Line breaks and tabs stay. Applied wherever a message reaches a person.
[[nodiscard]] std::string printable(std::string_view text);

// A word a POSIX shell reads back as `text`, for commands printed for a person to paste: unchanged when it holds
// only characters no shell treats specially, else single-quoted ('it'\''s').
[[nodiscard]] std::string shell_word(std::string_view text);

// "1 validator", "3 validators": a count with its noun (the plural in 's', which every noun it is given takes).
[[nodiscard]] std::string counted(std::uint64_t count, std::string_view noun);

// Joins items with a separator ("geth, besu").
[[nodiscard]] std::string join(std::span<const std::string> items, std::string_view separator);

}  // namespace ephemery
