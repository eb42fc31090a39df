#include "daemon/process_usage.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace ephemery::daemon {
namespace {

TEST(ProcessUsage, ReadsCpuAndMemoryAfterAProcessNameWithSpacesAndParentheses) {
    const std::string stat =
        "4242 (geth (main) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 12 0 100 123456789 2560 "
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    const auto usage = parse_proc_stat(stat, 100, 4096);
    ASSERT_TRUE(usage.has_value());
    EXPECT_DOUBLE_EQ(usage->cpu_seconds, 3.0);
    EXPECT_EQ(usage->resident_bytes, 2560U * 4096U);
}

TEST(ProcessUsage, RefusesTextThatIsNotProcStat) {
    EXPECT_FALSE(parse_proc_stat("", 100, 4096).has_value());
    EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2 3", 100, 4096).has_value());
    EXPECT_FALSE(parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 a b 0 0 20 0 1 0 1 1 1", 100, 4096).has_value());
}

TEST(ProcessUsage, ReadsThisProcess) {
    const auto usage = process_usage(::getpid());
    ASSERT_TRUE(usage.has_value());
    EXPECT_GT(usage->resident_bytes, 0U);
}

}  // namespace
}  // namespace ephemery::daemon
