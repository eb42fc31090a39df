#pragma once

#include "clients/catalog.hpp"
#include "core/result.hpp"
#include "release/verify.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The reset plan: what a reset to iteration N does, in order, computed from the catalog and the node's
// instances without touching the disk. The engine (engine.hpp) inspects and runs it through a journal.
namespace ephemery::reset {

// One client process of the node: a client in a role with its own data dir.
struct Instance {
    clients::Role role{clients::Role::execution};
    clients::Client client{clients::Client::geth};
    std::filesystem::path data_dir;  // absolute, canonical
    std::string binary;              // executable for init commands; empty: the catalog's program on PATH
    std::string service;             // {network}-{role}-{client}
    clients::Edition edition{clients::Edition::current};  // which catalog entry says what to keep and wipe
};

enum class StepKind {
    stop_client,       // through ClientControl; the stop order is VC, CL, EL
    archive_slashing,  // copy a slashing-protection store into a .tar.gz (and EIP-3076 JSON when readable)
    clear_slashing,    // delete the store (the new iteration has a new genesis validators root)
    wipe_chain_data,   // delete `path` except the kept paths below it
    activate_release,  // point testnet/current at the target release
    init_genesis,      // run the client's genesis-init command
    record_iteration,  // write <data-dir>/iteration.json: the node is now on the target iteration
    start_client,      // EL, CL, VC
};

[[nodiscard]] std::string_view step_kind_name(StepKind kind);
[[nodiscard]] std::optional<StepKind> step_kind_from_name(std::string_view name);

struct Step {
    StepKind kind{StepKind::stop_client};
    std::string service;               // the instance it acts on; empty for node-wide steps
    std::filesystem::path path;        // wipe: the path; slashing: the store; archive: the archive file
    std::vector<std::string> keep;     // wipe: paths below `path` that stay (relative to `path`)
    std::vector<std::string> command;  // init: argv
    std::string format;                // slashing: the store's format
    std::string source;                // archive: the store it archives
    std::string description;           // one line for people
};

struct Plan {
    std::uint64_t target_iteration{0};
    std::optional<std::uint64_t> from_iteration;  // from the iteration marker; nullopt: unknown (new node)
    std::filesystem::path data_dir;
    std::vector<Instance> instances;
    std::vector<Step> steps;
};

struct PlanRequest {
    std::filesystem::path data_dir;  // the node's data dir: releases, journal, archives, marker
    std::vector<Instance> instances;
    std::uint64_t target_iteration{0};
    std::optional<std::uint64_t> from_iteration;
    std::filesystem::path archive_dir;  // where this reset archives slashing protection (chosen by the engine)
    // Placeholder values of the target release ({genesis_json}, {chain_id}, ...); see release_placeholders().
    std::map<std::string, std::string> release_values;
};

// The node's own slashing-protection database (slashing::Database), archived and cleared like a client's.
inline constexpr std::string_view ephemery_slashing_database = "validators/slashing-protection.sqlite";
inline constexpr std::string_view ephemery_slashing_format = "ephemery-sqlite";
// <data-dir>/iteration.json: which iteration the node's data belongs to.
inline constexpr std::string_view iteration_marker_file = "iteration.json";

// What ephemery itself keeps in the node's data dir, relative to it (docs/architecture.md lists the layout).
struct OwnedPath {
    std::string_view path;
    std::string_view what;
};
inline constexpr std::array<OwnedPath, 23> node_owned_paths{{
    {"testnet", "the release store"},
    {"archive", "the slashing-protection archives of earlier iterations"},
    {"reset", "the reset journal"},
    {"iteration.json", "the iteration marker"},
    {"validators/slashing-protection.sqlite", "ephemery's slashing-protection database"},
    {"validators/slashing-protection.sqlite-wal", "ephemery's slashing-protection database"},
    {"validators/slashing-protection.sqlite-shm", "ephemery's slashing-protection database"},
    {"validators/slashing-protection.sqlite-journal", "ephemery's slashing-protection database"},
    {"monitoring.db", "the monitoring history"},
    {"monitoring.db-wal", "the monitoring history"},
    {"monitoring.db-shm", "the monitoring history"},
    {"monitoring.db-journal", "the monitoring history"},
    {"monitoring-block.part", "the monitor's scratch files"},
    {"monitoring-state.ssz.part", "the monitor's scratch files"},
    {"checkpoints", "the verified checkpoint cache"},
    {"compose", "the generated compose.yaml"},
    {"logs", "the client and daemon logs"},
    {"daemon.lock", "the daemon's lock"},
    {"daemon.json", "the daemon's state"},
    {"api-token", "the control API token"},
    {"jwt.hex", "the Engine API secret"},
    {"devnet", "the devnet's keys and releases"},
    {"devnet.json", "the devnet's record"},
}};

// Whether `path` is `directory` or lies below it (lexically: both absolute and normal).
[[nodiscard]] bool is_same_or_inside(const std::filesystem::path& path, const std::filesystem::path& directory);

// Every problem with the client data dirs of a node whose data dir is `data_dir`: a client data dir that
// contains the node's data dir, is or lies inside or contains a path of node_owned_paths, or is shared by two
// clients. Each message names the setting (clients.<role>.data_dir), the path and the fix. Lexical: the paths
// must be absolute and normal, with their symlinks already resolved by the caller.
[[nodiscard]] std::vector<std::string> data_dir_conflicts(const std::filesystem::path& data_dir,
                                                          const std::vector<Instance>& instances);

// Builds the plan: stop VC, CL, EL; archive then clear each slashing store; wipe chain data keeping node
// identity and keys; activate the release; run genesis-init commands; record the iteration; start EL, CL, VC.
// Fails when an instance's client does not play its role, or an init command lacks a placeholder value.
[[nodiscard]] Result<Plan> make_plan(const PlanRequest& request);

[[nodiscard]] nlohmann::ordered_json to_json(const Plan& plan);
// Reads a plan written by to_json (the journal); errors name the field.
[[nodiscard]] Result<Plan> plan_from_json(const nlohmann::json& document);

// Why a plan read back from the reset journal is not the plan the configuration and the catalog give now
// (`derived`, built by make_plan with the journal's target and archive dir), or nullopt when they agree. The
// program of a genesis-init command may differ: it comes from clients.<role>.binary, which the operator may fix
// before resuming; the derived plan is the one that runs.
[[nodiscard]] std::optional<std::string> plan_disagreement(const Plan& recorded, const Plan& derived);

// Values of the release placeholders for a release installed at `release_dir` with the given layout and
// parsed nodevars_env.txt (CHAIN_ID, BOOTNODE_ENR_LIST, BOOTNODE_ENODE_LIST, GENESIS_BLOCK).
// {deposit_contract_block} is the block number in `deposit_contract_block_text` (the contents of
// deposit_contract_block.txt or deploy_block.txt), else nodevars DEPOSIT_CONTRACT_BLOCK; it is left out when
// neither holds a decimal number, so a client that needs it fails to render rather than guess.
[[nodiscard]] std::map<std::string, std::string> release_placeholders(
    const std::filesystem::path& release_dir, bool network_config_layout,
    const std::map<std::string, std::string>& nodevars, std::string_view deposit_contract_block_text = {});

// The same for a release read into memory (genesis::load_release_dir) and installed at `release_dir` (the
// path the clients see: the host's testnet/<N>, or /release in a container): the layout, nodevars_env.txt
// and deposit_contract_block.txt (else deploy_block.txt) come from `files`.
[[nodiscard]] std::map<std::string, std::string> release_placeholders(const std::filesystem::path& release_dir,
                                                                      const release::ReleaseFiles& files);

}  // namespace ephemery::reset
