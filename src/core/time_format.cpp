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

std::optional<std::int64_t> parse_duration(std::string_view text) {
    constexpr std::int64_t year = 366LL * 86400;
    std::int64_t total = 0;
    bool any = false;
    std::size_t at = 0;
    while (at < text.size()) {
        if (text[at] == ' ') {
            ++at;
            continue;
        }
        std::int64_t number = 0;
        const std::size_t digits_start = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9' && number <= year) {
            number = number * 10 + (text[at] - '0');
            ++at;
        }
        if (at == digits_start || at == text.size()) return std::nullopt;
        std::int64_t unit = 0;
        switch (text[at]) {
            case 'd': unit = 86400; break;
            case 'h': unit = 3600; break;
            case 'm': unit = 60; break;
            case 's': unit = 1; break;
            default: return std::nullopt;
        }
        ++at;
        if (number > year) return std::nullopt;
        total += number * unit;
        if (total > year) return std::nullopt;
        any = true;
    }
    if (!any || total == 0) return std::nullopt;
    return total;
}

}  // namespace ephemery
