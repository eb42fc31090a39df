#pragma once

#include "clients/catalog.hpp"
#include "clients/client.hpp"

#include <cstdint>

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
    // Which command lines the catalog gives: the current clients', or the devnet's pinned Lodestar.
    clients::Edition edition{clients::Edition::current};
    // 0: each client's default ports (moved past clashes). Else every port is numbered from here, in plan
    // order, so several nodes (or tests) on one host take disjoint blocks.
    std::uint16_t port_base{0};
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
