#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace ephemery::daemon {

struct ProcessUsage {
    double cpu_seconds{0};  // user + system
    std::uint64_t resident_bytes{0};
};

// From the text of /proc/<pid>/stat; nullopt when it is not in that format.
[[nodiscard]] std::optional<ProcessUsage> parse_proc_stat(std::string_view text, long ticks_per_second, long page_size);
// The usage of a live process; nullopt when it has gone.
[[nodiscard]] std::optional<ProcessUsage> process_usage(pid_t pid);

}  // namespace ephemery::daemon
