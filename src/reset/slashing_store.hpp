#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A validator client's slashing-protection store as a reset sees it: what it holds, an archive of it, and
// its removal. Formats are the catalog's names (clients::slashing_format_name) plus "ephemery-sqlite".
namespace ephemery::reset {

struct SlashingStoreSummary {
    bool exists{false};
    std::uint64_t bytes{0};
    std::optional<std::string> genesis_validators_root;  // 0x-hex, when the format records it and it is readable
    std::string note;                                    // why there is no root, or what could not be read
};

// The files that make up a store: the file itself and, for SQLite, its -wal, -shm and -journal siblings;
// for a directory, every regular file in it. Symlinks are never followed.
[[nodiscard]] std::vector<std::filesystem::path> slashing_store_files(const std::filesystem::path& store);

[[nodiscard]] SlashingStoreSummary inspect_slashing_store(const std::filesystem::path& store, std::string_view format);

// Writes `archive` (a .tar.gz, 0600, atomically): the store's raw files under store/, manifest.json (format,
// source, root, SHA-256 of each file) and, for ephemery's own database, its EIP-3076 interchange. A missing
// store writes nothing and succeeds.
[[nodiscard]] Status archive_slashing_store(const std::filesystem::path& store, std::string_view format,
                                            const std::filesystem::path& archive);

// Deletes the store's files (and the directory, for a directory store) inside data_dir, never following links.
[[nodiscard]] Status clear_slashing_store(const std::filesystem::path& data_dir, const std::filesystem::path& store);

}  // namespace ephemery::reset
