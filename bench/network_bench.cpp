// The time model answers "which iteration, which release" on every status call and timer: it must cost
// no more than reading the clock it is asked about.
#include "network/schedule.hpp"

#include <benchmark/benchmark.h>

#include <chrono>

namespace {

void network_describe_now(benchmark::State& state) {
    const auto schedule = ephemery::network::public_ephemery_schedule();
    std::int64_t at = 1780599600;
    for (auto _ : state) {
        const auto iteration = ephemery::network::iteration_at(schedule, at);
        auto info = ephemery::network::describe_iteration(schedule, iteration.value_or(0));
        benchmark::DoNotOptimize(info);
        at += 997;
    }
}
BENCHMARK(network_describe_now);

void peer_system_clock_now(benchmark::State& state) {
    for (auto _ : state) {
        auto now = std::chrono::system_clock::now();
        benchmark::DoNotOptimize(now);
    }
}
BENCHMARK(peer_system_clock_now);

}  // namespace
