#pragma once
// `ephemery checkpoint fetch`: ask every provider for its genesis and finalized checkpoint at once, keep the
// providers of the installed release's chain, take the checkpoint a quorum agrees on, race the block and then
// the state from the agreeing providers (the first that verifies wins, the others are cancelled), and install
// the verified pair in the cache. Nothing unverified is ever installed.

#include "beacon/http.hpp"
#include "checkpoint/cache.hpp"
#include "checkpoint/quorum.hpp"
#include "checkpoint/verify.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ephemery::checkpoint {

struct FetchRequest {
    std::vector<std::string> providers;  // Beacon API base URLs
    std::size_t quorum{2};
    NetworkFacts facts;
    beacon::HttpSettings http;
};

struct DownloadAttempt {
    std::string provider;
    std::string what;     // "block" or "state"
    std::string outcome;  // "verified", "cancelled" or why it was rejected
    std::uint64_t bytes{0};
    std::chrono::milliseconds elapsed{0};
};

struct FetchReport {
    QuorumDecision decision;
    std::vector<DownloadAttempt> downloads;
    std::optional<CacheEntryInfo> installed;
    std::string problem;  // set when nothing was installed
    std::chrono::milliseconds elapsed{0};
};

// Fails only for local problems (the cache cannot be written); provider problems end in report.problem.
[[nodiscard]] Result<FetchReport> fetch_checkpoint(const FetchRequest& request, CheckpointCache& cache);

[[nodiscard]] std::string to_json(const FetchReport& report);

}  // namespace ephemery::checkpoint
