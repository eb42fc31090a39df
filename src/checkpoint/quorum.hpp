#pragma once
// Which providers to trust for a checkpoint (pure). A provider counts only when its genesis is the installed
// release's (same genesis_time and genesis validators root): after a reset, providers that still serve the
// previous iteration are rejected as stale, others as foreign. The finalized checkpoint must then be reported
// by at least `quorum` of the valid providers.

#include "beacon/types.hpp"
#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ephemery::checkpoint {

struct ExpectedGenesis {
    std::uint64_t genesis_time{0};
    beacon::Root genesis_validators_root{};
};

// What one provider answered to /eth/v1/beacon/genesis and /eth/v1/beacon/states/head/finality_checkpoints (the
// head state's view: the finalized state's own view lags two epochs behind).
struct ProviderAnswer {
    std::string url;
    Result<beacon::Genesis> genesis{make_error(Errc::not_found, "not asked")};
    Result<beacon::FinalityCheckpoints> finality{make_error(Errc::not_found, "not asked")};
};

enum class Verdict {
    agreeing,         // valid, and reports the agreed checkpoint
    disagreeing,      // valid, but reports another finalized checkpoint
    short_of_quorum,  // valid, and every valid provider agrees, but fewer of them than the quorum
    stale,            // an earlier genesis: still on a previous iteration
    foreign,          // another network (or a later iteration than the installed release)
    unreachable,      // no usable answer
};

[[nodiscard]] std::string_view verdict_name(Verdict verdict) noexcept;

struct ProviderReport {
    std::string url;
    Verdict verdict{Verdict::unreachable};
    std::string detail;  // why, for operators: the genesis it serves, its finalized checkpoint, or the error
    std::optional<beacon::Checkpoint> finalized;
};

struct QuorumDecision {
    std::vector<ProviderReport> providers;  // same order as the answers
    std::optional<beacon::Checkpoint> agreed;
    std::vector<std::size_t> agreeing;  // indices of the providers that report `agreed`
    std::string problem;                // set when there is no agreed checkpoint: what is missing and the fix
};

// The checkpoint with the most valid supporters (a tie goes to the later epoch), if it has at least `quorum`.
[[nodiscard]] QuorumDecision decide_quorum(const std::vector<ProviderAnswer>& answers, const ExpectedGenesis& expected,
                                           std::size_t quorum);

}  // namespace ephemery::checkpoint
