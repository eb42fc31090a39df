#include "network/schedule.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace ephemery::network {
namespace {

const Schedule ephemery = public_ephemery_schedule();

TEST(Schedule, PublicScheduleIsValid) {
    EXPECT_TRUE(validate(ephemery).ok());
}

TEST(Schedule, Iteration160) {
    const auto info = describe_iteration(ephemery, 160);
    ASSERT_TRUE(info.ok());
    EXPECT_FALSE(info->legacy);
    EXPECT_EQ(info->chain_id, 39438160U);
    EXPECT_EQ(info->release_tag, "ephemery-160");
    ASSERT_TRUE(info->times.has_value());
    EXPECT_EQ(info->times->el_genesis_time, 1780599600);
    EXPECT_EQ(info->times->cl_genesis_time, 1780599600 + 600);
    EXPECT_EQ(info->times->reset_time, 1780599600 + 2419200);
}

TEST(Schedule, Iteration138) {
    const auto info = describe_iteration(ephemery, 138);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->times->el_genesis_time, 1727377200);
    EXPECT_EQ(info->chain_id, 39438138U);
}

TEST(Schedule, IterationAtGenesisTime) {
    EXPECT_EQ(iteration_at(ephemery, 1780599600), 160U);
    EXPECT_EQ(iteration_at(ephemery, 1727377200), 138U);
    EXPECT_EQ(iteration_at(ephemery, 1720119600), 135U);
}

TEST(Schedule, BoundaryBetweenIterations) {
    const std::int64_t t161 = 1780599600 + 2419200;
    EXPECT_EQ(iteration_at(ephemery, t161 - 1), 160U);  // the last second of 160
    EXPECT_EQ(iteration_at(ephemery, t161), 161U);      // the reset instant belongs to the new iteration
    EXPECT_EQ(iteration_at(ephemery, t161 + 1), 161U);
}

TEST(Schedule, CustomNetworkFromAnyBase) {
    const Schedule devnet{.base_genesis_time = 1000,
                          .base_iteration = 0,
                          .genesis_interval = 600,
                          .genesis_delay = 30,
                          .chain_id_base = 77000,
                          .chain_id_formula_since = 0,
                          .release_tag_prefix = "devnet-",
                          .release_lead_time = 120,
                          .release_build_minutes = {}};
    ASSERT_TRUE(validate(devnet).ok());
    EXPECT_EQ(iteration_at(devnet, 1000), 0U);
    EXPECT_EQ(iteration_at(devnet, 1599), 0U);
    EXPECT_EQ(iteration_at(devnet, 1600), 1U);
    const auto info = describe_iteration(devnet, 3);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->chain_id, 77003U);
    EXPECT_EQ(info->release_tag, "devnet-3");
    EXPECT_EQ(info->times->el_genesis_time, 2800);
    EXPECT_EQ(info->times->cl_genesis_time, 2830);
    EXPECT_EQ(info->times->reset_time, 3400);
    EXPECT_EQ(info->times->next_release_published_time, 3280);  // no job minutes: exactly lead before the reset
}

TEST(Schedule, BeforeTheModelledEraIsLegacy) {
    EXPECT_EQ(iteration_at(ephemery, 1720119599), std::nullopt);
    EXPECT_EQ(latest_release_iteration_at(ephemery, 0), std::nullopt);

    const auto legacy = describe_iteration(ephemery, 100);
    ASSERT_TRUE(legacy.ok());
    EXPECT_TRUE(legacy->legacy);
    EXPECT_EQ(legacy->chain_id, 39438100U);  // the chain id formula holds from 62 on
    EXPECT_EQ(legacy->times, std::nullopt);  // earlier intervals differed: no times are invented
    EXPECT_EQ(legacy->release_tag, std::nullopt);

    const auto ancient = describe_iteration(ephemery, 10);
    ASSERT_TRUE(ancient.ok());
    EXPECT_TRUE(ancient->legacy);
    EXPECT_EQ(ancient->chain_id, std::nullopt);
}

TEST(Schedule, LatestReleaseFlipsAtTheFirstJobRunAfterTheLeadTime) {
    // The job runs at :10 and :40 once now > T(N+1) - 7200; T(161) is 19:00 UTC, so "latest" flips at 17:10.
    const std::int64_t t161 = 1780599600 + 2419200;
    const auto info = describe_iteration(ephemery, 160);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->times->next_release_published_time, t161 - 6600);
    EXPECT_EQ(latest_release_iteration_at(ephemery, t161 - 6601), 160U);
    EXPECT_EQ(latest_release_iteration_at(ephemery, t161 - 6600), 161U);
    EXPECT_EQ(latest_release_iteration_at(ephemery, t161 - 1), 161U);  // still iteration 160 on the chain
    EXPECT_EQ(iteration_at(ephemery, t161 - 1), 160U);
    EXPECT_EQ(latest_release_iteration_at(ephemery, t161), 161U);
}

TEST(Schedule, HugeIterationsFailInsteadOfOverflowing) {
    const auto result = describe_iteration(ephemery, std::numeric_limits<std::uint64_t>::max() - 5);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::out_of_range);
    const auto far = describe_iteration(ephemery, 4'000'000'000'000ULL);
    ASSERT_FALSE(far.ok());
    EXPECT_EQ(iteration_at(ephemery, std::numeric_limits<std::int64_t>::max()).has_value(), true);
}

TEST(Schedule, ValidationNamesTheField) {
    Schedule broken = ephemery;
    broken.genesis_interval = 10;
    auto status = validate(broken);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("network.genesis_interval"), std::string::npos);

    broken = ephemery;
    broken.genesis_delay = broken.genesis_interval;
    status = validate(broken);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("network.genesis_delay"), std::string::npos);

    broken = ephemery;
    broken.release_build_minutes = {10, 60};
    status = validate(broken);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("network.release_build_minutes"), std::string::npos);
}

}  // namespace
}  // namespace ephemery::network
