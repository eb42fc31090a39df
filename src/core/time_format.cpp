#include "core/time_format.hpp"

#include <fmt/format.h>

#include <chrono>

namespace ephemery {
namespace {

struct CivilTime {
    int year;
    unsigned month, day;
    std::int64_t hours, minutes, seconds;
};

CivilTime to_civil(std::int64_t unix_seconds) {
    using namespace std::chrono;
    const sys_seconds time{seconds{unix_seconds}};
    const auto day_start = floor<days>(time);
    const year_month_day date{day_start};
    const hh_mm_ss clock{time - day_start};
    return CivilTime{static_cast<int>(date.year()),     static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(),           clock.seconds().count()};
}

}  // namespace

std::string format_utc(std::int64_t unix_seconds) {
    const CivilTime t = to_civil(unix_seconds);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year, t.month, t.day, t.hours, t.minutes,
                       t.seconds);
}

std::string format_iso8601(std::int64_t unix_seconds) {
    const CivilTime t = to_civil(unix_seconds);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hours, t.minutes, t.seconds);
}

std::string format_duration(std::int64_t seconds) {
    const bool negative = seconds < 0;
    // Work in unsigned so INT64_MIN does not overflow on negation.
    std::uint64_t rest = negative ? 0 - static_cast<std::uint64_t>(seconds) : static_cast<std::uint64_t>(seconds);
    const std::uint64_t days = rest / 86400;
    rest %= 86400;
    const std::uint64_t hours = rest / 3600;
    rest %= 3600;
    const std::uint64_t minutes = rest / 60;
    rest %= 60;
    std::string text = negative ? "-" : "";
    if (days > 0) text += fmt::format("{}d ", days);
    if (days > 0 || hours > 0) text += fmt::format("{}h ", hours);
    if (days > 0 || hours > 0 || minutes > 0) text += fmt::format("{}m ", minutes);
    text += fmt::format("{}s", rest);
    return text;
}

}  // namespace ephemery
