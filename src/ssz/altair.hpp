#pragma once
// The Altair BeaconState (consensus-specs altair/beacon-chain.md) and the containers it holds, with their SSZ
// encoding and hash_tree_root, for a preset (minimal or mainnet) chosen at run time: vector lengths and list
// limits come from the Preset, so serialize and hash_tree_root check the state's shape against it.

#include "core/result.hpp"
#include "ssz/phase0.hpp"
#include "ssz/sha256.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace ephemery::ssz::altair {

using phase0::Root;
using BlsPubkey = std::array<std::uint8_t, 48>;

inline constexpr std::uint64_t far_future_epoch = ~std::uint64_t{0};
inline constexpr std::uint64_t genesis_epoch = 0;
inline constexpr std::uint64_t justification_bits_length = 4;
inline constexpr std::size_t validator_size = 121;
inline constexpr std::size_t eth1_data_size = 72;

// The preset values (consensus-specs presets/<name>/{phase0,altair}.yaml) that shape the state, the block
// body and the genesis computations.
struct Preset {
    std::uint64_t slots_per_epoch{0};
    std::uint64_t slots_per_historical_root{0};
    std::uint64_t epochs_per_historical_vector{0};
    std::uint64_t epochs_per_slashings_vector{0};
    std::uint64_t historical_roots_limit{0};
    std::uint64_t validator_registry_limit{0};
    std::uint64_t epochs_per_eth1_voting_period{0};
    std::uint64_t sync_committee_size{0};
    std::uint64_t epochs_per_sync_committee_period{0};
    std::uint64_t shuffle_round_count{0};
    std::uint64_t min_seed_lookahead{0};
    std::uint64_t max_effective_balance{0};        // Gwei
    std::uint64_t effective_balance_increment{0};  // Gwei
    std::uint64_t max_proposer_slashings{0};
    std::uint64_t max_attester_slashings{0};
    std::uint64_t max_attestations{0};
    std::uint64_t max_deposits{0};
    std::uint64_t max_voluntary_exits{0};
};

[[nodiscard]] Preset minimal_preset() noexcept;
[[nodiscard]] Preset mainnet_preset() noexcept;

struct Validator {
    BlsPubkey pubkey{};
    Root withdrawal_credentials{};
    std::uint64_t effective_balance{0};
    bool slashed{false};
    std::uint64_t activation_eligibility_epoch{0};
    std::uint64_t activation_epoch{0};
    std::uint64_t exit_epoch{0};
    std::uint64_t withdrawable_epoch{0};
    friend bool operator==(const Validator&, const Validator&) = default;
};

struct Eth1Data {
    Root deposit_root{};
    std::uint64_t deposit_count{0};
    Root block_hash{};
    friend bool operator==(const Eth1Data&, const Eth1Data&) = default;
};

struct SyncCommittee {
    std::vector<BlsPubkey> pubkeys;  // preset.sync_committee_size of them
    BlsPubkey aggregate_pubkey{};
    friend bool operator==(const SyncCommittee&, const SyncCommittee&) = default;
};

struct BeaconState {
    std::uint64_t genesis_time{0};
    Root genesis_validators_root{};
    std::uint64_t slot{0};
    phase0::Fork fork{};
    phase0::BeaconBlockHeader latest_block_header{};
    std::vector<Root> block_roots;  // preset.slots_per_historical_root
    std::vector<Root> state_roots;  // preset.slots_per_historical_root
    std::vector<Root> historical_roots;
    Eth1Data eth1_data{};
    std::vector<Eth1Data> eth1_data_votes;
    std::uint64_t eth1_deposit_index{0};
    std::vector<Validator> validators;
    std::vector<std::uint64_t> balances;
    std::vector<Root> randao_mixes;        // preset.epochs_per_historical_vector
    std::vector<std::uint64_t> slashings;  // preset.epochs_per_slashings_vector
    std::vector<std::uint8_t> previous_epoch_participation;
    std::vector<std::uint8_t> current_epoch_participation;
    std::uint8_t justification_bits{0};  // Bitvector[4]: bit i is bit i of this byte
    phase0::Checkpoint previous_justified_checkpoint{};
    phase0::Checkpoint current_justified_checkpoint{};
    phase0::Checkpoint finalized_checkpoint{};
    std::vector<std::uint64_t> inactivity_scores;
    SyncCommittee current_sync_committee;
    SyncCommittee next_sync_committee;
    friend bool operator==(const BeaconState&, const BeaconState&) = default;
};

// Every field at its SSZ default, with the vectors (roots, mixes, slashings, committee pubkeys) sized for
// the preset: the starting point of a genesis state.
[[nodiscard]] BeaconState default_beacon_state(const Preset& preset);

[[nodiscard]] Root hash_tree_root(const Validator& validator);
[[nodiscard]] Root hash_tree_root(const Eth1Data& eth1_data);
// Fails when the committee does not have preset.sync_committee_size pubkeys.
[[nodiscard]] Result<Root> hash_tree_root(const SyncCommittee& committee, const Preset& preset);
// List[Validator, VALIDATOR_REGISTRY_LIMIT]: a state's validators, whose root at genesis is the
// genesis_validators_root.
[[nodiscard]] Result<Root> hash_tree_root(std::span<const Validator> validators, const Preset& preset);
// Fails when a vector has the wrong length or a list is over its limit for the preset.
[[nodiscard]] Result<Root> hash_tree_root(const BeaconState& state, const Preset& preset);

[[nodiscard]] std::vector<std::uint8_t> serialize(const Validator& validator);
[[nodiscard]] std::vector<std::uint8_t> serialize(const Eth1Data& eth1_data);
// Fails like hash_tree_root(state, preset).
[[nodiscard]] Result<std::vector<std::uint8_t>> serialize(const BeaconState& state, const Preset& preset);

// hash_tree_root(BeaconBlockBody()) of Altair, every field default: the body_root of a genesis state's
// latest_block_header.
[[nodiscard]] Root empty_beacon_block_body_root(const Preset& preset);
// hash_tree_root(List[DepositData, 2**DEPOSIT_CONTRACT_TREE_DEPTH]()): the deposit_root of an empty deposit
// contract.
[[nodiscard]] Root empty_deposit_root();

}  // namespace ephemery::ssz::altair
