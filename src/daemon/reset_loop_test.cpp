#include "daemon/reset_loop.hpp"

#include "network/test_schedule.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ephemery::daemon {
namespace {

// Time jumps straight to whatever the loop waits for: iterations pass in microseconds.
class JumpingClock final : public Clock {
  public:
    explicit JumpingClock(std::int64_t start) : now_(start) {}
    std::int64_t now() override { return now_; }
    void sleep_until(std::int64_t at, const std::atomic<bool>& stop) override {
        if (!stop.load() && at > now_) now_ = at;
        ++sleeps;
    }
    void wake() override {}
    int sleeps{0};

  private:
    std::int64_t now_;
};

const network::Schedule devnet = network::two_minute_test_schedule();

struct FakeNode {
    node::NodeTimeState state;
    std::vector<std::pair<std::uint64_t, std::int64_t>> resets;
    std::vector<std::pair<std::uint64_t, std::int64_t>> fetches;
    int failing_fetches{0};
    int ensure_running_calls{0};
};

LoopActions actions_for(FakeNode& node, JumpingClock& clock, std::atomic<bool>& stop, std::size_t resets_wanted) {
    return {.read_state = [&node] { return node.state; },
            .fetch_release = [&node, &clock](std::uint64_t n) -> Status {
                node.fetches.emplace_back(n, clock.now());
                if (node.failing_fetches > 0) {
                    --node.failing_fetches;
                    return make_error(Errc::not_found, "404 Not Found");
                }
                node.state.installed_releases.insert(n);
                return {};
            },
            .reset_to = [&node, &clock, &stop, resets_wanted](std::uint64_t n) -> Status {
                node.state.data_iteration = n;
                node.resets.emplace_back(n, clock.now());
                if (node.resets.size() >= resets_wanted) stop = true;
                return {};
            },
            .ensure_running = [&node] { ++node.ensure_running_calls; }};
}

TEST(ResetLoop, ResetsExactlyAtEachBoundaryAfterFetchingEachReleaseOnce) {
    FakeNode node;
    JumpingClock clock(devnet.base_genesis_time + 5);
    std::atomic<bool> stop{false};
    const auto counters = run_reset_loop(devnet, clock, actions_for(node, clock, stop, 4), stop);
    ASSERT_EQ(node.resets.size(), 4U);
    EXPECT_EQ(node.resets[0].second, devnet.base_genesis_time + 5) << "a new node resets at once";
    for (std::size_t i = 1; i < node.resets.size(); ++i) {
        EXPECT_EQ(node.resets[i].first, i + 1);
        EXPECT_EQ(node.resets[i].second, devnet.base_genesis_time + static_cast<std::int64_t>(i) * 120);
    }
    EXPECT_EQ(counters.fetches, 4U) << "one fetch per iteration";
    for (std::size_t i = 1; i < node.fetches.size(); ++i) {
        EXPECT_EQ(node.fetches[i].second, devnet.base_genesis_time + static_cast<std::int64_t>(i) * 120 - 30)
            << "fetched as soon as it is published";
    }
    EXPECT_GT(node.ensure_running_calls, 0);
    EXPECT_LT(clock.sleeps, 20) << "it sleeps until the next event, it does not poll";
}

TEST(ResetLoop, AFailedFetchIsRetriedLaterAndCounted) {
    FakeNode node;
    node.state = {1, {1}};
    node.failing_fetches = 2;
    JumpingClock clock(devnet.base_genesis_time + 5);
    std::atomic<bool> stop{false};
    const auto counters = run_reset_loop(devnet, clock, actions_for(node, clock, stop, 1), stop);
    EXPECT_EQ(counters.fetch_failures, 2U);
    ASSERT_EQ(node.fetches.size(), 3U);
    EXPECT_EQ(node.fetches[1].second - node.fetches[0].second, node::release_retry_seconds);
    ASSERT_EQ(node.resets.size(), 1U);
    // Published at T(2) - 30 = +90; failures at +90 and +150; fetched at +210, past T(2) = +120, so the reset
    // to 2 comes as soon as its release is there.
    EXPECT_EQ(node.resets[0], std::make_pair(std::uint64_t{2}, devnet.base_genesis_time + 210));
}

}  // namespace
}  // namespace ephemery::daemon
