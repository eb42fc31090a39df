#include "core/result.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace ephemery {
namespace {

Result<int> parse_positive(int value) {
    if (value <= 0) return make_error(Errc::invalid_argument, "must be positive");
    return value;
}

TEST(Result, CarriesValueOrError) {
    const auto good = parse_positive(3);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good.value(), 3);
    EXPECT_EQ(*good, 3);

    const auto bad = parse_positive(0);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::invalid_argument);
    EXPECT_EQ(bad.error().message, "must be positive");
}

TEST(Result, MovesOutMoveOnlyValues) {
    Result<std::unique_ptr<int>> result{std::make_unique<int>(7)};
    std::unique_ptr<int> taken = std::move(result).value();
    ASSERT_NE(taken, nullptr);
    EXPECT_EQ(*taken, 7);
}

TEST(Result, VoidResult) {
    const Status fine;
    EXPECT_TRUE(fine.ok());
    const Status failed = make_error(Errc::io_error, "disk full");
    EXPECT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().message, "disk full");
}

TEST(ResultDeathTest, ValueOfFailedResultAborts) {
    const auto bad = parse_positive(-1);
    EXPECT_DEATH((void)bad.value(), "value\\(\\) called on a failed Result: must be positive");
}

}  // namespace
}  // namespace ephemery
