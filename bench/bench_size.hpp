#pragma once
// The size a benchmark runs at. `scripts/bench --smoke` (make bench-smoke, run by CI) sets EPHEMERY_BENCH_SMOKE=1:
// every benchmark then runs once at a tiny size, through the same code and the same agreement checks against its
// peer, so that `make bench` cannot rot unseen. Speed targets mean nothing at those sizes and are only printed.

#include <cstdlib>
#include <string_view>

namespace ephemery::bench {

[[nodiscard]] inline bool smoke_run() {
    static const bool smoke = [] {
        const char* value = std::getenv("EPHEMERY_BENCH_SMOKE");  // NOLINT(concurrency-mt-unsafe): read once, early
        return value != nullptr && std::string_view(value) == "1";
    }();
    return smoke;
}

// The full size, or the smoke run's.
template <typename T>
[[nodiscard]] T bench_size(T full, T smoke) {
    return smoke_run() ? smoke : full;
}

}  // namespace ephemery::bench
