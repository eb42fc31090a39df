#pragma once

#include "core/result.hpp"

#include <array>
#include <cstdint>
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

// What a release may hold (README, "Genesis releases"). A file the layout names may be as large as that kind of file
// plausibly gets: the genesis state and the JSON renderings of the genesis (state or execution genesis) up to
// large_release_file_bytes, the text files up to small_release_file_bytes. Files the layout does not name (the
// bootnode keys, a file a later release job adds) share the allowance, so a release that grows a little still
// installs, and an archive carrying a large payload no release has is refused before it reaches the disk.
inline constexpr std::uint64_t large_release_file_bytes = std::uint64_t{128} << 20U;
inline constexpr std::uint64_t small_release_file_bytes = std::uint64_t{1} << 20U;
inline constexpr std::uint64_t unnamed_release_files_bytes = std::uint64_t{4} << 20U;  // all of them together

// The most bytes the layout lets the file at `path` (inside the release) hold; nullopt when it does not name it.
[[nodiscard]] std::optional<std::uint64_t> named_file_cap(Layout layout, std::string_view path);

// Admits the files of one release one by one (an archive's entries, or a directory's files), counting the ones
// the layout does not name against the allowance.
class ReleaseFileAdmission {
  public:
    explicit ReleaseFileAdmission(Layout layout) : layout_(layout) {}
    // The most bytes `path` may hold, given that it says it holds `bytes`; or Errc::verification_failed with a
    // phrase that completes "entry \"<path>\" ..." and says what is allowed.
    [[nodiscard]] Result<std::uint64_t> admit(std::string_view path, std::uint64_t bytes);

  private:
    Layout layout_;
    std::uint64_t unnamed_bytes_{0};
};

}  // namespace ephemery::release
