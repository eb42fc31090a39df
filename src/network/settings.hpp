#pragma once

#include "network/schedule.hpp"

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace ephemery::network {

enum class Preset {
    ephemery,  // the public Ephemery testnet: the schedule is fixed
    custom,    // any other Ephemery-style network (the devnet): the schedule comes from the config
};

inline constexpr std::array<std::pair<std::string_view, Preset>, 2> preset_names{{
    {"ephemery", Preset::ephemery},
    {"custom", Preset::custom},
}};

// Which network this node follows. Filled by the config layer from the `network:` section.
struct Settings {
    Preset preset{Preset::ephemery};
    std::string name{"ephemery"};  // first part of service names: {name}-{role}-{client}
    Schedule schedule{public_ephemery_schedule()};
    // Release assets are fetched from <release_base_url>/<tag>/<asset>.
    std::string release_base_url{"https://github.com/ephemery-testnet/ephemery-genesis/releases/download"};
};

}  // namespace ephemery::network
