#include "devnet/spec_helpers.hpp"

#include "bls/bls.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <string>

namespace ephemery::devnet {

namespace {

constexpr std::uint64_t max_shuffle_index_count = std::uint64_t{1} << 40;
constexpr std::uint64_t max_random_byte = 255;

void append_le(std::vector<std::uint8_t>& out, std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint64_t first_8_bytes_le(const Bytes32& digest) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) value |= std::uint64_t{digest[i]} << (8 * i);
    return value;
}

// hash(seed + uint_to_bytes(uint8(round))): its first 8 bytes pick the round's pivot.
Bytes32 pivot_hash(const Bytes32& seed, std::uint64_t round) {
    std::vector<std::uint8_t> input(seed.begin(), seed.end());
    append_le(input, round, 1);
    return sha256(input);
}

// hash(seed + uint_to_bytes(uint8(round)) + uint_to_bytes(uint32(position // 256))): 256 swap-or-not bits.
Bytes32 source_hash(const Bytes32& seed, std::uint64_t round, std::uint64_t position) {
    std::vector<std::uint8_t> input(seed.begin(), seed.end());
    append_le(input, round, 1);
    append_le(input, position / 256, 4);
    return sha256(input);
}

// The spec's effective_balance * MAX_RANDOM_BYTE >= MAX_EFFECTIVE_BALANCE * random_byte. A balance at or above
// the maximum always passes; below it both products stay under 256 * MAX_EFFECTIVE_BALANCE (no overflow).
bool accepted_by_balance(std::uint64_t effective_balance, std::uint8_t random_byte, const ssz::altair::Preset& preset) {
    if (effective_balance >= preset.max_effective_balance) return true;
    return effective_balance * max_random_byte >= preset.max_effective_balance * random_byte;
}

// hash(seed + uint_to_bytes(uint64(i // 32)))[i % 32].
std::uint8_t sync_committee_random_byte(const Bytes32& seed, std::uint64_t i) {
    std::vector<std::uint8_t> input(seed.begin(), seed.end());
    append_le(input, i / 32, 8);
    return sha256(input)[i % 32];
}

}  // namespace

Bytes32 sha256(std::span<const std::uint8_t> bytes) {
    Bytes32 digest{};
    SHA256(bytes.data(), bytes.size(), digest.data());
    return digest;
}

Result<std::uint64_t> compute_shuffled_index(std::uint64_t index, std::uint64_t index_count, const Bytes32& seed,
                                             std::uint64_t shuffle_round_count) {
    if (index >= index_count || index_count > max_shuffle_index_count) {
        return make_error(Errc::invalid_argument, "compute_shuffled_index needs index < index_count <= 2**40, got " +
                                                      std::to_string(index) + " of " + std::to_string(index_count));
    }
    std::uint64_t permuted = index;
    for (std::uint64_t round = 0; round < shuffle_round_count; ++round) {
        const std::uint64_t pivot = first_8_bytes_le(pivot_hash(seed, round)) % index_count;
        const std::uint64_t flip = (pivot + index_count - permuted) % index_count;
        const std::uint64_t position = std::max(permuted, flip);
        const std::uint8_t byte = source_hash(seed, round, position)[(position % 256) / 8];
        if (((byte >> (position % 8)) & 1U) != 0) permuted = flip;
    }
    return permuted;
}

Result<Bytes32> get_seed(const ssz::altair::BeaconState& state, std::uint64_t epoch, const DomainType& domain_type,
                         const ssz::altair::Preset& preset) {
    if (state.randao_mixes.size() != preset.epochs_per_historical_vector || state.randao_mixes.empty()) {
        return make_error(Errc::invalid_argument, "the state has " + std::to_string(state.randao_mixes.size()) +
                                                      " randao mixes; the preset wants " +
                                                      std::to_string(preset.epochs_per_historical_vector));
    }
    // get_randao_mix(state, epoch + EPOCHS_PER_HISTORICAL_VECTOR - MIN_SEED_LOOKAHEAD - 1)
    const std::uint64_t mix_epoch = epoch + preset.epochs_per_historical_vector - preset.min_seed_lookahead - 1;
    const auto& mix = state.randao_mixes[mix_epoch % preset.epochs_per_historical_vector];
    std::vector<std::uint8_t> input(domain_type.begin(), domain_type.end());
    append_le(input, epoch, 8);
    input.insert(input.end(), mix.begin(), mix.end());
    return sha256(input);
}

std::vector<std::uint64_t> get_active_validator_indices(const ssz::altair::BeaconState& state, std::uint64_t epoch) {
    std::vector<std::uint64_t> indices;
    for (std::uint64_t i = 0; i < state.validators.size(); ++i) {
        const auto& validator = state.validators[i];
        if (validator.activation_epoch <= epoch && epoch < validator.exit_epoch) indices.push_back(i);
    }
    return indices;
}

Result<std::vector<std::uint64_t>> get_next_sync_committee_indices(const ssz::altair::BeaconState& state,
                                                                   const ssz::altair::Preset& preset) {
    const std::uint64_t epoch = state.slot / preset.slots_per_epoch + 1;
    const auto active = get_active_validator_indices(state, epoch);
    if (active.empty()) {
        return make_error(Errc::invalid_argument, "no validator is active in epoch " + std::to_string(epoch) +
                                                      ", so there is nobody to put in the sync committee");
    }
    auto seed = get_seed(state, epoch, domain_sync_committee, preset);
    if (!seed) return seed.error();
    std::vector<std::uint64_t> indices;
    // Terminates: an active validator at MAX_EFFECTIVE_BALANCE is always accepted, and one below it is
    // accepted whenever the random byte is small enough.
    for (std::uint64_t i = 0; indices.size() < preset.sync_committee_size; ++i) {
        const auto shuffled =
            compute_shuffled_index(i % active.size(), active.size(), *seed, preset.shuffle_round_count);
        if (!shuffled) return shuffled.error();
        const std::uint64_t candidate = active[*shuffled];
        const auto& validator = state.validators[candidate];
        if (accepted_by_balance(validator.effective_balance, sync_committee_random_byte(*seed, i), preset)) {
            indices.push_back(candidate);
        }
    }
    return indices;
}

Result<ssz::altair::SyncCommittee> get_next_sync_committee(const ssz::altair::BeaconState& state,
                                                           const ssz::altair::Preset& preset) {
    const auto indices = get_next_sync_committee_indices(state, preset);
    if (!indices) return indices.error();
    ssz::altair::SyncCommittee committee;
    committee.pubkeys.reserve(indices->size());
    for (const auto index : *indices) committee.pubkeys.push_back(state.validators[index].pubkey);
    auto aggregate = bls::aggregate_public_keys(committee.pubkeys);
    if (!aggregate) return aggregate.error();
    committee.aggregate_pubkey = *aggregate;
    return committee;
}

}  // namespace ephemery::devnet
