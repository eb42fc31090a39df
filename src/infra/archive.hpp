#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::infra {

// Caps that stop a hostile or broken archive from filling the disk.
struct ExtractLimits {
    std::uint64_t max_entries{10'000};
    std::uint64_t max_entry_bytes{std::uint64_t{1} << 30};  // one file
    std::uint64_t max_total_bytes{std::uint64_t{4} << 30};  // all files
    // Extracted bytes may exceed the archive's own size by at most this factor once past ratio_floor_bytes.
    std::uint64_t max_ratio{200};
    std::uint64_t ratio_floor_bytes{std::uint64_t{16} << 20};
    // Asked with each file's normalised path and declared size before any of it is written: the most bytes that
    // file may hold (max_entry_bytes still applies), or the refusal, a phrase completing "entry \"<path>\" ...".
    // Unset: every file is admitted. The caller's policy (which files a release has) stays out of infra.
    std::function<Result<std::uint64_t>(const std::string& path, std::uint64_t declared_bytes)> admit_file;
};

struct ExtractedFile {
    std::string path;  // relative, normalised ("metadata/genesis.json")
    std::uint64_t bytes{0};
};

// The normalised relative path of an archive entry, or an error when it is absolute, climbs out with "..",
// or is empty. A leading "./" is dropped.
[[nodiscard]] Result<std::string> safe_entry_path(std::string_view raw);

// Extracts a .tar.gz into `destination` (an existing, empty directory) without ever writing outside it:
// absolute paths, "..", every link (symbolic or hard), device files and FIFOs are refused; each path is opened
// component by component beneath the destination without following a link; the size caps are enforced while
// reading. The whole gzip stream is checked first (each member's CRC-32 and length), so a damaged download is
// refused before anything is written. Files are fsynced. Every error names the archive and the entry.
[[nodiscard]] Result<std::vector<ExtractedFile>> extract_tar_gz(const std::filesystem::path& archive,
                                                                const std::filesystem::path& destination,
                                                                const ExtractLimits& limits);

// The same checks on an archive in memory, writing nothing: what would be extracted. Used by the fuzzer.
[[nodiscard]] Result<std::vector<ExtractedFile>> scan_tar_gz(std::string_view bytes, std::string_view label,
                                                             const ExtractLimits& limits);

struct ArchiveMember {
    std::string name;              // path inside the archive
    std::filesystem::path source;  // a regular file to copy in; empty: `contents` is the file
    std::string contents;
};

// Writes a .tar.gz of the members (files, mode 0600 inside) to `destination` via a temporary file in the same
// directory, fsynced and renamed: a crash leaves no archive or a complete one, never a torn one. The archive
// itself is 0600 (slashing data and keys are private).
[[nodiscard]] Status write_tar_gz(const std::filesystem::path& destination, const std::vector<ArchiveMember>& members);

}  // namespace ephemery::infra
