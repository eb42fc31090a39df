#pragma once
// A small variable-size container that exercises every codec rule end to end (two offsets, a list of
// fixed-size elements, a bitlist, a fixed field after the offsets). The fuzzer and the tests use it:
//
//   class Sample(Container):
//       roots: List[Bytes32, 1024]
//       bits: Bitlist[2048]
//       value: uint64

#include "core/result.hpp"
#include "ssz/merkle.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace ephemery::ssz::sample {

inline constexpr std::uint64_t roots_limit = 1024;
inline constexpr std::uint64_t bits_limit = 2048;
inline constexpr std::size_t fixed_size = 4 + 4 + 8;  // two offsets and the uint64

struct Sample {
    std::vector<Chunk> roots;
    Bitlist bits;
    std::uint64_t value{0};
    friend bool operator==(const Sample&, const Sample&) = default;
};

[[nodiscard]] Result<Sample> deserialize(std::span<const std::uint8_t> bytes);
// Fails when a list is over its limit.
[[nodiscard]] Result<std::vector<std::uint8_t>> serialize(const Sample& sample);
[[nodiscard]] Result<Chunk> hash_tree_root(const Sample& sample);

}  // namespace ephemery::ssz::sample
