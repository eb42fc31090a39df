#include "daemon/deliberate_restarts.hpp"

#include <gtest/gtest.h>

namespace ephemery::daemon {
namespace {

monitoring::Sample up(const std::string& service, double value) {
    return {"ephemery_service_up", {{"service", service}, {"role", "execution"}}, value};
}

std::vector<std::string> services(const std::vector<monitoring::Sample>& samples) {
    std::vector<std::string> names;
    names.reserve(samples.size());
    for (const auto& sample : samples) names.push_back(sample.labels.front().second);
    return names;
}

TEST(DeliberateRestarts, AClientRestartedOnPurposeIsNotJudgedUntilItRunsAgain) {
    DeliberateRestarts restarts;
    const auto start = DeliberateRestarts::TimePoint{} + std::chrono::hours(1);
    restarts.begin("geth", start);
    const auto during = restarts.judged({up("geth", 0), up("lighthouse", 0)}, start + std::chrono::seconds(5));
    EXPECT_EQ(services(during), std::vector<std::string>{"lighthouse"}) << "other services are judged as always";
    EXPECT_EQ(services(restarts.judged({up("geth", 1)}, start + std::chrono::seconds(10))),
              std::vector<std::string>{"geth"});
    // Once it ran again the restart is over: a later fall is an outage.
    EXPECT_EQ(services(restarts.judged({up("geth", 0)}, start + std::chrono::seconds(15))),
              std::vector<std::string>{"geth"});
}

TEST(DeliberateRestarts, AClientThatDoesNotComeBackWithinTheGraceIsAnOutage) {
    DeliberateRestarts restarts;
    const auto start = DeliberateRestarts::TimePoint{} + std::chrono::hours(1);
    restarts.begin("geth", start);
    EXPECT_TRUE(restarts.judged({up("geth", 0)}, start + DeliberateRestarts::grace - std::chrono::seconds(1)).empty());
    EXPECT_EQ(restarts.judged({up("geth", 0)}, start + DeliberateRestarts::grace).size(), 1U);
}

}  // namespace
}  // namespace ephemery::daemon
