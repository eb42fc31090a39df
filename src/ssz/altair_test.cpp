#include "ssz/altair.hpp"

#include "ssz/merkle.hpp"
#include "ssz/test_helpers.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ephemery::ssz::altair {
namespace {

using testing::hex;

// Expected values come from Lodestar 1.5.1's @lodestar/types (ssz.altair.*, @chainsafe/ssz) run once with
// LODESTAR_PRESET=minimal and =mainnet in a one-off node script on the same values: BeaconState.defaultValue()
// with the fields of sample_state set, hashTreeRoot, and sha256 of serialize.

Root filled(std::uint8_t byte) {
    Root root{};
    root.fill(byte);
    return root;
}

// The same values the Lodestar script set on BeaconState.defaultValue(): one or more entries in every field
// that a genesis state leaves empty.
BeaconState sample_state(const Preset& preset) {
    auto state = default_beacon_state(preset);
    state.genesis_time = 5;
    state.slot = 9;
    state.historical_roots = {filled(1), filled(2)};
    state.eth1_data_votes = {Eth1Data{.deposit_root = filled(3), .deposit_count = 7, .block_hash = filled(4)}};
    state.block_roots[3] = filled(5);
    state.state_roots.back() = filled(6);
    state.slashings[1] = 123;
    state.justification_bits = 0b1010;
    state.finalized_checkpoint = phase0::Checkpoint{.epoch = 2, .root = filled(7)};
    state.balances = {1, 2, 3};
    state.inactivity_scores = {4};
    state.previous_epoch_participation = {7, 0};
    state.current_epoch_participation = {1};
    state.current_sync_committee.aggregate_pubkey.fill(9);
    state.next_sync_committee.pubkeys[0].fill(10);
    return state;
}

struct Expected {
    const char* root;
    std::size_t size;
    const char* sha256;
};

void expect_state(const BeaconState& state, const Preset& preset, const Expected& expected) {
    const auto root = hash_tree_root(state, preset);
    ASSERT_TRUE(root.ok()) << root.error().message;
    EXPECT_EQ(hex(*root), expected.root);
    const auto bytes = serialize(state, preset);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    EXPECT_EQ(bytes->size(), expected.size);
    EXPECT_EQ(hex(testing::openssl_sha256(*bytes)), expected.sha256);
}

TEST(AltairPreset, MinimalAndMainnetValues) {
    const auto minimal = minimal_preset();
    EXPECT_EQ(minimal.slots_per_epoch, 8U);
    EXPECT_EQ(minimal.sync_committee_size, 32U);
    EXPECT_EQ(minimal.shuffle_round_count, 10U);
    EXPECT_EQ(minimal.epochs_per_historical_vector, 64U);
    const auto mainnet = mainnet_preset();
    EXPECT_EQ(mainnet.slots_per_epoch, 32U);
    EXPECT_EQ(mainnet.sync_committee_size, 512U);
    EXPECT_EQ(mainnet.shuffle_round_count, 90U);
    EXPECT_EQ(mainnet.epochs_per_historical_vector, 65536U);
    EXPECT_EQ(mainnet.validator_registry_limit, std::uint64_t{1} << 40);
}

TEST(AltairState, DefaultStateMatchesLodestarMinimal) {
    expect_state(default_beacon_state(minimal_preset()), minimal_preset(),
                 {"de827ce45629909a07da1bb8236bd68081fee5a5c614eb344f43795a8dd4b197", 10229,
                  "08055e86b76ae20f1169407d3fce5297c9dd4e511bfed8ad03d32b5b95e61ff9"});
}

TEST(AltairState, DefaultStateMatchesLodestarMainnet) {
    expect_state(default_beacon_state(mainnet_preset()), mainnet_preset(),
                 {"93d15cae8c997371fbf493345d28cbd1a3b5ff79ea8ba76789c6bceb9634fec7", 2736629,
                  "e35c44d4cb0ae368d769fca1b1e2eb2de3abff782174963c5c2e365133e577ac"});
}

TEST(AltairState, FilledFieldsMatchLodestarMinimal) {
    expect_state(sample_state(minimal_preset()), minimal_preset(),
                 {"27395eb4b03af403f6d1cb72579999b934a175d8ca7feff12925983790183d23", 10400,
                  "5bd440978e27b03d131517c09ddb2d0dac0a5a6e2cdefe360215d0f1fd570a50"});
}

TEST(AltairState, FilledFieldsMatchLodestarMainnet) {
    expect_state(sample_state(mainnet_preset()), mainnet_preset(),
                 {"ad32177ef5837a0cda315ab700767ae136f5a1864a65a7e01f32c6532e6edc37", 2736800,
                  "f5ad3b87b9f311f4cd2b8467cb2e7901233a184743b576a220a311631040770a"});
}

TEST(AltairState, ShapeErrorsNameTheField) {
    const auto preset = minimal_preset();
    auto short_roots = default_beacon_state(preset);
    short_roots.block_roots.pop_back();
    const auto refused = hash_tree_root(short_roots, preset);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("block_roots"), std::string::npos) << refused.error().message;
    EXPECT_FALSE(serialize(short_roots, preset).ok());

    auto wide_bits = default_beacon_state(preset);
    wide_bits.justification_bits = 0x10;
    EXPECT_FALSE(hash_tree_root(wide_bits, preset).ok());

    auto too_many_votes = default_beacon_state(preset);
    too_many_votes.eth1_data_votes.resize(preset.epochs_per_eth1_voting_period * preset.slots_per_epoch + 1);
    const auto over = serialize(too_many_votes, preset);
    ASSERT_FALSE(over.ok());
    EXPECT_NE(over.error().message.find("eth1_data_votes"), std::string::npos) << over.error().message;

    auto committee = default_beacon_state(preset).next_sync_committee;
    committee.pubkeys.pop_back();
    EXPECT_FALSE(hash_tree_root(committee, preset).ok());
}

TEST(AltairValidator, RootAndSerializationFollowTheFieldOrder) {
    // The same values as Phase0.ValidatorRootFromFieldRoots (checked there against @chainsafe/ssz).
    const Validator validator{.pubkey = testing::sequence<48>(3),
                              .withdrawal_credentials = testing::sequence<32>(51),
                              .effective_balance = 32000000000,
                              .slashed = false,
                              .activation_eligibility_epoch = 0,
                              .activation_epoch = 0,
                              .exit_epoch = far_future_epoch,
                              .withdrawable_epoch = far_future_epoch};
    EXPECT_EQ(hex(hash_tree_root(validator)), "dc2b4da510cd8149ed93f396b171873b628c74c13fc5f81cf2c0c2bdd807c4a4");
    const auto bytes = serialize(validator);
    ASSERT_EQ(bytes.size(), validator_size);
    EXPECT_EQ(bytes[80], 0x00);  // effective_balance 32e9 = 0x0773594000, little-endian
    EXPECT_EQ(bytes[81], 0x40);
    EXPECT_EQ(bytes[88], 0);  // slashed
    const std::array<Validator, 1> list = {validator};
    EXPECT_EQ(
        *hash_tree_root(std::span(list), minimal_preset()),
        mix_in_length(merkleize(std::array<Chunk, 1>{hash_tree_root(validator)}, std::uint64_t{1} << 40).value(), 1));
}

TEST(AltairEth1Data, SerializesTo72Bytes) {
    const Eth1Data data{.deposit_root = filled(1), .deposit_count = 258, .block_hash = filled(2)};
    const auto bytes = serialize(data);
    ASSERT_EQ(bytes.size(), eth1_data_size);
    EXPECT_EQ(bytes[32], 2);
    EXPECT_EQ(bytes[33], 1);
    EXPECT_EQ(bytes[40], 2);
}

TEST(AltairEmptyRoots, BlockBodyMatchesLodestar) {
    EXPECT_EQ(hex(empty_beacon_block_body_root(minimal_preset())),
              "0c2f0b3a25ce97551844e65999eabbfab687b67b4eff6dc2477e78364d6766c9");
    EXPECT_EQ(hex(empty_beacon_block_body_root(mainnet_preset())),
              "5bbaf31d784ad05f513489748eefa4119bbde2c8ffbc1772911e332d136c50ea");
}

TEST(AltairEmptyRoots, DepositRootOfTheEmptyDepositTree) {
    EXPECT_EQ(hex(empty_deposit_root()), "d70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e");
}

}  // namespace
}  // namespace ephemery::ssz::altair
