#include "node/reset_timer.hpp"

#include "network/test_schedule.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ephemery::node {
namespace {

const network::Schedule schedule = network::public_ephemery_schedule();

std::int64_t t(std::uint64_t n) {
    return network::describe_iteration(schedule, n)->times->el_genesis_time;
}

TEST(ResetTimer, ANodeOnTheLiveIterationRunsUntilTheReleaseAppearsThenFetchesThenResetsExactlyAtTheBoundary) {
    const std::int64_t now = t(160) + 3600;
    NodeTimeState state{160, {160}};
    auto action = next_action(schedule, now, state);
    EXPECT_EQ(action.kind, NextActionKind::run);
    const auto published = network::describe_iteration(schedule, 160)->times->next_release_published_time;
    EXPECT_EQ(action.at, published);

    action = next_action(schedule, published, state);
    EXPECT_EQ(action.kind, NextActionKind::fetch_release);
    EXPECT_EQ(action.iteration, 161U);

    state.installed_releases.insert(161);
    action = next_action(schedule, published + 60, state);
    EXPECT_EQ(action.kind, NextActionKind::run);
    EXPECT_EQ(action.at, t(161)) << "the timer is set to T(N+1), not a polling interval";

    action = next_action(schedule, t(161), state);
    EXPECT_EQ(action.kind, NextActionKind::reset);
    EXPECT_EQ(action.iteration, 161U);
}

TEST(ResetTimer, StartedInTheWindowWhereLatestIsAlreadyNPlusOneTheNodeStillRunsN) {
    const auto published = network::describe_iteration(schedule, 160)->times->next_release_published_time;
    const std::int64_t now = published + 600;  // "latest" is 161 here
    ASSERT_EQ(network::latest_release_iteration_at(schedule, now), 161U);
    const auto fresh = next_action(schedule, now, {std::nullopt, {}});
    EXPECT_EQ(fresh.kind, NextActionKind::fetch_release);
    EXPECT_EQ(fresh.iteration, 160U) << "a new node joins the live iteration, not latest";
    const auto ready = next_action(schedule, now, {std::nullopt, {160}});
    EXPECT_EQ(ready.kind, NextActionKind::reset);
    EXPECT_EQ(ready.iteration, 160U);
}

TEST(ResetTimer, DataFromAnOlderIterationIsResetBeforeTheClientsStart) {
    const std::int64_t now = t(162) + 10;
    EXPECT_EQ(next_action(schedule, now, {160, {160, 161}}).kind, NextActionKind::fetch_release);
    const auto action = next_action(schedule, now, {160, {160, 161, 162}});
    EXPECT_EQ(action.kind, NextActionKind::reset);
    EXPECT_EQ(action.iteration, 162U) << "straight to the live iteration, skipping 161";
}

TEST(ResetTimer, BeforeTheNetworkBeginsItWaits) {
    const auto action = next_action(schedule, schedule.base_genesis_time - 5, {});
    EXPECT_EQ(action.kind, NextActionKind::wait_for_network);
    EXPECT_EQ(action.at, schedule.base_genesis_time);
}

// A daemon driven by an injected clock through three iterations of a 2-minute devnet: it jumps from action
// to action (no sleeping), fetches each release once it is published and resets exactly at each boundary.
TEST(ResetTimer, ThreeIterationsOfAShortNetworkResetAtEachBoundary) {
    const network::Schedule devnet = network::two_minute_test_schedule();
    ASSERT_TRUE(network::validate(devnet).ok());
    NodeTimeState state;
    std::int64_t clock = devnet.base_genesis_time + 5;
    std::vector<std::pair<std::uint64_t, std::int64_t>> resets;
    for (int step = 0; step < 40 && resets.size() < 4; ++step) {
        const NextAction action = next_action(devnet, clock, state);
        ASSERT_GE(action.at, clock) << "time never goes back";
        clock = std::max(clock, action.at);
        switch (action.kind) {
            case NextActionKind::fetch_release: state.installed_releases.insert(action.iteration); break;
            case NextActionKind::reset:
                state.data_iteration = action.iteration;
                resets.emplace_back(action.iteration, clock);
                break;
            default: break;
        }
    }
    ASSERT_EQ(resets.size(), 4U);
    EXPECT_EQ(resets[0], std::make_pair(std::uint64_t{1}, devnet.base_genesis_time + 5)) << "a new node resets now";
    for (std::size_t i = 1; i < resets.size(); ++i) {
        EXPECT_EQ(resets[i].first, i + 1);
        EXPECT_EQ(resets[i].second, devnet.base_genesis_time + static_cast<std::int64_t>(i) * 120)
            << "reset " << i << " fires at T(N+1)";
    }
}

}  // namespace
}  // namespace ephemery::node
