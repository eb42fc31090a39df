#pragma once

#include "network/schedule.hpp"

// For tests: a devnet of 2-minute iterations, short enough to live through several resets in a test.
namespace ephemery::network {

inline Schedule two_minute_test_schedule() {
    return {.base_genesis_time = 1'800'000'000,
            .base_iteration = 1,
            .genesis_interval = 120,
            .genesis_delay = 10,
            .chain_id_base = 39439000,
            .chain_id_formula_since = 1,
            .release_tag_prefix = "devnet-",
            .release_lead_time = 30,
            .release_build_minutes = {}};
}

}  // namespace ephemery::network
