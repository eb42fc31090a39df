#include "beacon/types.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ephemery::beacon {
namespace {

using testing::HasSubstr;

const std::string zero_root = "0x" + std::string(64, '0');
const std::string ones_root = "0x" + std::string(64, 'f');

TEST(BeaconTypes, ParsesGenesis) {
    const auto genesis = parse_genesis(R"({"data":{"genesis_time":"1590832934","genesis_validators_root":")" +
                                       ones_root + R"(","genesis_fork_version":"0x1000101b"}})");
    ASSERT_TRUE(genesis) << genesis.error().message;
    EXPECT_EQ(genesis->genesis_time, 1590832934U);
    EXPECT_EQ(genesis->genesis_validators_root[31], 0xff);
    EXPECT_EQ(genesis->genesis_fork_version[0], 0x10);
}

TEST(BeaconTypes, ErrorsNameTheField) {
    auto missing = parse_genesis(R"({"data":{"genesis_time":"1"}})");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message, HasSubstr("data.genesis_validators_root"));
    auto short_root = parse_genesis(
        R"({"data":{"genesis_time":"1","genesis_validators_root":"0x12","genesis_fork_version":"0x00000000"}})");
    ASSERT_FALSE(short_root);
    EXPECT_THAT(short_root.error().message, HasSubstr("64 hex digits"));
    auto bad_number = parse_genesis(R"({"data":{"genesis_time":"12a"}})");
    ASSERT_FALSE(bad_number);
    EXPECT_THAT(bad_number.error().message, HasSubstr("data.genesis_time"));
    EXPECT_FALSE(parse_genesis("not json"));
    EXPECT_FALSE(parse_genesis("[]"));
    EXPECT_FALSE(parse_genesis(R"({"data":[]})"));
}

TEST(BeaconTypes, ParsesFinalityCheckpointsAndHeaders) {
    const auto checkpoints = parse_finality_checkpoints(
        R"({"execution_optimistic":false,"data":{"previous_justified":{"epoch":"3","root":")" + zero_root +
        R"("},"current_justified":{"epoch":"4","root":")" + zero_root + R"("},"finalized":{"epoch":"2","root":")" +
        ones_root + R"("}}})");
    ASSERT_TRUE(checkpoints) << checkpoints.error().message;
    EXPECT_EQ(checkpoints->finalized.epoch, 2U);
    EXPECT_EQ(checkpoints->finalized.root[0], 0xff);

    const auto header = parse_block_header(
        R"({"data":{"root":")" + ones_root +
        R"(","canonical":true,"header":{"message":{"slot":"16","proposer_index":"3","parent_root":")" + zero_root +
        R"(","state_root":")" + ones_root + R"(","body_root":")" + zero_root + R"("},"signature":"0x00"}}})");
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(header->slot, 16U);
    EXPECT_TRUE(header->canonical);
}

TEST(BeaconTypes, ParsesSpecAndArrays) {
    const auto spec =
        parse_spec(R"({"data":{"PRESET_BASE":"minimal","SECONDS_PER_SLOT":"2","BLOB_SCHEDULE":[{"EPOCH":"1"}]}})");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->at("PRESET_BASE"), "minimal");
    EXPECT_EQ(spec->at("BLOB_SCHEDULE"), R"([{"EPOCH":"1"}])");

    const auto balances =
        parse_balances(R"({"data":[{"index":"1","balance":"32000000000"},{"index":"2","balance":"1"}]})");
    ASSERT_TRUE(balances);
    ASSERT_EQ(balances->size(), 2U);
    EXPECT_EQ((*balances)[0].balance, 32000000000U);

    const auto bad = parse_balances(R"({"data":[{"index":"1","balance":"32"},{"index":"-2","balance":"1"}]})");
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error().message, HasSubstr("data[1].index"));

    const auto rewards = parse_attestation_rewards(
        R"({"data":{"ideal_rewards":[],"total_rewards":[{"validator_index":"0","head":"10","target":"-5","source":"3"}]}})");
    ASSERT_TRUE(rewards) << rewards.error().message;
    EXPECT_EQ((*rewards)[0].target, -5);
}

TEST(BeaconTypes, ParsesCommitteesAndNamesABadMember) {
    const auto committees = parse_committees(
        R"({"execution_optimistic":false,"finalized":true,"data":[{"index":"1","slot":"9","validators":["4","2",7]}]})");
    ASSERT_TRUE(committees) << committees.error().message;
    ASSERT_EQ(committees->size(), 1U);
    EXPECT_EQ((*committees)[0].slot, 9U);
    EXPECT_EQ((*committees)[0].index, 1U);
    EXPECT_THAT((*committees)[0].validators, testing::ElementsAre(4U, 2U, 7U));

    const auto bad = parse_committees(R"({"data":[{"index":"1","slot":"9","validators":["4","x"]}]})");
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error().message, HasSubstr("data[0].validators[1]"));
    EXPECT_FALSE(parse_committees(R"({"data":[{"index":"1","slot":"9"}]})"));
}

TEST(BeaconTypes, ArrayQueryForms) {
    EXPECT_EQ(array_query("id", {"1", "2", "3"}, ArrayStyle::comma), "id=1,2,3");
    EXPECT_EQ(array_query("id", {"1", "2"}, ArrayStyle::repeated), "id=1&id=2");
}

}  // namespace
}  // namespace ephemery::beacon
