// Consensus (beacon node) and validator clients. Each entry was checked against the client's own source and
// docs and against the tools that already run these clients on Ephemery or on custom networks:
//   ethereum-package  https://github.com/ethpandaops/ethereum-package (src/cl/*/, src/vc/*.star)
//   client wrapper    https://github.com/pk910/ephemery-client-wrapper (clients/*/wrapper.sh)
//   retention script  https://github.com/ephemery-testnet/ephemery-scripts/blob/master/retention.sh
//   eth-docker        https://github.com/ethstaker/eth-docker/blob/main/default.env (official images, tags)
// Every instance gets its own data dir, so validator-role paths are relative to the validator client's dir.
#include "clients/catalog.hpp"
#include "clients/catalog_detail.hpp"

namespace ephemery::clients {

namespace {

using Arguments = std::vector<Argument>;

// An argument dropped when its placeholder has no value (checkpoint URL, fee recipient, graffiti).
Argument when_set(std::string text) {
    return {.text = std::move(text), .optional = true};
}

using detail::link;

// A Java source of Teku: module, then the path below tech/pegasys/teku/.
std::string teku_source(std::string_view module, std::string_view file) {
    return link("https://github.com/Consensys/teku/blob/master/",
                link(module, link("/src/main/java/tech/pegasys/teku/", file)));
}

Port tcp(std::string name, std::uint16_t number) {
    return {.name = std::move(name), .number = number, .transport = Transport::tcp};
}
Port udp(std::string name, std::uint16_t number) {
    return {.name = std::move(name), .number = number, .transport = Transport::udp};
}
Port tcp_and_udp(std::string name, std::uint16_t number) {
    return {.name = std::move(name), .number = number, .transport = Transport::tcp_and_udp};
}

// Every beacon node here serves the standard health endpoint on its beacon API.
HealthCheck beacon_health() {
    return {.kind = HealthKind::beacon_api, .port = "http", .path = "/eth/v1/node/health"};
}
// Validator clients have no unauthenticated status endpoint of their own; their Prometheus endpoint answers
// 200 without a token once the process is up.
HealthCheck metrics_health() {
    return {.kind = HealthKind::http_get, .port = "metrics", .path = "/metrics"};
}

ClientSpec client(Client id, std::string name, std::string display, std::vector<RoleSpec> roles, bool knows_ephemery) {
    return {.client = id,
            .name = std::move(name),
            .display_name = std::move(display),
            .roles = std::move(roles),
            .knows_ephemery_by_name = knows_ephemery,
            .devnet_roles = {}};
}

// Lighthouse. Layout: datadir/beacon/{chain_db,freezer_db,blobs_db,network/{key,enr.dat}} for the BN, and
// datadir/{validators,secrets} with validators/slashing_protection.sqlite for the VC
// (common/directory/src/lib.rs, beacon_node/src/config.rs get_data_dir, validator_client/src/config.rs,
// slashing_protection/src/lib.rs SLASHING_PROTECTION_FILENAME). Flags: book/src/help_bn.md, help_vc.md.
// --allow-insecure-genesis-sync conflicts with --checkpoint-sync-url (beacon_node/src/cli.rs), and without
// either Lighthouse refuses a genesis sync once the blob window (4096 epochs less 2, ~18 days) has passed
// (beacon_node/client/src/builder.rs): the catalog cannot say "only when no checkpoint", hence the note.
ClientSpec lighthouse() {
    RoleSpec beacon{
        .role = Role::consensus,
        .program = "lighthouse",
        .run = {{"beacon_node"},
                {"--datadir={data_dir}"},
                {"--testnet-dir={testnet_dir}"},
                when_set("--boot-nodes={bootnodes_enr}"),
                {"--execution-endpoint={engine_url}"},
                {"--execution-jwt={jwt_file}"},
                when_set("--checkpoint-sync-url={checkpoint_url}"),
                {"--port={p2p_port}"},
                {"--http"},
                {"--http-address={bind_address}"},
                {"--http-port={http_port}"},
                {"--metrics"},
                {"--metrics-address={bind_address}"},
                {"--metrics-port={metrics_port}"},
                when_set("--suggested-fee-recipient={fee_recipient}")},
        .init = {},
        .json_logs = {{"--log-format=JSON"}},
        .keep = {{"beacon/network", "node key (key) and ENR (enr.dat)"}},
        .wipe = {{"beacon", "chain_db, freezer_db, blobs_db and logs (beacon/network is kept)"}},
        .slashing = {},
        .ports = {tcp_and_udp("p2p", 9000), udp("quic", 9001), tcp("http", 5052), tcp("metrics", 5054)},
        .health = beacon_health(),
        .image = "sigp/lighthouse:latest",
        .notes = {"QUIC listens on the p2p port + 1 (UDP).",
                  "Without a checkpoint URL Lighthouse refuses to sync from genesis after ~18 days of an iteration; "
                  "then add --allow-insecure-genesis-sync (it conflicts with --checkpoint-sync-url)."},
        .sources = {"https://github.com/sigp/lighthouse/blob/unstable/book/src/help_bn.md",
                    "https://github.com/sigp/lighthouse/blob/unstable/common/directory/src/lib.rs",
                    "https://github.com/sigp/lighthouse/blob/unstable/beacon_node/src/config.rs",
                    "https://github.com/sigp/lighthouse/blob/unstable/beacon_node/client/src/builder.rs",
                    "https://github.com/pk910/ephemery-client-wrapper/blob/master/clients/lighthouse/wrapper.sh"},
    };
    RoleSpec validator{
        .role = Role::validator,
        .program = "lighthouse",
        // --datadir puts keys in validators/ and secrets/ (the layout keyfiles writes, auto-discovered);
        // --init-slashing-protection because a reset deletes the database the VC otherwise insists on.
        .run = {{"validator_client"},
                {"--datadir={data_dir}"},
                {"--testnet-dir={testnet_dir}"},
                {"--beacon-nodes={beacon_url}"},
                {"--init-slashing-protection"},
                when_set("--suggested-fee-recipient={fee_recipient}"),
                when_set("--graffiti={graffiti}"),
                {"--metrics"},
                {"--metrics-address={bind_address}"},
                {"--metrics-port={metrics_port}"},
                {"--http"},
                {"--http-address={bind_address}"},
                {"--unencrypted-http-transport"},
                {"--http-port={keymanager_port}"}},
        .init = {},
        .json_logs = {{"--log-format=JSON"}},
        .keep = {{"validators", "keystores, validator_definitions.yml and api-token.txt"},
                 {"secrets", "keystore passwords"}},
        .wipe = {},
        .slashing = {{"validators/slashing_protection.sqlite", SlashingFormat::lighthouse_sqlite}},
        .ports = {tcp("metrics", 5064), tcp("keymanager", 5062)},
        .health = metrics_health(),
        .image = "sigp/lighthouse:latest",
        .notes = {"The slashing database lives inside the kept validators/ directory: delete only that file.",
                  "Keymanager API token: validators/api-token.txt (created on first start)."},
        .sources = {"https://github.com/sigp/lighthouse/blob/unstable/book/src/help_vc.md",
                    "https://github.com/sigp/lighthouse/blob/unstable/validator_client/src/config.rs",
                    "https://github.com/sigp/lighthouse/blob/unstable/validator_client/slashing_protection/src/lib.rs",
                    "https://github.com/ephemery-testnet/ephemery-scripts/blob/master/retention.sh"},
    };
    return client(Client::lighthouse, "lighthouse", "Lighthouse", {std::move(beacon), std::move(validator)}, false);
}

// Prysm. BN: datadir/{beaconchaindata,blobs,data-columns} (beacon-chain/db/kv/kv.go BeaconNodeDbDirName,
// cmd/beacon-chain/storage/options.go), node key datadir/network-keys, written when --p2p-static-id is set or
// Fulu is active (beacon-chain/p2p/utils.go). --bootstrap-node takes one ENR per flag or a .yaml list
// (beacon-chain/node/registration/p2p.go), so the testnet dir's boot_enr.yaml is passed. VC: validator.db in
// --datadir when that is not the default (validator/node/node.go, validator/db/kv/db.go); keys live in the wallet.
// Images are pushed to gcr.io/offchainlabs/prysm/* (cmd/*/BUILD.bazel); eth-docker default.env uses :stable.
ClientSpec prysm() {
    RoleSpec beacon{
        .role = Role::consensus,
        .program = "beacon-chain",
        .run = {{"--accept-terms-of-use"},
                {"--datadir={data_dir}"},
                {"--chain-config-file={config_yaml}"},
                {"--genesis-state={genesis_ssz}"},
                {"--bootstrap-node={testnet_dir}/boot_enr.yaml"},
                {"--contract-deployment-block={deposit_contract_block}"},
                {"--execution-endpoint={engine_url}"},
                {"--jwt-secret={jwt_file}"},
                when_set("--checkpoint-sync-url={checkpoint_url}"),
                {"--p2p-static-id"},
                {"--p2p-tcp-port={p2p_port}"},
                {"--p2p-quic-port={p2p_port}"},
                {"--http-host={bind_address}"},
                {"--http-port={http_port}"},
                {"--monitoring-host={bind_address}"},
                {"--monitoring-port={metrics_port}"},
                when_set("--suggested-fee-recipient={fee_recipient}")},
        .init = {},
        .json_logs = {{"--log-format=json"}},
        .keep = {{"network-keys", "node key (hex secp256k1)"}},
        .wipe = {{"beaconchaindata", "beacon database"},
                 {"blobs", "blob sidecars"},
                 {"data-columns", "data column sidecars"}},
        .slashing = {},
        .ports = {tcp_and_udp("p2p", 13000), udp("discovery", 12000), tcp("http", 3500), tcp("grpc", 4000),
                  tcp("metrics", 8080)},
        .health = beacon_health(),
        .image = "gcr.io/offchainlabs/prysm/beacon-chain:stable",
        .notes = {"Discovery (discv5) keeps its own UDP port, 12000 by default; TCP and QUIC share the p2p port.",
                  "Older wrappers deleted the whole data dir and with it network-keys: the node identity."},
        .sources = {"https://github.com/OffchainLabs/prysm/blob/develop/beacon-chain/p2p/utils.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/beacon-chain/db/kv/kv.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/cmd/beacon-chain/storage/options.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/cmd/flags.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/cmd/beacon-chain/flags/base.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/beacon-chain/node/registration/p2p.go",
                    "https://github.com/ethpandaops/ethereum-package/blob/main/src/cl/prysm/prysm_launcher.star"},
    };
    RoleSpec validator{
        .role = Role::validator,
        .program = "validator",
        // REST instead of gRPC so any beacon node works; the token file is moved into the data dir because its
        // default (~/.eth2validators/prysm-wallet-v2/auth-token) is outside it.
        .run = {{"--accept-terms-of-use"},
                {"--datadir={data_dir}"},
                {"--chain-config-file={config_yaml}"},
                {"--beacon-rest-api-provider={beacon_url}"},
                {"--enable-beacon-rest-api"},
                {"--wallet-dir={wallet_dir}"},
                {"--wallet-password-file={password_file}"},
                when_set("--suggested-fee-recipient={fee_recipient}"),
                when_set("--graffiti={graffiti}"),
                {"--monitoring-host={bind_address}"},
                {"--monitoring-port={metrics_port}"},
                {"--rpc"},
                {"--http-host={bind_address}"},
                {"--http-port={keymanager_port}"},
                {"--keymanager-token-file={data_dir}/auth-token"}},
        .init = {},
        .json_logs = {{"--log-format=json"}},
        .keep = {{"wallet", "Prysm wallet (direct/accounts/all-accounts.keystore.json) when {wallet_dir} is here"},
                 {"auth-token", "keymanager API token"}},
        .wipe = {},
        .slashing = {{"validator.db", SlashingFormat::prysm_bolt}},
        .ports = {tcp("metrics", 8081), tcp("keymanager", 7500)},
        .health = metrics_health(),
        .image = "gcr.io/offchainlabs/prysm/validator:stable",
        .notes = {"validator.db sits in --datadir; only with the default --datadir did Prysm use the wallet dir "
                  "(prysm-wallet-v2/direct/validator.db), where older scripts look for it.",
                  "--enable-minimal-slashing-protection would keep a validator-client-data/ directory instead; "
                  "it is not used here."},
        .sources = {"https://github.com/OffchainLabs/prysm/blob/develop/validator/node/node.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/validator/db/kv/db.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/cmd/validator/flags/flags.go",
                    "https://github.com/OffchainLabs/prysm/blob/develop/config/features/flags.go",
                    "https://github.com/ethpandaops/ethereum-package/blob/main/src/vc/prysm.star"},
    };
    return client(Client::prysm, "prysm", "Prysm", {std::move(beacon), std::move(validator)}, false);
}

// Teku. --data-path holds beacon/ (db, network.yml, kvstore/) and validator/ (slashprotection/, key-manager/)
// (SeparateServiceDataDirLayout.java, VersionedDatabaseFactory.java). The node key is the key-value store entry
// generated-node-key, a file beacon/kvstore/generated-node-key.dat (LibP2PPrivateKeyLoader.java,
// FileKeyValueStore.java, BeaconChainController.java). Slashing protection: validator/slashprotection/<pubkey>.yml
// (ValidatorClientService.java). Options: teku/src/main/java/tech/pegasys/teku/cli/options/*.java.
// --ignore-weak-subjectivity-period-enabled, as ethereum-package passes it without checkpoint sync; it does not
// conflict with --checkpoint-sync-url. Teku has no JSON log flag (only a custom log4j2 configuration).
ClientSpec teku() {
    RoleSpec beacon{
        .role = Role::consensus,
        .program = "teku",
        .run = {{"--data-path={data_dir}"},
                {"--network={config_yaml}"},
                {"--genesis-state={genesis_ssz}"},
                {"--p2p-discovery-bootnodes={bootnodes_enr}"},
                {"--ee-endpoint={engine_url}"},
                {"--ee-jwt-secret-file={jwt_file}"},
                when_set("--checkpoint-sync-url={checkpoint_url}"),
                {"--ignore-weak-subjectivity-period-enabled=true"},
                {"--p2p-port={p2p_port}"},
                {"--rest-api-enabled=true"},
                {"--rest-api-interface={bind_address}"},
                {"--rest-api-port={http_port}"},
                {"--rest-api-host-allowlist=*"},
                {"--metrics-enabled=true"},
                {"--metrics-interface={bind_address}"},
                {"--metrics-port={metrics_port}"},
                {"--metrics-host-allowlist=*"}},
        .init = {},
        .json_logs = {},
        .keep = {{"beacon/kvstore", "node key (generated-node-key.dat)"}},
        .wipe = {{"beacon", "db, network.yml and the rest of the beacon data (beacon/kvstore is kept)"},
                 {"logs", "log files"}},
        .slashing = {},
        .ports = {tcp_and_udp("p2p", 9000), udp("quic", 9001), tcp("http", 5051), tcp("metrics", 8008)},
        .health = beacon_health(),
        .image = "consensys/teku:latest",
        .notes = {"--network ephemery knows only the iteration the release was built with; the release files are "
                  "passed instead.",
                  "Teku refuses slots past EPHEMERY_RESET_PERIOD from config.yaml: restart it with the new release.",
                  "The host allowlists are '*' so that a VC or Prometheus in another container may connect; the "
                  "APIs still listen on {bind_address} only.",
                  "JSON logs need a custom log4j2 configuration (LOG4J_CONFIGURATION_FILE); Teku has no flag."},
        .sources = {teku_source("networking/p2p", "networking/p2p/libp2p/LibP2PPrivateKeyLoader.java"),
                    teku_source("storage", "storage/store/FileKeyValueStore.java"),
                    teku_source("teku", "cli/options/Eth2NetworkOptions.java"),
                    teku_source("networking/p2p", "networking/p2p/network/config/NetworkConfig.java"),
                    "https://github.com/pk910/ephemery-client-wrapper/blob/master/clients/teku/wrapper.sh"},
    };
    RoleSpec validator{
        .role = Role::validator,
        .program = "teku",
        // keys:passwords directories, each <name>.json with a <name>.txt password (the keyfiles teku layout).
        .run = {{"validator-client"},
                {"--data-path={data_dir}"},
                {"--network={config_yaml}"},
                {"--beacon-node-api-endpoint={beacon_url}"},
                {"--validator-keys={keystores_dir}:{secrets_dir}"},
                when_set("--validators-proposer-default-fee-recipient={fee_recipient}"),
                when_set("--validators-graffiti={graffiti}"),
                {"--metrics-enabled=true"},
                {"--metrics-interface={bind_address}"},
                {"--metrics-port={metrics_port}"},
                {"--metrics-host-allowlist=*"}},
        .init = {},
        .json_logs = {},
        .keep = {{"keys", "keystores"},
                 {"passwords", "keystore passwords"},
                 {"validator/key-manager", "keys imported through the keymanager API and its bearer token"}},
        .wipe = {},
        .slashing = {{"validator/slashprotection", SlashingFormat::teku_yaml}},
        .ports = {tcp("metrics", 8008), tcp("keymanager", 5052)},
        .health = metrics_health(),
        .image = "consensys/teku:latest",
        .notes = {"The keymanager (validator) API is not enabled: Teku requires a TLS keystore for it "
                  "(--validator-api-keystore-file) unless hidden --Xvalidator-api-* flags are used.",
                  "Slashing protection is one YAML file per key, each with the genesis_validators_root; Teku "
                  "uses no SQLite file (an old script deletes one that never exists)."},
        .sources = {teku_source("validator/client", "validator/client/ValidatorClientService.java"),
                    teku_source("teku", "cli/options/ValidatorRestApiOptions.java"),
                    "https://github.com/ethpandaops/ethereum-package/blob/main/src/vc/teku.star"},
    };
    return client(Client::teku, "teku", "Teku", {std::move(beacon), std::move(validator)}, true);
}

// Nimbus. --netkey-file defaults to "random": a new identity every start, so the key is put in the data dir
// with the built-in insecure password (beacon_chain/conf.nim, networking/eth2_network.nim getPersistentNetKeys).
// --network accepts a directory with config.yaml, genesis.ssz, deposit_contract_block.txt or deploy_block.txt,
// deposit_contract_block_hash.txt and boot_enr.yaml (networking/network_metadata.nim). The BN always opens
// validators/slashing_protection.sqlite3 and quits when its genesis_validators_root differs
// (nimbus_beacon_node.nim, validators/slashing_protection_v2.nim), so the BN role wipes it too. SQLite runs in
// WAL mode (nim-eth eth/db/kvstore_sqlite3.nim). --external-beacon-api-url without a trusted root falls back to
// the genesis block root when Altair is at genesis, as on Ephemery (nimbus_beacon_node.nim).
ClientSpec nimbus() {
    RoleSpec beacon{
        .role = Role::consensus,
        .program = "nimbus_beacon_node",
        .run = {{"--non-interactive"},
                {"--data-dir={data_dir}"},
                {"--network={testnet_dir}"},
                {"--netkey-file={data_dir}/netkey"},
                {"--insecure-netkey-password=true"},
                {"--el={engine_url}"},
                {"--jwt-secret={jwt_file}"},
                when_set("--external-beacon-api-url={checkpoint_url}"),
                {"--tcp-port={p2p_port}"},
                {"--udp-port={p2p_port}"},
                {"--rest"},
                {"--rest-address={bind_address}"},
                {"--rest-port={http_port}"},
                {"--metrics"},
                {"--metrics-address={bind_address}"},
                {"--metrics-port={metrics_port}"},
                when_set("--suggested-fee-recipient={fee_recipient}")},
        .init = {},
        .json_logs = {{"--log-format=json"}},
        .keep = {{"netkey", "node key (keystore with the insecure built-in password)"}},
        .wipe = {{"db", "beacon database"},
                 {"validators/slashing_protection.sqlite3", "empty slashing DB the BN opens anyway (GVR-checked)"},
                 {"validators/slashing_protection.sqlite3-wal", "its SQLite write-ahead log"},
                 {"validators/slashing_protection.sqlite3-shm", "its SQLite shared memory file"},
                 {"beacon_node.enr", "ENR written at start"},
                 {"dump", "debug dumps"}},
        .slashing = {},
        .ports = {tcp_and_udp("p2p", 9000), tcp("http", 5052), tcp("metrics", 8008)},
        .health = beacon_health(),
        .image = "statusim/nimbus-eth2:multiarch-latest",
        .notes = {"Never wipe the data dir wholesale: validators/ and secrets/ hold keystores when the BN runs keys.",
                  "The testnet dir must also hold deposit_contract_block_hash.txt (from the release metadata): "
                  "Nimbus refuses a network with a deposit contract without it.",
                  "Checkpoint sync uses the light-client protocol from the external beacon API."},
        .sources = {"https://github.com/status-im/nimbus-eth2/blob/unstable/beacon_chain/conf.nim",
                    "https://github.com/status-im/nimbus-eth2/blob/unstable/beacon_chain/networking/eth2_network.nim",
                    link("https://github.com/status-im/nimbus-eth2/blob/unstable/beacon_chain/",
                         "networking/network_metadata.nim"),
                    "https://github.com/status-im/nimbus-eth2/blob/unstable/beacon_chain/nimbus_beacon_node.nim",
                    "https://github.com/status-im/nim-eth/blob/master/eth/db/kvstore_sqlite3.nim",
                    "https://github.com/pk910/ephemery-client-wrapper/blob/master/clients/nimbus/wrapper.sh"},
    };
    RoleSpec validator{
        .role = Role::validator,
        .program = "nimbus_validator_client",
        // validators/<pubkey>/keystore.json and secrets/<pubkey> are the defaults under --data-dir.
        .run = {{"--non-interactive"},
                {"--data-dir={data_dir}"},
                {"--beacon-node={beacon_url}"},
                when_set("--suggested-fee-recipient={fee_recipient}"),
                when_set("--graffiti={graffiti}"),
                {"--metrics"},
                {"--metrics-address={bind_address}"},
                {"--metrics-port={metrics_port}"}},
        .init = {},
        .json_logs = {{"--log-format=json"}},
        .keep = {{"validators", "keystores (validators/<pubkey>/keystore.json)"}, {"secrets", "keystore passwords"}},
        // Nothing to wipe: clearing the slashing store removes its -wal/-shm/-journal files with it.
        .wipe = {},
        .slashing = {{"validators/slashing_protection.sqlite3", SlashingFormat::nimbus_sqlite}},
        .ports = {tcp("metrics", 8108), tcp("keymanager", 5052)},
        .health = metrics_health(),
        .image = "statusim/nimbus-validator-client:multiarch-latest",
        .notes = {"The slashing DB lives inside the kept validators/ directory: delete only it and its -wal/-shm.",
                  "The keymanager API is not enabled: Nimbus needs an existing --keymanager-token-file for it.",
                  "No slashing DB in the data dir root was found in current sources; validators/ is the only one."},
        .sources = {"https://github.com/status-im/nimbus-eth2/blob/unstable/beacon_chain/conf.nim",
                    "https://github.com/status-im/nimbus-eth2/blob/unstable/beacon_chain/nimbus_validator_client.nim",
                    "https://github.com/status-im/nimbus-eth2/blob/unstable/beacon_chain/nimbus_binary_common.nim",
                    "https://github.com/ethpandaops/ethereum-package/blob/main/src/vc/nimbus.star"},
    };
    return client(Client::nimbus, "nimbus", "Nimbus", {std::move(beacon), std::move(validator)}, false);
}

// The validator client's beacon node, keys, fee settings, metrics and keymanager: the same flags in v1.5.1 (the
// devnet edition) and today.
Arguments lodestar_validator_keys_and_apis() {
    return {{"--beaconNodes={beacon_url}"},
            {"--keystoresDir={keystores_dir}"},
            {"--secretsDir={secrets_dir}"},
            when_set("--suggestedFeeRecipient={fee_recipient}"),
            when_set("--graffiti={graffiti}"),
            {"--metrics"},
            {"--metrics.address={bind_address}"},
            {"--metrics.port={metrics_port}"},
            {"--keymanager"},
            {"--keymanager.address={bind_address}"},
            {"--keymanager.port={keymanager_port}"}};
}

Arguments concat(Arguments head, const Arguments& middle, const Arguments& tail) {
    head.insert(head.end(), middle.begin(), middle.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

// The devnet edition: Lodestar v1.5.1 as tools/lodestar installs it (the newest release whose packages the npm
// registry still has complete), with tools/lodestar/patches applied. Facts from running it
// (research/devnet-spike/REPORT.md) and from its source (@chainsafe/lodestar/lib):
// - `--preset=minimal` (hidden; lib/applyPreset.js reads it before anything loads) so an epoch is 8 slots;
// - no execution client: `--eth1=false --execution.engineMock` (hidden), so the devnet runs Altair from epoch 0
//   (Bellatrix or later at genesis need an execution payload the mock cannot build);
// - one node, no peers: `--sync.isSingleNode --network.allowPublishToZeroPeers` (hidden, what `lodestar dev`
//   sets); the patched node then always counts as synced, so it recovers after a restart or an outage;
// - 1.5.1 has no --persistNetworkIdentity: the patched node keeps <dataDir>/peer_id.json (underscore in 1.5.1);
// - 1.5.1 has no --keymanager.tokenFile: the token is validator-db/api-token.txt and changes with each reset;
// - `--genesisStateFile` (hidden) is read only while chain-db holds no state, so chain-db is always wiped.
// Client logs go to stdout (the supervisor's log files): `--logFile=none`.
std::vector<RoleSpec> lodestar_devnet_roles() {
    const std::vector<std::string> sources = {
        "https://github.com/ChainSafe/lodestar/tree/v1.5.1/packages/cli/src",
        "https://github.com/ChainSafe/lodestar/blob/v1.5.1/packages/cli/src/cmds/beacon/handler.ts",
        "https://github.com/ChainSafe/lodestar/blob/v1.5.1/packages/beacon-node/src/sync/sync.ts",
        "https://github.com/ChainSafe/lodestar/blob/v1.5.1/packages/cli/src/cmds/dev/options.ts"};
    RoleSpec beacon{
        .role = Role::consensus,
        .program = "lodestar",
        .run = {{"beacon"},
                {"--preset=minimal"},
                {"--dataDir={data_dir}"},
                {"--paramsFile={config_yaml}"},
                {"--genesisStateFile={genesis_ssz}"},
                {"--eth1=false"},
                {"--execution.engineMock"},
                {"--sync.isSingleNode"},
                {"--network.allowPublishToZeroPeers"},
                {"--listenAddress={bind_address}"},
                {"--port={p2p_port}"},
                {"--rest"},
                {"--rest.namespace=*"},
                {"--rest.address={bind_address}"},
                {"--rest.port={http_port}"},
                {"--metrics"},
                {"--metrics.address={bind_address}"},
                {"--metrics.port={metrics_port}"},
                when_set("--suggestedFeeRecipient={fee_recipient}"),
                {"--logFile=none"}},
        .init = {},
        .json_logs = {},
        .keep = {{"peer_id.json", "node key (libp2p peer id)"}, {"enr", "local ENR"}},
        .wipe = {{"chain-db", "beacon database (holds the old genesis state)"}, {"peerstore", "peer store"}},
        .slashing = {},
        .ports = {tcp_and_udp("p2p", 9000), tcp("http", 9596), tcp("metrics", 8008)},
        .health = beacon_health(),
        .image = "chainsafe/lodestar:v1.5.1",
        .notes = {"Devnet only: minimal preset, mock execution engine, a single node without peers."},
        .sources = sources,
    };
    RoleSpec validator{
        .role = Role::validator,
        .program = "lodestar",
        .run = concat({{"validator"}, {"--preset=minimal"}, {"--dataDir={data_dir}"}, {"--paramsFile={config_yaml}"}},
                      lodestar_validator_keys_and_apis(), {{"--logFile=none"}}),
        .init = {},
        .json_logs = {},
        .keep = {{"keystores", "keystores (keystores/<pubkey>/voting-keystore.json)"},
                 {"secrets", "keystore passwords"}},
        .wipe = {},
        .slashing = {{"validator-db", SlashingFormat::lodestar_leveldb}},
        .ports = {tcp("metrics", 5064), tcp("keymanager", 5062)},
        .health = metrics_health(),
        .image = "chainsafe/lodestar:v1.5.1",
        .notes = {"validator-db holds the slashing protection, the genesis validators root and the keymanager "
                  "token (api-token.txt): a reset archives and clears it, so the token changes every iteration."},
        .sources = sources,
    };
    std::vector<RoleSpec> roles;
    roles.push_back(std::move(beacon));
    roles.push_back(std::move(validator));
    return roles;
}

// Lodestar. BN dir: chain-db/, peer-id.json, enr, peerstore/ (packages/cli/src/cmds/beacon/paths.ts); peer-id.json
// and enr are only read and written with --persistNetworkIdentity, otherwise every start makes a new identity
// (cmds/beacon/initPeerIdAndEnr.ts). VC dir: validator-db/ (LevelDB), keystores/, secrets/, remoteKeys/,
// proposerConfigs/, cache/ (cmds/validator/paths.ts); the keymanager token defaults to validator-db/api-token.txt
// (cmds/validator/handler.ts, keymanager/server.ts), so it is moved out of the slashing store. JSON logs:
// hidden --logFormat (options/logOptions.ts). QUIC on UDP 9001 is on by default since v1.42.0.
ClientSpec lodestar() {
    RoleSpec beacon{
        .role = Role::consensus,
        .program = "lodestar",
        .run = {{"beacon"},
                {"--dataDir={data_dir}"},
                {"--paramsFile={config_yaml}"},
                {"--genesisStateFile={genesis_ssz}"},
                {"--bootnodes={bootnodes_enr}"},
                {"--execution.urls={engine_url}"},
                {"--jwtSecret={jwt_file}"},
                when_set("--checkpointSyncUrl={checkpoint_url}"),
                {"--persistNetworkIdentity"},
                {"--port={p2p_port}"},
                {"--rest"},
                {"--rest.address={bind_address}"},
                {"--rest.port={http_port}"},
                {"--metrics"},
                {"--metrics.address={bind_address}"},
                {"--metrics.port={metrics_port}"},
                when_set("--suggestedFeeRecipient={fee_recipient}")},
        .init = {},
        .json_logs = {{"--logFormat=json"}},
        .keep = {{"peer-id.json", "node key"}, {"enr", "local ENR"}},
        .wipe = {{"chain-db", "beacon database"}},
        .slashing = {},
        .ports = {tcp_and_udp("p2p", 9000), udp("quic", 9001), tcp("http", 9596), tcp("metrics", 8008)},
        .health = beacon_health(),
        .image = "chainsafe/lodestar:latest",
        .notes = {"--network ephemery knows only the iteration the release was built with; the release files are "
                  "passed instead.",
                  "Without --persistNetworkIdentity Lodestar takes a new peer id at every start."},
        .sources = {"https://github.com/ChainSafe/lodestar/blob/unstable/packages/cli/src/cmds/beacon/paths.ts",
                    link("https://github.com/ChainSafe/lodestar/blob/unstable/packages/cli/src/cmds/",
                         "beacon/initPeerIdAndEnr.ts"),
                    "https://github.com/ChainSafe/lodestar/blob/unstable/packages/cli/src/options/logOptions.ts",
                    "https://github.com/ChainSafe/lodestar/releases/tag/v1.42.0",
                    "https://chainsafe.github.io/lodestar/run/beacon-management/beacon-cli",
                    "https://github.com/pk910/ephemery-client-wrapper/blob/master/clients/lodestar/wrapper.sh"},
    };
    RoleSpec validator{
        .role = Role::validator,
        .program = "lodestar",
        .run = concat({{"validator"}, {"--dataDir={data_dir}"}, {"--paramsFile={config_yaml}"}},
                      lodestar_validator_keys_and_apis(), {{"--keymanager.tokenFile={data_dir}/api-token.txt"}}),
        .init = {},
        .json_logs = {{"--logFormat=json"}},
        .keep = {{"keystores", "keystores (keystores/<pubkey>/voting-keystore.json)"},
                 {"secrets", "keystore passwords"},
                 {"remoteKeys", "remote signer keys added through the keymanager API"},
                 {"proposerConfigs", "per-key proposer settings set through the keymanager API"},
                 {"api-token.txt", "keymanager API token"}},
        .wipe = {},
        .slashing = {{"validator-db", SlashingFormat::lodestar_leveldb}},
        .ports = {tcp("metrics", 5064), tcp("keymanager", 5062)},
        .health = metrics_health(),
        .image = "chainsafe/lodestar:latest",
        .notes = {"validator-db records the genesis_validators_root: the VC refuses a database of another iteration."},
        .sources = {"https://github.com/ChainSafe/lodestar/blob/unstable/packages/cli/src/cmds/validator/paths.ts",
                    "https://github.com/ChainSafe/lodestar/blob/unstable/packages/cli/src/cmds/validator/handler.ts",
                    link("https://github.com/ChainSafe/lodestar/blob/unstable/packages/cli/src/cmds/",
                         "validator/keymanager/server.ts"),
                    "https://github.com/ephemery-testnet/ephemery-scripts/blob/master/retention.sh"},
    };
    ClientSpec spec = client(Client::lodestar, "lodestar", "Lodestar", {std::move(beacon), std::move(validator)}, true);
    spec.devnet_roles = lodestar_devnet_roles();
    return spec;
}

// Grandine (no existing Ephemery tool covers it). --data-dir gets CONFIG_NAME appended: data_dir/<CONFIG_NAME>/
// {beacon,network,validator} (directories/src/lib.rs; grandine_args.rs test data_dir_option), and Ephemery's
// config.yaml says CONFIG_NAME: testnet (ephemery-genesis cl-config.yaml). --store-directory and --network-dir
// pin the first two to fixed paths; the validator dir cannot be set. Network key: network/key (hex), ENR
// network/enr.dat (grandinetech/eth2_libp2p src/service/utils.rs, src/discovery/mod.rs). Slashing protection:
// <validator dir>/slashing_protection.sqlite, SQLite in WAL mode, opened by every beacon even without keys, no
// genesis_validators_root stored (slashing_protection/src/lib.rs, runtime/src/runtime.rs).
// --network=custom --configuration-directory reads config.yaml, deposit_contract_block.txt, genesis.ssz and, only
// without --boot-nodes, bootstrap_nodes.txt (grandine_args.rs, config_dir.rs). The engine API goes in
// --eth1-rpc-urls with --jwt-secret (ethereum-package grandine_launcher.star, eth-docker grandine-allin1.yml).
// Defaults: libp2p/discovery 9000, QUIC 9001, HTTP 5052, metrics 5054, validator API 5055 (runtime/src/defaults.rs,
// http_api_config.rs, validator/src/api.rs). No JSON log option (binary_utils/src/lib.rs: compact text only).
// The validator runs inside the beacon process: no separate VC in releases (grandine issue #9; a `grandine vc`
// is on branch feature/separate-vc), and ethereum-package fails "Grandine VC is not yet supported".
Arguments grandine_beacon_arguments() {
    return {{"--network=custom"},
            {"--configuration-directory={testnet_dir}"},
            {"--boot-nodes={bootnodes_enr}"},
            {"--data-dir={data_dir}"},
            {"--store-directory={data_dir}/beacon"},
            {"--network-dir={data_dir}/network"},
            {"--eth1-rpc-urls={engine_url}"},
            {"--jwt-secret={jwt_file}"},
            when_set("--checkpoint-sync-url={checkpoint_url}"),
            {"--libp2p-port={p2p_port}"},
            {"--discovery-port={p2p_port}"},
            {"--http-address={bind_address}"},
            {"--http-port={http_port}"},
            {"--metrics"},
            {"--metrics-address={bind_address}"},
            {"--metrics-port={metrics_port}"},
            when_set("--suggested-fee-recipient={fee_recipient}")};
}

ClientSpec grandine() {
    std::vector<std::string> grandine_sources{
        "https://github.com/grandinetech/grandine/blob/develop/directories/src/lib.rs",
        "https://github.com/grandinetech/grandine/blob/develop/grandine/src/grandine_args.rs",
        "https://github.com/grandinetech/grandine/blob/develop/grandine/src/config_dir.rs",
        "https://github.com/grandinetech/grandine/blob/develop/slashing_protection/src/lib.rs",
        "https://github.com/grandinetech/grandine/blob/develop/runtime/src/runtime.rs",
        "https://github.com/grandinetech/eth2_libp2p/blob/main/src/service/utils.rs",
        "https://github.com/ethpandaops/ethereum-package/blob/main/src/cl/grandine/grandine_launcher.star",
        "https://github.com/ethstaker/eth-docker/blob/main/grandine-allin1.yml"};
    RoleSpec beacon{
        .role = Role::consensus,
        .program = "grandine",
        .run = grandine_beacon_arguments(),
        .init = {},
        .json_logs = {},
        .keep = {{"network", "node key (network/key, hex) and ENR (network/enr.dat)"}},
        .wipe = {{"beacon", "beacon store (libmdbx) and eth1 cache"},
                 {"testnet/validator/slashing_protection.sqlite", "empty slashing DB every beacon opens"},
                 {"testnet/validator/slashing_protection.sqlite-wal", "its SQLite write-ahead log"},
                 {"testnet/validator/slashing_protection.sqlite-shm", "its SQLite shared memory file"}},
        .slashing = {},
        .ports = {tcp_and_udp("p2p", 9000), udp("quic", 9001), tcp("http", 5052), tcp("metrics", 5054)},
        .health = beacon_health(),
        .image = "sifrai/grandine:stable",
        .notes = {"testnet/ is Ephemery's CONFIG_NAME: Grandine appends it to --data-dir for the validator dir.",
                  "QUIC stays on UDP 9001 whatever the p2p port is (--quic-port)."},
        .sources = grandine_sources,
    };
    Arguments validator_arguments = grandine_beacon_arguments();
    validator_arguments.insert(validator_arguments.end(), {{"--keystore-dir={keystores_dir}"},
                                                           {"--keystore-password-dir={secrets_dir}"},
                                                           when_set("--graffiti={graffiti}"),
                                                           {"--enable-validator-api"},
                                                           {"--validator-api-address={bind_address}"},
                                                           {"--validator-api-port={keymanager_port}"}});
    RoleSpec validator{
        .role = Role::validator,
        .program = "grandine",
        .run = std::move(validator_arguments),
        .init = {},
        .json_logs = {},
        .keep = {{"network", "node key and ENR of this (beacon) process"},
                 {"keystores", "keystores (<name>.json)"},
                 {"passwords", "keystore passwords (<name>.txt beside each keystore name)"},
                 {"testnet/validator/api-token.txt", "validator API token"}},
        .wipe = {{"beacon", "beacon store (libmdbx) and eth1 cache"},
                 {"testnet/validator/slashing_protection.sqlite-wal", "SQLite write-ahead log of the slashing DB"},
                 {"testnet/validator/slashing_protection.sqlite-shm", "SQLite shared memory file of the slashing DB"}},
        .slashing = {{"testnet/validator/slashing_protection.sqlite", SlashingFormat::grandine_sqlite}},
        .ports = {tcp_and_udp("p2p", 9000), udp("quic", 9001), tcp("http", 5052), tcp("metrics", 5054),
                  tcp("keymanager", 5055)},
        .health = beacon_health(),
        .image = "sifrai/grandine:stable",
        .notes = {"Grandine has no separate validator client: this role is a complete beacon node that also "
                  "validates. Run it instead of the Grandine consensus role, never beside it with the same keys.",
                  "Key imports through the validator API fail without --keystore-storage-password-file (keys then "
                  "go encrypted into testnet/validator/); it is not passed here.",
                  "The keystore dir must be flat: every entry is read as a keystore, <name>.json with <name>.txt.",
                  "The slashing DB stores no genesis_validators_root: a stale one would block signing in the new "
                  "iteration, so it must be cleared at every reset."},
        .sources = std::move(grandine_sources),
    };
    validator.sources.emplace_back("https://github.com/grandinetech/grandine/issues/9");
    validator.sources.emplace_back(
        "https://github.com/grandinetech/grandine/blob/develop/book/src/validator_client.md");
    return client(Client::grandine, "grandine", "Grandine", {std::move(beacon), std::move(validator)}, false);
}

}  // namespace

std::vector<ClientSpec> consensus_client_specs() {
    std::vector<ClientSpec> specs;
    specs.push_back(lighthouse());
    specs.push_back(prysm());
    specs.push_back(teku());
    specs.push_back(nimbus());
    specs.push_back(lodestar());
    specs.push_back(grandine());
    return specs;
}

}  // namespace ephemery::clients
