// Consensus and validator clients. Draft from ../shared/docs/ephemery-facts.md §3; every entry is being
// confirmed against the client's own documentation.
#include "clients/catalog.hpp"

namespace ephemery::clients {

namespace {

RoleSpec role(Role role, std::string program, std::vector<KeptPath> keep, std::vector<WipedPath> wipe,
              std::vector<SlashingStore> slashing = {}) {
    return {.role = role, .program = std::move(program), .run = {}, .init = {}, .json_logs = {}, .keep = std::move(keep),
            .wipe = std::move(wipe), .slashing = std::move(slashing), .ports = {}, .health = std::nullopt, .image = {},
            .notes = {}, .sources = {}};
}

ClientSpec client(Client id, std::string name, std::string display, std::vector<RoleSpec> roles) {
    return {.client = id, .name = std::move(name), .display_name = std::move(display), .roles = std::move(roles),
            .knows_ephemery_by_name = false};
}

}  // namespace

std::vector<ClientSpec> consensus_client_specs() {
    std::vector<ClientSpec> specs;
    specs.push_back(client(Client::lighthouse, "lighthouse", "Lighthouse",
        {role(Role::consensus, "lighthouse", {{"beacon/network", "node key and ENR"}}, {{"beacon", "chain data"}}),
         role(Role::validator, "lighthouse",
              {{"validators", "keystores and validator_definitions.yml"}}, {},
              {{"validators/slashing_protection.sqlite", SlashingFormat::lighthouse_sqlite}})}));
    specs.push_back(client(Client::prysm, "prysm", "Prysm",
        {role(Role::consensus, "beacon-chain", {{"network-keys", "node key"}}, {{"beaconchaindata", "chain data"}}),
         role(Role::validator, "validator", {{"wallet", "wallet"}}, {},
              {{"validator.db", SlashingFormat::prysm_bolt}})}));
    specs.push_back(client(Client::teku, "teku", "Teku",
        {role(Role::consensus, "teku", {{"beacon/kvstore", "node key"}}, {{"beacon", "chain data"}, {"logs", "logs"}}),
         role(Role::validator, "teku", {{"validator/key-manager", "imported keys"}}, {},
              {{"validator/slashprotection", SlashingFormat::teku_yaml}})}));
    specs.push_back(client(Client::nimbus, "nimbus", "Nimbus",
        {role(Role::consensus, "nimbus_beacon_node", {{"netkey", "node key"}}, {{"db", "chain data"}}),
         role(Role::validator, "nimbus_validator_client", {{"validators", "keystores"}, {"secrets", "passwords"}}, {},
              {{"validators/slashing_protection.sqlite3", SlashingFormat::nimbus_sqlite}})}));
    specs.push_back(client(Client::lodestar, "lodestar", "Lodestar",
        {role(Role::consensus, "lodestar", {{"peer-id.json", "node key"}, {"enr", "ENR"}}, {{"chain-db", "chain data"}}),
         role(Role::validator, "lodestar", {{"keystores", "keystores"}, {"secrets", "passwords"}}, {},
              {{"validator-db", SlashingFormat::lodestar_leveldb}})}));
    specs.push_back(client(Client::grandine, "grandine", "Grandine",
        {role(Role::consensus, "grandine", {{"network", "node key"}}, {{"beacon", "chain data"}}),
         role(Role::validator, "grandine", {{"keystores", "keystores"}}, {},
              {{"validator/slashing_protection.sqlite", SlashingFormat::grandine_sqlite}})}));
    return specs;
}

}  // namespace ephemery::clients
