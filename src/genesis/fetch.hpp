#pragma once

#include "core/result.hpp"
#include "infra/archive.hpp"
#include "infra/download.hpp"
#include "release/verify.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ephemery::genesis {

struct FetchRequest {
    std::uint64_t iteration{0};
    std::string tag;
    std::string source;  // base URL (http, https, file) or a directory; assets are <source>/<tag>/<asset>
    std::filesystem::path data_dir;
    release::Expectation expectation;
    infra::DownloadSettings download;
    infra::ExtractLimits limits;
    bool replace{false};  // reinstall an iteration that is already installed
    bool activate{true};  // point `current` at it (off: pre-fetch for the coming reset)
};

struct FetchOutcome {
    std::uint64_t iteration{0};
    std::string tag;
    std::filesystem::path path;
    std::string layout;
    std::string asset;
    std::string url;            // where the archive came from: the last URL of any redirects
    std::string requested_url;  // <source>/<tag>/<asset>
    std::uint64_t bytes{0};
    std::string sha256;
    int attempts{0};
    bool already_installed{false};
    bool activated{false};
    std::vector<std::string> checks_passed;
    std::vector<std::uint64_t> pruned;
};

// <source>/<tag>/<asset>, with a directory (a source without a scheme, absolute or relative to the working
// directory) turned into a file:// URL of its absolute path.
[[nodiscard]] std::string asset_url(const std::string& source, const std::string& tag, std::string_view asset);

// Downloads the release archive (network-config.tar.gz, else testnet-all.tar.gz), extracts it safely into a
// staging directory, verifies every cross-check, records a manifest, and installs it atomically. On any
// failure nothing installed changes and the error says why (verification failures list every finding).
[[nodiscard]] Result<FetchOutcome> fetch_release(const FetchRequest& request);

// Reads an extracted release directory into memory for verification; the layout is detected.
[[nodiscard]] Result<release::ReleaseFiles> load_release_dir(const std::filesystem::path& dir);

}  // namespace ephemery::genesis
