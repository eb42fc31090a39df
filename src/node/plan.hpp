#pragma once

#include "clients/catalog.hpp"
#include "core/result.hpp"
#include "node/settings.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

// The node plan: which client processes run, each with its rendered command line, data dir, ports, health
// check and image. One plan, computed without touching the disk, rendered by every backend (native
// supervision, Docker Compose, systemd).
namespace ephemery::node {

struct AssignedPort {
    std::string name;  // the catalog's port name: p2p, http, engine, metrics, keymanager, ...
    std::uint16_t number{0};
    clients::Transport transport{clients::Transport::tcp};
};

struct ServicePlan {
    clients::Role role{clients::Role::execution};
    clients::Client client{clients::Client::geth};
    std::string name;                     // {network}-{role}-{client}: process, container and unit name
    std::filesystem::path data_dir;       // as the client sees it (inside the container for compose)
    std::filesystem::path host_data_dir;  // on this machine
    std::string program;                  // configured binary, else the catalog's program
    std::vector<std::string> arguments;   // rendered catalog arguments, JSON-log arguments, then extra_args
    std::vector<AssignedPort> ports;
    std::optional<clients::HealthCheck> health;
    std::string image;                    // configured image, else the catalog's
    std::vector<std::string> depends_on;  // services that must start first (CL on EL, VC on CL)

    [[nodiscard]] std::optional<std::uint16_t> port(std::string_view port_name) const;
};

struct NodePlan {
    std::string network;
    std::vector<ServicePlan> services;  // start order: execution, consensus, validator
};

// Where the validator client finds its keys, as that client's layout wants them.
struct ValidatorKeys {
    std::filesystem::path keystores_dir;
    std::filesystem::path secrets_dir;
    std::filesystem::path password_file;
    std::filesystem::path wallet_dir;
    std::string fee_recipient;
    std::string graffiti;
};

struct NodeInputs {
    std::string network;             // network.name
    std::filesystem::path data_dir;  // the node's data dir
    Settings settings;               // clients and backend
    // Release placeholder values ({genesis_json}, {chain_id}, {bootnodes_enr}, ...) for the current release,
    // as paths the clients see.
    std::map<std::string, std::string> release_values;
    std::filesystem::path jwt_file;  // as the clients see it
    std::string bind_address{"127.0.0.1"};
    std::string checkpoint_url;  // empty: sync from genesis
    ValidatorKeys validator_keys;
    bool json_logs{false};
};

// The data dir of a client in a role: the configured one, else <data_dir>/<role>-<client>.
[[nodiscard]] std::filesystem::path client_data_dir(const std::filesystem::path& data_dir,
                                                    const ClientSettings& settings, clients::Role role);

// Builds the plan: ports from the catalog's defaults, moved up past ports an earlier service already uses;
// {engine_url}, {execution_rpc_url} and {beacon_url} pointing at the EL and CL of this plan (127.0.0.1 natively,
// the service names under compose). Fails naming the service and argument when a required value is missing.
[[nodiscard]] Result<NodePlan> make_node_plan(const NodeInputs& inputs);

}  // namespace ephemery::node
