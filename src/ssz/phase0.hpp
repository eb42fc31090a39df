#pragma once
// The phase0 containers that checkpoint sync needs first (consensus-specs phase0/beacon-chain.md), with their
// SSZ encoding and hash_tree_root. All three are fixed-size.

#include "core/result.hpp"
#include "ssz/sha256.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace ephemery::ssz::phase0 {

using Root = Chunk;
using Version = std::array<std::uint8_t, 4>;

struct Checkpoint {
    std::uint64_t epoch{0};
    Root root{};
    friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

struct Fork {
    Version previous_version{};
    Version current_version{};
    std::uint64_t epoch{0};
    friend bool operator==(const Fork&, const Fork&) = default;
};

struct BeaconBlockHeader {
    std::uint64_t slot{0};
    std::uint64_t proposer_index{0};
    Root parent_root{};
    Root state_root{};
    Root body_root{};
    friend bool operator==(const BeaconBlockHeader&, const BeaconBlockHeader&) = default;
};

inline constexpr std::size_t checkpoint_size = 40;
inline constexpr std::size_t fork_size = 16;
inline constexpr std::size_t beacon_block_header_size = 112;

[[nodiscard]] Root hash_tree_root(const Checkpoint& checkpoint);
[[nodiscard]] Root hash_tree_root(const Fork& fork);
[[nodiscard]] Root hash_tree_root(const BeaconBlockHeader& header);

[[nodiscard]] std::vector<std::uint8_t> serialize(const Checkpoint& checkpoint);
[[nodiscard]] std::vector<std::uint8_t> serialize(const Fork& fork);
[[nodiscard]] std::vector<std::uint8_t> serialize(const BeaconBlockHeader& header);

[[nodiscard]] Result<Checkpoint> deserialize_checkpoint(std::span<const std::uint8_t> bytes);
[[nodiscard]] Result<Fork> deserialize_fork(std::span<const std::uint8_t> bytes);
[[nodiscard]] Result<BeaconBlockHeader> deserialize_beacon_block_header(std::span<const std::uint8_t> bytes);

}  // namespace ephemery::ssz::phase0
