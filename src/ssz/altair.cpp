#include "ssz/altair.hpp"

#include "ssz/codec.hpp"
#include "ssz/merkle.hpp"

#include <string>
#include <utility>

namespace ephemery::ssz::altair {

Preset minimal_preset() noexcept {
    return Preset{.slots_per_epoch = 8,
                  .slots_per_historical_root = 64,
                  .epochs_per_historical_vector = 64,
                  .epochs_per_slashings_vector = 64,
                  .historical_roots_limit = std::uint64_t{1} << 24,
                  .validator_registry_limit = std::uint64_t{1} << 40,
                  .epochs_per_eth1_voting_period = 4,
                  .sync_committee_size = 32,
                  .epochs_per_sync_committee_period = 8,
                  .shuffle_round_count = 10,
                  .min_seed_lookahead = 1,
                  .max_effective_balance = 32'000'000'000,
                  .effective_balance_increment = 1'000'000'000,
                  .max_proposer_slashings = 16,
                  .max_attester_slashings = 2,
                  .max_attestations = 128,
                  .max_deposits = 16,
                  .max_voluntary_exits = 16};
}

Preset mainnet_preset() noexcept {
    return Preset{.slots_per_epoch = 32,
                  .slots_per_historical_root = 8192,
                  .epochs_per_historical_vector = 65536,
                  .epochs_per_slashings_vector = 8192,
                  .historical_roots_limit = std::uint64_t{1} << 24,
                  .validator_registry_limit = std::uint64_t{1} << 40,
                  .epochs_per_eth1_voting_period = 64,
                  .sync_committee_size = 512,
                  .epochs_per_sync_committee_period = 256,
                  .shuffle_round_count = 90,
                  .min_seed_lookahead = 1,
                  .max_effective_balance = 32'000'000'000,
                  .effective_balance_increment = 1'000'000'000,
                  .max_proposer_slashings = 16,
                  .max_attester_slashings = 2,
                  .max_attestations = 128,
                  .max_deposits = 16,
                  .max_voluntary_exits = 16};
}

BeaconState default_beacon_state(const Preset& preset) {
    BeaconState state;
    state.block_roots.resize(preset.slots_per_historical_root);
    state.state_roots.resize(preset.slots_per_historical_root);
    state.randao_mixes.resize(preset.epochs_per_historical_vector);
    state.slashings.resize(preset.epochs_per_slashings_vector);
    state.current_sync_committee.pubkeys.resize(preset.sync_committee_size);
    state.next_sync_committee.pubkeys.resize(preset.sync_committee_size);
    return state;
}

namespace {

constexpr std::uint64_t deposit_contract_tree_depth = 32;

Status check_length(const char* field, std::size_t actual, std::uint64_t expected) {
    if (actual == expected) return {};
    return make_error(Errc::invalid_argument, std::string("BeaconState.") + field + " has " + std::to_string(actual) +
                                                  " elements; the preset wants exactly " + std::to_string(expected));
}

Status check_limit(const char* field, std::size_t actual, std::uint64_t limit) {
    if (actual <= limit) return {};
    return make_error(Errc::out_of_range, std::string("BeaconState.") + field + " has " + std::to_string(actual) +
                                              " elements, more than its limit " + std::to_string(limit));
}

std::uint64_t eth1_data_votes_limit(const Preset& preset) {
    return preset.epochs_per_eth1_voting_period * preset.slots_per_epoch;
}

// The shape rules of the SSZ type for this preset: vector lengths, list limits, the per-validator lists
// aligned with validators, and no bit set beyond the Bitvector[4].
Status check_shape(const BeaconState& state, const Preset& preset) {
    const std::uint64_t registry = preset.validator_registry_limit;
    const std::array<Status, 14> checks = {
        check_length("block_roots", state.block_roots.size(), preset.slots_per_historical_root),
        check_length("state_roots", state.state_roots.size(), preset.slots_per_historical_root),
        check_limit("historical_roots", state.historical_roots.size(), preset.historical_roots_limit),
        check_limit("eth1_data_votes", state.eth1_data_votes.size(), eth1_data_votes_limit(preset)),
        check_limit("validators", state.validators.size(), registry),
        check_limit("balances", state.balances.size(), registry),
        check_length("randao_mixes", state.randao_mixes.size(), preset.epochs_per_historical_vector),
        check_length("slashings", state.slashings.size(), preset.epochs_per_slashings_vector),
        check_limit("previous_epoch_participation", state.previous_epoch_participation.size(), registry),
        check_limit("current_epoch_participation", state.current_epoch_participation.size(), registry),
        check_limit("inactivity_scores", state.inactivity_scores.size(), registry),
        check_length("current_sync_committee.pubkeys", state.current_sync_committee.pubkeys.size(),
                     preset.sync_committee_size),
        check_length("next_sync_committee.pubkeys", state.next_sync_committee.pubkeys.size(),
                     preset.sync_committee_size),
        check_bitvector(std::span(&state.justification_bits, 1), justification_bits_length),
    };
    for (const auto& check : checks) {
        if (!check) return check.error();
    }
    return {};
}

template <typename T, typename RootOf>
std::vector<Chunk> roots_of(std::span<const T> elements, RootOf root_of) {
    std::vector<Chunk> roots;
    roots.reserve(elements.size());
    for (const auto& element : elements) roots.push_back(root_of(element));
    return roots;
}

Root root_of_pubkey_vector(std::span<const BlsPubkey> pubkeys) {
    return root_of_composite_vector(
        roots_of(pubkeys, [](const BlsPubkey& pubkey) { return ssz::hash_tree_root(pubkey); }));
}

// Lists in a state whose shape was checked: the limits hold, so the roots cannot fail.
Root root_of_eth1_data_votes(const BeaconState& state, const Preset& preset) {
    const auto roots =
        roots_of(std::span(state.eth1_data_votes), [](const Eth1Data& data) { return hash_tree_root(data); });
    return root_of_composite_list(roots, eth1_data_votes_limit(preset)).value();
}

template <std::unsigned_integral T>
Root root_of_registry_list(const std::vector<T>& values, const Preset& preset) {
    return root_of_basic_list(std::span(values), preset.validator_registry_limit).value();
}

Root root_of_checked_state(const BeaconState& state, const Preset& preset) {
    const std::array<Chunk, 24> fields = {
        ssz::hash_tree_root(state.genesis_time),
        state.genesis_validators_root,
        ssz::hash_tree_root(state.slot),
        phase0::hash_tree_root(state.fork),
        phase0::hash_tree_root(state.latest_block_header),
        root_of_composite_vector(state.block_roots),
        root_of_composite_vector(state.state_roots),
        root_of_composite_list(state.historical_roots, preset.historical_roots_limit).value(),
        hash_tree_root(state.eth1_data),
        root_of_eth1_data_votes(state, preset),
        ssz::hash_tree_root(state.eth1_deposit_index),
        hash_tree_root(std::span(state.validators), preset).value(),
        root_of_registry_list(state.balances, preset),
        root_of_composite_vector(state.randao_mixes),
        root_of_basic_vector(std::span(state.slashings)),
        root_of_registry_list(state.previous_epoch_participation, preset),
        root_of_registry_list(state.current_epoch_participation, preset),
        root_of_bitvector(std::span(&state.justification_bits, 1), justification_bits_length).value(),
        phase0::hash_tree_root(state.previous_justified_checkpoint),
        phase0::hash_tree_root(state.current_justified_checkpoint),
        phase0::hash_tree_root(state.finalized_checkpoint),
        root_of_registry_list(state.inactivity_scores, preset),
        hash_tree_root(state.current_sync_committee, preset).value(),
        hash_tree_root(state.next_sync_committee, preset).value(),
    };
    return root_of_container(fields);
}

}  // namespace

Root hash_tree_root(const Validator& validator) {
    const std::array<Chunk, 8> fields = {ssz::hash_tree_root(validator.pubkey),
                                         validator.withdrawal_credentials,
                                         ssz::hash_tree_root(validator.effective_balance),
                                         ssz::hash_tree_root(validator.slashed),
                                         ssz::hash_tree_root(validator.activation_eligibility_epoch),
                                         ssz::hash_tree_root(validator.activation_epoch),
                                         ssz::hash_tree_root(validator.exit_epoch),
                                         ssz::hash_tree_root(validator.withdrawable_epoch)};
    return root_of_container(fields);
}

Root hash_tree_root(const Eth1Data& eth1_data) {
    const std::array<Chunk, 3> fields = {eth1_data.deposit_root, ssz::hash_tree_root(eth1_data.deposit_count),
                                         eth1_data.block_hash};
    return root_of_container(fields);
}

Result<Root> hash_tree_root(const SyncCommittee& committee, const Preset& preset) {
    if (auto checked = check_length("sync committee pubkeys", committee.pubkeys.size(), preset.sync_committee_size);
        !checked) {
        return checked.error();
    }
    const std::array<Chunk, 2> fields = {root_of_pubkey_vector(committee.pubkeys),
                                         ssz::hash_tree_root(committee.aggregate_pubkey)};
    return root_of_container(fields);
}

Result<Root> hash_tree_root(std::span<const Validator> validators, const Preset& preset) {
    const auto roots = roots_of(validators, [](const Validator& validator) { return hash_tree_root(validator); });
    return root_of_composite_list(roots, preset.validator_registry_limit);
}

Result<Root> hash_tree_root(const BeaconState& state, const Preset& preset) {
    if (auto checked = check_shape(state, preset); !checked) return checked.error();
    return root_of_checked_state(state, preset);
}

// ---- serialization --------------------------------------------------------------------------------------------

namespace {

void write(Writer& writer, const Validator& validator) {
    writer.write_bytes(validator.pubkey);
    writer.write_bytes(validator.withdrawal_credentials);
    writer.write_uint(validator.effective_balance);
    writer.write_bool(validator.slashed);
    writer.write_uint(validator.activation_eligibility_epoch);
    writer.write_uint(validator.activation_epoch);
    writer.write_uint(validator.exit_epoch);
    writer.write_uint(validator.withdrawable_epoch);
}

void write(Writer& writer, const Eth1Data& eth1_data) {
    writer.write_bytes(eth1_data.deposit_root);
    writer.write_uint(eth1_data.deposit_count);
    writer.write_bytes(eth1_data.block_hash);
}

void write(Writer& writer, const SyncCommittee& committee) {
    for (const auto& pubkey : committee.pubkeys) writer.write_bytes(pubkey);
    writer.write_bytes(committee.aggregate_pubkey);
}

void write(Writer& writer, const phase0::Fork& fork) {
    writer.write_bytes(phase0::serialize(fork));
}
void write(Writer& writer, const phase0::BeaconBlockHeader& header) {
    writer.write_bytes(phase0::serialize(header));
}
void write(Writer& writer, const phase0::Checkpoint& checkpoint) {
    writer.write_bytes(phase0::serialize(checkpoint));
}
void write(Writer& writer, const Root& root) {
    writer.write_bytes(root);
}
template <std::unsigned_integral T>
void write(Writer& writer, T value) {
    writer.write_uint(value);
}

template <typename T>
void write_all(Writer& writer, const std::vector<T>& elements) {
    for (const auto& element : elements) write(writer, element);
}

// The offsets of the state's seven variable-size fields, reserved in field order in the fixed part.
struct VariableFieldSlots {
    std::size_t historical_roots{0};
    std::size_t eth1_data_votes{0};
    std::size_t validators{0};
    std::size_t balances{0};
    std::size_t previous_epoch_participation{0};
    std::size_t current_epoch_participation{0};
    std::size_t inactivity_scores{0};
};

VariableFieldSlots write_fixed_part(Writer& writer, const BeaconState& state) {
    VariableFieldSlots slots;
    writer.write_uint(state.genesis_time);
    writer.write_bytes(state.genesis_validators_root);
    writer.write_uint(state.slot);
    write(writer, state.fork);
    write(writer, state.latest_block_header);
    write_all(writer, state.block_roots);
    write_all(writer, state.state_roots);
    slots.historical_roots = writer.reserve_offset();
    write(writer, state.eth1_data);
    slots.eth1_data_votes = writer.reserve_offset();
    writer.write_uint(state.eth1_deposit_index);
    slots.validators = writer.reserve_offset();
    slots.balances = writer.reserve_offset();
    write_all(writer, state.randao_mixes);
    write_all(writer, state.slashings);
    slots.previous_epoch_participation = writer.reserve_offset();
    slots.current_epoch_participation = writer.reserve_offset();
    writer.write_uint(state.justification_bits);
    write(writer, state.previous_justified_checkpoint);
    write(writer, state.current_justified_checkpoint);
    write(writer, state.finalized_checkpoint);
    slots.inactivity_scores = writer.reserve_offset();
    write(writer, state.current_sync_committee);
    write(writer, state.next_sync_committee);
    return slots;
}

// Fills the field's offset (the state starts at byte 0), then writes its elements.
template <typename T>
Status write_variable_field(Writer& writer, std::size_t slot, const std::vector<T>& elements) {
    if (auto filled = writer.fill_offset(slot, 0); !filled) return filled;
    write_all(writer, elements);
    return {};
}

Status write_variable_part(Writer& writer, const BeaconState& state, const VariableFieldSlots& slots) {
    const std::array<Status, 7> written = {
        write_variable_field(writer, slots.historical_roots, state.historical_roots),
        write_variable_field(writer, slots.eth1_data_votes, state.eth1_data_votes),
        write_variable_field(writer, slots.validators, state.validators),
        write_variable_field(writer, slots.balances, state.balances),
        write_variable_field(writer, slots.previous_epoch_participation, state.previous_epoch_participation),
        write_variable_field(writer, slots.current_epoch_participation, state.current_epoch_participation),
        write_variable_field(writer, slots.inactivity_scores, state.inactivity_scores),
    };
    for (const auto& status : written) {
        if (!status) return status;
    }
    return {};
}

}  // namespace

std::vector<std::uint8_t> serialize(const Validator& validator) {
    Writer writer;
    write(writer, validator);
    return std::move(writer).take();
}

std::vector<std::uint8_t> serialize(const Eth1Data& eth1_data) {
    Writer writer;
    write(writer, eth1_data);
    return std::move(writer).take();
}

Result<std::vector<std::uint8_t>> serialize(const BeaconState& state, const Preset& preset) {
    if (auto checked = check_shape(state, preset); !checked) return checked.error();
    Writer writer;
    const auto slots = write_fixed_part(writer, state);
    if (auto written = write_variable_part(writer, state, slots); !written) return written.error();
    return std::move(writer).take();
}

// ---- roots of empty values --------------------------------------------------------------------------------------

namespace {

Root root_of_empty_list(std::uint64_t limit) {
    return root_of_composite_list({}, limit).value();  // cannot fail: zero elements
}

// SyncAggregate(): no participation bits, a zero signature.
Root root_of_empty_sync_aggregate(const Preset& preset) {
    const std::vector<std::uint8_t> no_bits(static_cast<std::size_t>((preset.sync_committee_size + 7) / 8), 0);
    const std::array<Chunk, 2> fields = {root_of_bitvector(no_bits, preset.sync_committee_size).value(),
                                         ssz::hash_tree_root(std::array<std::uint8_t, 96>{})};
    return root_of_container(fields);
}

}  // namespace

Root empty_beacon_block_body_root(const Preset& preset) {
    const std::array<Chunk, 9> fields = {
        ssz::hash_tree_root(std::array<std::uint8_t, 96>{}),  // randao_reveal
        hash_tree_root(Eth1Data{}),
        Chunk{},  // graffiti
        root_of_empty_list(preset.max_proposer_slashings),
        root_of_empty_list(preset.max_attester_slashings),
        root_of_empty_list(preset.max_attestations),
        root_of_empty_list(preset.max_deposits),
        root_of_empty_list(preset.max_voluntary_exits),
        root_of_empty_sync_aggregate(preset),
    };
    return root_of_container(fields);
}

Root empty_deposit_root() {
    return root_of_empty_list(std::uint64_t{1} << deposit_contract_tree_depth);
}

}  // namespace ephemery::ssz::altair
