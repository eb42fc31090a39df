#pragma once
// The beacon chain's BeaconState and SignedBeaconBlock of every fork (phase0 .. fulu) as SSZ schemas
// (ssz/schema.hpp) for a preset chosen at run time, and what verified checkpoint sync needs from them: full
// validation of downloaded bytes, their roots, and the header fields that tie a block to its state.
//
// Container definitions follow consensus-specs specs/<fork>/beacon-chain.md; preset values its
// presets/{minimal,mainnet}/<fork>.yaml.

#include "core/result.hpp"
#include "ssz/phase0.hpp"
#include "ssz/schema.hpp"
#include "ssz/sha256.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ephemery::ssz {

enum class ForkName { phase0, altair, bellatrix, capella, deneb, electra, fulu };
inline constexpr std::size_t fork_count = 7;

// "phase0", ..., "fulu": lower case, as in the beacon API's `version` fields.
[[nodiscard]] std::string_view fork_name(ForkName fork) noexcept;
// Case-insensitive.
[[nodiscard]] std::optional<ForkName> parse_fork_name(std::string_view name) noexcept;

inline constexpr std::uint64_t far_future_epoch = ~std::uint64_t{0};

// Activation epoch of each fork (index = ForkName); far_future_epoch when not scheduled.
struct ForkSchedule {
    std::array<std::uint64_t, fork_count> epochs{};
};

// From a network config (config.yaml) or the beacon API's /eth/v1/config/spec: ALTAIR_FORK_EPOCH ..
// FULU_FORK_EPOCH, a missing key meaning far future; phase0 at 0. Fails on a value that is not a decimal uint64
// and on forks scheduled out of order.
[[nodiscard]] Result<ForkSchedule> fork_schedule_from_config(
    const std::map<std::string, std::string, std::less<>>& config);
// The newest fork active at `epoch`.
[[nodiscard]] ForkName fork_at_epoch(const ForkSchedule& schedule, std::uint64_t epoch) noexcept;

// Every preset value the beacon types of phase0 .. fulu depend on.
struct ConsensusPreset {
    std::string name;  // "minimal", "mainnet": PRESET_BASE of a network config
    // phase0
    std::uint64_t max_committees_per_slot{0};
    std::uint64_t max_validators_per_committee{0};
    std::uint64_t slots_per_epoch{0};
    std::uint64_t min_seed_lookahead{0};
    std::uint64_t epochs_per_eth1_voting_period{0};
    std::uint64_t slots_per_historical_root{0};
    std::uint64_t epochs_per_historical_vector{0};
    std::uint64_t epochs_per_slashings_vector{0};
    std::uint64_t historical_roots_limit{0};
    std::uint64_t validator_registry_limit{0};
    std::uint64_t max_proposer_slashings{0};
    std::uint64_t max_attester_slashings{0};
    std::uint64_t max_attestations{0};
    std::uint64_t max_deposits{0};
    std::uint64_t max_voluntary_exits{0};
    std::uint64_t deposit_contract_tree_depth{0};  // a constant of the spec, not a preset value
    // altair
    std::uint64_t sync_committee_size{0};
    // bellatrix
    std::uint64_t max_bytes_per_transaction{0};
    std::uint64_t max_transactions_per_payload{0};
    std::uint64_t bytes_per_logs_bloom{0};
    std::uint64_t max_extra_data_bytes{0};
    // capella
    std::uint64_t max_bls_to_execution_changes{0};
    std::uint64_t max_withdrawals_per_payload{0};
    // deneb
    std::uint64_t max_blob_commitments_per_block{0};
    // electra
    std::uint64_t pending_deposits_limit{0};
    std::uint64_t pending_partial_withdrawals_limit{0};
    std::uint64_t pending_consolidations_limit{0};
    std::uint64_t max_attester_slashings_electra{0};
    std::uint64_t max_attestations_electra{0};
    std::uint64_t max_deposit_requests_per_payload{0};
    std::uint64_t max_withdrawal_requests_per_payload{0};
    std::uint64_t max_consolidation_requests_per_payload{0};
};

// The built-in presets: "minimal" and "mainnet" (case-insensitive).
[[nodiscard]] std::optional<ConsensusPreset> preset_by_name(std::string_view name);

// The schemas of one fork and preset. Built on demand (microseconds); the types are shared and immutable.
struct BeaconSchemas {
    TypePtr beacon_state;
    TypePtr signed_beacon_block;
    TypePtr beacon_block;
    TypePtr beacon_block_body;
};
[[nodiscard]] BeaconSchemas beacon_schemas(ForkName fork, const ConsensusPreset& preset);

// Cheap peeks that work on any fork (fixed offsets): state.slot is at byte 40; a SignedBeaconBlock's message
// starts at its first offset (100: the offset and the signature) and message.slot is its first 8 bytes.
[[nodiscard]] Result<std::uint64_t> peek_state_slot(std::span<const std::uint8_t> state);
[[nodiscard]] Result<std::uint64_t> peek_signed_block_slot(std::span<const std::uint8_t> signed_block);

struct StateSummary {
    Chunk root{};  // hash_tree_root(state)
    std::uint64_t genesis_time{0};
    Chunk genesis_validators_root{};
    std::uint64_t slot{0};
    phase0::BeaconBlockHeader latest_block_header{};
    phase0::Checkpoint finalized_checkpoint{};
    std::uint64_t validator_count{0};
};

struct BlockSummary {
    Chunk root{};  // hash_tree_root(signed_block.message): the block root
    std::uint64_t slot{0};
    std::uint64_t proposer_index{0};
    Chunk parent_root{};
    Chunk state_root{};
    Chunk body_root{};
};

// Validate completely and hash. Errors name the field path and the fork and preset.
[[nodiscard]] Result<StateSummary> inspect_beacon_state(std::span<const std::uint8_t> bytes, ForkName fork,
                                                        const ConsensusPreset& preset);
[[nodiscard]] Result<BlockSummary> inspect_signed_beacon_block(std::span<const std::uint8_t> bytes, ForkName fork,
                                                               const ConsensusPreset& preset);

}  // namespace ephemery::ssz
