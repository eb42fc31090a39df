#pragma once

#include <cstdint>
#include <string>

namespace ephemery {

// "2026-06-04 19:00:00 UTC" for a Unix time in seconds.
[[nodiscard]] std::string format_utc(std::int64_t unix_seconds);

// "2026-06-04T19:00:00Z" for machine-readable output.
[[nodiscard]] std::string format_iso8601(std::int64_t unix_seconds);

// "27d 23h 59m 59s" for a span of seconds; negative spans get a leading '-'.
[[nodiscard]] std::string format_duration(std::int64_t seconds);

}  // namespace ephemery
