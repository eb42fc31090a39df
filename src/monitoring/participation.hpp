#pragma once
// What a BeaconState says about one epoch's attestations: the participation flags of every validator (Altair and
// later) and the attestation rewards the epoch transition pays for them, derived with the consensus-spec
// formulas. This is the monitoring path for nodes without the rewards API (Lodestar before 1.8 answers 404).
// Pure: state bytes in, figures out.

#include "core/result.hpp"
#include "ssz/beacon.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ephemery::monitoring {

// The columns of a state monitoring reads, copied out of its SSZ bytes.
struct StateColumns {
    std::uint64_t slot{0};
    std::uint64_t finalized_epoch{0};
    std::uint64_t current_justified_epoch{0};
    std::vector<std::array<std::uint8_t, 48>> pubkeys;
    std::vector<std::uint64_t> effective_balances;
    std::vector<std::uint8_t> slashed;
    std::vector<std::uint64_t> activation_eligibility_epochs;
    std::vector<std::uint64_t> activation_epochs;
    std::vector<std::uint64_t> exit_epochs;
    std::vector<std::uint64_t> withdrawable_epochs;
    std::vector<std::uint64_t> balances;
    std::vector<std::uint8_t> previous_epoch_participation;
    std::vector<std::uint8_t> current_epoch_participation;
    std::vector<std::uint64_t> inactivity_scores;
    // The sync committees' members by position (a validator may hold several positions): this period's and the
    // next one's.
    std::vector<std::array<std::uint8_t, 48>> current_sync_committee;
    std::vector<std::array<std::uint8_t, 48>> next_sync_committee;
};

// Validates `bytes` as a BeaconState of `fork` (altair or later: phase0 states have no flags) and copies the
// columns out. Errors name the field path.
[[nodiscard]] Result<StateColumns> read_state_columns(std::span<const std::uint8_t> bytes, ssz::ForkName fork,
                                                      const ssz::ConsensusPreset& preset);

// beacon-APIs validator status of validator `index` at `epoch` (pending_initialized .. withdrawal_done).
[[nodiscard]] std::string validator_status(const StateColumns& state, std::size_t index, std::uint64_t epoch);

// Participation flag bits (consensus-specs, altair).
inline constexpr std::uint8_t timely_source_flag = 1U << 0U;
inline constexpr std::uint8_t timely_target_flag = 1U << 1U;
inline constexpr std::uint8_t timely_head_flag = 1U << 2U;

struct RewardConstants {
    std::uint64_t effective_balance_increment{1'000'000'000};
    std::uint64_t base_reward_factor{64};
    std::uint64_t min_epochs_to_inactivity_penalty{4};
    std::uint64_t inactivity_score_bias{4};
    std::uint64_t inactivity_score_recovery_rate{16};
    std::uint64_t inactivity_penalty_quotient{3ULL << 24U};  // altair; bellatrix and later: 1 << 24
};
[[nodiscard]] RewardConstants reward_constants(ssz::ForkName fork);

// One validator's attestation figures for the epoch.
struct DerivedAttestation {
    bool eligible{false};  // active in the epoch (or slashed and not yet withdrawable): rewards apply
    bool source{false};
    bool target{false};
    bool head{false};
    std::int64_t source_reward{0};  // Gwei; penalties negative
    std::int64_t target_reward{0};
    std::int64_t head_reward{0};
    std::int64_t inactivity_penalty{0};  // <= 0
    [[nodiscard]] std::int64_t total() const noexcept {
        return source_reward + target_reward + head_reward + inactivity_penalty;
    }
};

struct DerivedEpoch {
    std::uint64_t epoch{0};
    bool inactivity_leak{false};
    std::uint64_t active_validators{0};
    std::uint64_t total_active_balance{0};
    // Share of the active effective balance with each timely flag (unslashed), 0..1.
    double source_participation{0};
    double target_participation{0};
    double head_participation{0};
    std::vector<DerivedAttestation> validators;  // by validator index
    // The rewards of a validator with a given effective balance that got all three flags.
    [[nodiscard]] std::int64_t ideal_reward(std::uint64_t effective_balance) const noexcept;

    std::uint64_t base_reward_per_increment{0};
    std::uint64_t effective_balance_increment{1'000'000'000};
    std::array<std::uint64_t, 3> participating_increments{};  // source, target, head
    std::uint64_t active_increments{0};
};

// The attestation outcome of `epoch` as the state transition into epoch + 2 will settle it. The flags are
// read from `previous_epoch_participation` when state.slot is in epoch + 1 and from
// `current_epoch_participation` when it is in `epoch` (the head mode's early look); any other slot is an error.
[[nodiscard]] Result<DerivedEpoch> derive_epoch(const StateColumns& state, std::uint64_t epoch,
                                                std::uint64_t slots_per_epoch, const RewardConstants& constants);

}  // namespace ephemery::monitoring
