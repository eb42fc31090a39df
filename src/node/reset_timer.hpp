#pragma once

#include "network/schedule.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>

// When the node resets, and when it fetches the release it resets to: a decision from the schedule, the clock
// reading and what is on disk, so the daemon sleeps until one exact time instead of polling, and tests drive
// it with any clock.
namespace ephemery::node {

struct NodeTimeState {
    std::optional<std::uint64_t> data_iteration;  // the iteration marker; nullopt: a new node
    std::set<std::uint64_t> installed_releases;   // verified releases in the store
};

enum class NextActionKind {
    wait_for_network,  // before the first modelled iteration: nothing to run yet
    fetch_release,     // fetch and verify `iteration`'s release (by tag), not activating it
    reset,             // reset the node to `iteration`, then start it
    run,               // the node is current: run it until `at`, then ask again
};

struct NextAction {
    NextActionKind kind{NextActionKind::run};
    std::uint64_t iteration{0};
    std::int64_t at{0};  // Unix seconds: when to do it (<= now: now)
    std::string reason;  // one line for the log
};

// Retry spacing for a release that is not published or not fetchable yet.
inline constexpr std::int64_t release_retry_seconds = 60;

// The next thing to do at `now`:
//  - data from an older iteration (or none): reset to the live iteration now, fetching its release first;
//  - current data: fetch N+1 once its release is published (the last ~2 h of N), then reset at T(N+1).
// The live iteration comes from the schedule, never from "latest": a node started while "latest" already
// points at N+1 keeps running N until T(N+1).
[[nodiscard]] NextAction next_action(const network::Schedule& schedule, std::int64_t now, const NodeTimeState& state);

}  // namespace ephemery::node
