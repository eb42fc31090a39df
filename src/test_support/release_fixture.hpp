#pragma once

#include "release/verify.hpp"
#include "test_support/fixtures.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

// Consistent Ephemery releases for tests, rendered per iteration from the real templates in
// tests/fixtures/ephemery-genesis (values.env, cl-config.yaml, bootnode lists).
namespace ephemery::test {

[[nodiscard]] release::ReleaseFiles make_release(std::uint64_t iteration,
                                                 release::Layout layout = release::Layout::network_config);

// The release as a .tar.gz with entries as the release job writes them (no leading ./).
[[nodiscard]] std::string pack_tar_gz(const release::ReleaseFiles& release);

// An archive with exactly the given raw entries, for malicious-archive tests.
struct RawEntry {
    std::string path;
    std::string contents;
    enum class Kind { file, directory, symlink, hardlink, fifo } kind{Kind::file};
    std::string link_target;
    std::int64_t declared_size{-1};  // -1: contents.size()
};
[[nodiscard]] std::string pack_raw_tar_gz(const std::vector<RawEntry>& entries);

}  // namespace ephemery::test
