#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ephemery::monitoring {

enum class Mode {
    finalized,  // judge epochs once finalized: exact, about two epochs late
    head,       // judge epochs at the head: immediate, may change on reorgs
};

inline constexpr std::array<std::pair<std::string_view, Mode>, 2> mode_names{{
    {"finalized", Mode::finalized},
    {"head", Mode::head},
}};

// A group of validators watched under one label. Pubkeys are stable across resets; indices are not.
struct ValidatorGroup {
    std::string label;
    std::vector<std::string> pubkeys;  // 0x-prefixed 48-byte BLS public keys
    std::string indices;               // "0-63,100": validator indices in the current iteration
};

// Per-epoch node and validator monitoring. Filled from `monitoring:`.
struct Settings {
    bool enabled{true};
    Mode mode{Mode::finalized};
    std::int64_t max_validator_series{64};  // per-validator Prometheus series beyond this are aggregated
    std::int64_t retention_days{365};       // history kept in SQLite
    std::vector<ValidatorGroup> validators;
};

}  // namespace ephemery::monitoring
