#include "devnet/genesis_state.hpp"

#include "bls/bls.hpp"
#include "devnet/spec_helpers.hpp"
#include "ssz/altair.hpp"

#include <algorithm>
#include <span>
#include <string>

namespace ephemery::devnet {

namespace {

using ssz::altair::BeaconState;
using ssz::altair::Preset;
using ssz::altair::Validator;

// The dummy validator's pubkey, pinned as bytes. It must be a valid G1 point: Lodestar parses every pubkey of
// the state and aggregates the sync committee's. The spike's make-genesis.mjs made it by passing
// sha256("ephemery-devnet-dummy-validator") to @chainsafe/bls (blst-native) as a secret key; that digest is
// above the group order, which blst-native does not refuse, and its public key is not the one of the digest
// reduced mod r. No conforming derivation reproduces it, so it is kept as data, which also keeps the
// genesis_validators_root of the spike's networks. Nobody needs its secret: the validator is offline.
constexpr Bytes48 dummy_pubkey = {0x99, 0x47, 0x60, 0x78, 0x2b, 0xba, 0x59, 0x1d, 0x4c, 0x07, 0x8d, 0x77,
                                  0x25, 0x7a, 0xe7, 0xa2, 0x93, 0x5f, 0xf7, 0xc2, 0x86, 0x43, 0xcd, 0x27,
                                  0xe8, 0x3d, 0x4c, 0x4d, 0x6f, 0x4b, 0x4d, 0x91, 0x2b, 0x42, 0x9f, 0xc7,
                                  0xb2, 0xfe, 0x02, 0xfe, 0x01, 0xdb, 0x15, 0x08, 0x6a, 0x53, 0x2f, 0x68};
constexpr std::uint8_t eth1_address_withdrawal_prefix = 0x01;
constexpr std::uint8_t bls_withdrawal_prefix = 0x00;

std::string pubkey_problem(std::size_t index) {
    return "genesis validator " + std::to_string(index) + " has a pubkey that is not a valid BLS12-381 G1 point";
}

Status check_validators(const std::vector<GenesisValidator>& validators) {
    if (validators.empty()) return make_error(Errc::invalid_argument, "a genesis state needs at least one validator");
    for (std::size_t i = 0; i < validators.size(); ++i) {
        if (!bls::is_valid_public_key(validators[i].pubkey))
            return make_error(Errc::invalid_argument, pubkey_problem(i));
    }
    return {};
}

// Validators at the maximum effective balance are active from genesis; the others wait, never activated
// (as in the spec's initialize_beacon_state_from_eth1).
Validator genesis_validator_record(const GenesisValidator& input, const Preset& preset) {
    const std::uint64_t rounded = input.balance_gwei - input.balance_gwei % preset.effective_balance_increment;
    const std::uint64_t effective = std::min(rounded, preset.max_effective_balance);
    const bool active = effective == preset.max_effective_balance;
    const std::uint64_t activation = active ? ssz::altair::genesis_epoch : ssz::altair::far_future_epoch;
    return Validator{.pubkey = input.pubkey,
                     .withdrawal_credentials = input.withdrawal_credentials,
                     .effective_balance = effective,
                     .slashed = false,
                     .activation_eligibility_epoch = activation,
                     .activation_epoch = activation,
                     .exit_epoch = ssz::altair::far_future_epoch,
                     .withdrawable_epoch = ssz::altair::far_future_epoch};
}

// Registry, balances and the Altair per-validator lists (participation flags, inactivity scores), all zero.
void add_validators(BeaconState& state, const std::vector<GenesisValidator>& validators, const Preset& preset) {
    for (const auto& validator : validators) {
        state.validators.push_back(genesis_validator_record(validator, preset));
        state.balances.push_back(validator.balance_gwei);
    }
    state.previous_epoch_participation.assign(validators.size(), 0);
    state.current_epoch_participation.assign(validators.size(), 0);
    state.inactivity_scores.assign(validators.size(), 0);
}

// Everything but the validators root and the sync committees; the fields not set here stay SSZ-default.
BeaconState genesis_state_without_committees(const GenesisParams& params, const Preset& preset) {
    auto state = ssz::altair::default_beacon_state(preset);
    state.genesis_time = params.genesis_time;
    state.fork = ssz::phase0::Fork{.previous_version = params.fork_version,
                                   .current_version = params.fork_version,
                                   .epoch = ssz::altair::genesis_epoch};
    state.latest_block_header.body_root = ssz::altair::empty_beacon_block_body_root(preset);
    state.eth1_data = ssz::altair::Eth1Data{
        .deposit_root = ssz::altair::empty_deposit_root(), .deposit_count = 0, .block_hash = params.eth1_block_hash};
    add_validators(state, params.validators, preset);
    std::fill(state.randao_mixes.begin(), state.randao_mixes.end(), params.eth1_block_hash);
    return state;
}

Status has_an_active_validator(const BeaconState& state) {
    if (!get_active_validator_indices(state, ssz::altair::genesis_epoch).empty()) return {};
    return make_error(Errc::invalid_argument,
                      "no genesis validator is active (none has a balance of at least 32 ETH), so the sync "
                      "committee cannot be filled");
}

}  // namespace

Result<GenesisState> make_altair_genesis(const GenesisParams& params) {
    const auto preset = ssz::altair::minimal_preset();
    if (auto checked = check_validators(params.validators); !checked) return checked.error();
    auto state = genesis_state_without_committees(params, preset);
    if (auto active = has_an_active_validator(state); !active) return active.error();

    auto validators_root = ssz::altair::hash_tree_root(std::span<const Validator>(state.validators), preset);
    if (!validators_root) return validators_root.error();
    state.genesis_validators_root = *validators_root;

    // At genesis the current and the next committee are the same: both are "next" as seen from slot 0.
    auto committee = get_next_sync_committee(state, preset);
    if (!committee) return committee.error();
    state.current_sync_committee = *committee;
    state.next_sync_committee = std::move(*committee);

    auto bytes = ssz::altair::serialize(state, preset);
    if (!bytes) return bytes.error();
    auto state_root = ssz::altair::hash_tree_root(state, preset);
    if (!state_root) return state_root.error();
    return GenesisState{
        .ssz = std::move(*bytes), .state_root = *state_root, .genesis_validators_root = *validators_root};
}

GenesisValidator dummy_validator(std::uint64_t iteration) {
    GenesisValidator validator{.pubkey = dummy_pubkey, .withdrawal_credentials = {}, .balance_gwei = 32'000'000'000};
    validator.withdrawal_credentials[0] = eth1_address_withdrawal_prefix;
    // Bytes 12..31 hold the iteration as a 20-byte big-endian number; a uint64 fills the last 8.
    for (std::size_t i = 0; i < 8; ++i) {
        validator.withdrawal_credentials[31 - i] = static_cast<std::uint8_t>(iteration >> (8 * i));
    }
    return validator;
}

Bytes32 bls_withdrawal_credentials(const Bytes48& pubkey) {
    Bytes32 credentials = sha256(pubkey);
    credentials[0] = bls_withdrawal_prefix;
    return credentials;
}

}  // namespace ephemery::devnet
