#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ephemery::genesis {

struct InstalledRelease {
    std::uint64_t iteration{0};
    std::filesystem::path path;
    std::string tag;
    std::string layout;
    bool current{false};
};

// The releases under <data-dir>/testnet: one directory per iteration (<N>/, each with manifest.json) and a
// `current` symlink to one of them. Every change is a rename, so a crash leaves the old or the new state.
class ReleaseStore {
  public:
    explicit ReleaseStore(const std::filesystem::path& data_dir);

    [[nodiscard]] const std::filesystem::path& root() const { return root_; }
    [[nodiscard]] std::filesystem::path release_dir(std::uint64_t iteration) const;

    // Creates <data-dir>/testnet if needed and takes an exclusive lock on it for the object's lifetime;
    // fails when another ephemery holds it.
    [[nodiscard]] Status open_for_writing();

    [[nodiscard]] Result<std::vector<InstalledRelease>> list() const;
    [[nodiscard]] std::optional<std::uint64_t> current() const;

    // A fresh staging directory beside the releases (same file system, so the final rename is atomic).
    [[nodiscard]] Result<std::filesystem::path> make_staging_dir(const std::string& tag) const;

    // Moves a complete, verified release directory into <N>/ (swapping atomically with an existing <N> when
    // replace is set). With activate, points `current` at it and prunes all but the new and the previous
    // current release; without, the release waits for its reset. Returns the pruned iterations.
    [[nodiscard]] Result<std::vector<std::uint64_t>> install(const std::filesystem::path& staged_release,
                                                             std::uint64_t iteration, bool replace, bool activate);

    // Points `current` at the installed <N> (one rename) and prunes all but it and the previous current
    // release. Returns the pruned iterations. Activating the current release changes nothing.
    [[nodiscard]] Result<std::vector<std::uint64_t>> activate(std::uint64_t iteration);

    // Removes staging directories left by interrupted runs.
    void remove_stale_staging() const;

    ReleaseStore(const ReleaseStore&) = delete;
    ReleaseStore& operator=(const ReleaseStore&) = delete;
    ~ReleaseStore();

  private:
    std::filesystem::path root_;
    int lock_fd_{-1};
};

}  // namespace ephemery::genesis
