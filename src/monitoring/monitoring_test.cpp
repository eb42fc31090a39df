#include "monitoring/assess.hpp"
#include "monitoring/metrics.hpp"
#include "monitoring/participation.hpp"
#include "ssz/altair.hpp"

#include <gtest/gtest.h>

namespace ephemery::monitoring {
namespace {

constexpr std::uint64_t far_future = ~std::uint64_t{0};
constexpr std::uint64_t gwei_32_eth = 32'000'000'000;

ssz::altair::Validator validator(std::uint8_t key, bool slashed = false) {
    ssz::altair::Validator v;
    v.pubkey.fill(key);
    v.effective_balance = gwei_32_eth;
    v.slashed = slashed;
    v.activation_eligibility_epoch = 0;
    v.activation_epoch = 0;
    v.exit_epoch = slashed ? 10 : far_future;
    v.withdrawable_epoch = slashed ? 20 : far_future;
    return v;
}

// A minimal-preset Altair state at slot 28 (epoch 3) of four validators: 0 voted source, target and head in
// epoch 2, 1 source and target, 2 nothing, 3 everything but is slashed.
std::vector<std::uint8_t> four_validator_state() {
    const auto preset = ssz::altair::minimal_preset();
    auto state = ssz::altair::default_beacon_state(preset);
    state.slot = 28;
    for (std::uint8_t key = 1; key <= 4; ++key) state.validators.push_back(validator(key, key == 4));
    state.balances = {gwei_32_eth + 5, gwei_32_eth + 6, gwei_32_eth - 7, gwei_32_eth};
    state.previous_epoch_participation = {7, 3, 0, 7};
    state.current_epoch_participation = {1, 0, 0, 0};
    state.inactivity_scores = {0, 0, 0, 0};
    state.finalized_checkpoint.epoch = 1;
    state.current_justified_checkpoint.epoch = 2;
    auto bytes = ssz::altair::serialize(state, preset);
    if (!bytes) ADD_FAILURE() << bytes.error().message;
    return bytes ? *bytes : std::vector<std::uint8_t>{};
}

StateColumns four_validator_columns() {
    const auto bytes = four_validator_state();
    auto columns = read_state_columns(bytes, ssz::ForkName::altair, *ssz::preset_by_name("minimal"));
    if (!columns) ADD_FAILURE() << columns.error().message;
    return columns ? *columns : StateColumns{};
}

TEST(ReadStateColumns, CopiesTheRegistryBalancesAndFlags) {
    const auto columns = four_validator_columns();
    EXPECT_EQ(columns.slot, 28U);
    EXPECT_EQ(columns.finalized_epoch, 1U);
    EXPECT_EQ(columns.current_justified_epoch, 2U);
    ASSERT_EQ(columns.pubkeys.size(), 4U);
    EXPECT_EQ(columns.pubkeys[2][0], 3);
    EXPECT_EQ(columns.balances[2], gwei_32_eth - 7);
    EXPECT_EQ(columns.previous_epoch_participation[1], 3);
    EXPECT_EQ(columns.slashed[3], 1);
    EXPECT_EQ(columns.exit_epochs[3], 10U);
    EXPECT_EQ(validator_status(columns, 0, 2), "active_ongoing");
    EXPECT_EQ(validator_status(columns, 3, 2), "active_slashed");
    EXPECT_EQ(validator_status(columns, 3, 12), "exited_slashed");
    EXPECT_EQ(validator_status(columns, 3, 25), "withdrawal_possible");
}

TEST(ReadStateColumns, RejectsTruncatedBytesAndPhase0WithAReason) {
    auto bytes = four_validator_state();
    bytes.resize(bytes.size() - 3);
    const auto truncated = read_state_columns(bytes, ssz::ForkName::altair, *ssz::preset_by_name("minimal"));
    ASSERT_FALSE(truncated);
    EXPECT_NE(truncated.error().message.find("state (altair, minimal preset)"), std::string::npos)
        << truncated.error().message;
    const auto phase0 = read_state_columns(bytes, ssz::ForkName::phase0, *ssz::preset_by_name("minimal"));
    ASSERT_FALSE(phase0);
    EXPECT_NE(phase0.error().message.find("Altair"), std::string::npos);
}

// Four validators of 32 ETH: total active balance 128 ETH, integer_squareroot(128e9) = 357770, so the base
// reward per increment is 64e9 / 357770 = 178885 and a validator's base reward 32 * 178885 = 5724320 Gwei.
// Source and target were voted by 64 of 128 increments (the slashed validator does not count), head by 32.
TEST(DeriveEpoch, PaysFlagsWithTheAltairFormulas) {
    const auto columns = four_validator_columns();
    const auto derived = derive_epoch(columns, 2, 8, reward_constants(ssz::ForkName::altair));
    ASSERT_TRUE(derived) << derived.error().message;
    EXPECT_EQ(derived->base_reward_per_increment, 178885U);
    EXPECT_FALSE(derived->inactivity_leak);
    EXPECT_EQ(derived->active_validators, 4U);
    const auto& v = derived->validators;
    // 5724320 * 14 * 64 / (128 * 64) = 626097; * 26 * 64 / 8192 = 1162752; head: * 14 * 32 / 8192 = 313048.
    EXPECT_EQ(v[0].source_reward, 626097);
    EXPECT_EQ(v[0].target_reward, 1162752);
    EXPECT_EQ(v[0].head_reward, 313048);
    EXPECT_EQ(v[1].total(), 626097 + 1162752);
    // Missed: source and target penalties (5724320 * 14 / 64, * 26 / 64); a missed head costs nothing.
    EXPECT_EQ(v[2].source_reward, -1252195);
    EXPECT_EQ(v[2].target_reward, -2325505);
    EXPECT_EQ(v[2].head_reward, 0);
    EXPECT_EQ(v[2].inactivity_penalty, 0);  // score 0 + 4 - recovery: back to 0 outside a leak
    // Slashed: its flags earn nothing and it pays as if it had missed.
    EXPECT_TRUE(v[3].source);
    EXPECT_EQ(v[3].total(), -1252195 - 2325505);
    EXPECT_EQ(derived->ideal_reward(gwei_32_eth), 626097 + 1162752 + 313048);
    EXPECT_DOUBLE_EQ(derived->source_participation, 0.5);
    EXPECT_DOUBLE_EQ(derived->head_participation, 0.25);
}

TEST(DeriveEpoch, ReadsTheCurrentEpochEarlyAndRefusesOtherEpochs) {
    const auto columns = four_validator_columns();
    const auto early = derive_epoch(columns, 3, 8, reward_constants(ssz::ForkName::altair));
    ASSERT_TRUE(early);
    EXPECT_TRUE(early->validators[0].source);
    EXPECT_FALSE(early->validators[0].target);
    const auto old = derive_epoch(columns, 1, 8, reward_constants(ssz::ForkName::altair));
    ASSERT_FALSE(old);
    EXPECT_NE(old.error().message.find("epoch 1 or 2"), std::string::npos) << old.error().message;
}

TEST(DeriveEpoch, InALeakPaysNothingForVotesAndChargesInactivity) {
    auto columns = four_validator_columns();
    columns.finalized_epoch = 0;
    columns.inactivity_scores = {0, 0, 100, 0};
    const auto derived = derive_epoch(columns, 6, 8, reward_constants(ssz::ForkName::bellatrix));
    ASSERT_FALSE(derived);  // slot 28 is epoch 3
    columns.slot = std::uint64_t{7} * 8;
    const auto leak = derive_epoch(columns, 6, 8, reward_constants(ssz::ForkName::bellatrix));
    ASSERT_TRUE(leak) << leak.error().message;
    EXPECT_TRUE(leak->inactivity_leak);
    EXPECT_EQ(leak->validators[0].total(), 0);
    EXPECT_EQ(leak->ideal_reward(gwei_32_eth), 0);
    // Score 100 + 4 (no recovery in a leak): 32e9 * 104 / (4 * 2^24) = 49591 Gwei.
    EXPECT_EQ(leak->validators[2].inactivity_penalty, -49591);
}

TEST(WatchList, MapsPubkeysAndRangesAndReportsWhatIsMissing) {
    const auto columns = four_validator_columns();
    ValidatorGroup mine;
    mine.label = "mine";
    mine.pubkeys = {"0x" + std::string(96, 'f'), "0x" + [] {
                        std::string hex;
                        for (int i = 0; i < 48; ++i) hex += "02";
                        return hex;
                    }()};
    const ValidatorGroup range{"range", {}, "1-2,9"};
    const auto watch = resolve_watch_list({mine, range}, columns.pubkeys);
    ASSERT_EQ(watch.validators.size(), 2U);
    EXPECT_EQ(watch.validators[0].index, 1U);
    EXPECT_EQ(watch.validators[0].label, "mine");  // the first group keeps it
    EXPECT_EQ(watch.validators[1].index, 2U);
    EXPECT_EQ(watch.validators[1].label, "range");
    ASSERT_EQ(watch.missing.size(), 1U);
    EXPECT_EQ(watch.missing[0].pubkey, "0x" + std::string(96, 'f'));
    ASSERT_EQ(watch.out_of_range.size(), 1U);
    EXPECT_FALSE(parse_index_ranges("3-1"));
    EXPECT_FALSE(parse_index_ranges("x"));
}

TEST(AssessValidators, CarriesDeltasAndMissesWithinAnIterationOnly) {
    const auto columns = four_validator_columns();
    const auto derived = derive_epoch(columns, 2, 8, reward_constants(ssz::ForkName::altair));
    ASSERT_TRUE(derived);
    const auto watch = resolve_watch_list({ValidatorGroup{"all", {}, "0-3"}}, columns.pubkeys);
    EpochInputs inputs;
    inputs.iteration = 7;
    inputs.epoch = 2;
    inputs.state = &columns;
    for (std::uint64_t i = 0; i < 4; ++i) {
        inputs.figures[i] = figures_from_participation(*derived, i, columns.effective_balances[i]);
    }
    inputs.proposals = {ProposalDuty{17, 0, true}, ProposalDuty{18, 2, false}};
    std::map<std::string, ValidatorEpoch, std::less<>> previous;
    ValidatorEpoch before;
    before.iteration = 7;
    before.balance = gwei_32_eth;
    before.missed_attestations_in_row = 2;
    previous[watch.validators[2].pubkey] = before;
    before.iteration = 6;  // the previous iteration's record of validator 0: no delta across a reset
    previous[watch.validators[0].pubkey] = before;
    inputs.previous = &previous;

    const auto records = assess_validators(watch, inputs);
    ASSERT_EQ(records.size(), 4U);
    EXPECT_EQ(records[0].balance_delta, 0);
    EXPECT_EQ(records[0].proposals_made, 1U);
    EXPECT_EQ(records[0].source, FigureSource::participation_flags);
    EXPECT_EQ(records[0].attestation_reward, records[0].ideal_attestation_reward);
    EXPECT_EQ(records[0].missed_attestations_in_row, 0U);
    EXPECT_EQ(records[2].balance_delta, -7);
    EXPECT_EQ(records[2].missed_attestations_in_row, 3U);
    EXPECT_EQ(records[2].proposals_missed, 1U);
    EXPECT_EQ(records[3].status, "active_slashed");
    EXPECT_EQ(records[3].missed_attestations_in_row, 0U);  // voted, if for nothing
}

TEST(RewardsApi, PenaltiesMarkMissedVotes) {
    const auto hit = figures_from_rewards_api(ApiReward{10, 20, 5, 0, 40, 1});
    EXPECT_EQ(hit.source, FigureSource::rewards_api);
    EXPECT_TRUE(*hit.head_hit);
    EXPECT_EQ(hit.reward, 35);
    EXPECT_EQ(hit.ideal_reward, 40);
    const auto miss = figures_from_rewards_api(ApiReward{0, -20, -5, -1, 40, std::nullopt});
    EXPECT_FALSE(*miss.source_hit);
    EXPECT_FALSE(*miss.target_hit);
    EXPECT_FALSE(*miss.head_hit);
    EXPECT_EQ(miss.reward, -26);
}

TEST(Metrics, AggregatesByLabelAndCapsPerValidatorSeries) {
    EpochSnapshot snapshot;
    for (int i = 0; i < 3; ++i) {
        ValidatorEpoch record;
        record.label = "lab\"el";
        record.pubkey = "0xab";
        record.index = static_cast<std::uint64_t>(i);
        record.status = "active_ongoing";
        record.balance = 10;
        record.attestation_reward = 2;
        record.ideal_attestation_reward = 4;
        record.source_hit = true;
        record.missed_attestations_in_row = i == 2 ? 1 : 0;
        snapshot.validators.push_back(record);
    }
    snapshot.missing.push_back(MissingValidator{"other", "0xcd"});
    const auto capped = render_prometheus(monitoring_metrics(snapshot, 2));
    EXPECT_NE(capped.find("ephemery_validators{label=\"lab\\\"el\",status=\"active_ongoing\"} 3\n"), std::string::npos)
        << capped;
    EXPECT_NE(capped.find("ephemery_validators_attestation_effectiveness_ratio{label=\"lab\\\"el\"} 0.5\n"),
              std::string::npos);
    EXPECT_NE(capped.find("ephemery_validators_missing{label=\"other\"} 1\n"), std::string::npos);
    EXPECT_EQ(capped.find("ephemery_validator_balance_gwei"), std::string::npos);
    const auto all = samples_of(monitoring_metrics(snapshot, -1));
    const auto in_row = std::count_if(all.begin(), all.end(), [](const Sample& sample) {
        return sample.name == "ephemery_validator_missed_attestations_in_row";
    });
    EXPECT_EQ(in_row, 3);
    EXPECT_EQ(escape_label_value("a\\b\nc"), "a\\\\b\\nc");
}

}  // namespace
}  // namespace ephemery::monitoring
