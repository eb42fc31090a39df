#pragma once
// SHA-256 of exactly 64 bytes: the only hash SSZ merkleization needs (two 32-byte chunks -> one). The
// second block of such a message is always the same padding block, so its message schedule is computed once.
// Two implementations give identical results: the x86 SHA extensions (SHA-NI), chosen at run time when the
// CPU has them, and portable C++.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ephemery::ssz {

inline constexpr std::size_t bytes_per_chunk = 32;
inline constexpr std::uint64_t bits_per_chunk = 8 * bytes_per_chunk;

// A 32-byte SSZ chunk; also every hash_tree_root.
using Chunk = std::array<std::uint8_t, bytes_per_chunk>;

enum class HashBackend {
    portable,  // C++ only, any CPU
    sha_ni,    // x86 SHA extensions (needs cpu_has_sha_ni())
};

// True when this CPU (and build) can run the SHA-NI backend.
[[nodiscard]] bool cpu_has_sha_ni() noexcept;
// The backend sha256_64 and hash_pairs use: SHA-NI when the CPU has it, else portable.
[[nodiscard]] HashBackend active_backend() noexcept;
[[nodiscard]] std::string_view backend_name(HashBackend backend) noexcept;

// out[0..32) = SHA-256(in[0..64)). out may equal in.
void sha256_64(const std::uint8_t* in, std::uint8_t* out) noexcept;

// For i in [0, count): out[32*i .. 32*i+32) = SHA-256(in[64*i .. 64*i+64)). Hashing a tree level in place
// (out == in) is allowed: each pair is read before its digest is written.
void hash_pairs(const std::uint8_t* in, std::uint8_t* out, std::size_t count) noexcept;

// The same with a chosen backend (tests and benchmarks). hash_pairs_sha_ni aborts when !cpu_has_sha_ni().
void hash_pairs_portable(const std::uint8_t* in, std::uint8_t* out, std::size_t count) noexcept;
void hash_pairs_sha_ni(const std::uint8_t* in, std::uint8_t* out, std::size_t count) noexcept;

// SHA-256(left || right).
[[nodiscard]] Chunk hash_pair(const Chunk& left, const Chunk& right) noexcept;

}  // namespace ephemery::ssz
