#pragma once

#include "core/result.hpp"
#include "network/schedule.hpp"
#include "node/reset_timer.hpp"

#include <atomic>
#include <cstdint>
#include <functional>

// The daemon's reset loop: ask the reset timer what comes next, sleep until then on the clock (one timer, no
// polling), do it, repeat. Clock and actions are injected, so tests run iterations in no time.
namespace ephemery::daemon {

class Clock {
  public:
    Clock() = default;
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;
    Clock(Clock&&) = delete;
    Clock& operator=(Clock&&) = delete;
    virtual ~Clock() = default;
    [[nodiscard]] virtual std::int64_t now() = 0;  // Unix seconds
    // Returns at `at`, or earlier once `stop` is set (the caller also wakes the clock then).
    virtual void sleep_until(std::int64_t at, const std::atomic<bool>& stop) = 0;
    virtual void wake() = 0;
};

struct LoopActions {
    std::function<node::NodeTimeState()> read_state;     // marker and installed releases, from disk
    std::function<Status(std::uint64_t)> fetch_release;  // fetch and verify, not activating
    std::function<Status(std::uint64_t)> reset_to;       // the reset engine, clients stopped and started
    std::function<void()> ensure_running;                // start what should run (idempotent)
};

struct LoopCounters {
    std::uint64_t fetches{0};
    std::uint64_t fetch_failures{0};
    std::uint64_t resets{0};
    std::uint64_t reset_failures{0};
};

// Runs until `stop` is set. A failed fetch or reset is logged, counted and retried after
// node::release_retry_seconds; the clients keep running on what they have meanwhile.
LoopCounters run_reset_loop(const network::Schedule& schedule, Clock& clock, const LoopActions& actions,
                            const std::atomic<bool>& stop);

}  // namespace ephemery::daemon
