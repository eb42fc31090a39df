#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

// Deleting inside a data dir without ever leaving it. Paths are reached from the data dir one component at a
// time with O_NOFOLLOW, and trees are removed through directory file descriptors, so a symlink anywhere (even
// one swapped in while we run) is removed as a link and never followed.
namespace ephemery::reset {

// A data dir a reset may delete in: it must be absolute and not a file-system root. Returns the path with
// its own symlinks resolved (the operator chose them); nothing below it is ever resolved.
[[nodiscard]] Result<std::filesystem::path> checked_data_dir(const std::filesystem::path& directory,
                                                             std::string_view what);

struct TreeUsage {
    std::uint64_t bytes{0};    // apparent size of the files
    std::uint64_t entries{0};  // files, links and directories
};

struct PlannedDeletion {
    std::string path;  // relative to the data dir
    bool symlink{false};
    TreeUsage usage;  // below it, symlinks not followed
};

struct WipePreview {
    std::vector<PlannedDeletion> deletions;  // the topmost entries the wipe removes
    std::vector<std::string> kept;           // kept paths that exist (relative to the data dir)
    std::vector<std::string> notes;          // non-directories where a directory was expected, ...
    // Symlinks the wipe would have to delete through (a kept path, or the target, lies beyond them): what they
    // point at cannot be wiped, so the wipe refuses. One message each, naming the link, its target and the fix.
    std::vector<std::string> blocked;
};

// What wiping `target` (a path inside `data_dir`) except the `keep` paths below it (relative to target) would
// delete. A missing target previews as nothing.
[[nodiscard]] Result<WipePreview> preview_wipe(const std::filesystem::path& data_dir,
                                               const std::filesystem::path& target,
                                               const std::vector<std::string>& keep);

// The blocking symlinks preview_wipe would report, found without measuring what the wipe deletes.
[[nodiscard]] Result<std::vector<std::string>> wipe_obstacles(const std::filesystem::path& data_dir,
                                                              const std::filesystem::path& target,
                                                              const std::vector<std::string>& keep);

// Deletes what preview_wipe lists. `after_each` runs after each topmost entry is gone (fault-injection tests
// kill the process there). Running it again after an interruption finishes the job. Fails before deleting
// anything when preview_wipe would report a blocking symlink.
[[nodiscard]] Result<TreeUsage> wipe(const std::filesystem::path& data_dir, const std::filesystem::path& target,
                                     const std::vector<std::string>& keep,
                                     const std::function<void()>& after_each = {});

// Size of `target` inside `data_dir` (symlinks counted, not followed); zero when missing.
[[nodiscard]] TreeUsage usage_within(const std::filesystem::path& data_dir, const std::filesystem::path& target);

}  // namespace ephemery::reset
