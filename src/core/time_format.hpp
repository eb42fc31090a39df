#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ephemery {

// "2026-06-04 19:00:00 UTC" for a Unix time in seconds.
[[nodiscard]] std::string format_utc(std::int64_t unix_seconds);

// "2026-06-04T19:00:00Z" for machine-readable output.
[[nodiscard]] std::string format_iso8601(std::int64_t unix_seconds);

// "27d 23h 59m 59s" for a span of seconds; negative spans get a leading '-'.
[[nodiscard]] std::string format_duration(std::int64_t seconds);

// The inverse for operators' input: "90m", "2h", "1d12h", "27d 23h 59m 59s" (units d, h, m, s; at least one part).
// nullopt for anything else, zero included, and spans past a year.
[[nodiscard]] std::optional<std::int64_t> parse_duration(std::string_view text);

}  // namespace ephemery
