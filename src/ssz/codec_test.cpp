#include "ssz/codec.hpp"

#include "ssz/merkle.hpp"
#include "ssz/sample.hpp"
#include "ssz/test_helpers.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ephemery::ssz {
namespace {

using testing::hex;

std::vector<std::uint8_t> bytes_of(const std::string& text) {
    return from_hex(text).value();
}

TEST(Reader, ReadsLittleEndianAndChecksBounds) {
    const std::vector<std::uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0xaa};
    Reader reader(bytes);
    EXPECT_EQ(*reader.read_uint<std::uint64_t>(), 0x0807060504030201ULL);
    EXPECT_EQ(*reader.read_bool(), true);
    EXPECT_EQ(reader.remaining(), 1U);
    EXPECT_FALSE(reader.expect_end().ok());
    const auto too_long = reader.read_uint<std::uint16_t>();
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().code, Errc::parse_error);
    EXPECT_NE(too_long.error().message.find("at offset 9"), std::string::npos) << too_long.error().message;
    EXPECT_EQ(reader.position(), 9U);  // a failed read consumes nothing
    EXPECT_EQ(*reader.read_uint<std::uint8_t>(), 0xaa);
    EXPECT_TRUE(reader.expect_end().ok());
}

TEST(Reader, BooleansAreZeroOrOne) {
    const std::vector<std::uint8_t> bytes = {0x00, 0x02};
    Reader reader(bytes);
    EXPECT_EQ(*reader.read_bool(), false);
    EXPECT_FALSE(reader.read_bool().ok());
}

TEST(Reader, FixedBytes) {
    const auto bytes = testing::sequence<36>(0);
    Reader reader(bytes);
    EXPECT_EQ(*reader.read_fixed<4>(), testing::sequence<4>(0));
    EXPECT_EQ(*reader.read_fixed<32>(), testing::sequence<32>(4));
    EXPECT_FALSE(reader.read_fixed<1>().ok());
}

TEST(Writer, WritesAndFillsOffsets) {
    Writer writer;
    writer.write_uint(std::uint16_t{0x0102});
    const std::size_t slot = writer.reserve_offset();
    writer.write_bool(true);
    ASSERT_TRUE(writer.fill_offset(slot, 0).ok());
    writer.write_bytes(std::vector<std::uint8_t>{0xee});
    EXPECT_EQ(hex(writer.bytes()), "02010700000001ee");
    EXPECT_FALSE(writer.fill_offset(100, 0).ok());
}

TEST(VariableParts, SplitsByOffsets) {
    // fixed part: offset a (4), uint8 (1), offset b (4) -> 9 bytes; a = [9, 11), b = [11, 12).
    const auto bytes = bytes_of(
        "09000000"
        "ff"
        "0b000000"
        "aabb"
        "cc");
    const std::vector<std::uint32_t> offsets = {9, 11};
    const auto parts = variable_parts(bytes, 9, offsets);
    ASSERT_TRUE(parts.ok()) << parts.error().message;
    ASSERT_EQ(parts->size(), 2U);
    EXPECT_EQ(hex((*parts)[0]), "aabb");
    EXPECT_EQ(hex((*parts)[1]), "cc");
}

TEST(VariableParts, EnforcesTheOffsetRules) {
    const auto bytes = bytes_of(
        "09000000"
        "ff"
        "0b000000"
        "aabb"
        "cc");
    // The first offset must equal the fixed size: a gap or an overlap is refused.
    EXPECT_FALSE(variable_parts(bytes, 9, std::vector<std::uint32_t>{10, 11}).ok());
    EXPECT_FALSE(variable_parts(bytes, 9, std::vector<std::uint32_t>{8, 11}).ok());
    // Offsets must not decrease.
    const auto decreasing = variable_parts(bytes, 9, std::vector<std::uint32_t>{9, 8});
    ASSERT_FALSE(decreasing.ok());
    EXPECT_NE(decreasing.error().message.find("below"), std::string::npos);
    // Offsets must stay within the container.
    EXPECT_FALSE(variable_parts(bytes, 9, std::vector<std::uint32_t>{9, 13}).ok());
    EXPECT_TRUE(variable_parts(bytes, 9, std::vector<std::uint32_t>{9, 12}).ok());  // empty last part
    // The container must hold its fixed part.
    EXPECT_FALSE(variable_parts(bytes, 20, std::vector<std::uint32_t>{20}).ok());
    // Without variable fields nothing may follow the fixed part.
    EXPECT_FALSE(variable_parts(bytes, 9, {}).ok());
    EXPECT_TRUE(variable_parts(bytes, 12, {}).ok());
}

TEST(VariableListElements, SplitsAndChecks) {
    // Two elements: "aa" and "bbcc"; offsets 8 and 9.
    const auto bytes = bytes_of(
        "08000000"
        "09000000"
        "aa"
        "bbcc");
    const auto elements = variable_list_elements(bytes, 4);
    ASSERT_TRUE(elements.ok()) << elements.error().message;
    ASSERT_EQ(elements->size(), 2U);
    EXPECT_EQ(hex((*elements)[0]), "aa");
    EXPECT_EQ(hex((*elements)[1]), "bbcc");
    EXPECT_TRUE(variable_list_elements({}, 4)->empty());
    EXPECT_FALSE(variable_list_elements(bytes, 1).ok());  // over the limit
    EXPECT_FALSE(variable_list_elements(bytes_of("07000000"
                                                 "09000000"
                                                 "aabb"),
                                        4)
                     .ok());                                             // not a multiple of 4
    EXPECT_FALSE(variable_list_elements(bytes_of("00000000"), 4).ok());  // zero
    EXPECT_FALSE(variable_list_elements(bytes_of("0c000000"
                                                 "09000000"),
                                        4)
                     .ok());                                         // past the end
    EXPECT_FALSE(variable_list_elements(bytes_of("0800"), 4).ok());  // truncated offset
    EXPECT_FALSE(variable_list_elements(bytes_of("08000000"
                                                 "07000000"
                                                 "aa"),
                                        4)
                     .ok());  // decreasing
}

TEST(FixedLists, LengthAndElements) {
    const auto bytes = testing::sequence<64>(0);
    const auto roots = read_fixed_bytes_list<32>(bytes, 2);
    ASSERT_TRUE(roots.ok());
    EXPECT_EQ((*roots)[1], testing::sequence<32>(32));
    EXPECT_FALSE(read_fixed_bytes_list<32>(bytes, 1).ok());
    EXPECT_FALSE(read_fixed_bytes_list<32>(std::span(bytes).first(63), 2).ok());
    const auto values = read_uint_list<std::uint32_t>(std::span(bytes).first(8), 2);
    ASSERT_TRUE(values.ok());
    EXPECT_EQ((*values)[0], 0x03020100U);
    EXPECT_EQ((*values)[1], 0x07060504U);
}

sample::Sample make_sample() {
    sample::Sample sample;
    sample.roots = {testing::sequence<32>(1), testing::sequence<32>(33), testing::sequence<32>(65)};
    for (bool bit : {true, false, true, true, false, false, false, true, true, false, true}) sample.bits.push_back(bit);
    sample.value = 0x0123456789abcdefULL;
    return sample;
}

TEST(Sample, RoundTripsAndMatchesChainsafeSsz) {
    const auto sample = make_sample();
    const auto bytes = sample::serialize(sample);
    ASSERT_TRUE(bytes.ok());
    // @chainsafe/ssz 1.9.0, ContainerType({roots: List[Bytes32, 1024], bits: Bitlist[2048], value: uint64}).
    EXPECT_EQ(hex(*bytes),
              "1000000070000000efcdab8967452301"
              "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
              "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"
              "4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60"
              "8d0d");
    const auto root = sample::hash_tree_root(sample);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(hex(*root), "28ae990b477565652a1cb5a838654c3ef77b523afc8a7e6b19b6bbcf7f85f4c3");
    const auto parsed = sample::deserialize(*bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(*parsed, sample);

    // The root from the fields' roots, independently.
    std::vector<Chunk> roots = sample.roots;
    const Chunk roots_root = testing::reference_mix_in_length(testing::reference_merkleize(roots, 1024), 3);
    const Chunk bits_root = *hash_tree_root(sample.bits, 2048);
    std::vector<Chunk> fields = {roots_root, bits_root, hash_tree_root(sample.value), Chunk{}};
    EXPECT_EQ(*root, testing::reference_merkleize(fields, 4));
}

TEST(Sample, RefusesMalformedEncodings) {
    const auto good = *sample::serialize(make_sample());
    auto bytes = good;
    bytes[0] = 0x11;  // first offset past the fixed part
    EXPECT_FALSE(sample::deserialize(bytes).ok());
    bytes = good;
    bytes[4] = 0x0f;  // second offset before the first
    EXPECT_FALSE(sample::deserialize(bytes).ok());
    bytes = good;
    bytes.back() = 0;  // no delimiter bit
    const auto no_delimiter = sample::deserialize(bytes);
    ASSERT_FALSE(no_delimiter.ok());
    EXPECT_NE(no_delimiter.error().message.find("Sample.bits"), std::string::npos);
    bytes = good;
    bytes[4] = 0x6f;  // roots no longer a multiple of 32 bytes
    EXPECT_FALSE(sample::deserialize(bytes).ok());
    EXPECT_FALSE(sample::deserialize(std::span(good).first(15)).ok());
    EXPECT_FALSE(sample::deserialize({}).ok());
}

}  // namespace
}  // namespace ephemery::ssz
