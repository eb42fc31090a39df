#pragma once

#include "clients/client.hpp"

#include <string>
#include <vector>

namespace ephemery::node {

// How the clients are run.
enum class Backend {
    native,   // ephemery starts and supervises the client processes itself
    compose,  // rendered as Docker Compose services
    systemd,  // rendered as systemd units
};

inline constexpr std::array<std::pair<std::string_view, Backend>, 3> backend_names{{
    {"native", Backend::native},
    {"compose", Backend::compose},
    {"systemd", Backend::systemd},
}};

struct ClientSettings {
    bool enabled{true};
    clients::Client client{clients::Client::geth};
    std::string binary;                   // executable for the native backend; empty: the client's usual name on PATH
    std::string image;                    // container image for the compose backend; empty: the catalog's default
    std::string data_dir;                 // the client's data dir; empty: <data_dir>/<role>-<client>
    std::vector<std::string> extra_args;  // appended after the arguments ephemery computes
};

// The node: which client plays each role and how they are run. Filled from `runtime:` and `clients:`.
struct Settings {
    Backend backend{Backend::native};
    ClientSettings execution{
        .enabled = true, .client = clients::Client::geth, .binary = {}, .image = {}, .data_dir = {}, .extra_args = {}};
    ClientSettings consensus{.enabled = true,
                             .client = clients::Client::lighthouse,
                             .binary = {},
                             .image = {},
                             .data_dir = {},
                             .extra_args = {}};
    // Off by default: running validators is an explicit decision.
    ClientSettings validator{.enabled = false,
                             .client = clients::Client::lighthouse,
                             .binary = {},
                             .image = {},
                             .data_dir = {},
                             .extra_args = {}};
};

}  // namespace ephemery::node
