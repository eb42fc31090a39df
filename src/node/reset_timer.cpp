#include "node/reset_timer.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ephemery::node {

NextAction next_action(const network::Schedule& schedule, std::int64_t now, const NodeTimeState& state) {
    const auto live = network::iteration_at(schedule, now);
    if (!live) {
        return {NextActionKind::wait_for_network, schedule.base_iteration, schedule.base_genesis_time,
                "the network's first modelled iteration has not begun"};
    }
    const auto installed = [&state](std::uint64_t n) { return state.installed_releases.contains(n); };
    if (!state.data_iteration || *state.data_iteration < *live) {
        if (!installed(*live)) {
            return {NextActionKind::fetch_release, *live, now,
                    fmt::format("the node's data is from {}; iteration {} is live",
                                state.data_iteration ? fmt::format("iteration {}", *state.data_iteration)
                                                     : std::string("no iteration"),
                                *live)};
        }
        return {NextActionKind::reset, *live, now, fmt::format("iteration {} is live", *live)};
    }
    const auto info = network::describe_iteration(schedule, *live);
    if (!info || !info->times) {
        return {NextActionKind::run, *live, now + release_retry_seconds, "the schedule has no times for it"};
    }
    const std::int64_t reset_time = info->times->reset_time;
    const std::uint64_t next = *live + 1;
    if (!installed(next)) {
        // Its release appears on the release job's first run after T(N+1) - lead; before that, run.
        const std::int64_t published = info->times->next_release_published_time;
        if (now < published) {
            return {NextActionKind::run, *live, published,
                    fmt::format("the release of iteration {} is published around then", next)};
        }
        return {NextActionKind::fetch_release, next, now,
                fmt::format("iteration {} begins at {}; fetch its release beforehand", next, reset_time)};
    }
    return {NextActionKind::run, *live, reset_time, fmt::format("iteration {} begins then", next)};
}

}  // namespace ephemery::node
