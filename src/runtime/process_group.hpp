#pragma once

#include <sys/types.h>

#include <optional>

namespace ephemery::runtime {

struct ProcessStat {
    char state{'?'};  // R, S, D, Z (zombie: exited, not yet reaped), ...
    pid_t parent{0};
    pid_t group{0};
};

// /proc/<pid>/stat's state, parent and process group; nothing when there is no such process.
[[nodiscard]] std::optional<ProcessStat> read_process_stat(pid_t pid);

// True while the process exists and has not exited (a zombie has: it only waits to be reaped).
[[nodiscard]] bool process_is_alive(pid_t pid);

// True while a live process other than `except` belongs to process group `group`. Processes this one may not
// see in /proc (another pid namespace) are not counted; the caller's SIGKILL to the group still reaches them.
[[nodiscard]] bool group_has_live_members(pid_t group, pid_t except);

}  // namespace ephemery::runtime
