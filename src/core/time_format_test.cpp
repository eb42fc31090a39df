#include "core/time_format.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace ephemery {
namespace {

TEST(TimeFormat, Utc) {
    EXPECT_EQ(format_utc(0), "1970-01-01 00:00:00 UTC");
    EXPECT_EQ(format_utc(1780599600), "2026-06-04 19:00:00 UTC");
    EXPECT_EQ(format_iso8601(1727377200), "2024-09-26T19:00:00Z");
}

TEST(TimeFormat, Duration) {
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(59), "59s");
    EXPECT_EQ(format_duration(3600), "1h 0m 0s");
    EXPECT_EQ(format_duration(2419199), "27d 23h 59m 59s");
    EXPECT_EQ(format_duration(-61), "-1m 1s");
    EXPECT_FALSE(format_duration(std::numeric_limits<std::int64_t>::min()).empty());
}

TEST(TimeFormat, ParsesDurationsOperatorsType) {
    EXPECT_EQ(parse_duration("90m"), 5400);
    EXPECT_EQ(parse_duration("2h"), 7200);
    EXPECT_EQ(parse_duration("1d12h"), 129600);
    EXPECT_EQ(parse_duration("27d 23h 59m 59s"), 2419199);  // what format_duration prints
    for (const char* bad : {"", "2", "h", "2x", "-1h", "0s", "400d", "99999999999999999999s", "1h 2"}) {
        EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace ephemery
