#pragma once
// Shared by the ssz tests: an independent reference built on OpenSSL's SHA-256, and hex helpers.

#include "core/text.hpp"
#include "ssz/sha256.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ephemery::ssz::testing {

inline Chunk openssl_sha256(std::span<const std::uint8_t> bytes) {
    Chunk digest{};
    SHA256(bytes.data(), bytes.size(), digest.data());
    return digest;
}

inline Chunk openssl_pair(const Chunk& left, const Chunk& right) {
    std::vector<std::uint8_t> joined(left.begin(), left.end());
    joined.insert(joined.end(), right.begin(), right.end());
    return openssl_sha256(joined);
}

// Reference merkleization, straight from the spec: materialise next_pow_of_two(limit) leaves (small limits only).
inline Chunk reference_merkleize(std::vector<Chunk> leaves, std::uint64_t limit) {
    std::uint64_t width = 1;
    while (width < limit) width *= 2;
    leaves.resize(static_cast<std::size_t>(width));
    while (leaves.size() > 1) {
        std::vector<Chunk> parents;
        for (std::size_t i = 0; i < leaves.size(); i += 2) parents.push_back(openssl_pair(leaves[i], leaves[i + 1]));
        leaves = std::move(parents);
    }
    return leaves[0];
}

inline Chunk reference_mix_in_length(const Chunk& root, std::uint64_t length) {
    Chunk length_chunk{};
    for (std::size_t i = 0; i < 8; ++i) length_chunk[i] = static_cast<std::uint8_t>(length >> (8 * i));
    return openssl_pair(root, length_chunk);
}

inline std::string hex(std::span<const std::uint8_t> bytes) {
    return to_hex(bytes);
}

// Bytes start, start+1, ... (mod 256).
template <std::size_t size>
std::array<std::uint8_t, size> sequence(std::uint8_t start) {
    std::array<std::uint8_t, size> out{};
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(start + i);
    return out;
}

}  // namespace ephemery::ssz::testing
