#pragma once
// SSZ merkleization (consensus-specs ssz/simple-serialize.md, "Merkleization"): pack, merkleize with a limit,
// mix_in_length, and hash_tree_root for the basic types, byte vectors, bitfields, vectors, lists and
// containers (the latter from their elements' or fields' roots).
//
// Trees are hashed level by level in one scratch buffer with the batch hash; a limit far above the element
// count (List[X, 2^40]) costs one hash per level of the virtual zero subtree and no memory for it.

#include "core/result.hpp"
#include "ssz/sha256.hpp"

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ephemery::ssz {

// The deepest tree merkleize builds: a limit of up to 2^64 chunks.
inline constexpr std::size_t max_depth = 64;

// zero_hash(0) = 32 zero bytes; zero_hash(d + 1) = hash(zero_hash(d), zero_hash(d)), precomputed up to max_depth
// (the root of 2^depth zero chunks). A depth above max_depth is a caller's bug; it returns zero_hash(max_depth).
[[nodiscard]] const Chunk& zero_hash(std::size_t depth) noexcept;

// Number of 32-byte chunks `byte_count` bytes pack into (the last one zero-padded).
[[nodiscard]] constexpr std::uint64_t chunk_count_of_bytes(std::uint64_t byte_count) noexcept {
    return byte_count / bytes_per_chunk + (byte_count % bytes_per_chunk != 0 ? 1 : 0);
}

// Depth of the tree whose leaves are `limit` chunks padded to a power of two (0 for limits 0 and 1).
[[nodiscard]] constexpr std::size_t depth_for_limit(std::uint64_t limit) noexcept {
    return limit <= 1 ? 0 : static_cast<std::size_t>(std::bit_width(limit - 1));
}

// merkleize(pack(bytes), limit): `bytes` are split into chunks, the last zero-padded; the tree has
// next_pow_of_two(limit) leaves. Fails when the bytes need more than `limit_chunks` chunks.
[[nodiscard]] Result<Chunk> merkleize_bytes(std::span<const std::uint8_t> bytes, std::uint64_t limit_chunks);

// merkleize(chunks, limit). Fails when chunks.size() > limit.
[[nodiscard]] Result<Chunk> merkleize(std::span<const Chunk> chunks, std::uint64_t limit);
// merkleize(chunks) with no limit: padded to next_pow_of_two(chunks.size()).
[[nodiscard]] Chunk merkleize(std::span<const Chunk> chunks);

// hash(root + uint256 little-endian length).
[[nodiscard]] Chunk mix_in_length(const Chunk& root, std::uint64_t length) noexcept;
// hash(root + uint256 little-endian selector), for unions.
[[nodiscard]] Chunk mix_in_selector(const Chunk& root, std::uint8_t selector) noexcept;

// ---- basic types -------------------------------------------------------------------------------------------

// uint128 and uint256 as little-endian 64-bit limbs.
struct Uint128 {
    std::uint64_t low{0};
    std::uint64_t high{0};
};
struct Uint256 {
    std::array<std::uint64_t, 4> limbs{};  // limbs[0] least significant
    friend bool operator==(const Uint256&, const Uint256&) = default;
};

// uint8 .. uint64: the little-endian bytes padded to a chunk.
template <std::unsigned_integral T>
[[nodiscard]] constexpr Chunk hash_tree_root(T value) noexcept {
    static_assert(sizeof(T) <= 8);
    Chunk chunk{};
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        chunk[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i));
    }
    return chunk;
}
[[nodiscard]] constexpr Chunk hash_tree_root(bool value) noexcept {
    Chunk chunk{};
    chunk[0] = value ? 1 : 0;
    return chunk;
}
[[nodiscard]] Chunk hash_tree_root(const Uint128& value) noexcept;
[[nodiscard]] Chunk hash_tree_root(const Uint256& value) noexcept;

// ---- byte vectors (Bytes4, Bytes32, Bytes48, Bytes96, Vector[uint8, N]) and byte lists ------------------------

template <std::size_t size>
[[nodiscard]] Chunk hash_tree_root(const std::array<std::uint8_t, size>& bytes) {
    if constexpr (size <= bytes_per_chunk) {
        Chunk chunk{};
        for (std::size_t i = 0; i < size; ++i) chunk[i] = bytes[i];
        return chunk;
    } else {
        return merkleize_bytes(bytes, chunk_count_of_bytes(size)).value();  // cannot fail: limit fits
    }
}

// Vector[uint8, bytes.size()].
[[nodiscard]] Chunk root_of_byte_vector(std::span<const std::uint8_t> bytes);
// List[uint8, max_length] (ByteList). Fails when bytes.size() > max_length.
[[nodiscard]] Result<Chunk> root_of_byte_list(std::span<const std::uint8_t> bytes, std::uint64_t max_length);

// ---- vectors and lists of basic types (packed) ----------------------------------------------------------------

namespace detail {
// The SSZ (little-endian) bytes of values: on a little-endian host, the values' own memory.
template <std::unsigned_integral T>
[[nodiscard]] Result<Chunk> merkleize_packed(std::span<const T> values, std::uint64_t limit_chunks) {
    if constexpr (std::endian::native == std::endian::little) {
        const std::span<const std::uint8_t> bytes(
            reinterpret_cast<const std::uint8_t*>(
                values.data()),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
            values.size_bytes());
        return merkleize_bytes(bytes, limit_chunks);
    } else {
        std::vector<std::uint8_t> bytes(values.size_bytes());
        for (std::size_t i = 0; i < values.size(); ++i) {
            for (std::size_t b = 0; b < sizeof(T); ++b) {
                bytes[i * sizeof(T) + b] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(values[i]) >> (8 * b));
            }
        }
        return merkleize_bytes(bytes, limit_chunks);
    }
}
// Chunks needed for `count` values of `size` bytes each, without overflow.
[[nodiscard]] constexpr std::uint64_t chunk_count_of(std::uint64_t count, std::size_t size) noexcept {
    const std::uint64_t per_chunk = bytes_per_chunk / size;
    return count / per_chunk + (count % per_chunk != 0 ? 1 : 0);
}
}  // namespace detail

// Vector[T, values.size()] of uint8 .. uint64.
template <std::unsigned_integral T>
[[nodiscard]] Chunk root_of_basic_vector(std::span<const T> values) {
    return detail::merkleize_packed(values, detail::chunk_count_of(values.size(), sizeof(T))).value();
}

// List[T, limit] of uint8 .. uint64. Fails when values.size() > limit.
template <std::unsigned_integral T>
[[nodiscard]] Result<Chunk> root_of_basic_list(std::span<const T> values, std::uint64_t limit) {
    if (values.size() > limit) {
        return make_error(Errc::out_of_range, "SSZ list has " + std::to_string(values.size()) +
                                                  " elements, more than its limit " + std::to_string(limit));
    }
    auto root = detail::merkleize_packed(values, detail::chunk_count_of(limit, sizeof(T)));
    if (!root) return root.error();
    return mix_in_length(*root, values.size());
}

// ---- vectors, lists and containers of composite types (from their elements' roots) ---------------------------

// Vector[X, element_roots.size()] or a container with these field roots (in field order).
[[nodiscard]] Chunk root_of_composite_vector(std::span<const Chunk> element_roots);
[[nodiscard]] inline Chunk root_of_container(std::span<const Chunk> field_roots) {
    return root_of_composite_vector(field_roots);
}
// List[X, limit]. Fails when element_roots.size() > limit.
[[nodiscard]] Result<Chunk> root_of_composite_list(std::span<const Chunk> element_roots, std::uint64_t limit);

// ---- bitfields ------------------------------------------------------------------------------------------------

// Bits packed little-endian: bit i is bit (i % 8) of byte i / 8.
class Bitlist {
  public:
    Bitlist() = default;
    explicit Bitlist(std::uint64_t length);  // all bits clear

    [[nodiscard]] std::uint64_t size() const noexcept { return length_; }
    [[nodiscard]] bool get(std::uint64_t index) const noexcept;  // index < size()
    void set(std::uint64_t index, bool value) noexcept;          // index < size()
    void push_back(bool value);
    // The packed bits without the delimiter (unused high bits of the last byte are zero).
    [[nodiscard]] std::span<const std::uint8_t> packed() const noexcept { return bytes_; }

    // SSZ serialization: the packed bits plus the delimiter bit at index size().
    [[nodiscard]] std::vector<std::uint8_t> serialize() const;
    // Parses a serialized Bitlist[limit]: not empty, last byte non-zero (it holds the delimiter), at most
    // `limit` bits.
    [[nodiscard]] static Result<Bitlist> deserialize(std::span<const std::uint8_t> bytes, std::uint64_t limit);

    friend bool operator==(const Bitlist&, const Bitlist&) = default;

  private:
    std::vector<std::uint8_t> bytes_;
    std::uint64_t length_{0};
};

// Bitlist[limit]: mix_in_length(merkleize(pack_bits(bits), chunk_count = ceil(limit / 256)), len(bits)); the
// delimiter bit is not part of the hashed bits.
[[nodiscard]] Result<Chunk> hash_tree_root(const Bitlist& bits, std::uint64_t limit);

// Bitvector[bit_count] from its serialized bytes (ceil(bit_count / 8) bytes, unused high bits zero).
[[nodiscard]] Result<Chunk> root_of_bitvector(std::span<const std::uint8_t> packed, std::uint64_t bit_count);
// Checks a serialized Bitvector[bit_count]: exact length, unused high bits zero.
[[nodiscard]] Status check_bitvector(std::span<const std::uint8_t> packed, std::uint64_t bit_count);

}  // namespace ephemery::ssz
