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

// Where a reset may follow a store that a symlink leads to.
struct StoreBounds {
    std::filesystem::path root;  // the data dir the store belongs to (canonical): the link must lead inside it
    std::vector<std::filesystem::path> protected_paths;  // kept paths the store must not be or contain
};

// Where the store's data is: `store` itself, or the path a symlink on its way leads to, which must lie inside
// bounds.root without being it or containing a protected path. Errors name the link, its target and the fix.
[[nodiscard]] Result<std::filesystem::path> resolve_slashing_store(const std::filesystem::path& store,
                                                                   const StoreBounds& bounds);

// Writes `archive` (a .tar.gz, 0600, atomically) of the store that `store` resolves to: for SQLite formats one
// consistent copy of the database taken through SQLite's backup API (committed transactions still in a -wal
// after a crash included), for other formats the raw files, under store/; manifest.json (format, source, the
// link's target, root, SHA-256 of each file); for ephemery's own database, its EIP-3076 interchange. A missing
// store writes nothing and succeeds.
[[nodiscard]] Status archive_slashing_store(const std::filesystem::path& store, std::string_view format,
                                            const std::filesystem::path& archive, const StoreBounds& bounds);

// Deletes the store's files (and the directory, for a directory store) inside bounds.root, never following
// links: a store reached through a symlink is deleted at its resolved path, then a link that is the store.
[[nodiscard]] Status clear_slashing_store(const std::filesystem::path& store, const StoreBounds& bounds);

}  // namespace ephemery::reset
