#pragma once

#include "node/plan.hpp"

#include <filesystem>
#include <string>

// Node inputs for the node tests: every release placeholder under `release_dir`, keys under `keys_dir`.
namespace ephemery::node {

inline NodeInputs example_node_inputs(Backend backend, clients::Client execution, clients::Client consensus,
                                      bool validator, const std::filesystem::path& data_dir = "/var/lib/ephemery",
                                      const std::string& release_dir = "/r", std::filesystem::path jwt_file = {},
                                      const std::string& keys_dir = "/k") {
    NodeInputs in;
    in.network = "ephemery";
    in.data_dir = data_dir;
    in.settings.backend = backend;
    in.settings.execution.client = execution;
    in.settings.consensus.client = consensus;
    in.settings.validator = {
        .enabled = validator, .client = consensus, .binary = {}, .image = {}, .data_dir = {}, .extra_args = {}};
    in.release_values = {{"genesis_json", release_dir + "/genesis.json"},
                         {"besu_json", release_dir + "/besu.json"},
                         {"chainspec_json", release_dir + "/chainspec.json"},
                         {"config_yaml", release_dir + "/config.yaml"},
                         {"genesis_ssz", release_dir + "/genesis.ssz"},
                         {"testnet_dir", release_dir},
                         {"chain_id", "39438161"},
                         {"genesis_block_hash", "0xabc"},
                         {"bootnodes_enr", "enr:-a,enr:-b"},
                         {"bootnodes_enode", "enode://x@1.2.3.4:30303"},
                         {"deposit_contract_block", "0"}};
    in.jwt_file = jwt_file.empty() ? data_dir / "jwt.hex" : std::move(jwt_file);
    in.validator_keys = {.keystores_dir = keys_dir + "/keystores",
                         .secrets_dir = keys_dir + "/secrets",
                         .password_file = keys_dir + "/password.txt",
                         .wallet_dir = keys_dir + "/wallet",
                         .fee_recipient = {},
                         .graffiti = {}};
    return in;
}

}  // namespace ephemery::node
