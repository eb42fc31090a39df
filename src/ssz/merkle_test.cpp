#include "ssz/merkle.hpp"

#include "ssz/test_helpers.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ephemery::ssz {
namespace {

using testing::hex;
using testing::openssl_pair;
using testing::reference_merkleize;
using testing::reference_mix_in_length;

std::vector<Chunk> random_chunks(std::mt19937_64& rng, std::size_t count) {
    std::vector<Chunk> chunks(count);
    for (auto& chunk : chunks) {
        for (auto& byte : chunk) byte = static_cast<std::uint8_t>(rng());
    }
    return chunks;
}

// The zero hashes of the spec, recomputed with OpenSSL.
std::vector<Chunk> reference_zero_hashes() {
    std::vector<Chunk> zeros(max_depth + 1);
    for (std::size_t d = 1; d <= max_depth; ++d) zeros[d] = openssl_pair(zeros[d - 1], zeros[d - 1]);
    return zeros;
}

TEST(ZeroHashes, MatchTheSpecAndOpenSsl) {
    EXPECT_EQ(hex(zero_hash(0)), std::string(64, '0'));
    EXPECT_EQ(hex(zero_hash(1)), "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
    EXPECT_EQ(hex(zero_hash(2)), "db56114e00fdd4c1f85c892bf35ac9a89289aaecb1ebd0a96cde606a748b5d71");
    EXPECT_EQ(hex(zero_hash(3)), "c78009fdf07fc56a11f122370658a353aaa542ed63e44c4bc15ff4cd105ab33c");
    const auto zeros = reference_zero_hashes();
    for (std::size_t d = 0; d <= max_depth; ++d) EXPECT_EQ(zero_hash(d), zeros[d]) << "depth " << d;
}

TEST(Merkleize, DepthForLimit) {
    EXPECT_EQ(depth_for_limit(0), 0U);
    EXPECT_EQ(depth_for_limit(1), 0U);
    EXPECT_EQ(depth_for_limit(2), 1U);
    EXPECT_EQ(depth_for_limit(3), 2U);
    EXPECT_EQ(depth_for_limit(4), 2U);
    EXPECT_EQ(depth_for_limit(5), 3U);
    EXPECT_EQ(depth_for_limit(std::uint64_t{1} << 40), 40U);
    EXPECT_EQ(depth_for_limit(~std::uint64_t{0}), 64U);
}

TEST(Merkleize, MatchesTheSpecOnSmallTrees) {
    std::mt19937_64 rng(1);
    for (std::size_t count = 0; count <= 40; ++count) {
        const auto chunks = random_chunks(rng, count);
        for (std::uint64_t limit = count; limit <= 70; limit += (limit < 20 ? 1 : 7)) {
            const auto root = merkleize(chunks, limit);
            ASSERT_TRUE(root.ok()) << root.error().message;
            ASSERT_EQ(*root, reference_merkleize(chunks, limit)) << count << " chunks, limit " << limit;
        }
        EXPECT_EQ(merkleize(chunks), reference_merkleize(chunks, count)) << count;
    }
}

TEST(Merkleize, HugeLimitUsesVirtualZeroSubtrees) {
    std::mt19937_64 rng(2);
    const auto zeros = reference_zero_hashes();
    for (std::size_t count : {0U, 1U, 2U, 3U, 5U, 100U}) {
        const auto chunks = random_chunks(rng, count);
        for (std::size_t depth : {40U, 63U, 64U}) {
            // Reference: the smallest materialised tree, then up the zero-hash spine.
            std::size_t materialised = 0;
            while ((std::uint64_t{1} << materialised) < count) ++materialised;
            Chunk expected = reference_merkleize(chunks, std::uint64_t{1} << materialised);
            for (std::size_t d = materialised; d < depth; ++d) expected = openssl_pair(expected, zeros[d]);
            const std::uint64_t limit = depth == 64 ? ~std::uint64_t{0} : std::uint64_t{1} << depth;
            const auto root = merkleize(chunks, limit);
            ASSERT_TRUE(root.ok());
            EXPECT_EQ(*root, expected) << count << " chunks, depth " << depth;
        }
    }
}

TEST(Merkleize, RefusesMoreChunksThanTheLimit) {
    const std::vector<Chunk> chunks(5);
    const auto root = merkleize(chunks, 4);
    ASSERT_FALSE(root.ok());
    EXPECT_EQ(root.error().code, Errc::out_of_range);
    EXPECT_NE(root.error().message.find("limit of 4"), std::string::npos) << root.error().message;
    EXPECT_FALSE(merkleize(chunks, 0).ok());
    EXPECT_EQ(*merkleize({}, 0), zero_hash(0));
}

TEST(Merkleize, BytesArePackedAndZeroPadded) {
    std::mt19937_64 rng(3);
    for (std::size_t size = 0; size <= 200; ++size) {
        std::vector<std::uint8_t> bytes(size);
        for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng());
        std::vector<Chunk> chunks((size + 31) / 32);
        for (std::size_t i = 0; i < size; ++i) chunks[i / 32][i % 32] = bytes[i];
        const auto root = merkleize_bytes(bytes, 16);
        ASSERT_TRUE(root.ok());
        EXPECT_EQ(*root, reference_merkleize(chunks, 16)) << size;
    }
}

TEST(MixInLength, HashesRootAndLittleEndianLength) {
    const auto root = testing::sequence<32>(5);
    EXPECT_EQ(mix_in_length(root, 0x0102030405060708ULL), reference_mix_in_length(root, 0x0102030405060708ULL));
    Chunk selector{};
    selector[0] = 3;
    EXPECT_EQ(mix_in_selector(root, 3), openssl_pair(root, selector));
}

TEST(HashTreeRoot, UintsAreLittleEndianPaddedToAChunk) {
    EXPECT_EQ(hex(hash_tree_root(std::uint64_t{0x0102030405060708})),
              "0807060504030201000000000000000000000000000000000000000000000000");
    EXPECT_EQ(hex(hash_tree_root(std::uint8_t{0xab})),
              "ab00000000000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(hex(hash_tree_root(std::uint16_t{0x1234})),
              "3412000000000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(hex(hash_tree_root(std::uint32_t{0xdeadbeef})),
              "efbeadde00000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(hex(hash_tree_root(true)), "0100000000000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(hex(hash_tree_root(false)), std::string(64, '0'));
    EXPECT_EQ(hex(hash_tree_root(Uint128{.low = 1, .high = 0x8000000000000000ULL})),
              "0100000000000000"
              "0000000000000080" +
                  std::string(32, '0'));
    EXPECT_EQ(hex(hash_tree_root(Uint256{.limbs = {1, 2, 3, 0xff00000000000000ULL}})),
              "0100000000000000"
              "0200000000000000"
              "0300000000000000"
              "00000000000000ff");
}

TEST(HashTreeRoot, FixedBytes) {
    const auto bytes4 = testing::sequence<4>(1);
    EXPECT_EQ(hex(hash_tree_root(bytes4)), "01020304" + std::string(56, '0'));
    const auto bytes32 = testing::sequence<32>(9);
    EXPECT_EQ(hash_tree_root(bytes32), bytes32);

    const auto bytes48 = testing::sequence<48>(9);
    Chunk second{};
    std::copy(bytes48.begin() + 32, bytes48.end(), second.begin());
    Chunk first{};
    std::copy(bytes48.begin(), bytes48.begin() + 32, first.begin());
    EXPECT_EQ(hash_tree_root(bytes48), openssl_pair(first, second));
    // @chainsafe/ssz 1.9.0: ByteVectorType(48).hashTreeRoot(9, 10, ..., 56).
    EXPECT_EQ(hex(hash_tree_root(bytes48)), "b1282fe6947f803b8dc70b14cbab6775b9a1b39eed54f90c67f06192a71a8f60");

    const auto bytes96 = testing::sequence<96>(7);
    std::array<Chunk, 3> chunks{};
    for (std::size_t i = 0; i < 96; ++i) chunks[i / 32][i % 32] = bytes96[i];
    EXPECT_EQ(hash_tree_root(bytes96),
              openssl_pair(openssl_pair(chunks[0], chunks[1]), openssl_pair(chunks[2], Chunk{})));
    EXPECT_EQ(hex(hash_tree_root(bytes96)), "4963c9d81a8fcbd3036437058c8b56c758b52816a5f6677e6c3b7cb675cbe613");
    EXPECT_EQ(root_of_byte_vector(bytes96), hash_tree_root(bytes96));
}

TEST(HashTreeRoot, ByteList) {
    const auto bytes = testing::sequence<40>(0);
    std::vector<Chunk> chunks(2);
    for (std::size_t i = 0; i < 40; ++i) chunks[i / 32][i % 32] = bytes[i];
    const auto root = root_of_byte_list(bytes, 256);  // 8 chunks
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, reference_mix_in_length(reference_merkleize(chunks, 8), 40));
    EXPECT_FALSE(root_of_byte_list(bytes, 39).ok());
}

TEST(HashTreeRoot, ListOfBytes32MixesInTheLength) {
    std::mt19937_64 rng(4);
    const auto roots = random_chunks(rng, 3);
    const auto root = root_of_composite_list(roots, 4);
    ASSERT_TRUE(root.ok());
    Chunk length{};
    length[0] = 3;
    const Chunk expected =
        openssl_pair(openssl_pair(openssl_pair(roots[0], roots[1]), openssl_pair(roots[2], Chunk{})), length);
    EXPECT_EQ(*root, expected);
    EXPECT_FALSE(root_of_composite_list(roots, 2).ok());
    // An empty list: the zero subtree of the limit, length 0.
    EXPECT_EQ(*root_of_composite_list({}, 1024), reference_mix_in_length(zero_hash(10), 0));
}

TEST(HashTreeRoot, BasicVectorsAndListsArePacked) {
    const std::vector<std::uint16_t> values = {1, 2, 3, 0xffff, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
    std::vector<Chunk> chunks(2);  // 17 * 2 = 34 bytes
    for (std::size_t i = 0; i < values.size(); ++i) {
        chunks[(2 * i) / 32][(2 * i) % 32] = static_cast<std::uint8_t>(values[i]);
        chunks[(2 * i + 1) / 32][(2 * i + 1) % 32] = static_cast<std::uint8_t>(values[i] >> 8);
    }
    EXPECT_EQ(root_of_basic_vector<std::uint16_t>(values), reference_merkleize(chunks, 2));
    // List[uint16, 100]: 200 bytes = 7 chunks, padded to 8.
    EXPECT_EQ(*root_of_basic_list<std::uint16_t>(values, 100),
              reference_mix_in_length(reference_merkleize(chunks, 7), values.size()));
    EXPECT_FALSE(root_of_basic_list<std::uint16_t>(values, 16).ok());

    // List[Gwei, 2^40] (balances): @chainsafe/ssz 1.9.0 ListBasicType(UintBigintType(8), 2**40), 13 values.
    std::vector<std::uint64_t> balances;
    for (std::uint64_t i = 0; i < 13; ++i) balances.push_back(32000000000ULL + i * 1000003ULL);
    const auto balances_root = root_of_basic_list<std::uint64_t>(balances, std::uint64_t{1} << 40);
    ASSERT_TRUE(balances_root.ok());
    EXPECT_EQ(hex(*balances_root), "616dd9bc034bc2a0d955fa08694f3cbd03eca9d899e9b67db32feddedf909390");
}

TEST(Bitlist, SerializesWithTheDelimiterBit) {
    Bitlist bits;
    for (bool bit : {true, false, true, true, false, false, false, true, true, false, true}) bits.push_back(bit);
    EXPECT_EQ(bits.size(), 11U);
    EXPECT_EQ(hex(bits.packed()), "8d05");
    EXPECT_EQ(hex(bits.serialize()), "8d0d");  // delimiter at bit 11
    EXPECT_TRUE(bits.get(0));
    EXPECT_FALSE(bits.get(1));
    EXPECT_TRUE(bits.get(10));

    Bitlist eight(8);
    eight.set(7, true);
    EXPECT_EQ(hex(eight.serialize()), "8001");  // a full byte: the delimiter starts a new one
    EXPECT_EQ(hex(Bitlist().serialize()), "01");

    const auto parsed = Bitlist::deserialize(bits.serialize(), 2048);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, bits);
    EXPECT_EQ(*Bitlist::deserialize(eight.serialize(), 8), eight);
    EXPECT_EQ(Bitlist::deserialize(std::vector<std::uint8_t>{0x01}, 0)->size(), 0U);
}

TEST(Bitlist, RefusesMalformedInput) {
    EXPECT_FALSE(Bitlist::deserialize({}, 10).ok());
    EXPECT_FALSE(Bitlist::deserialize(std::vector<std::uint8_t>{0x05, 0x00}, 100).ok());
    const auto over = Bitlist::deserialize(std::vector<std::uint8_t>{0xff, 0x02}, 8);  // 9 bits
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().code, Errc::out_of_range);
}

TEST(Bitlist, RootExcludesTheDelimiter) {
    Bitlist bits;
    for (bool bit : {true, false, true, true}) bits.push_back(bit);
    // Bitlist[2048]: 8 chunks; the packed bits 0b1101 without the delimiter, mixed with length 4.
    Chunk packed{};
    packed[0] = 0x0d;
    std::vector<Chunk> chunks = {packed};
    EXPECT_EQ(*hash_tree_root(bits, 2048), reference_mix_in_length(reference_merkleize(chunks, 8), 4));
    EXPECT_FALSE(hash_tree_root(bits, 3).ok());

    Bitlist eleven;
    for (bool bit : {true, false, true, true, false, false, false, true, true, false, true}) eleven.push_back(bit);
    // @chainsafe/ssz 1.9.0: BitListType(2048).hashTreeRoot of these 11 bits.
    EXPECT_EQ(hex(*hash_tree_root(eleven, 2048)), "bdf28ce513ec9d50b8928605837087c95e17e541584badf6610766158600de32");
}

TEST(Bitvector, RootAndChecks) {
    const std::vector<std::uint8_t> justification = {0x0d};  // Bitvector[4]: 1, 0, 1, 1
    EXPECT_EQ(hex(*root_of_bitvector(justification, 4)),
              "0d00000000000000000000000000000000000000000000000000000000000000");
    EXPECT_FALSE(root_of_bitvector(std::vector<std::uint8_t>{0x1d}, 4).ok());  // bit 4 set beyond the length
    EXPECT_FALSE(check_bitvector(std::vector<std::uint8_t>{0x01, 0x00}, 4).ok());
    EXPECT_FALSE(check_bitvector({}, 0).ok());
    std::vector<std::uint8_t> wide(64, 0xff);  // Bitvector[512]: 2 chunks
    Chunk ones{};
    ones.fill(0xff);
    EXPECT_EQ(*root_of_bitvector(wide, 512), openssl_pair(ones, ones));
}

}  // namespace
}  // namespace ephemery::ssz
