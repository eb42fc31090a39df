#pragma once
// One epoch's records for the watched validators, whichever source the figures came from. Pure.

#include "monitoring/blocks.hpp"
#include "monitoring/participation.hpp"
#include "monitoring/record.hpp"
#include "monitoring/settings.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ephemery::monitoring {

struct WatchedValidator {
    std::string label;
    std::string pubkey;  // 0x-hex, lower case
    std::uint64_t index{0};
};

struct MissingValidator {
    std::string label;
    std::string pubkey;
};

struct WatchList {
    std::vector<WatchedValidator> validators;  // in index order, each pubkey once (the first group's label)
    std::vector<MissingValidator> missing;     // configured pubkeys this iteration's registry does not have
    std::vector<std::string> out_of_range;     // configured index ranges past the registry ("label: 70-80")
};

// Maps the configured groups to this iteration's indices: pubkeys by lookup in the registry (indices change at
// every reset), index ranges as given. `registry` holds the registry's pubkeys in index order.
[[nodiscard]] WatchList resolve_watch_list(const std::vector<ValidatorGroup>& groups,
                                           const std::vector<std::array<std::uint8_t, 48>>& registry);

// "0-63,100" -> [0, 63], [100, 100]; nullopt when malformed (config checks monitoring.validators with it).
[[nodiscard]] std::optional<std::vector<std::pair<std::uint64_t, std::uint64_t>>> parse_index_ranges(
    std::string_view text);

// A validator's attestation figures from either source.
struct AttestationFigures {
    FigureSource source{FigureSource::none};
    std::optional<bool> source_hit;
    std::optional<bool> target_hit;
    std::optional<bool> head_hit;
    std::optional<bool> live;
    std::int64_t reward{0};
    std::int64_t ideal_reward{0};
    std::optional<std::uint32_t> inclusion_delay;
};

// The rewards API's answer for one validator (total_rewards) and the ideal reward for its effective balance.
struct ApiReward {
    std::int64_t head{0};
    std::int64_t target{0};
    std::int64_t source{0};
    std::int64_t inactivity{0};
    std::int64_t ideal{0};
    std::optional<std::uint32_t> inclusion_delay;
};
[[nodiscard]] AttestationFigures figures_from_rewards_api(const ApiReward& reward);
[[nodiscard]] AttestationFigures figures_from_participation(const DerivedEpoch& derived, std::uint64_t index,
                                                            std::uint64_t effective_balance);

struct ProposalDuty {
    std::uint64_t slot{0};
    std::uint64_t validator_index{0};
    bool produced{false};  // a canonical block at that slot by that proposer
};

struct EpochInputs {
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    std::int64_t epoch_start_time{0};
    const StateColumns* state{nullptr};  // the registry and balances at the end of the epoch
    // Figures by validator index; a watched index without an entry gets FigureSource::none.
    std::map<std::uint64_t, AttestationFigures> figures;
    std::vector<ProposalDuty> proposals;
    // The previous record of each pubkey (balance delta, misses in a row; only a record of the same iteration
    // counts). Not owned: the caller keeps them, and updates them after the epoch.
    const std::map<std::string, ValidatorEpoch, std::less<>>* previous{nullptr};
    // From the blocks and the node; each may be absent (null). Delays fill records whose figures have none;
    // liveness is the node's (else the votes and proposals decide); sync counts are for committee members.
    const std::map<std::uint64_t, std::uint32_t>* inclusion_delays{nullptr};
    const std::map<std::uint64_t, bool>* liveness{nullptr};
    const std::map<std::uint64_t, SyncParticipation>* sync{nullptr};
};

// The records of the watched validators for one epoch.
[[nodiscard]] std::vector<ValidatorEpoch> assess_validators(const WatchList& watch, const EpochInputs& inputs);

[[nodiscard]] NetworkEpoch network_epoch(std::uint64_t iteration, std::int64_t time, const StateColumns& state,
                                         const DerivedEpoch& derived);

}  // namespace ephemery::monitoring
