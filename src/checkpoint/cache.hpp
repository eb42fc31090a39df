#pragma once
// The disk cache of verified checkpoints: <dir>/<gvr prefix>-<slot>-<root prefix>/ holding block.ssz,
// state.ssz and checkpoint.json. An entry appears by one rename of a complete staging directory, so a crash
// leaves no half entry; only verified checkpoints are ever installed. Bounded by entry count and bytes (the
// newest entry is always kept).

#include "beacon/types.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ephemery::checkpoint {

struct CacheEntryInfo {
    std::filesystem::path dir;
    std::uint64_t genesis_time{0};
    beacon::Root genesis_validators_root{};
    beacon::Checkpoint checkpoint;
    std::uint64_t slot{0};
    beacon::Root state_root{};
    std::string fork;  // "altair", ...
    std::uint64_t block_bytes{0};
    std::uint64_t state_bytes{0};
    std::int64_t fetched_at{0};          // Unix seconds
    std::vector<std::string> providers;  // the agreeing providers
    std::string served_by;               // where the state came from

    [[nodiscard]] std::filesystem::path block_file() const { return dir / "block.ssz"; }
    [[nodiscard]] std::filesystem::path state_file() const { return dir / "state.ssz"; }
};

[[nodiscard]] std::string to_json(const CacheEntryInfo& entry);
[[nodiscard]] Result<CacheEntryInfo> entry_from_json(std::string_view json, const std::filesystem::path& dir);

struct CacheLimits {
    std::size_t max_entries{4};
    std::uint64_t max_bytes{std::uint64_t{4} << 30};
};

class CheckpointCache {
  public:
    CheckpointCache(std::filesystem::path dir, CacheLimits limits);

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

    // A fresh staging directory inside the cache (same file system as the entries).
    [[nodiscard]] Result<std::filesystem::path> make_staging_dir() const;
    // Writes checkpoint.json into `staging` (which holds block.ssz and state.ssz), renames it into place and
    // prunes. An entry that already exists for the same checkpoint is kept and the staging dir removed.
    [[nodiscard]] Result<CacheEntryInfo> install(const std::filesystem::path& staging, CacheEntryInfo entry);

    // Entries, newest checkpoint first; unreadable ones are skipped.
    [[nodiscard]] std::vector<CacheEntryInfo> entries() const;
    // The newest entry for this chain, if any.
    [[nodiscard]] std::optional<CacheEntryInfo> latest(const beacon::Root& genesis_validators_root) const;
    // Removes the entries of every other chain: after a reset those of the previous iteration serve nobody and
    // would only hold the cache's bytes. Returns how many went.
    std::size_t drop_other_chains(const beacon::Root& live_genesis_validators_root) const;
    // Removes staging directories left by interrupted fetches.
    void remove_stale_staging() const;

  private:
    void prune() const;

    std::filesystem::path dir_;
    CacheLimits limits_;
};

}  // namespace ephemery::checkpoint
