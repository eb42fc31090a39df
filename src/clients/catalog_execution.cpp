// Execution clients. Draft from ../shared/docs/ephemery-facts.md §3; every entry is being confirmed
// against the client's own documentation.
#include "clients/catalog.hpp"

namespace ephemery::clients {

std::vector<ClientSpec> execution_client_specs() {
    std::vector<ClientSpec> specs;
    specs.push_back({.client = Client::geth, .name = "geth", .display_name = "Geth",
        .roles = {{.role = Role::execution, .program = "geth", .run = {}, .init = {{"geth"}, {"init"}, {"--datadir"}, {"{data_dir}"}, {"{genesis_json}"}},
                   .json_logs = {}, .keep = {{"geth/nodekey", "node key"}, {"keystore", "account keystores"}},
                   .wipe = {{"geth", "chain data"}}, .slashing = {}, .ports = {}, .health = std::nullopt,
                   .image = "ethereum/client-go:stable", .notes = {}, .sources = {}}},
        .knows_ephemery_by_name = false});
    specs.push_back({.client = Client::nethermind, .name = "nethermind", .display_name = "Nethermind",
        .roles = {{.role = Role::execution, .program = "nethermind", .run = {}, .init = {}, .json_logs = {},
                   .keep = {{"keystore/node.key.plain", "node key"}}, .wipe = {{"nethermind_db", "chain data"}},
                   .slashing = {}, .ports = {}, .health = std::nullopt, .image = "nethermind/nethermind:latest",
                   .notes = {}, .sources = {}}},
        .knows_ephemery_by_name = false});
    specs.push_back({.client = Client::besu, .name = "besu", .display_name = "Besu",
        .roles = {{.role = Role::execution, .program = "besu", .run = {}, .init = {}, .json_logs = {},
                   .keep = {{"key", "node key"}}, .wipe = {{"database", "chain data"}, {"caches", "caches"}},
                   .slashing = {}, .ports = {}, .health = std::nullopt, .image = "hyperledger/besu:latest",
                   .notes = {}, .sources = {}}},
        .knows_ephemery_by_name = true});
    specs.push_back({.client = Client::erigon, .name = "erigon", .display_name = "Erigon",
        .roles = {{.role = Role::execution, .program = "erigon", .run = {},
                   .init = {{"erigon"}, {"init"}, {"--datadir"}, {"{data_dir}"}, {"{genesis_json}"}}, .json_logs = {},
                   .keep = {{"nodekey", "node key"}}, .wipe = {{".", "chain data"}},
                   .slashing = {}, .ports = {}, .health = std::nullopt, .image = "erigontech/erigon:latest",
                   .notes = {}, .sources = {}}},
        .knows_ephemery_by_name = false});
    specs.push_back({.client = Client::reth, .name = "reth", .display_name = "Reth",
        .roles = {{.role = Role::execution, .program = "reth", .run = {}, .init = {}, .json_logs = {},
                   .keep = {{"discovery-secret", "node key"}}, .wipe = {{".", "chain data"}},
                   .slashing = {}, .ports = {}, .health = std::nullopt, .image = "ghcr.io/paradigmxyz/reth:latest",
                   .notes = {}, .sources = {}}},
        .knows_ephemery_by_name = false});
    return specs;
}

}  // namespace ephemery::clients
