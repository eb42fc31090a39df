#pragma once

#include "clients/client.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The client catalog: everything ephemery knows about running and resetting each client, as data.
// The entries live in catalog_execution.cpp and catalog_consensus.cpp, each fact with its source.
//
// Paths are relative to the data directory of one (client, role) instance, which ephemery passes to the
// client as its data dir (--datadir, --data-path, --data-dir, ...). They never start with '/' or contain "..".
namespace ephemery::clients {

// A path the reset must leave byte-for-byte as it is.
struct KeptPath {
    std::string path;
    std::string what;  // "node key (enode identity)", "validator keystores"
};

// A path holding chain data: the reset deletes it with everything below it, except kept paths below it.
// "." is the whole data dir.
struct WipedPath {
    std::string path;
    std::string what;
};

// How a validator client stores its slashing protection, which decides what can be read from it.
enum class SlashingFormat {
    lighthouse_sqlite,  // SQLite: validators, signed_blocks, signed_attestations (no GVR stored)
    nimbus_sqlite,      // SQLite with the GVR in its metadata
    teku_yaml,          // a directory of <pubkey>.yml, each with genesis_validators_root
    prysm_bolt,         // BoltDB (validator.db)
    lodestar_leveldb,   // LevelDB directory
    grandine_sqlite,    // SQLite
};

[[nodiscard]] std::string_view slashing_format_name(SlashingFormat format);

struct SlashingStore {
    std::string path;  // file or directory
    SlashingFormat format{SlashingFormat::lighthouse_sqlite};
};

// One command-line argument. Placeholders in braces are filled by render_arguments() (see placeholders
// below). An optional argument is dropped when a placeholder in it has an empty value; a required one with
// an empty value is an error.
struct Argument {
    std::string text;
    bool optional{false};
};

enum class Transport { tcp, udp, tcp_and_udp };

struct Port {
    std::string name;  // p2p, http, engine, metrics, keymanager, ...
    std::uint16_t number{0};
    Transport transport{Transport::tcp};
};

enum class HealthKind {
    beacon_api,  // GET path on the http port; 200 or 206 is alive
    json_rpc,    // POST {"method": path} on the http port; a result is alive
    http_get,    // GET path on the named port; 200 is alive
};

struct HealthCheck {
    HealthKind kind{HealthKind::http_get};
    std::string port;  // name of a Port
    std::string path;  // URL path, or the JSON-RPC method
};

// What a client needs and does in one role.
struct RoleSpec {
    Role role{Role::execution};
    std::string program;              // the executable's usual name on PATH
    std::vector<Argument> run;        // arguments after the program (for Teku/Prysm/Nimbus VC: the subcommand first)
    std::vector<Argument> init;       // a genesis-init command run after a wipe (program first); empty: none
    std::vector<Argument> json_logs;  // added when logging.format is json; empty: the client has no such option
    std::vector<KeptPath> keep;
    std::vector<WipedPath> wipe;
    std::vector<SlashingStore> slashing;  // validator role: the slashing-protection store(s)
    std::vector<Port> ports;
    std::optional<HealthCheck> health;
    std::string image;                 // container image for the compose backend
    std::vector<std::string> notes;    // facts an operator should know (shown by `ephemery clients show`)
    std::vector<std::string> sources;  // where the facts above come from (documentation URLs)
};

// Which command line of a client: the current releases the public network runs, or the pinned Lodestar v1.5.1
// of the offline devnet (`ephemery devnet`: minimal preset, mock execution engine, one node, no bootnodes).
enum class Edition { current, devnet };

struct ClientSpec {
    Client client{Client::geth};
    std::string name;          // "geth"
    std::string display_name;  // "Geth"
    std::vector<RoleSpec> roles;
    // Whether the client knows Ephemery by name (--network ephemery). ephemery still passes the release
    // files, because a built-in network only knows the iteration it was released with.
    bool knows_ephemery_by_name{false};
    // The devnet edition of the roles; empty when the client cannot run the devnet.
    std::vector<RoleSpec> devnet_roles;
};

// Placeholders a launch or init argument may use. Paths are absolute.
//   {data_dir}          this instance's data dir
//   {chain_id}          39438000 + N (also the execution network id)
//   {genesis_json}      execution genesis (Geth, Erigon, Reth)      {besu_json}      Besu genesis
//   {chainspec_json}    Nethermind chainspec                         {genesis_block_hash} execution genesis hash
//   {config_yaml}       consensus config                             {genesis_ssz}    consensus genesis state
//   {testnet_dir}       a directory with config.yaml, genesis.ssz, deploy_block.txt, deposit_contract_block.txt,
//                       deposit_contract_block_hash.txt (Nimbus), boot_enr.yaml and bootstrap_nodes.txt (Grandine):
//                       the "testnet dir" form of Lighthouse, Nimbus, Grandine and Prysm, prepared by ephemery
//   {deposit_contract_block}  block number of the deposit contract
//   {bootnodes_enr}     consensus bootnodes, comma separated        {bootnodes_enode} execution bootnodes, comma
//   separated {jwt_file}          the 32-byte hex JWT secret shared by EL and CL {engine_url}        the EL's engine
//   API as the CL reaches it      {beacon_url}   the CL's beacon API as the VC reaches it {execution_rpc_url} the EL's
//   JSON-RPC as the CL reaches it (Prysm, Nimbus need it for nothing else) {checkpoint_url}    checkpoint-sync source
//   (optional) {p2p_port} {http_port} {engine_port} {metrics_port} {keymanager_port}  this instance's ports
//   {keystores_dir} {secrets_dir} {password_file} {wallet_dir}  validator keys as laid out for this client
//   {fee_recipient} {graffiti}  (optional)
//   {bind_address}      listen address of the APIs (127.0.0.1 unless configured)
inline constexpr std::array<std::string_view, 29> placeholder_names{
    "data_dir",           "chain_id",        "genesis_json",  "besu_json",    "chainspec_json",
    "genesis_block_hash", "config_yaml",     "genesis_ssz",   "testnet_dir",  "deposit_contract_block",
    "bootnodes_enr",      "bootnodes_enode", "jwt_file",      "engine_url",   "beacon_url",
    "execution_rpc_url",  "checkpoint_url",  "p2p_port",      "http_port",    "engine_port",
    "metrics_port",       "keymanager_port", "keystores_dir", "secrets_dir",  "password_file",
    "wallet_dir",         "fee_recipient",   "graffiti",      "bind_address",
};

// Every client, in the order of the Client enum.
[[nodiscard]] const std::vector<ClientSpec>& catalog();
[[nodiscard]] const ClientSpec& spec_of(Client client);
// The client's spec for the role in that edition; nullptr when it does not play it (in that edition).
[[nodiscard]] const RoleSpec* role_spec(Client client, Role role, Edition edition = Edition::current);
[[nodiscard]] std::string_view edition_name(Edition edition);

[[nodiscard]] std::string_view client_name(Client client);
[[nodiscard]] std::string_view role_name(Role role);
[[nodiscard]] std::optional<Client> client_from_name(std::string_view name);
[[nodiscard]] std::optional<Role> role_from_name(std::string_view name);

// {network}-{role}-{client}: service, container and unit name.
[[nodiscard]] std::string service_name(std::string_view network, Role role, Client client);

// Fills the placeholders. Fails naming the argument when a required placeholder has no value or a
// placeholder is unknown.
[[nodiscard]] Result<std::vector<std::string>> render_arguments(const std::vector<Argument>& arguments,
                                                                const std::map<std::string, std::string>& values);

// Placeholders used by the arguments (sorted, unique).
[[nodiscard]] std::vector<std::string> placeholders_in(const std::vector<Argument>& arguments);

// Entries of the catalog, defined one file per layer (execution, consensus and validator).
[[nodiscard]] std::vector<ClientSpec> execution_client_specs();
[[nodiscard]] std::vector<ClientSpec> consensus_client_specs();

}  // namespace ephemery::clients
