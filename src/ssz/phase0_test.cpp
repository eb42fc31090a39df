#include "ssz/phase0.hpp"

#include "ssz/merkle.hpp"
#include "ssz/test_helpers.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ephemery::ssz::phase0 {
namespace {

using testing::hex;
using testing::reference_merkleize;

// Expected roots from an independent implementation: @chainsafe/ssz 1.9.0 with @lodestar/types 1.50.0
// (ssz.phase0.BeaconBlockHeader / Checkpoint / Fork .hashTreeRoot) on the same values.
BeaconBlockHeader sample_header() {
    return BeaconBlockHeader{.slot = 123456789,
                             .proposer_index = 4242,
                             .parent_root = testing::sequence<32>(0),
                             .state_root = testing::sequence<32>(32),
                             .body_root = testing::sequence<32>(64)};
}

TEST(Phase0, BeaconBlockHeaderRoot) {
    const auto header = sample_header();
    const std::vector<Chunk> fields = {ssz::hash_tree_root(header.slot), ssz::hash_tree_root(header.proposer_index),
                                       header.parent_root, header.state_root, header.body_root};
    EXPECT_EQ(hash_tree_root(header), reference_merkleize(fields, 5));
    EXPECT_EQ(hex(hash_tree_root(header)), "404d02bd9e729fc48df8c92725b8a9b5de5364ce9d3ea2de07de95c842b4d862");
}

TEST(Phase0, BeaconBlockHeaderSerialization) {
    const auto header = sample_header();
    const auto bytes = serialize(header);
    EXPECT_EQ(hex(bytes),
              "15cd5b07000000009210000000000000"
              "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
              "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
              "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
    const auto parsed = deserialize_beacon_block_header(bytes);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, header);
    EXPECT_FALSE(deserialize_beacon_block_header(std::span(bytes).first(111)).ok());
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(deserialize_beacon_block_header(longer).ok());
}

TEST(Phase0, CheckpointRoot) {
    const Checkpoint checkpoint{.epoch = 271828, .root = testing::sequence<32>(100)};
    const std::vector<Chunk> fields = {ssz::hash_tree_root(checkpoint.epoch), checkpoint.root};
    EXPECT_EQ(hash_tree_root(checkpoint), reference_merkleize(fields, 2));
    EXPECT_EQ(hex(hash_tree_root(checkpoint)), "eade8066c6283974ab88f2b5a24cb59fcbf5c37a0fcb35f785bc808081b90848");
    EXPECT_EQ(*deserialize_checkpoint(serialize(checkpoint)), checkpoint);
    EXPECT_EQ(serialize(checkpoint).size(), checkpoint_size);
}

TEST(Phase0, ForkRoot) {
    const Fork fork{.previous_version = {1, 0, 0, 0x10}, .current_version = {2, 0, 0, 0x10}, .epoch = 74240};
    Chunk previous{};
    previous[0] = 1;
    previous[3] = 0x10;
    Chunk current{};
    current[0] = 2;
    current[3] = 0x10;
    const std::vector<Chunk> fields = {previous, current, ssz::hash_tree_root(fork.epoch)};
    EXPECT_EQ(hash_tree_root(fork), reference_merkleize(fields, 3));
    EXPECT_EQ(hex(hash_tree_root(fork)), "ed06640790a2d89278b39ce74c8560634795f4dce6a93b1d02ed22c4ea036707");
    EXPECT_EQ(*deserialize_fork(serialize(fork)), fork);
    EXPECT_EQ(serialize(fork).size(), fork_size);
}

TEST(Phase0, ValidatorRootFromFieldRoots) {
    // Validator (8 fields) built from field roots with the generic helpers; @chainsafe/ssz gives the same.
    const auto pubkey = testing::sequence<48>(3);
    const auto credentials = testing::sequence<32>(51);
    const std::uint64_t far_future = ~std::uint64_t{0};
    const std::array<Chunk, 8> fields = {ssz::hash_tree_root(pubkey),
                                         credentials,
                                         ssz::hash_tree_root(std::uint64_t{32000000000}),
                                         ssz::hash_tree_root(false),
                                         ssz::hash_tree_root(std::uint64_t{0}),
                                         ssz::hash_tree_root(std::uint64_t{0}),
                                         ssz::hash_tree_root(far_future),
                                         ssz::hash_tree_root(far_future)};
    EXPECT_EQ(hex(root_of_container(fields)), "dc2b4da510cd8149ed93f396b171873b628c74c13fc5f81cf2c0c2bdd807c4a4");
}

}  // namespace
}  // namespace ephemery::ssz::phase0
