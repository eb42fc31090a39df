#include "network/schedule.hpp"

#include <fmt/format.h>

#include <limits>

namespace ephemery::network {
namespace {

constexpr std::int64_t seconds_per_hour = 3600;
constexpr std::int64_t max_interval = std::int64_t{366} * 24 * 3600;

// T(N) for N >= base_iteration, checked against int64 overflow.
Result<std::int64_t> genesis_time(const Schedule& schedule, std::uint64_t iteration) {
    const std::uint64_t steps = iteration - schedule.base_iteration;
    std::int64_t offset = 0;
    std::int64_t time = 0;
    if (steps > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        __builtin_mul_overflow(static_cast<std::int64_t>(steps), schedule.genesis_interval, &offset) ||
        __builtin_add_overflow(schedule.base_genesis_time, offset, &time)) {
        return make_error(Errc::out_of_range,
                          fmt::format("iteration {} is too far in the future to compute its times", iteration));
    }
    return time;
}

// First release-job run strictly after `after`, at one of the configured minutes past the hour.
std::int64_t next_release_job_run(const Schedule& schedule, std::int64_t after) {
    if (schedule.release_build_minutes.empty()) return after;
    const std::int64_t hour_start = after - (after % seconds_per_hour);
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (const std::int64_t hour : {hour_start, hour_start + seconds_per_hour}) {
        for (const int minute : schedule.release_build_minutes) {
            const std::int64_t run = hour + std::int64_t{minute} * 60;
            if (run > after && run < best) best = run;
        }
    }
    return best;
}

}  // namespace

Schedule public_ephemery_schedule() {
    return Schedule{
        .base_genesis_time = 1720119600,  // 2024-07-04 19:00:00 UTC, iteration 135
        .base_iteration = 135,
        .genesis_interval = 2419200,  // 28 days
        .genesis_delay = 600,
        .chain_id_base = 39438000,
        .chain_id_formula_since = 62,
        .release_tag_prefix = "ephemery-",
        .release_lead_time = 7200,
        .release_build_minutes = {10, 40},
    };
}

Status validate(const Schedule& schedule) {
    if (schedule.base_genesis_time < 0) {
        return make_error(Errc::invalid_argument, "network.base_genesis_time must be a Unix time (0 or later)");
    }
    if (schedule.genesis_interval < 60 || schedule.genesis_interval > max_interval) {
        return make_error(Errc::invalid_argument,
                          fmt::format("network.genesis_interval must be between 60 and {} seconds, not {}",
                                      max_interval, schedule.genesis_interval));
    }
    if (schedule.genesis_delay < 0 || schedule.genesis_delay >= schedule.genesis_interval) {
        return make_error(Errc::invalid_argument,
                          fmt::format("network.genesis_delay must be 0 or more and shorter than "
                                      "network.genesis_interval ({} s), not {}",
                                      schedule.genesis_interval, schedule.genesis_delay));
    }
    if (schedule.release_lead_time < 0 || schedule.release_lead_time >= schedule.genesis_interval) {
        return make_error(Errc::invalid_argument,
                          fmt::format("network.release_lead_time must be 0 or more and shorter than "
                                      "network.genesis_interval ({} s), not {}",
                                      schedule.genesis_interval, schedule.release_lead_time));
    }
    for (const int minute : schedule.release_build_minutes) {
        if (minute < 0 || minute > 59) {
            return make_error(Errc::invalid_argument,
                              fmt::format("network.release_build_minutes holds {}; minutes are 0 to 59", minute));
        }
    }
    if (schedule.release_tag_prefix.empty()) {
        return make_error(Errc::invalid_argument, "network.release_tag_prefix must not be empty");
    }
    return {};
}

std::string release_tag(const Schedule& schedule, std::uint64_t iteration) {
    return schedule.release_tag_prefix + std::to_string(iteration);
}

std::optional<std::uint64_t> iteration_at(const Schedule& schedule, std::int64_t unix_time) {
    if (unix_time < schedule.base_genesis_time) return std::nullopt;
    // Both operands are non-negative here and the difference cannot overflow (base_genesis_time >= 0).
    const auto elapsed = static_cast<std::uint64_t>(unix_time - schedule.base_genesis_time);
    return schedule.base_iteration + elapsed / static_cast<std::uint64_t>(schedule.genesis_interval);
}

Result<IterationInfo> describe_iteration(const Schedule& schedule, std::uint64_t iteration) {
    IterationInfo info;
    info.iteration = iteration;
    std::uint64_t chain_id = 0;
    if (iteration >= schedule.chain_id_formula_since &&
        !__builtin_add_overflow(schedule.chain_id_base, iteration, &chain_id)) {
        info.chain_id = chain_id;
    }
    if (iteration < schedule.base_iteration) {
        info.legacy = true;
        return info;
    }
    if (!info.chain_id) {
        return make_error(Errc::out_of_range, fmt::format("iteration {} is too large for a chain id", iteration));
    }
    info.release_tag = release_tag(schedule, iteration);

    auto start = genesis_time(schedule, iteration);
    if (!start) return start.error();
    auto end = genesis_time(schedule, iteration + 1);
    if (!end) return end.error();
    IterationTimes times;
    times.el_genesis_time = *start;
    times.cl_genesis_time = *start + schedule.genesis_delay;  // delay < interval, so no overflow
    times.reset_time = *end;
    times.next_release_published_time = next_release_job_run(schedule, *end - schedule.release_lead_time);
    info.times = times;
    return info;
}

std::optional<std::uint64_t> latest_release_iteration_at(const Schedule& schedule, std::int64_t unix_time) {
    const auto iteration = iteration_at(schedule, unix_time);
    if (!iteration) return std::nullopt;
    const auto info = describe_iteration(schedule, *iteration);
    if (!info || !info->times) return iteration;
    return unix_time >= info->times->next_release_published_time ? *iteration + 1 : *iteration;
}

}  // namespace ephemery::network
