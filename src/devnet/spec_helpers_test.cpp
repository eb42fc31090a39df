#include "devnet/spec_helpers.hpp"

#include "core/text.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace ephemery::devnet {
namespace {

// Expected values: Lodestar 1.5.1's @lodestar/state-transition (computeShuffledIndex,
// getNextSyncCommitteeIndices) run once under LODESTAR_PRESET=minimal and =mainnet on the same inputs.

using ssz::altair::mainnet_preset;
using ssz::altair::minimal_preset;

Bytes32 counting_seed() {
    Bytes32 seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i);
    return seed;
}

struct ShuffleCase {
    std::uint64_t index;
    std::uint64_t count;
    std::uint64_t expected;
};

void expect_shuffles(const std::vector<ShuffleCase>& cases, std::uint64_t rounds) {
    for (const auto& c : cases) {
        const auto shuffled = compute_shuffled_index(c.index, c.count, counting_seed(), rounds);
        ASSERT_TRUE(shuffled.ok()) << shuffled.error().message;
        EXPECT_EQ(*shuffled, c.expected) << "index " << c.index << " of " << c.count << ", " << rounds << " rounds";
    }
}

TEST(ComputeShuffledIndex, MatchesLodestarWithTheMinimalRoundCount) {
    expect_shuffles({{0, 1, 0},
                     {0, 2, 0},
                     {1, 2, 1},
                     {0, 3, 0},
                     {1, 3, 2},
                     {2, 3, 1},
                     {0, 17, 1},
                     {1, 17, 14},
                     {8, 17, 16},
                     {16, 17, 15},
                     {0, 100, 95},
                     {1, 100, 29},
                     {50, 100, 56},
                     {99, 100, 78},
                     {0, 1000, 219},
                     {1, 1000, 639},
                     {500, 1000, 718},
                     {999, 1000, 592}},
                    minimal_preset().shuffle_round_count);
}

TEST(ComputeShuffledIndex, MatchesLodestarWithTheMainnetRoundCount) {
    expect_shuffles({{0, 1, 0},
                     {0, 2, 1},
                     {1, 2, 0},
                     {0, 3, 1},
                     {1, 3, 2},
                     {2, 3, 0},
                     {0, 17, 0},
                     {1, 17, 1},
                     {8, 17, 5},
                     {16, 17, 3},
                     {0, 100, 62},
                     {1, 100, 92},
                     {50, 100, 60},
                     {99, 100, 95},
                     {0, 1000, 351},
                     {1, 1000, 409},
                     {500, 1000, 157},
                     {999, 1000, 868}},
                    mainnet_preset().shuffle_round_count);
}

TEST(ComputeShuffledIndex, IsAPermutation) {
    const std::vector<std::uint64_t> minimal = {1, 14, 4, 11, 8, 12, 3, 9, 16, 2, 10, 7, 6, 13, 0, 5, 15};
    for (std::uint64_t i = 0; i < minimal.size(); ++i) {
        EXPECT_EQ(compute_shuffled_index(i, 17, counting_seed(), 10).value(), minimal[i]);
    }
}

TEST(ComputeShuffledIndex, RefusesAnIndexOutsideTheList) {
    EXPECT_FALSE(compute_shuffled_index(3, 3, counting_seed(), 10).ok());
    EXPECT_FALSE(compute_shuffled_index(0, 0, counting_seed(), 10).ok());
    EXPECT_FALSE(compute_shuffled_index(0, (std::uint64_t{1} << 40) + 1, counting_seed(), 10).ok());
}

// A minimal-preset state whose validators are active from epoch 0 with these effective balances (Gwei).
ssz::altair::BeaconState state_with(const std::vector<std::uint64_t>& effective_balances, std::uint8_t mix_byte) {
    auto state = ssz::altair::default_beacon_state(minimal_preset());
    for (const auto balance : effective_balances) {
        state.validators.push_back(ssz::altair::Validator{.pubkey = {},
                                                          .withdrawal_credentials = {},
                                                          .effective_balance = balance,
                                                          .slashed = false,
                                                          .activation_eligibility_epoch = 0,
                                                          .activation_epoch = 0,
                                                          .exit_epoch = ssz::altair::far_future_epoch,
                                                          .withdrawable_epoch = ssz::altair::far_future_epoch});
    }
    for (auto& mix : state.randao_mixes) mix.fill(mix_byte);
    return state;
}

constexpr std::uint64_t eth = 1'000'000'000;

TEST(NextSyncCommitteeIndices, SeventeenFullValidatorsAtGenesis) {
    const auto state = state_with(std::vector<std::uint64_t>(17, 32 * eth), 0x42);
    const std::vector<std::uint64_t> expected = {3,  16, 1,  0, 8, 6, 12, 2,  4, 9, 5, 7, 15, 14, 10, 13,
                                                 11, 3,  16, 1, 0, 8, 6,  12, 2, 4, 9, 5, 7,  15, 14, 10};
    EXPECT_EQ(get_next_sync_committee_indices(state, minimal_preset()).value(), expected);
}

TEST(NextSyncCommitteeIndices, InactiveValidatorsAreSkipped) {
    auto state = state_with({32 * eth, 32 * eth, 32 * eth, 32 * eth, 20 * eth, 32 * eth}, 0x11);
    state.validators[4].activation_epoch = ssz::altair::far_future_epoch;
    state.validators[4].activation_eligibility_epoch = ssz::altair::far_future_epoch;
    EXPECT_EQ(get_active_validator_indices(state, 1), (std::vector<std::uint64_t>{0, 1, 2, 3, 5}));
    const std::vector<std::uint64_t> expected = {5, 2, 1, 0, 3, 5, 2, 1, 0, 3, 5, 2, 1, 0, 3, 5,
                                                 2, 1, 0, 3, 5, 2, 1, 0, 3, 5, 2, 1, 0, 3, 5, 2};
    EXPECT_EQ(get_next_sync_committee_indices(state, minimal_preset()).value(), expected);
}

TEST(NextSyncCommitteeIndices, LowEffectiveBalancesAreSampledLessOften) {
    // Slot 20 (epoch 2): the committee for epoch 3.
    auto state = state_with({32 * eth, 16 * eth, 1 * eth, 32 * eth, 0, 24 * eth, 32 * eth, 8 * eth}, 0x42);
    state.slot = 20;
    const std::vector<std::uint64_t> expected = {5, 3, 6, 0, 5, 3, 6, 0, 5, 3, 6, 0, 1, 3, 6, 2,
                                                 0, 1, 3, 6, 0, 5, 3, 6, 0, 1, 3, 6, 0, 1, 3, 6};
    EXPECT_EQ(get_next_sync_committee_indices(state, minimal_preset()).value(), expected);
}

TEST(NextSyncCommitteeIndices, NoActiveValidatorIsAnError) {
    auto state = state_with({32 * eth}, 0x42);
    state.validators[0].exit_epoch = 1;  // active in epoch 0 only; the committee is for epoch 1
    const auto refused = get_next_sync_committee_indices(state, minimal_preset());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("no validator is active"), std::string::npos) << refused.error().message;
}

TEST(Seed, HashesDomainEpochAndTheMixBeforeTheLookahead) {
    auto state = state_with({}, 0);
    state.randao_mixes[63].fill(0xaa);  // epoch 1 reads mix (1 + 64 - 1 - 1) % 64 = 63
    std::vector<std::uint8_t> input = {0x07, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    input.insert(input.end(), 32, 0xaa);
    EXPECT_EQ(get_seed(state, 1, domain_sync_committee, minimal_preset()).value(), sha256(input));
    state.randao_mixes.pop_back();
    EXPECT_FALSE(get_seed(state, 1, domain_sync_committee, minimal_preset()).ok());
}

TEST(Sha256, KnownDigest) {
    const std::string abc = "abc";
    const std::vector<std::uint8_t> bytes(abc.begin(), abc.end());
    EXPECT_EQ(to_hex(sha256(bytes)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace ephemery::devnet
