#include "daemon/monitor_runner.hpp"

#include <gtest/gtest.h>

namespace ephemery::daemon {
namespace {

TEST(IdleAlertPosition, RepeatsTheNewestJudgedEpochWhileTheChainKeepsUp) {
    // Head mode judges epoch E half an epoch into E + 1: a clock one or two epochs ahead is a healthy chain, and a
    // poll that judged nothing must not count the same figures as another epoch.
    EXPECT_EQ(idle_alert_position(AlertPosition{5, 10}, AlertPosition{5, 11}), (AlertPosition{5, 10}));
    EXPECT_EQ(idle_alert_position(AlertPosition{5, 10}, AlertPosition{5, 12}), (AlertPosition{5, 10}));
}

TEST(IdleAlertPosition, FollowsTheClockWhenTheChainFallsBehindOrNothingWasJudged) {
    EXPECT_EQ(idle_alert_position(AlertPosition{5, 10}, AlertPosition{5, 13}), (AlertPosition{5, 13}));
    EXPECT_EQ(idle_alert_position(std::nullopt, AlertPosition{5, 3}), (AlertPosition{5, 3}));
    // A new iteration starts counting afresh from its own clock.
    EXPECT_EQ(idle_alert_position(AlertPosition{5, 140}, AlertPosition{6, 0}), (AlertPosition{6, 0}));
}

}  // namespace
}  // namespace ephemery::daemon
