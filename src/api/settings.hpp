#pragma once

#include <cstdint>
#include <string>

namespace ephemery::api {

// The daemon's control API (status, health, metrics, restart, reset). Filled from `api:`.
struct Settings {
    bool enabled{true};
    std::string listen_address{"127.0.0.1"};  // loopback by default: mutating routes also need a token
    std::int64_t port{5080};
};

}  // namespace ephemery::api
