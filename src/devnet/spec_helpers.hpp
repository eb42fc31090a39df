#pragma once
// The consensus-spec helpers a genesis state needs (phase0 and altair beacon-chain.md): the swap-or-not
// shuffle, seeds, active validators and the sync committee. Pure computation over an ssz::altair state.

#include "core/result.hpp"
#include "ssz/altair.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace ephemery::devnet {

using Bytes32 = std::array<std::uint8_t, 32>;
using DomainType = std::array<std::uint8_t, 4>;

inline constexpr DomainType domain_sync_committee = {0x07, 0x00, 0x00, 0x00};

// SHA-256 of any bytes (the spec's `hash`).
[[nodiscard]] Bytes32 sha256(std::span<const std::uint8_t> bytes);

// compute_shuffled_index: where `index` lands in a swap-or-not shuffle of `index_count` items.
// Fails unless index < index_count <= 2**40.
[[nodiscard]] Result<std::uint64_t> compute_shuffled_index(std::uint64_t index, std::uint64_t index_count,
                                                           const Bytes32& seed, std::uint64_t shuffle_round_count);

// get_seed: hash(domain_type + uint_to_bytes(epoch) + the randao mix MIN_SEED_LOOKAHEAD + 1 epochs back).
// Fails when the state's randao_mixes do not have the preset's length.
[[nodiscard]] Result<Bytes32> get_seed(const ssz::altair::BeaconState& state, std::uint64_t epoch,
                                       const DomainType& domain_type, const ssz::altair::Preset& preset);

// get_active_validator_indices: activation_epoch <= epoch < exit_epoch.
[[nodiscard]] std::vector<std::uint64_t> get_active_validator_indices(const ssz::altair::BeaconState& state,
                                                                      std::uint64_t epoch);

// get_next_sync_committee_indices: SYNC_COMMITTEE_SIZE indices (repeats allowed) sampled by effective balance
// from the validators active in the next epoch. Fails when none is active then.
[[nodiscard]] Result<std::vector<std::uint64_t>> get_next_sync_committee_indices(const ssz::altair::BeaconState& state,
                                                                                 const ssz::altair::Preset& preset);

// get_next_sync_committee: those validators' pubkeys and their aggregate. Fails as the indices do, or when a
// pubkey is not a valid BLS key.
[[nodiscard]] Result<ssz::altair::SyncCommittee> get_next_sync_committee(const ssz::altair::BeaconState& state,
                                                                         const ssz::altair::Preset& preset);

}  // namespace ephemery::devnet
