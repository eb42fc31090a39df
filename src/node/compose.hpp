#pragma once

#include "core/result.hpp"
#include "node/plan.hpp"

#include <filesystem>
#include <string>
#include <string_view>

// The node plan as a Docker Compose file: one service per client, named and reachable as the plan's service
// name. Pure: text out, no disk, no docker.
//
// The mount contract. The plan must have been made with `runtime.backend: compose` (make_node_plan then gives
// each client /data as its data dir and reaches the other clients by service name), and with NodeInputs
// whose paths are the ones the containers see:
//   /data          each service's host_data_dir, read-write
//   /release       ComposeInputs::release_dir, read-only: every path in NodeInputs::release_values lies below it
//   /jwt/jwt.hex   ComposeInputs::jwt_file, read-only, execution and consensus services only:
//                  NodeInputs::jwt_file is compose_jwt_file
//   /keys          ComposeInputs::keys_dir, read-write (Teku and Nimbus write lock files beside the keystores),
//                  validator service only, when set: ValidatorKeys paths lie below it
// Host paths are bind mounts that Docker must not create: a missing one fails `docker compose up` instead of
// leaving a root-owned empty directory where a file or a data dir was expected, so ephemery creates them first.
namespace ephemery::node {

inline constexpr std::string_view compose_release_dir = "/release";
inline constexpr std::string_view compose_jwt_file = "/jwt/jwt.hex";
inline constexpr std::string_view compose_keys_dir = "/keys";

struct ComposeInputs {
    // The installed release (testnet/<N>, not the `current` symlink): a bind mount resolves a symlink once,
    // when the container is created, so naming the iteration's own dir makes the file change at a reset and
    // `docker compose up` recreate the containers on the new release.
    std::filesystem::path release_dir;
    std::filesystem::path jwt_file;
    std::filesystem::path keys_dir;  // empty: no /keys mount (the keys live in the validator's data dir)
    std::string user;                // "uid:gid" the clients run as; empty: each image's own user
};

// The compose.yaml text: a top-level `name:` (the network, which is the Compose project name) and per service
// container_name, image, entrypoint (only where the image has none), command, volumes, ports (APIs published
// on 127.0.0.1, peer-to-peer ports on every interface), depends_on, restart, stop_grace_period, healthcheck,
// user and logging. Every string is double-quoted and every '$' doubled, so values reach the client exactly
// as in the plan. Fails when the network is not a valid project name or a host path is missing or relative.
[[nodiscard]] Result<std::string> render_compose(const NodePlan& plan, const ComposeInputs& inputs);

}  // namespace ephemery::node
