#include "release/layout.hpp"

#include <fmt/format.h>

#include <algorithm>

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

// Files a release has besides the mandatory ones, by their metadata name: the other metadata files, the legacy
// aliases (extracted from testnet-all, or written beside the metadata by genesis fetch) and the validator names.
constexpr std::array<std::string_view, 10> optional_release_names{
    "bootstrap_nodes.yaml",   "deposit_contract.txt", "deposit_contract_block_hash.txt",
    "validator-names.yaml",   "boot_enr.yaml",        "boot_enr.txt",
    "boot_enode.txt",         "bootnode.txt",         "deploy_block.txt",
    "parsedBeaconState.json",
};

// Files the size of the genesis state (or of its JSON rendering, or of an execution genesis with its allocs).
constexpr std::array<std::string_view, 5> large_release_names{
    "genesis.ssz", "genesis.json", "besu.json", "chainspec.json", "parsedBeaconState.json",
};

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

std::optional<std::uint64_t> named_file_cap(Layout layout, std::string_view path) {
    // network-config keeps the JSON rendering of the genesis state and the validator names in parsed/.
    if (layout == Layout::network_config && path == "parsed/parsedConsensusGenesis.json") {
        return large_release_file_bytes;
    }
    if (layout == Layout::network_config && path == "parsed/validator-names.yaml") return small_release_file_bytes;
    const auto names = [&](const auto& list) {
        return std::any_of(list.begin(), list.end(),
                           [&](std::string_view name) { return path_of(layout, name) == path; });
    };
    if (!names(mandatory_metadata) && !names(optional_release_names) && !names(mandatory_legacy_aliases) &&
        path != "retention.vars") {
        return std::nullopt;
    }
    const bool large = std::any_of(large_release_names.begin(), large_release_names.end(),
                                   [&](std::string_view name) { return path_of(layout, name) == path; });
    return large ? large_release_file_bytes : small_release_file_bytes;
}

Result<std::uint64_t> ReleaseFileAdmission::admit(std::string_view path, std::uint64_t bytes) {
    if (const auto cap = named_file_cap(layout_, path)) {
        if (bytes > *cap) {
            return make_error(Errc::verification_failed,
                              fmt::format("is {} bytes; a {} release's {} is at most {} bytes", bytes,
                                          layout_name(layout_), path, *cap));
        }
        return *cap;
    }
    const std::uint64_t left = unnamed_release_files_bytes - unnamed_bytes_;
    if (bytes > left) {
        return make_error(Errc::verification_failed,
                          fmt::format("is {} bytes, and it is not a file a {} release has: such files may hold {} "
                                      "bytes in all ({} left); nothing is installed from a release that carries "
                                      "more (is this the Ephemery release archive?)",
                                      bytes, layout_name(layout_), unnamed_release_files_bytes, left));
    }
    unnamed_bytes_ += bytes;
    return bytes;
}

std::optional<Layout> detect_layout(const std::set<std::string>& paths) {
    if (paths.contains("metadata/genesis.json") || paths.contains("metadata/config.yaml")) {
        return Layout::network_config;
    }
    if (paths.contains("genesis.json") || paths.contains("config.yaml")) return Layout::testnet_all;
    return std::nullopt;
}

}  // namespace ephemery::release
