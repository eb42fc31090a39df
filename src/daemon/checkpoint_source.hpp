#pragma once
// Where the node's consensus client checkpoint-syncs from: a checkpoint verified by `checkpoint/` (provider
// quorum, our own hashes), served on 127.0.0.1 by the daemon, never a provider directly. Consulted at every start
// of the clients; a client with a database ignores the URL, a fresh one (after a reset) syncs from it.

#include "checkpoint/cache.hpp"
#include "checkpoint/server.hpp"
#include "checkpoint/settings.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ephemery::daemon {

struct CheckpointStatus {
    std::string url;  // what the consensus client was last given; empty: from genesis
    std::optional<checkpoint::CacheEntryInfo> served;
    std::string last_problem;  // why the last fetch installed nothing
    std::uint64_t fetches{0};
    std::uint64_t failures{0};
};

class CheckpointSource {
  public:
    // providers in `settings`; the cache in <data_dir>/checkpoints (shared with `ephemery checkpoint`).
    CheckpointSource(checkpoint::Settings settings, const std::filesystem::path& data_dir);

    // The checkpoint sync URL for the chain of the release in `release_dir`: the cached verified checkpoint of
    // that chain, else one fetched now (at most every `retry_after` per chain, so restarts do not hammer the
    // providers). Empty when disabled, when no provider is configured, or when nothing verified is available
    // (the chain has not finalized yet, or the providers failed: logged and counted); never fails a start.
    [[nodiscard]] std::string url_for(const std::filesystem::path& release_dir);

    [[nodiscard]] CheckpointStatus status() const;
    void stop();

    std::chrono::seconds retry_after{std::chrono::minutes{5}};

  private:
    checkpoint::Settings settings_;
    checkpoint::CheckpointCache cache_;
    mutable std::mutex mutex_;
    std::unique_ptr<checkpoint::CheckpointServer> server_;
    CheckpointStatus status_;
    std::map<std::string, std::chrono::steady_clock::time_point> last_attempt_;  // per genesis validators root
};

}  // namespace ephemery::daemon
