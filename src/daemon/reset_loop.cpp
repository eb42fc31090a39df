#include "daemon/reset_loop.hpp"

#include <spdlog/spdlog.h>

namespace ephemery::daemon {

LoopCounters run_reset_loop(const network::Schedule& schedule, Clock& clock, const LoopActions& actions,
                            const std::atomic<bool>& stop) {
    LoopCounters counters;
    // After a failure the same action waits this long, so a missing release or a broken disk is not hammered.
    std::int64_t retry_not_before = 0;
    while (!stop.load()) {
        const std::int64_t now = clock.now();
        const node::NextAction action = node::next_action(schedule, now, actions.read_state());
        const bool due = action.at <= now && now >= retry_not_before;
        if (!due) {
            const std::int64_t wake_at = std::max(action.at, retry_not_before);
            if (action.kind == node::NextActionKind::run) actions.ensure_running();
            spdlog::info("next: {} at {} ({})", action.kind == node::NextActionKind::run ? "check" : "act", wake_at,
                         action.reason);
            clock.sleep_until(wake_at, stop);
            continue;
        }
        switch (action.kind) {
            case node::NextActionKind::wait_for_network:
            case node::NextActionKind::run:
                actions.ensure_running();
                retry_not_before = now + node::release_retry_seconds;  // the timer came back early
                break;
            case node::NextActionKind::fetch_release:
                ++counters.fetches;
                if (auto status = actions.fetch_release(action.iteration); !status) {
                    ++counters.fetch_failures;
                    spdlog::warn("fetching the release of iteration {} failed: {}; retrying in {} s", action.iteration,
                                 status.error().message, node::release_retry_seconds);
                    retry_not_before = now + node::release_retry_seconds;
                }
                break;
            case node::NextActionKind::reset:
                ++counters.resets;
                spdlog::info("resetting to iteration {}: {}", action.iteration, action.reason);
                if (auto status = actions.reset_to(action.iteration); !status) {
                    ++counters.reset_failures;
                    spdlog::error("the reset to iteration {} failed: {}; retrying in {} s", action.iteration,
                                  status.error().message, node::release_retry_seconds);
                    retry_not_before = now + node::release_retry_seconds;
                }
                break;
        }
    }
    return counters;
}

}  // namespace ephemery::daemon
