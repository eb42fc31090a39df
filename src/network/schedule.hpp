#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The Ephemery time model: pure arithmetic, no clock and no I/O. Facts from docs/ephemery-facts.md §1-2.
namespace ephemery::network {

// The reset schedule of one Ephemery-style network: the public one, or a custom one (the devnet).
struct Schedule {
    std::int64_t base_genesis_time{0};  // T(base_iteration): EL genesis timestamp = CL MIN_GENESIS_TIME, Unix s
    std::uint64_t base_iteration{0};    // first iteration this schedule models exactly
    std::int64_t genesis_interval{0};   // seconds between resets: T(N+1) - T(N)
    std::int64_t genesis_delay{0};      // CL genesis_time - T(N)
    std::uint64_t chain_id_base{0};     // chain id of iteration N = chain_id_base + N
    // Earliest iteration for which chain_id_base + N holds; may lie before base_iteration (legacy era).
    std::uint64_t chain_id_formula_since{0};
    std::string release_tag_prefix;  // release tag of iteration N = prefix + N
    // The release job publishes N+1 once now > T(N+1) - release_lead_time ...
    std::int64_t release_lead_time{0};
    // ... on its next run at one of these minutes past the hour (empty: immediately).
    std::vector<int> release_build_minutes;

    friend bool operator==(const Schedule&, const Schedule&) = default;
};

// The public Ephemery network in its 28-day era (iteration 135 on).
[[nodiscard]] Schedule public_ephemery_schedule();

// Checks a schedule is usable (positive interval, delay and lead shorter than an iteration, valid minutes).
// The message names the offending field as it is spelt in the config (network.<field>).
[[nodiscard]] Status validate(const Schedule& schedule);

// The times of one iteration in the modelled era.
struct IterationTimes {
    std::int64_t el_genesis_time{0};  // T(N): genesis.json timestamp, config MIN_GENESIS_TIME
    std::int64_t cl_genesis_time{0};  // T(N) + genesis_delay: beacon genesis_time
    std::int64_t reset_time{0};       // T(N+1): the iteration ends, the next one begins
    // From about this time the "latest" release already points at N+1 (the release job has run).
    std::int64_t next_release_published_time{0};
};

struct IterationInfo {
    std::uint64_t iteration{0};
    // Before the modelled era (earlier, shorter intervals). Only facts that hold there are filled in;
    // nothing is extrapolated.
    bool legacy{false};
    std::optional<std::uint64_t> chain_id;
    std::optional<std::string> release_tag;
    std::optional<IterationTimes> times;
};

// Iteration live at unix_time (T(N) <= t < T(N+1)); nullopt before the modelled era.
[[nodiscard]] std::optional<std::uint64_t> iteration_at(const Schedule& schedule, std::int64_t unix_time);

// Everything the schedule knows about iteration N. Fails only when N is so large its times overflow.
[[nodiscard]] Result<IterationInfo> describe_iteration(const Schedule& schedule, std::uint64_t iteration);

// The iteration GitHub's "latest" release points at, at unix_time: N, or N+1 near the end of N. This is
// why a node must fetch its release by tag. nullopt before the modelled era.
[[nodiscard]] std::optional<std::uint64_t> latest_release_iteration_at(const Schedule& schedule,
                                                                       std::int64_t unix_time);

[[nodiscard]] std::string release_tag(const Schedule& schedule, std::uint64_t iteration);

}  // namespace ephemery::network
