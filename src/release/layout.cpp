#include "release/layout.hpp"

namespace ephemery::release {
namespace {

// Metadata every client setup reads, by its network-config name.
constexpr std::array<std::string_view, 10> mandatory_metadata{
    "genesis.json",
    "besu.json",
    "chainspec.json",
    "config.yaml",
    "genesis.ssz",
    "nodevars_env.txt",
    "enodes.txt",
    "bootstrap_nodes.txt",
    "genesis_validators_root.txt",
    "deposit_contract_block.txt",
};

// Legacy names older scripts read, present only in testnet-all.
constexpr std::array<std::string_view, 4> mandatory_legacy_aliases{"boot_enode.txt", "bootnode.txt", "boot_enr.txt",
                                                                   "deploy_block.txt"};

}  // namespace

std::string_view layout_name(Layout layout) {
    return layout == Layout::network_config ? "network-config" : "testnet-all";
}

std::string path_of(Layout layout, std::string_view name) {
    if (name == "retention.vars" || layout == Layout::testnet_all) return std::string(name);
    return "metadata/" + std::string(name);
}

std::vector<std::string> mandatory_files(Layout layout) {
    std::vector<std::string> files{"retention.vars"};
    for (const auto name : mandatory_metadata) files.push_back(path_of(layout, name));
    if (layout == Layout::testnet_all) {
        for (const auto name : mandatory_legacy_aliases) files.emplace_back(name);
    }
    return files;
}

std::optional<Layout> detect_layout(const std::set<std::string>& paths) {
    if (paths.contains("metadata/genesis.json") || paths.contains("metadata/config.yaml")) {
        return Layout::network_config;
    }
    if (paths.contains("genesis.json") || paths.contains("config.yaml")) return Layout::testnet_all;
    return std::nullopt;
}

}  // namespace ephemery::release
