#include "monitoring/blocks.hpp"

#include "ssz/codec.hpp"
#include "ssz/schema.hpp"

#include <gtest/gtest.h>

namespace ephemery::monitoring {
namespace {

ssz::Value& field_of(ssz::Value& container, const ssz::Type& type, std::string_view name) {
    return container.items.at(type.field_index(name));
}

struct Attestation {
    std::uint64_t slot;
    std::uint64_t index;
    std::vector<std::uint8_t> aggregation_bits;
    std::vector<std::uint8_t> committee_bits;
};

// A SignedBeaconBlock of `fork` (minimal preset) at `slot` carrying these attestations and sync bits.
std::vector<std::uint8_t> make_block(ssz::ForkName fork, std::uint64_t slot,
                                     const std::vector<Attestation>& attestations,
                                     std::vector<std::uint8_t> sync_bits) {
    const auto preset = *ssz::preset_by_name("minimal");
    const auto schemas = ssz::beacon_schemas(fork, preset);
    auto block = ssz::default_value(*schemas.signed_beacon_block);
    auto& message = field_of(block, *schemas.signed_beacon_block, "message");
    field_of(message, *schemas.beacon_block, "slot").bytes = ssz::uint64_bytes(slot);
    auto& body = field_of(message, *schemas.beacon_block, "body");
    const auto& body_type = *schemas.beacon_block_body;
    const auto& attestation_type = *body_type.fields()[body_type.field_index("attestations")].type->element();
    auto& list = field_of(body, body_type, "attestations");
    for (const auto& attestation : attestations) {
        auto value = ssz::default_value(attestation_type);
        field_of(value, attestation_type, "aggregation_bits").bytes = attestation.aggregation_bits;
        auto& data = field_of(value, attestation_type, "data");
        data.items[0].bytes = ssz::uint64_bytes(attestation.slot);
        data.items[1].bytes = ssz::uint64_bytes(attestation.index);
        if (!attestation.committee_bits.empty()) {
            field_of(value, attestation_type, "committee_bits").bytes = attestation.committee_bits;
        }
        list.items.push_back(std::move(value));
    }
    const auto& aggregate_type = *body_type.fields()[body_type.field_index("sync_aggregate")].type;
    field_of(field_of(body, body_type, "sync_aggregate"), aggregate_type, "sync_committee_bits").bytes =
        std::move(sync_bits);
    auto bytes = ssz::encode(*schemas.signed_beacon_block, block);
    EXPECT_TRUE(bytes) << bytes.error().message;
    return bytes ? *bytes : std::vector<std::uint8_t>{};
}

TEST(Blocks, ReadsAttestationsAndSyncBitsOfAnAltairBlock) {
    const auto preset = *ssz::preset_by_name("minimal");
    const auto bytes = make_block(ssz::ForkName::altair, 10, {{9, 1, {0x0d}, {}}, {8, 0, {0x03}, {}}}, {0x05, 0, 0, 0});
    auto contents = read_block_contents(bytes, ssz::ForkName::altair, preset);
    ASSERT_TRUE(contents) << contents.error().message;
    EXPECT_EQ(contents->slot, 10U);
    ASSERT_EQ(contents->attestations.size(), 2U);
    EXPECT_EQ(contents->attestations[0].slot, 9U);
    EXPECT_EQ(contents->attestations[0].committee_index, 1U);
    EXPECT_EQ(contents->attestations[0].aggregation_bits, std::vector<std::uint8_t>{0x0d});
    EXPECT_TRUE(contents->attestations[0].committee_bits.empty());
    EXPECT_EQ(contents->sync_committee_bits, (std::vector<std::uint8_t>{0x05, 0, 0, 0}));
}

TEST(Blocks, ReadsCommitteeBitsOfAnElectraBlock) {
    const auto preset = *ssz::preset_by_name("minimal");
    const auto bytes = make_block(ssz::ForkName::electra, 17, {{16, 0, {0x2a}, {0x03}}}, {0, 0, 0, 0});
    auto contents = read_block_contents(bytes, ssz::ForkName::electra, preset);
    ASSERT_TRUE(contents) << contents.error().message;
    ASSERT_EQ(contents->attestations.size(), 1U);
    EXPECT_EQ(contents->attestations[0].committee_bits, std::vector<std::uint8_t>{0x03});
}

TEST(Blocks, ARejectedBlockNamesTheFieldAndPhase0IsRefused) {
    const auto preset = *ssz::preset_by_name("minimal");
    auto bytes = make_block(ssz::ForkName::altair, 10, {}, {0, 0, 0, 0});
    bytes.resize(bytes.size() - 1);
    auto truncated = read_block_contents(bytes, ssz::ForkName::altair, preset);
    ASSERT_FALSE(truncated);
    EXPECT_NE(truncated.error().message.find("block (altair, minimal preset)"), std::string::npos)
        << truncated.error().message;
    EXPECT_FALSE(read_block_contents(bytes, ssz::ForkName::phase0, preset));
}

TEST(Blocks, InclusionDelayIsTheEarliestInclusionOfEachWatchedVote) {
    // Epoch 1 of 8-slot epochs; committee 0 of slot 9 is validators 5, 7, 9.
    const std::vector<SlotCommittee> committees{{9, 0, {5, 7, 9}}, {10, 0, {11}}};
    std::vector<BlockContents> blocks(4);
    blocks[0].slot = 10;  // positions 0 and 2 (bits 0b101, delimiter at 3)
    blocks[0].attestations.push_back({9, 0, {0x0d}, {}});
    blocks[1].slot = 11;  // position 0 again, later: not the earliest
    blocks[1].attestations.push_back({9, 0, {0x09}, {}});
    blocks[2].slot = 12;  // position 1: delay 3
    blocks[2].attestations.push_back({9, 0, {0x0a}, {}});
    blocks[3].slot = 17;  // an attestation of epoch 2 and one for a committee no one knows: ignored
    blocks[3].attestations.push_back({16, 0, {0x03}, {}});
    blocks[3].attestations.push_back({9, 5, {0x03}, {}});
    const auto delays = inclusion_delays(committees, blocks, 1, 8, {5, 7, 9, 11});
    EXPECT_EQ(delays, (std::map<std::uint64_t, std::uint32_t>{{5, 1}, {7, 3}, {9, 1}}));
    // Unwatched validators get no entry.
    EXPECT_EQ(inclusion_delays(committees, blocks, 1, 8, {7}), (std::map<std::uint64_t, std::uint32_t>{{7, 3}}));
}

TEST(Blocks, ElectraAggregationBitsSpanTheSelectedCommitteesInOrder) {
    const std::vector<SlotCommittee> committees{{9, 0, {1, 2}}, {9, 1, {3, 4, 5}}};
    std::vector<BlockContents> blocks(2);
    blocks[0].slot = 10;  // committees 0 and 1: positions 1 (validator 2) and 3 (validator 4); delimiter at 5
    blocks[0].attestations.push_back({9, 0, {0x2a}, {0x03}});
    blocks[1].slot = 11;  // committee 1 alone: position 0 is validator 3
    blocks[1].attestations.push_back({9, 0, {0x09}, {0x02}});
    const auto delays = inclusion_delays(committees, blocks, 1, 8, {1, 2, 3, 4, 5});
    EXPECT_EQ(delays, (std::map<std::uint64_t, std::uint32_t>{{2, 1}, {3, 2}, {4, 1}}));
}

TEST(Blocks, CommitteesInLodestarsSwappedLayoutAreReadTheIntendedWay) {
    // Epoch 3 of 4-slot epochs, two committees per slot.
    std::vector<SlotCommittee> right;
    for (std::uint64_t slot = 12; slot < 16; ++slot) {
        for (std::uint64_t index = 0; index < 2; ++index) right.push_back({slot, index, {slot * 10 + index}});
    }
    const auto as_given = committees_of_epoch(right, 3, 4);
    ASSERT_TRUE(as_given);
    EXPECT_FALSE(as_given->swapped);
    EXPECT_EQ(as_given->committees.size(), 8U);

    // Lodestar 1.5.1: "index" is the slot within the epoch, "slot" the committee index.
    std::vector<SlotCommittee> swapped;
    swapped.reserve(right.size());
    for (const auto& committee : right) swapped.push_back({committee.index, committee.slot - 12, committee.validators});
    const auto repaired = committees_of_epoch(swapped, 3, 4);
    ASSERT_TRUE(repaired);
    EXPECT_TRUE(repaired->swapped);
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<std::uint64_t>> expected;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<std::uint64_t>> got;
    for (const auto& committee : right) expected[{committee.slot, committee.index}] = committee.validators;
    for (const auto& committee : repaired->committees) got[{committee.slot, committee.index}] = committee.validators;
    EXPECT_EQ(got, expected);

    // Epoch 0 with one committee per slot: the swapped answer is all "slot": 0, recognised by the missing slots.
    const std::vector<SlotCommittee> swapped_epoch0{{0, 0, {1}}, {0, 1, {2}}, {0, 2, {3}}, {0, 3, {4}}};
    const auto epoch0 = committees_of_epoch(swapped_epoch0, 0, 4);
    ASSERT_TRUE(epoch0);
    EXPECT_TRUE(epoch0->swapped);
    EXPECT_EQ(epoch0->committees[2].slot, 2U);
    EXPECT_EQ(epoch0->committees[2].index, 0U);

    // An answer for another epoch fits neither reading.
    EXPECT_FALSE(committees_of_epoch(right, 4, 4));
}

TEST(Blocks, SyncCommitteeMembersAreFoundByPubkeyAtEveryPosition) {
    std::array<std::uint8_t, 48> a{};
    std::array<std::uint8_t, 48> b{};
    std::array<std::uint8_t, 48> c{};
    a[0] = 1;
    b[0] = 2;
    c[0] = 3;
    const auto indices = sync_committee_indices({a, b, a, c}, {b, a});
    EXPECT_EQ(indices, (std::vector<std::optional<std::uint64_t>>{1, 0, 1, std::nullopt}));
}

TEST(Blocks, SyncParticipationCountsBlocksSignedAtAnyOfTheMembersPositions) {
    const std::vector<std::optional<std::uint64_t>> committee{5, 7, 5, std::nullopt};
    std::vector<BlockContents> blocks(3);
    blocks[0].sync_committee_bits = {0x01};  // position 0: validator 5
    blocks[1].sync_committee_bits = {0x04};  // position 2: validator 5 again
    blocks[2].sync_committee_bits = {0x00};
    const auto participation = sync_participation(committee, blocks, {5, 7, 8});
    ASSERT_EQ(participation.size(), 2U);  // 8 is not in the committee
    EXPECT_EQ(participation.at(5).signed_blocks, 2U);
    EXPECT_EQ(participation.at(5).missed_blocks, 1U);
    EXPECT_EQ(participation.at(7).signed_blocks, 0U);
    EXPECT_EQ(participation.at(7).missed_blocks, 3U);
}

}  // namespace
}  // namespace ephemery::monitoring
