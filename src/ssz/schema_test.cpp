#include "ssz/schema.hpp"

#include "ssz/codec.hpp"
#include "ssz/merkle.hpp"
#include "ssz/phase0.hpp"
#include "ssz/test_helpers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ephemery::ssz {
namespace {

using testing::reference_merkleize;
using testing::reference_mix_in_length;

std::string error_of(const Type& type, const std::vector<std::uint8_t>& bytes) {
    const auto checked = validate(type, bytes, "x");
    return checked.ok() ? std::string("(valid)") : checked.error().message;
}

Chunk chunk_of(std::span<const std::uint8_t> bytes) {
    Chunk chunk{};
    std::copy(bytes.begin(), bytes.end(), chunk.begin());
    return chunk;
}

TEST(SchemaTypes, SizesAndNames) {
    const auto header = container_type("Header", {{"slot", uint_type(8)}, {"root", byte_vector_type(32)}});
    EXPECT_TRUE(header->is_fixed_size());
    EXPECT_EQ(header->size(), 40U);
    EXPECT_FALSE(header->has_content_rules());
    const auto flagged = container_type("Flagged", {{"flag", boolean_type()}, {"items", list_type(header, 4)}});
    EXPECT_FALSE(flagged->is_fixed_size());
    EXPECT_EQ(flagged->size(), 5U);  // boolean + one offset
    EXPECT_EQ(flagged->fields()[1].type->name(), "List[Header, 4]");
    EXPECT_EQ(flagged->field_index("items"), 1U);
    EXPECT_EQ(flagged->field_index("nothing"), 2U);
    EXPECT_TRUE(bitvector_type(4)->has_content_rules());
    EXPECT_FALSE(bitvector_type(8)->has_content_rules());
    EXPECT_EQ(vector_type(uint_type(8), 3)->size(), 24U);
}

TEST(SchemaRoots, MatchTheTypedPhase0Header) {
    const phase0::BeaconBlockHeader header{.slot = 7,
                                           .proposer_index = 9,
                                           .parent_root = testing::sequence<32>(1),
                                           .state_root = testing::sequence<32>(50),
                                           .body_root = testing::sequence<32>(99)};
    const auto type = container_type("BeaconBlockHeader", {{"slot", uint_type(8)},
                                                           {"proposer_index", uint_type(8)},
                                                           {"parent_root", byte_vector_type(32)},
                                                           {"state_root", byte_vector_type(32)},
                                                           {"body_root", byte_vector_type(32)}});
    const auto bytes = phase0::serialize(header);
    EXPECT_EQ(hash_tree_root(*type, bytes).value(), phase0::hash_tree_root(header));
}

TEST(SchemaRoots, BasicListsAndByteListsFollowTheSpec) {
    // List[uint16, 40]: 3 values pack into one chunk; the limit gives ceil(80 / 32) = 3 chunks -> 4 leaves.
    const std::vector<std::uint8_t> bytes = {1, 0, 2, 0, 3, 0};
    const auto list = list_type(uint_type(2), 40);
    EXPECT_EQ(hash_tree_root(*list, bytes).value(),
              reference_mix_in_length(reference_merkleize({chunk_of(bytes)}, 3), 3));
    const auto byte_list = byte_list_type(100);
    EXPECT_EQ(hash_tree_root(*byte_list, bytes).value(),
              reference_mix_in_length(reference_merkleize({chunk_of(bytes)}, 4), 6));
    // Vector[boolean, 3].
    const std::vector<std::uint8_t> flags = {1, 0, 1};
    EXPECT_EQ(hash_tree_root(*vector_type(boolean_type(), 3), flags).value(), chunk_of(flags));
}

TEST(SchemaRoots, BitlistsDropTheDelimiter) {
    const auto type = bitlist_type(10);
    // Bits 1,0,1 then the delimiter at bit 3: 0b1101.
    const std::vector<std::uint8_t> bytes = {0x0d};
    const Chunk packed = chunk_of(std::vector<std::uint8_t>{0x05});
    EXPECT_EQ(hash_tree_root(*type, bytes).value(), reference_mix_in_length(reference_merkleize({packed}, 1), 3));
    // Eight bits: the delimiter is alone in the second byte, which is not hashed.
    const std::vector<std::uint8_t> full = {0xff, 0x01};
    const Chunk eight = chunk_of(std::vector<std::uint8_t>{0xff});
    EXPECT_EQ(hash_tree_root(*type, full).value(), reference_mix_in_length(reference_merkleize({eight}, 1), 8));
    // And the engine agrees with the Bitlist class.
    const auto parsed = Bitlist::deserialize(full, 10).value();
    EXPECT_EQ(hash_tree_root(*type, full).value(), ssz::hash_tree_root(parsed, 10).value());
}

TEST(SchemaRoots, ListsOfContainersHashedInBatchesEqualOneByOne) {
    const auto pair = container_type("Pair", {{"a", uint_type(8)}, {"b", byte_vector_type(48)}, {"c", boolean_type()}});
    const auto list = list_type(pair, 1U << 20U);
    std::vector<std::uint8_t> bytes;
    std::vector<Chunk> roots;
    for (std::uint32_t i = 0; i < 1300; ++i) {  // more than one batch
        std::vector<std::uint8_t> element(pair->size(), static_cast<std::uint8_t>(i));
        element.back() = static_cast<std::uint8_t>(i % 2);
        roots.push_back(hash_tree_root(*pair, element).value());
        bytes.insert(bytes.end(), element.begin(), element.end());
    }
    const auto expected = root_of_composite_list(roots, 1U << 20U).value();
    EXPECT_EQ(hash_tree_root(*list, bytes).value(), expected);
}

TEST(SchemaValidate, NamesThePathOfTheFault) {
    const auto inner = container_type("Inner", {{"flag", boolean_type()}, {"bits", bitlist_type(16)}});
    const auto outer = container_type("Outer", {{"n", uint_type(4)}, {"items", list_type(inner, 3)}});
    // items = [Inner{flag: 1, bits: [delimiter]}, Inner{flag: 2, ...}]
    const std::vector<std::uint8_t> good = {1, 0, 0, 0, 8,  0,   0, 0,  // n, offset of items
                                            8, 0, 0, 0, 14, 0,   0, 0,  // items: two element offsets
                                            1, 5, 0, 0, 0,  1,          // items[0]: flag, offset 5, bits 0x01
                                            0, 5, 0, 0, 0,  0x03};      // items[1]: flag, offset 5, bits 0x03
    EXPECT_EQ(error_of(*outer, good), "(valid)");
    auto bad_bool = good;
    bad_bool[22] = 2;
    EXPECT_EQ(error_of(*outer, bad_bool), "x.items[1].flag: boolean byte is 0x02, not 0x00 or 0x01");
    auto no_delimiter = good;
    no_delimiter.back() = 0;
    EXPECT_EQ(error_of(*outer, no_delimiter),
              "x.items[1].bits: bitlist's last byte is 0x00: the delimiter bit is missing");
    auto bad_first = good;
    bad_first[4] = 9;
    EXPECT_EQ(error_of(*outer, bad_first), "x.items: offset is 9, not the end of the fixed part (8)");
    auto swapped = good;
    swapped[12] = 30;
    EXPECT_NE(error_of(*outer, swapped).find("x.items[1]: offset 30 is outside [8, 20]"), std::string::npos)
        << error_of(*outer, swapped);
    auto trailing = good;
    trailing.push_back(0);
    EXPECT_EQ(error_of(*outer, trailing), "x.items[1].bits: bitlist's last byte is 0x00: the delimiter bit is missing");
    EXPECT_EQ(error_of(*outer, {1, 2, 3}), "x: 3 bytes, shorter than the fixed part of Outer (8 bytes)");
    // Four offsets of 4 bytes: count 4 > limit 3.
    const std::vector<std::uint8_t> too_many = {0, 0, 0, 0, 8, 0, 0, 0, 16, 0, 0, 0,
                                                0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0};
    EXPECT_EQ(error_of(*outer, too_many), "x.items: 4 elements, more than the limit 3");
}

TEST(SchemaValidate, FixedSizesBitvectorsAndByteLists) {
    EXPECT_EQ(error_of(*uint_type(8), {1, 2, 3}), "x: 3 bytes, but uint64 is 8 bytes");
    EXPECT_EQ(error_of(*bitvector_type(4), {0x10}), "x: Bitvector[4] has bits set beyond its length (last byte 0x10)");
    EXPECT_EQ(error_of(*bitvector_type(4), {0x0f}), "(valid)");
    EXPECT_EQ(error_of(*byte_list_type(2), {1, 2, 3}), "x: 3 bytes, more than the limit 2");
    EXPECT_EQ(error_of(*list_type(uint_type(8), 1), std::vector<std::uint8_t>(16)),
              "x: 2 elements, more than the limit 1");
    EXPECT_EQ(error_of(*list_type(uint_type(8), 9), std::vector<std::uint8_t>(12)),
              "x: 12 bytes are not a whole number of uint64 (8 bytes each)");
    const auto fixed = container_type("Fixed", {{"a", uint_type(1)}});
    EXPECT_EQ(error_of(*fixed, {1, 2}), "x: 2 bytes, but Fixed is 1 bytes");
}

TEST(SchemaField, FindsFixedAndVariableFields) {
    const auto type = container_type(
        "Mixed", {{"a", uint_type(2)}, {"b", byte_list_type(10)}, {"c", uint_type(1)}, {"d", byte_list_type(10)}});
    const std::vector<std::uint8_t> bytes = {7, 0, 11, 0, 0, 0, 9, 13, 0, 0, 0, 0xaa, 0xbb, 0xcc};
    ASSERT_EQ(error_of(*type, bytes), "(valid)");
    EXPECT_EQ(field(*type, bytes, "a").value().bytes.size(), 2U);
    const auto b = field(*type, bytes, "b").value();
    EXPECT_EQ(std::vector<std::uint8_t>(b.bytes.begin(), b.bytes.end()), (std::vector<std::uint8_t>{0xaa, 0xbb}));
    EXPECT_EQ(b.type->kind(), Kind::byte_list);
    EXPECT_EQ(field(*type, bytes, "c").value().bytes[0], 9);
    EXPECT_EQ(field(*type, bytes, "d").value().bytes[0], 0xcc);
    EXPECT_FALSE(field(*type, bytes, "e").ok());
    EXPECT_FALSE(field(*type, std::vector<std::uint8_t>{1, 2}, "a").ok());
    auto reversed = bytes;
    reversed[2] = 14;  // b would end before it starts
    EXPECT_FALSE(field(*type, reversed, "b").ok());
}

TEST(SchemaCodec, DecodeEncodeRoundTripsAndChecksShape) {
    const auto inner = container_type("Inner", {{"flag", boolean_type()}, {"bits", bitlist_type(16)}});
    const auto type = container_type("Outer", {{"v", vector_type(inner, 2)}, {"w", list_type(uint_type(2), 4)}});
    const std::vector<std::uint8_t> bytes = {8, 0, 0, 0, 28, 0, 0, 0,  // offsets of v and w
                                             8, 0, 0, 0, 14, 0, 0, 0,  // v's element offsets
                                             1, 5, 0, 0, 0,  1,        // v[0]
                                             0, 5, 0, 0, 0,  3,        // v[1]
                                             4, 0, 5, 0};              // w = [4, 5]
    const auto value = decode(*type, bytes);
    ASSERT_TRUE(value.ok()) << value.error().message;
    ASSERT_EQ(value->items.size(), 2U);
    EXPECT_EQ(value->items[1].items.size(), 2U);
    EXPECT_EQ(encode(*type, *value).value(), bytes);

    auto wrong = *value;
    wrong.items[0].items.pop_back();  // a vector of 2 with one item
    EXPECT_FALSE(encode(*type, wrong).ok());
    auto bad_leaf = *value;
    bad_leaf.items[1].items[0].bytes = {1};  // a uint16 of one byte
    EXPECT_FALSE(encode(*type, bad_leaf).ok());
}

}  // namespace
}  // namespace ephemery::ssz
