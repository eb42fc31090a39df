#pragma once

#include "core/result.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace ephemery::infra {

inline constexpr std::filesystem::perms owner_only =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

// Replaces `path` with `contents` so that a crash leaves either the old or the new file, never a torn one:
// write a temporary file in the same directory with `mode`, fsync it, rename it over `path`, fsync the
// directory. The directory must exist.
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                                           std::filesystem::perms mode);

// Renames `from` over `to` (same file system) and fsyncs the directory, so the rename survives a crash.
[[nodiscard]] Status rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);

// fsyncs a directory: makes the renames and creations in it durable.
[[nodiscard]] Status sync_directory(const std::filesystem::path& directory);

// Creates an empty file with mode 0600 unless it exists (then leaves it alone). For SQLite databases: SQLite
// creates files 0644 and gives its -wal and -shm files the database's mode, so this keeps all three private.
[[nodiscard]] Status create_private_file(const std::filesystem::path& path);

// Reads a whole file, refusing ones larger than max_bytes.
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace ephemery::infra
