// Execution clients: how each runs on Ephemery from the release files, and what a reset keeps and wipes.
// Started from docs/ephemery-facts.md §3; every fact below was checked against the client's own source
// or documentation (the URLs in each entry's sources), and against how ethpandaops/ethereum-package,
// pk910/ephemery-client-wrapper and ephemery-testnet/ephemery-scripts launch and reset these clients.
#include "clients/catalog.hpp"
#include "clients/catalog_detail.hpp"

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ephemery::clients {

namespace {

using detail::link;

// Required arguments, one token each.
std::vector<Argument> args(std::initializer_list<std::string_view> texts) {
    std::vector<Argument> arguments;
    arguments.reserve(texts.size());
    for (const std::string_view text : texts) {
        arguments.push_back({.text = std::string(text), .optional = false});
    }
    return arguments;
}

// Every execution client's defaults: devp2p on 30303 (TCP, discovery on the same UDP port), JSON-RPC 8545,
// Engine API 8551; only the metrics port differs. `extra` lists further ports a client opens.
std::vector<Port> el_ports(std::uint16_t metrics, std::vector<Port> extra = {}) {
    std::vector<Port> ports{{.name = "p2p", .number = 30303, .transport = Transport::tcp_and_udp},
                            {.name = "http", .number = 8545, .transport = Transport::tcp},
                            {.name = "engine", .number = 8551, .transport = Transport::tcp},
                            {.name = "metrics", .number = metrics, .transport = Transport::tcp}};
    ports.insert(ports.end(), std::make_move_iterator(extra.begin()), std::make_move_iterator(extra.end()));
    return ports;
}

// eth_syncing answers as soon as the RPC server is up, synced or not: a liveness check every client has.
HealthCheck rpc_health() {
    return {.kind = HealthKind::json_rpc, .port = "http", .path = "eth_syncing"};
}

ClientSpec execution_client(Client id, std::string name, std::string display, RoleSpec role, bool knows_ephemery) {
    return {.client = id,
            .name = std::move(name),
            .display_name = std::move(display),
            .roles = {std::move(role)},
            .knows_ephemery_by_name = knows_ephemery,
            .devnet_roles = {}};
}

// Geth.
// - node key <datadir>/geth/nodekey (instance dir "geth"), accounts <datadir>/keystore: node/config.go
// - 8545/8551/30303: node/defaults.go; metrics 6060: metrics/config.go
// - network id defaults to the genesis chain id (--networkid only warns), --override.genesis, vhosts:
//   cmd/utils/flags.go; hostnames (not IPs) are checked against *.vhosts, so containers need "*":
//   node/rpcstack.go
// - --log.format=json: internal/debug/flags.go; init: cmd/geth/chaincmd.go; image tags: build/ci.go
// - reset (wipe geth/ but nodekey, then geth init): ephemery-scripts retention.sh, ephemery-client-wrapper
//   geth/wrapper.sh
ClientSpec geth() {
    return execution_client(
        Client::geth, "geth", "Geth",
        {
            .role = Role::execution,
            .program = "geth",
            .run = args({"--datadir={data_dir}", "--networkid={chain_id}", "--bootnodes={bootnodes_enode}",
                         "--port={p2p_port}", "--syncmode=snap", "--http", "--http.addr={bind_address}",
                         "--http.port={http_port}", "--http.api=eth,net,web3", "--http.vhosts=*",
                         "--authrpc.addr={bind_address}", "--authrpc.port={engine_port}", "--authrpc.vhosts=*",
                         "--authrpc.jwtsecret={jwt_file}", "--metrics", "--metrics.addr={bind_address}",
                         "--metrics.port={metrics_port}"}),
            // The chain data is gone after a wipe; geth init writes the new genesis into <datadir>/geth/chaindata.
            .init = args({"geth", "init", "--datadir={data_dir}", "{genesis_json}"}),
            .json_logs = args({"--log.format=json"}),
            .keep = {{.path = "geth/nodekey", .what = "node key (enode identity)"},
                     {.path = "keystore", .what = "account keystores"}},
            // geth/ holds chaindata (with ancient/), nodes (discovery db), blobpool, triecache, LOCK: all
            // chain-specific.
            .wipe = {{.path = "geth", .what = "chain data, discovery db, tx/blob pools"}},
            .slashing = {},
            .ports = el_ports(6060),
            .health = rpc_health(),
            .image = "ethereum/client-go:stable",
            .notes =
                {"Genesis is written by `geth init` after each wipe (recent releases also accept --override.genesis).",
                 "The network id defaults to the genesis chain id; --networkid (for old releases) only warns.",
                 "Snap sync (the default); use --syncmode=full if too few peers serve snap."},
            .sources = {"https://github.com/ethereum/go-ethereum/blob/master/node/config.go",
                        "https://github.com/ethereum/go-ethereum/blob/master/node/defaults.go",
                        "https://github.com/ethereum/go-ethereum/blob/master/node/rpcstack.go",
                        "https://github.com/ethereum/go-ethereum/blob/master/metrics/config.go",
                        "https://github.com/ethereum/go-ethereum/blob/master/cmd/utils/flags.go",
                        "https://github.com/ethereum/go-ethereum/blob/master/internal/debug/flags.go",
                        "https://github.com/ethereum/go-ethereum/blob/master/cmd/geth/chaincmd.go",
                        "https://github.com/ethereum/go-ethereum/blob/master/build/ci.go",
                        "https://github.com/ephemery-testnet/ephemery-scripts/blob/master/retention.sh"},
        },
        false);
}

// Nethermind.
// - every option, its CLI spelling and default (--data-dir replaces --datadir; BaseDbPath "db", KeyStoreDirectory
//   "keystore", Engine 127.0.0.1:8551, no metrics port default, HealthChecks off): docs.nethermind.io configuration,
//   json-rpc-server, health-check
// - node.key.plain lives in KeyStore.KeyStoreDirectory: Nethermind.Wallet/NodeKeyManager.cs
// - SnapSync implies FastSync: Nethermind.Blockchain/Synchronization/SyncConfig.cs
// - --config=none (no preset) with Init.ChainSpecPath for custom networks: ethereum-package nethermind_launcher.star,
//   ephemery-client-wrapper nethermind/wrapper.sh (which also passes Init.GenesisHash)
// - no JSON log option, logging is NLog (--logger-config): docs.nethermind.io logs; image: installing-nethermind
ClientSpec nethermind() {
    return execution_client(
        Client::nethermind, "nethermind", "Nethermind",
        {
            .role = Role::execution,
            .program = "nethermind",
            // DB and keystore are given as absolute paths so keep/wipe do not depend on a preset or release default.
            .run = args({"--config=none",
                         "--data-dir={data_dir}",
                         "--Init.ChainSpecPath={chainspec_json}",
                         "--Init.GenesisHash={genesis_block_hash}",
                         "--Init.BaseDbPath={data_dir}/nethermind_db",
                         "--KeyStore.KeyStoreDirectory={data_dir}/keystore",
                         "--Network.Bootnodes={bootnodes_enode}",
                         "--Network.P2PPort={p2p_port}",
                         "--Network.DiscoveryPort={p2p_port}",
                         "--Sync.SnapSync=true",
                         "--JsonRpc.Enabled=true",
                         "--JsonRpc.Host={bind_address}",
                         "--JsonRpc.Port={http_port}",
                         "--JsonRpc.EnabledModules=eth,net,web3",
                         "--JsonRpc.EngineHost={bind_address}",
                         "--JsonRpc.EnginePort={engine_port}",
                         "--JsonRpc.JwtSecretFile={jwt_file}",
                         "--Metrics.Enabled=true",
                         "--Metrics.ExposeHost={bind_address}",
                         "--Metrics.ExposePort={metrics_port}"}),
            .init = {},  // the chainspec is read at start-up
            .json_logs = {},
            .keep = {{.path = "keystore/node.key.plain", .what = "node key (enode identity)"},
                     {.path = "keystore", .what = "node key and account keystores"}},
            // nethermind_db holds every database, the peer and discovery dbs included; logs/ is left alone.
            .wipe = {{.path = "nethermind_db", .what = "chain data, peer and discovery dbs"}},
            .slashing = {},
            .ports = el_ports(6060),
            .health = rpc_health(),
            .image = "nethermind/nethermind:latest",
            .notes = {"--config=none: without it the mainnet preset (pivot, bootnodes) would apply.",
                      "JSON logs need a custom NLog.config (--logger-config); there is no flag.",
                      "/health needs --HealthChecks.Enabled=true and answers 503 while syncing or without peers.",
                      "No default metrics port; 6060 is ephemery's choice.",
                      "Releases before --data-dir existed take --datadir."},
            .sources =
                {"https://docs.nethermind.io/fundamentals/configuration",
                 "https://docs.nethermind.io/interacting/json-rpc-server",
                 "https://docs.nethermind.io/monitoring/health-check", "https://docs.nethermind.io/fundamentals/logs",
                 "https://docs.nethermind.io/get-started/installing-nethermind",
                 link("https://github.com/NethermindEth/nethermind/blob/master/src/Nethermind/Nethermind.Wallet/",
                      "NodeKeyManager.cs"),
                 link("https://github.com/NethermindEth/nethermind/blob/master/src/Nethermind/Nethermind.Blockchain/",
                      "Synchronization/SyncConfig.cs"),
                 link("https://github.com/ethpandaops/ethereum-package/blob/main/src/el/nethermind/",
                      "nethermind_launcher.star")},
        },
        false);
}

// Besu.
// - node key <data-path>/key: crypto/algorithms/.../KeyPairUtil.java; database/, caches/:
//   controller/BesuController.java;
//   DATABASE_METADATA.json, VERSION_METADATA.json, chain-sync-state.rlp, syncFolder, txpool.dump in the data path:
//   DatabaseMetadata.java, VersionMetadata.java, ChainSyncStateStorage.java, SnapDownloaderFactory.java
// - sync mode defaults to FULL with --genesis-file; Engine API listens on --rpc-http-host: cli/BesuCommand.java
// - engine options and allowlist default localhost,127.0.0.1: cli/options/EngineRPCOptions.java
// - 8545/8551: JsonRpcConfiguration.java; 9545: MetricsConfiguration.java; /liveness: health/HealthService.java
// - --network=ephemery: BesuCommand.java, util/EphemeryGenesisUpdater.java, Runner.java
// - logging is log4j2 only (LOG4J_CONFIGURATION_FILE): cli/logging/XmlExtensionConfiguration.java
// - image hyperledger/besu: .github/workflows/container-verify.yml
ClientSpec besu() {
    return execution_client(
        Client::besu, "besu", "Besu",
        {
            .role = Role::execution,
            .program = "besu",
            .run =
                args({"--data-path={data_dir}", "--genesis-file={besu_json}", "--network-id={chain_id}",
                      "--bootnodes={bootnodes_enode}", "--p2p-port={p2p_port}", "--sync-mode=SNAP",
                      "--rpc-http-enabled=true", "--rpc-http-host={bind_address}", "--rpc-http-port={http_port}",
                      "--rpc-http-api=ETH,NET,WEB3", "--host-allowlist=*", "--engine-rpc-enabled=true",
                      "--engine-rpc-port={engine_port}", "--engine-jwt-secret={jwt_file}", "--engine-host-allowlist=*",
                      "--metrics-enabled=true", "--metrics-host={bind_address}", "--metrics-port={metrics_port}"}),
            .init = {},  // --genesis-file is read at start-up
            .json_logs = {},
            .keep = {{.path = "key", .what = "node key (enode identity)"}},
            // Besu owns its data path and spreads chain state over it (database/, caches/, DATABASE_METADATA.json,
            // VERSION_METADATA.json, sync state files, txpool.dump, uploads/); a stale sync state would resume the old
            // chain. Everything but the key goes, as Besu's own Ephemery restart does.
            .wipe = {{.path = ".", .what = "everything but the node key: database, caches, metadata, sync state"}},
            .slashing = {},
            .ports = el_ports(9545),
            .health = HealthCheck{.kind = HealthKind::http_get, .port = "http", .path = "/liveness"},
            .image = "hyperledger/besu:latest",
            .notes = {"--network=ephemery computes the current chain id and timestamp from its bundled genesis.",
                      "That genesis keeps the bundled alloc and forks; ephemery passes the release's --genesis-file.",
                      "--network=ephemery also uses <data-path>/Ephemery-data-chain-<id> and resets itself.",
                      "The Engine API listens on --rpc-http-host.",
                      "JSON logs need a custom log4j2 file (LOG4J_CONFIGURATION_FILE); there is no flag."},
            .sources =
                {link("https://github.com/hyperledger/besu/blob/main/app/src/main/java/org/hyperledger/besu/cli/",
                      "BesuCommand.java"),
                 link("https://github.com/hyperledger/besu/blob/main/app/src/main/java/org/hyperledger/besu/cli/"
                      "options/",
                      "EngineRPCOptions.java"),
                 link("https://github.com/hyperledger/besu/blob/main/app/src/main/java/org/hyperledger/besu/util/",
                      "EphemeryGenesisUpdater.java"),
                 "https://github.com/hyperledger/besu/blob/main/app/src/main/java/org/hyperledger/besu/Runner.java",
                 link(
                     "https://github.com/hyperledger/besu/blob/main/app/src/main/java/org/hyperledger/besu/controller/",
                     "BesuController.java"),
                 link("https://github.com/hyperledger/besu/blob/main/crypto/algorithms/src/main/java/org/hyperledger/"
                      "besu/",
                      "crypto/KeyPairUtil.java"),
                 link("https://github.com/hyperledger/besu/blob/main/ethereum/api/src/main/java/org/hyperledger/besu/",
                      "ethereum/api/jsonrpc/JsonRpcConfiguration.java"),
                 link("https://github.com/hyperledger/besu/blob/main/ethereum/api/src/main/java/org/hyperledger/besu/",
                      "ethereum/api/jsonrpc/health/HealthService.java"),
                 link("https://github.com/hyperledger/besu/blob/main/metrics/core/src/main/java/org/hyperledger/besu/",
                      "metrics/prometheus/MetricsConfiguration.java"),
                 "https://github.com/hyperledger/besu/blob/main/.github/workflows/container-verify.yml"},
        },
        true);
}

// Erigon.
// - node key <datadir>/nodekey: p2p/node_key_config.go
// - datadir layout (chaindata, snapshots, temp, downloader, txpool, nodes, caplin, LOCK): db/datadir/dirs.go
// - flags and defaults (--externalcl, --chain takes names only, HTTP on by default, torrent 42069, vhosts):
//   cmd/utils/flags.go; metrics 6061 and the other ports: erigontech/docs src/basic/ports.md
// - init subcommand, --log.console.json, --prune.mode default full: erigontech/docs src/advanced/options.md
// - `erigon init` then --networkid for custom networks: ethereum-package erigon_launcher.star, ephemery-scripts
// - image erigontech/erigon: erigontech/docs src/installation/docker.md
ClientSpec erigon() {
    return execution_client(
        Client::erigon, "erigon", "Erigon",
        {
            .role = Role::execution,
            .program = "erigon",
            .run =
                args({"--datadir={data_dir}", "--networkid={chain_id}", "--externalcl", "--bootnodes={bootnodes_enode}",
                      "--port={p2p_port}", "--http", "--http.addr={bind_address}", "--http.port={http_port}",
                      "--http.api=eth,net,web3", "--http.vhosts=*", "--authrpc.addr={bind_address}",
                      "--authrpc.port={engine_port}", "--authrpc.vhosts=*", "--authrpc.jwtsecret={jwt_file}",
                      "--metrics", "--metrics.addr={bind_address}", "--metrics.port={metrics_port}"}),
            // Still needed: --chain only takes built-in names, so a custom genesis must be written by init first.
            .init = args({"erigon", "init", "--datadir={data_dir}", "{genesis_json}"}),
            .json_logs = args({"--log.console.json"}),
            .keep = {{.path = "nodekey", .what = "node key (enode identity)"}},
            // Erigon owns its datadir and its layout changes between releases; snapshots/ holds frozen blocks of the
            // old chain and would be reused. Everything but the key goes.
            .wipe = {{.path = ".", .what = "everything but the node key: chaindata, snapshots, txpool, nodes, caplin"}},
            .slashing = {},
            .ports = el_ports(6061, {{.name = "torrent", .number = 42069, .transport = Transport::tcp_and_udp}}),
            .health = rpc_health(),
            .image = "erigontech/erigon:latest",
            .notes =
                {"--externalcl: otherwise Erigon 3 runs its built-in consensus client (Caplin).",
                 "Syncs from genesis (no snap sync, no published Ephemery snapshots); prune mode full (the default).",
                 "Also listens on 127.0.0.1:9090 (private gRPC API).",
                 "Releases speaking eth/67 and eth/68 open a second sentry on 30304 (--p2p.allowed-ports)."},
            .sources = {"https://github.com/erigontech/erigon/blob/main/p2p/node_key_config.go",
                        "https://github.com/erigontech/erigon/blob/main/db/datadir/dirs.go",
                        "https://github.com/erigontech/erigon/blob/main/cmd/utils/flags.go",
                        "https://github.com/erigontech/docs/blob/main/src/basic/ports.md",
                        "https://github.com/erigontech/docs/blob/main/src/advanced/options.md",
                        "https://github.com/erigontech/docs/blob/main/src/installation/docker.md",
                        "https://github.com/ethpandaops/ethereum-package/blob/main/src/el/erigon/erigon_launcher.star"},
        },
        false);
}

// Reth.
// - an explicit --datadir is used as is (the <chain> subdirectory only applies to the default location); its
//   layout (discovery-secret, db, static_files, rocksdb, blobstore, known-peers.json, reth.toml, jwt.hex, ...):
//   crates/node/core/src/dirs.rs
// - reth.toml also stores the prune config: crates/node/builder/src/launch/common.rs
// - genesis written by `reth node` on first start: crates/node/builder/src/launch/engine.rs
// - flags: crates/node/core/src/args/{rpc_server,network,metric,log,pruning}.rs
// - ports (discv5 on UDP 9200, metrics 9001): docs/vocs/docs/pages/run/faq/ports.mdx; image: installation/docker.mdx
ClientSpec reth() {
    return execution_client(
        Client::reth, "reth", "Reth",
        {
            .role = Role::execution,
            .program = "reth",
            .run = args({"node", "--datadir={data_dir}", "--chain={genesis_json}", "--full",
                         "--bootnodes={bootnodes_enode}", "--port={p2p_port}", "--discovery.port={p2p_port}", "--http",
                         "--http.addr={bind_address}", "--http.port={http_port}", "--http.api=eth,net,web3",
                         "--authrpc.addr={bind_address}", "--authrpc.port={engine_port}",
                         "--authrpc.jwtsecret={jwt_file}", "--metrics={bind_address}:{metrics_port}"}),
            // Not needed: `reth node` writes the genesis from --chain into an empty database at start-up.
            .init = {},
            .json_logs = args({"--log.stdout.format=json"}),
            .keep = {{.path = "discovery-secret", .what = "node key (enode identity)"}},
            // Reth owns its datadir: db, static_files, rocksdb, blobstore, known-peers.json, txpool backup, and
            // reth.toml, which records the prune config. Everything but the key goes.
            .wipe = {{.path = ".", .what = "everything but the node key: db, static files, pools, peers, reth.toml"}},
            .slashing = {},
            .ports = el_ports(9001, {{.name = "discovery", .number = 9200, .transport = Transport::udp}}),
            .health = rpc_health(),
            .image = "ghcr.io/paradigmxyz/reth:latest",
            .notes = {"Full (pruned) node; syncs from genesis (Reth does not snap sync).",
                      "discv5 listens on UDP 9200 (--discovery.v5.port), separate from the devp2p port."},
            .sources = {"https://github.com/paradigmxyz/reth/blob/main/crates/node/core/src/dirs.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/crates/node/builder/src/launch/common.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/crates/node/builder/src/launch/engine.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/crates/node/core/src/args/rpc_server.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/crates/node/core/src/args/network.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/crates/node/core/src/args/metric.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/crates/node/core/src/args/log.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/crates/node/core/src/args/pruning.rs",
                        "https://github.com/paradigmxyz/reth/blob/main/docs/vocs/docs/pages/run/faq/ports.mdx",
                        "https://github.com/paradigmxyz/reth/blob/main/docs/vocs/docs/pages/installation/docker.mdx"},
        },
        false);
}

}  // namespace

std::vector<ClientSpec> execution_client_specs() {
    std::vector<ClientSpec> specs;
    specs.push_back(geth());
    specs.push_back(nethermind());
    specs.push_back(besu());
    specs.push_back(erigon());
    specs.push_back(reth());
    return specs;
}

}  // namespace ephemery::clients
