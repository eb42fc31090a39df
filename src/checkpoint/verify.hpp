#pragma once
// Verification of a checkpoint (pure: bytes in, verdict out). Nothing a provider sends is trusted until it is
// hashed here: hash_tree_root(block.message) must be the agreed finalized root, the block must sit on the
// first slot of the finalized epoch, and block.state_root must be hash_tree_root(state) of a state of the
// installed release's chain (its genesis_time and genesis validators root).

#include "beacon/types.hpp"
#include "checkpoint/quorum.hpp"
#include "core/result.hpp"
#include "release/consensus_config.hpp"
#include "release/verify.hpp"
#include "ssz/beacon.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace ephemery::checkpoint {

// What the installed release says about its chain: genesis, forks and preset.
struct NetworkFacts {
    ExpectedGenesis genesis;
    release::ConsensusConfig config;
    ssz::ForkSchedule forks;
    ssz::ConsensusPreset preset;
    std::string preset_name;
    std::uint64_t slots_per_epoch{0};
};

// From a release's config.yaml and genesis.ssz (errors name the file and key).
[[nodiscard]] Result<NetworkFacts> network_facts(const release::ReleaseFiles& release);

[[nodiscard]] ssz::ForkName fork_at_slot(const NetworkFacts& facts, std::uint64_t slot) noexcept;

struct VerifiedBlock {
    ssz::BlockSummary summary;
    ssz::ForkName fork{ssz::ForkName::phase0};
};

struct VerifiedState {
    ssz::StateSummary summary;
    ssz::ForkName fork{ssz::ForkName::phase0};
};

// A SignedBeaconBlock for the agreed checkpoint. consensus_version: the Eth-Consensus-Version header the
// provider sent ("" when none), which must name the fork the slot implies.
[[nodiscard]] Result<VerifiedBlock> verify_block(std::span<const std::uint8_t> bytes, const beacon::Checkpoint& agreed,
                                                 const NetworkFacts& facts, std::string_view consensus_version);

// The BeaconState that `block` commits to.
[[nodiscard]] Result<VerifiedState> verify_state(std::span<const std::uint8_t> bytes, const VerifiedBlock& block,
                                                 const NetworkFacts& facts, std::string_view consensus_version);

}  // namespace ephemery::checkpoint
