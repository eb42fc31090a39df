#pragma once

#include "core/result.hpp"
#include "devnet/genesis_state.hpp"
#include "network/schedule.hpp"
#include "release/verify.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The devnet's network: an Ephemery-style schedule with short iterations, and the release of each iteration,
// made here instead of by Ephemery's release job but with the same files (network-config layout), so the
// daemon fetches, verifies and installs it like a downloaded one. Pure: no clock, no disk.
namespace ephemery::devnet {

inline constexpr std::int64_t min_iteration_seconds = 120;
inline constexpr std::int64_t default_iteration_seconds = 600;
inline constexpr std::uint32_t min_validators = 4;  // the offline dummy validator must stay below 1/3 of the stake
inline constexpr std::uint32_t max_validators = 1024;
inline constexpr std::uint32_t default_validators = 64;
inline constexpr std::uint64_t devnet_chain_id_base = 39439000;  // Ephemery's is 39438000
inline constexpr std::string_view devnet_network_name = "devnet";
inline constexpr std::string_view devnet_tag_prefix = "devnet-";
inline constexpr int seconds_per_slot = 2;  // minimal preset: 8 slots, so an epoch is 16 s

// Ephemery's genesis delay (600 s of 28 days) scaled down, but long enough for a reset (stop, wipe, start,
// keystore decryption) to finish before the new genesis: a tenth of the interval, at least 20 s.
[[nodiscard]] std::int64_t genesis_delay_for(std::int64_t iteration_seconds);

// The schedule of a devnet whose iteration 1 began at base_genesis_time. Refuses intervals below 120 s.
[[nodiscard]] Result<network::Schedule> devnet_schedule(std::int64_t base_genesis_time, std::int64_t iteration_seconds);

// Ephemery's fork versions (the devnet runs Altair from epoch 0 and schedules no later fork).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> devnet_fork_versions();

// eth1_data.block_hash and every randao mix of iteration N's genesis (there is no execution chain).
[[nodiscard]] Bytes32 eth1_block_hash_for(std::uint64_t iteration);

// The config.yaml Lodestar reads with --paramsFile (minimal preset; only keys v1.5.1 knows take effect, the
// others are there for the release's cross-checks).
[[nodiscard]] std::string config_yaml(const network::Schedule& schedule, std::uint64_t iteration,
                                      std::size_t genesis_validator_count);

// Parses genesis-validators.txt (`keys new` writes it): one "0x<pubkey>:<credentials>:<gwei>" per line (hex with
// or without 0x);
// '#' comments and blank lines are skipped. Errors name `source` and the line.
[[nodiscard]] Result<std::vector<GenesisValidator>> parse_genesis_validators(std::string_view text,
                                                                             std::string_view source);

struct ReleaseRequest {
    std::uint64_t iteration{0};
    network::Schedule schedule;
    std::vector<GenesisValidator> validators;  // ours; the iteration's dummy validator is put before them
};

// Every file of iteration N's release (network-config layout) with a real genesis state.
[[nodiscard]] Result<release::ReleaseFiles> make_release(const ReleaseRequest& request);

}  // namespace ephemery::devnet
