#pragma once

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// How an Ephemery genesis release is laid out on disk (facts: docs/ephemery-facts.md §2).
namespace ephemery::release {

enum class Layout {
    network_config,  // network-config.tar.gz: metadata/, parsed/, retention.vars, bootnode-keys/
    testnet_all,     // testnet-all.tar.gz: the flat legacy layout existing scripts use
};

struct ArchiveAsset {
    Layout layout;
    std::string_view asset;  // release asset name
};

// The archives of a release, preferred first.
inline constexpr std::array<ArchiveAsset, 2> archive_assets{{
    {Layout::network_config, "network-config.tar.gz"},
    {Layout::testnet_all, "testnet-all.tar.gz"},
}};

[[nodiscard]] std::string_view layout_name(Layout layout);

// Path inside the release of a file known by its metadata name ("genesis.json" -> "metadata/genesis.json").
// retention.vars sits at the top in both layouts.
[[nodiscard]] std::string path_of(Layout layout, std::string_view name);

// Files every release of the layout must have, non-empty, as paths inside the release.
[[nodiscard]] std::vector<std::string> mandatory_files(Layout layout);

// Which layout a set of extracted paths is; nullopt when it is neither.
[[nodiscard]] std::optional<Layout> detect_layout(const std::set<std::string>& paths);

}  // namespace ephemery::release
