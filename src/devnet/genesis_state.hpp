#pragma once
// The genesis BeaconState of a local "mini-Ephemery" devnet: Altair from epoch 0, minimal preset, validators
// written straight into the state ("pre-filled validators", as eth2-testnet-genesis does; no deposits, no
// signatures). Lodestar loads the bytes with --genesisStateFile.

#include "core/result.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace ephemery::devnet {

using Bytes48 = std::array<std::uint8_t, 48>;
using Bytes32 = std::array<std::uint8_t, 32>;

struct GenesisValidator {
    Bytes48 pubkey{};
    Bytes32 withdrawal_credentials{};
    std::uint64_t balance_gwei{32'000'000'000};
};

struct GenesisParams {
    std::uint64_t genesis_time{0};
    std::array<std::uint8_t, 4> fork_version{};  // fork.previous_version = fork.current_version (Altair at epoch 0)
    Bytes32 eth1_block_hash{};                   // eth1_data.block_hash and every randao mix
    std::vector<GenesisValidator> validators;    // index order; validators[0] is usually dummy_validator(N)
};

struct GenesisState {
    std::vector<std::uint8_t> ssz;
    Bytes32 state_root{};
    Bytes32 genesis_validators_root{};
};

// The Altair genesis state, minimal preset, of the "pre-filled validators" scheme (no deposits).
// Errc::invalid_argument when there are no validators, a pubkey is not a valid BLS key, or no validator is
// active (balance of at least 32 ETH) to sit in the sync committee.
[[nodiscard]] Result<GenesisState> make_altair_genesis(const GenesisParams& params);

// Validator 0 of iteration N: a fixed BLS pubkey (the spike's dummy key, see genesis_state.cpp), credentials
// 0x01 ‖ 11 zero bytes ‖ N as 20-byte big-endian, 32 ETH. Nobody runs it: it is active but offline.
[[nodiscard]] GenesisValidator dummy_validator(std::uint64_t iteration);

// 0x00 ‖ sha256(pubkey)[1:]
[[nodiscard]] Bytes32 bls_withdrawal_credentials(const Bytes48& pubkey);

}  // namespace ephemery::devnet
