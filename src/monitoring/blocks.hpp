#pragma once
// What the blocks of an epoch say about the watched validators: how many slots after its slot each attestation was
// first included (inclusion delay), and which sync-committee members signed. These figures are in no state and
// Lodestar before 1.8 has no rewards API that would give them, so they are read from the blocks themselves.
// Pure: SSZ bytes and committees in, figures out.

#include "core/result.hpp"
#include "ssz/beacon.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

namespace ephemery::monitoring {

// One attestation as a block carries it.
struct IncludedAttestation {
    std::uint64_t slot{0};                       // data.slot: the slot attested to
    std::uint64_t committee_index{0};            // data.index (always 0 from Electra on: committee_bits say which)
    std::vector<std::uint8_t> aggregation_bits;  // SSZ bitlist bytes, delimiter bit included
    std::vector<std::uint8_t> committee_bits;    // SSZ bitvector bytes (Electra and later); empty before
};

struct BlockContents {
    std::uint64_t slot{0};
    std::vector<IncludedAttestation> attestations;
    std::vector<std::uint8_t> sync_committee_bits;  // SSZ bitvector bytes
};

// Validates `bytes` as a SignedBeaconBlock of `fork` (Altair or later) and copies out its attestations and sync
// aggregate. Errors name the field path.
[[nodiscard]] Result<BlockContents> read_block_contents(std::span<const std::uint8_t> bytes, ssz::ForkName fork,
                                                        const ssz::ConsensusPreset& preset);

// GET /eth/v1/beacon/states/{state_id}/committees: one committee of one slot, its members in aggregation-bit order.
struct SlotCommittee {
    std::uint64_t slot{0};
    std::uint64_t index{0};
    std::vector<std::uint64_t> validators;
};

// The committees answer checked against the epoch it was asked for. Lodestar before 1.6 swaps the two indices of
// its shuffling (it answers "index": slot within the epoch, "slot": committee index); such an answer, recognised
// by slots outside the epoch or not one committee set per slot of the epoch, is read the intended way.
// nullopt when neither reading covers every slot of the epoch.
struct EpochCommittees {
    std::vector<SlotCommittee> committees;
    bool swapped{false};  // the answer had Lodestar's swapped layout
};
[[nodiscard]] std::optional<EpochCommittees> committees_of_epoch(std::vector<SlotCommittee> answer, std::uint64_t epoch,
                                                                 std::uint64_t slots_per_epoch);

// The smallest inclusion delay (block slot minus attested slot, >= 1) of each watched validator's attestation for
// `epoch`, over `blocks` (the canonical blocks from the epoch's second slot up to the end of the next epoch).
// `committees` are the epoch's. A watched validator whose attestation no block includes has no entry.
[[nodiscard]] std::map<std::uint64_t, std::uint32_t> inclusion_delays(const std::vector<SlotCommittee>& committees,
                                                                      const std::vector<BlockContents>& blocks,
                                                                      std::uint64_t epoch,
                                                                      std::uint64_t slots_per_epoch,
                                                                      const std::set<std::uint64_t>& watched);

// A sync-committee member's signatures over the blocks of one epoch: blocks whose sync aggregate has its bit set
// at one of its positions, and blocks where it has none set. Slots without a block count neither way.
struct SyncParticipation {
    std::uint32_t signed_blocks{0};
    std::uint32_t missed_blocks{0};
};

// Registry indices of a sync committee's members by position; nullopt for a pubkey the registry does not have.
[[nodiscard]] std::vector<std::optional<std::uint64_t>> sync_committee_indices(
    const std::vector<std::array<std::uint8_t, 48>>& committee,
    const std::vector<std::array<std::uint8_t, 48>>& registry);

// The watched members' participation in `blocks` (the epoch's blocks); watched validators outside the committee
// have no entry.
[[nodiscard]] std::map<std::uint64_t, SyncParticipation> sync_participation(
    const std::vector<std::optional<std::uint64_t>>& committee, const std::vector<BlockContents>& blocks,
    const std::set<std::uint64_t>& watched);

}  // namespace ephemery::monitoring
