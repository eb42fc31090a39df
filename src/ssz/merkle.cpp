#include "ssz/merkle.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace ephemery::ssz {
namespace {

std::string too_many_chunks(std::uint64_t count, std::uint64_t limit) {
    return "SSZ value packs into " + std::to_string(count) + " chunks, more than its limit of " + std::to_string(limit);
}

// Root of a 32-byte chunk and a little-endian integer in the next chunk.
Chunk mix_in(const Chunk& root, std::uint64_t value) noexcept {
    std::array<std::uint8_t, 2 * bytes_per_chunk> joined{};
    std::memcpy(joined.data(), root.data(), bytes_per_chunk);
    for (std::size_t i = 0; i < 8; ++i) joined[bytes_per_chunk + i] = static_cast<std::uint8_t>(value >> (8 * i));
    Chunk digest{};
    sha256_64(joined.data(), digest.data());
    return digest;
}

}  // namespace

const Chunk& zero_hash(std::size_t depth) noexcept {
    static const std::array<Chunk, max_depth + 1> table = [] {
        std::array<Chunk, max_depth + 1> hashes{};
        for (std::size_t d = 1; d <= max_depth; ++d) hashes[d] = hash_pair(hashes[d - 1], hashes[d - 1]);
        return hashes;
    }();
    return table[std::min(depth, max_depth)];
}

Result<Chunk> merkleize_bytes(std::span<const std::uint8_t> bytes, std::uint64_t limit_chunks) {
    const std::uint64_t count = chunk_count_of_bytes(bytes.size());
    if (count > limit_chunks) return make_error(Errc::out_of_range, too_many_chunks(count, limit_chunks));
    const std::size_t depth = depth_for_limit(limit_chunks);
    if (count == 0) return zero_hash(depth);
    if (depth == 0) {  // one chunk, no hashing
        Chunk chunk{};
        std::copy(bytes.begin(), bytes.end(), chunk.begin());
        return chunk;
    }

    // Level 1 is hashed straight from the input into the scratch buffer, which then holds each level in turn
    // (hashed in place) plus one slot for the zero sibling of an odd last node.
    auto nodes = static_cast<std::size_t>((count + 1) / 2);
    const std::size_t scratch_size = (nodes + 1) * bytes_per_chunk;
    std::array<std::uint8_t, 32 * bytes_per_chunk> small;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    std::vector<std::uint8_t> large;
    std::uint8_t* scratch = small.data();
    if (scratch_size > small.size()) {
        large.resize(scratch_size);
        scratch = large.data();
    }

    const std::size_t full_pairs = bytes.size() / (2 * bytes_per_chunk);
    hash_pairs(bytes.data(), scratch, full_pairs);
    const std::size_t tail = bytes.size() - full_pairs * 2 * bytes_per_chunk;
    if (tail != 0) {  // the last pair: a partial chunk, or a chunk and a partial or absent one, zero-padded
        std::array<std::uint8_t, 2 * bytes_per_chunk> last{};
        std::memcpy(last.data(), bytes.data() + full_pairs * 2 * bytes_per_chunk, tail);
        sha256_64(last.data(), scratch + full_pairs * bytes_per_chunk);
    }

    for (std::size_t level = 1; level < depth; ++level) {
        if (nodes % 2 == 1) {
            std::memcpy(scratch + nodes * bytes_per_chunk, zero_hash(level).data(), bytes_per_chunk);
            ++nodes;
        }
        nodes /= 2;
        hash_pairs(scratch, scratch, nodes);
    }
    Chunk root{};
    std::memcpy(root.data(), scratch, bytes_per_chunk);
    return root;
}

Result<Chunk> merkleize(std::span<const Chunk> chunks, std::uint64_t limit) {
    static_assert(sizeof(Chunk) == bytes_per_chunk, "chunks must be contiguous bytes");
    if (chunks.size() > limit) return make_error(Errc::out_of_range, too_many_chunks(chunks.size(), limit));
    const std::span<const std::uint8_t> bytes(chunks.empty() ? nullptr : chunks.front().data(),
                                              chunks.size() * bytes_per_chunk);
    return merkleize_bytes(bytes, limit);
}

Chunk merkleize(std::span<const Chunk> chunks) {
    return merkleize(chunks, chunks.size()).value();
}

Chunk mix_in_length(const Chunk& root, std::uint64_t length) noexcept {
    return mix_in(root, length);
}

Chunk mix_in_selector(const Chunk& root, std::uint8_t selector) noexcept {
    return mix_in(root, selector);
}

Chunk hash_tree_root(const Uint128& value) noexcept {
    Chunk chunk{};
    for (std::size_t i = 0; i < 8; ++i) {
        chunk[i] = static_cast<std::uint8_t>(value.low >> (8 * i));
        chunk[8 + i] = static_cast<std::uint8_t>(value.high >> (8 * i));
    }
    return chunk;
}

Chunk hash_tree_root(const Uint256& value) noexcept {
    Chunk chunk{};
    for (std::size_t limb = 0; limb < value.limbs.size(); ++limb) {
        for (std::size_t i = 0; i < 8; ++i)
            chunk[8 * limb + i] = static_cast<std::uint8_t>(value.limbs[limb] >> (8 * i));
    }
    return chunk;
}

Chunk root_of_byte_vector(std::span<const std::uint8_t> bytes) {
    return merkleize_bytes(bytes, chunk_count_of_bytes(bytes.size())).value();
}

Result<Chunk> root_of_byte_list(std::span<const std::uint8_t> bytes, std::uint64_t max_length) {
    if (bytes.size() > max_length) {
        return make_error(Errc::out_of_range, "SSZ byte list has " + std::to_string(bytes.size()) +
                                                  " bytes, more than its limit of " + std::to_string(max_length));
    }
    auto root = merkleize_bytes(bytes, chunk_count_of_bytes(max_length));
    if (!root) return root.error();
    return mix_in_length(*root, bytes.size());
}

Chunk root_of_composite_vector(std::span<const Chunk> element_roots) {
    return merkleize(element_roots);
}

Result<Chunk> root_of_composite_list(std::span<const Chunk> element_roots, std::uint64_t limit) {
    auto root = merkleize(element_roots, limit);
    if (!root) return root.error();
    return mix_in_length(*root, element_roots.size());
}

// ---- bitfields ------------------------------------------------------------------------------------------------

namespace {

std::uint64_t bytes_for_bits(std::uint64_t bits) {
    return bits / 8 + (bits % 8 != 0 ? 1 : 0);
}
std::uint64_t chunks_for_bits(std::uint64_t bits) {
    return bits / bits_per_chunk + (bits % bits_per_chunk != 0 ? 1 : 0);
}
}  // namespace

Bitlist::Bitlist(std::uint64_t length) : bytes_(static_cast<std::size_t>(bytes_for_bits(length))), length_(length) {}

bool Bitlist::get(std::uint64_t index) const noexcept {
    return ((static_cast<unsigned>(bytes_[static_cast<std::size_t>(index / 8)]) >> (index % 8)) & 1U) != 0;
}

void Bitlist::set(std::uint64_t index, bool value) noexcept {
    auto& byte = bytes_[static_cast<std::size_t>(index / 8)];
    const auto mask = static_cast<std::uint8_t>(1U << (index % 8));
    byte = static_cast<std::uint8_t>(value ? (byte | mask) : (byte & ~mask));
}

void Bitlist::push_back(bool value) {
    if (length_ % 8 == 0) bytes_.push_back(0);
    ++length_;
    set(length_ - 1, value);
}

std::vector<std::uint8_t> Bitlist::serialize() const {
    std::vector<std::uint8_t> out = bytes_;
    if (length_ % 8 == 0) {
        out.push_back(1);
    } else {
        out.back() = static_cast<std::uint8_t>(out.back() | (1U << (length_ % 8)));
    }
    return out;
}

Result<Bitlist> Bitlist::deserialize(std::span<const std::uint8_t> bytes, std::uint64_t limit) {
    if (bytes.empty())
        return make_error(Errc::parse_error, "SSZ bitlist is empty: it needs at least the delimiter bit");
    const std::uint8_t last = bytes.back();
    if (last == 0)
        return make_error(Errc::parse_error, "SSZ bitlist's last byte is zero: the delimiter bit is missing");
    const auto delimiter = static_cast<std::uint64_t>(std::bit_width(last) - 1);
    const std::uint64_t length = 8 * (static_cast<std::uint64_t>(bytes.size()) - 1) + delimiter;
    if (length > limit) {
        return make_error(Errc::out_of_range, "SSZ bitlist has " + std::to_string(length) +
                                                  " bits, more than its limit of " + std::to_string(limit));
    }
    Bitlist bits;
    bits.length_ = length;
    bits.bytes_.assign(bytes.begin(), bytes.end());
    if (delimiter == 0) {
        bits.bytes_.pop_back();
    } else {
        bits.bytes_.back() = static_cast<std::uint8_t>(last & ~(1U << delimiter));
    }
    return bits;
}

Result<Chunk> hash_tree_root(const Bitlist& bits, std::uint64_t limit) {
    if (bits.size() > limit) {
        return make_error(Errc::out_of_range, "SSZ bitlist has " + std::to_string(bits.size()) +
                                                  " bits, more than its limit of " + std::to_string(limit));
    }
    auto root = merkleize_bytes(bits.packed(), chunks_for_bits(limit));
    if (!root) return root.error();
    return mix_in_length(*root, bits.size());
}

Status check_bitvector(std::span<const std::uint8_t> packed, std::uint64_t bit_count) {
    if (bit_count == 0) return make_error(Errc::invalid_argument, "SSZ Bitvector[0] is not a legal type");
    if (packed.size() != bytes_for_bits(bit_count)) {
        return make_error(Errc::parse_error, "SSZ Bitvector[" + std::to_string(bit_count) + "] takes " +
                                                 std::to_string(bytes_for_bits(bit_count)) + " bytes, not " +
                                                 std::to_string(packed.size()));
    }
    if (bit_count % 8 != 0 && (packed.back() >> (bit_count % 8)) != 0) {
        return make_error(Errc::parse_error,
                          "SSZ Bitvector[" + std::to_string(bit_count) + "] has bits set beyond its length");
    }
    return {};
}

Result<Chunk> root_of_bitvector(std::span<const std::uint8_t> packed, std::uint64_t bit_count) {
    if (auto checked = check_bitvector(packed, bit_count); !checked) return checked.error();
    return merkleize_bytes(packed, chunks_for_bits(bit_count));
}

}  // namespace ephemery::ssz
