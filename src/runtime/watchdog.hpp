#pragma once

#include "core/result.hpp"

#include <sys/types.h>

#include <chrono>

namespace ephemery::runtime {

// A helper process that ends a client's process group if the supervising process dies, however it dies (SIGKILL
// included). PR_SET_PDEATHSIG cannot do this: it is tied to the thread that forked and reaches only the direct
// child, not what the client forks. The watchdog holds one end of a socket pair whose other end only the
// supervisor holds (close-on-exec, and every other watchdog closes it); the supervisor's death is the end of
// file on its read, whereupon it sends SIGTERM to the group, waits up to `grace` for it to empty, sends SIGKILL
// and exits.
struct Watchdog {
    pid_t pid{-1};     // the supervisor's child, to be reaped once it has exited
    int lifeline{-1};  // the supervisor's end
};

// Forks the watchdog for `group` (the client's pid, leader of its own group).
[[nodiscard]] Result<Watchdog> start_watchdog(pid_t group, std::chrono::milliseconds grace);

// The client has ended and been dealt with: the watchdog exits without signalling anything. Call it before
// reaping the client's leader, while the group id cannot yet belong to anyone else.
void release_watchdog(Watchdog& watchdog);

// Closes the supervisor's end without releasing: the watchdog ends the group as if the supervisor had died.
void abandon_watchdog(Watchdog& watchdog);

}  // namespace ephemery::runtime
