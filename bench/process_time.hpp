#pragma once
// Process figures the benchmarks report beside wall time: with it they show whether a slower run did more work or
// only got less of a machine others were using too.

#include <sys/resource.h>
#include <sys/time.h>

#include <string>
#include <system_error>

namespace ephemery::bench {

// strerror's text, without strerror's shared buffer.
inline std::string error_text(int error_number) {
    return std::generic_category().message(error_number);
}

inline double seconds_of(const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

// CPU time (user and system, all threads) of this process.
inline double process_cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

}  // namespace ephemery::bench
