#include "monitoring/ingest.hpp"

#include "monitoring/aggregate.hpp"
#include "monitoring/record.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <array>
#include <limits>
#include <string>
#include <vector>

namespace ephemery::monitoring {
namespace {

using testing::HasSubstr;

const std::string pubkey_a = "0x" + std::string(94, 'a') + "0F";
const std::string credentials = "0x01" + std::string(22, '0') + std::string(40, 'b');

// One element of GET /eth/v1/beacon/states/{state_id}/validators, every field of the beacon-APIs schema.
std::string validator_json(std::uint64_t index, std::string_view status, std::uint64_t balance,
                           std::uint64_t effective_balance, bool slashed = false,
                           const std::string& pubkey = pubkey_a) {
    return fmt::format(
        R"({{"index":"{}","balance":"{}","status":"{}","validator":{{"pubkey":"{}","withdrawal_credentials":"{}",)"
        R"("effective_balance":"{}","slashed":{},"activation_eligibility_epoch":"0","activation_epoch":"{}",)"
        R"("exit_epoch":"18446744073709551615","withdrawable_epoch":"18446744073709551615"}}}})",
        index, balance, status, pubkey, credentials, effective_balance, slashed, index);
}

std::string answer(const std::string& data) {
    return R"({"execution_optimistic":false,"finalized":true,"data":)" + data + "}";
}

TEST(MonitoringRecord, FigureSourceNamesRoundTrip) {
    for (const auto source :
         {FigureSource::rewards_api, FigureSource::participation_flags, FigureSource::liveness, FigureSource::none}) {
        EXPECT_EQ(figure_source_from_name(figure_source_name(source)), source);
    }
    EXPECT_EQ(figure_source_name(FigureSource::rewards_api), "rewards_api");
    EXPECT_FALSE(figure_source_from_name("rewards"));
}

TEST(MonitoringIngest, StatusNamesCoverTheBeaconApis) {
    for (std::size_t i = 0; i < validator_status_count; ++i) {
        const auto status = static_cast<ValidatorStatus>(i);
        EXPECT_EQ(validator_status_from_name(validator_status_name(status)), status);
    }
    EXPECT_EQ(validator_status_from_name("withdrawal_done"), ValidatorStatus::withdrawal_done);
    EXPECT_FALSE(validator_status_from_name("active"));
    EXPECT_TRUE(is_active(ValidatorStatus::active_slashed));
    EXPECT_FALSE(is_active(ValidatorStatus::exited_unslashed));
}

TEST(MonitoringIngest, ParsesValidatorsAsSpecified) {
    const auto table =
        parse_validator_table(answer("[" + validator_json(0, "active_ongoing", 32000000123, 32000000000) + ",\n  " +
                                     validator_json(7, "pending_queued", 1, 0, true) + "]"));
    ASSERT_TRUE(table) << table.error().message;
    ASSERT_EQ(table->size(), 2U);
    EXPECT_EQ(table->index[1], 7U);
    EXPECT_EQ(table->balance[0], 32000000123U);
    EXPECT_EQ(table->status[0], ValidatorStatus::active_ongoing);
    EXPECT_EQ(table->status[1], ValidatorStatus::pending_queued);
    EXPECT_EQ(table->effective_balance[0], 32000000000U);
    EXPECT_EQ(table->slashed[0], 0);
    EXPECT_EQ(table->slashed[1], 1);
    EXPECT_EQ(table->activation_epoch[1], 7U);
    EXPECT_EQ(table->exit_epoch[0], 18446744073709551615U);
    EXPECT_EQ(table->pubkey[0][0], 0xaa);
    EXPECT_EQ(table->pubkey[0][47], 0x0f);

    const auto empty = parse_validator_table(answer("[]"));
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_EQ(empty->size(), 0U);
}

TEST(MonitoringIngest, ParsesBalancesAsSpecified) {
    const auto table =
        parse_balance_table(answer(R"([{"index":"1","balance":"31999999999"},{"index":"2","balance":"0"}])"));
    ASSERT_TRUE(table) << table.error().message;
    ASSERT_EQ(table->size(), 2U);
    EXPECT_EQ(table->index[0], 1U);
    EXPECT_EQ(table->balance[0], 31999999999U);
    EXPECT_EQ(table->balance[1], 0U);
}

TEST(MonitoringIngest, ParsesRewardsAsSpecified) {
    // Altair and later: no inclusion_delay. Penalties are negative.
    const auto altair = parse_reward_table(answer(
        R"({"ideal_rewards":[{"effective_balance":"32000000000","head":"2000","target":"5000","source":"3000",)"
        R"("inactivity":"0"}],"total_rewards":[{"validator_index":"0","head":"2000","target":"5000",)"
        R"("source":"3000","inactivity":"0"},{"validator_index":"1","head":"0","target":"-5000","source":"-3000",)"
        R"("inactivity":"-100"}]})"));
    ASSERT_TRUE(altair) << altair.error().message;
    ASSERT_EQ(altair->ideal.size(), 1U);
    EXPECT_EQ(altair->ideal[0].effective_balance, 32000000000U);
    EXPECT_FALSE(altair->ideal[0].inclusion_delay);
    EXPECT_EQ(altair->ideal[0].total(), 10000);
    ASSERT_EQ(altair->size(), 2U);
    EXPECT_EQ(altair->validator_index[1], 1U);
    EXPECT_EQ(altair->target[1], -5000);
    EXPECT_EQ(altair->source[1], -3000);
    EXPECT_EQ(altair->inactivity[1], -100);
    EXPECT_EQ(altair->inclusion_delay[1], 0);

    // phase0: inclusion_delay present.
    const auto phase0 = parse_reward_table(
        answer(R"({"ideal_rewards":[{"effective_balance":"1000000000","head":"1","target":"2","source":"3",)"
               R"("inclusion_delay":"4","inactivity":"0"}],"total_rewards":[{"validator_index":"5","head":"1",)"
               R"("target":"2","source":"3","inclusion_delay":"4","inactivity":"0"}]})"));
    ASSERT_TRUE(phase0) << phase0.error().message;
    EXPECT_EQ(phase0->ideal[0].inclusion_delay, 4);
    EXPECT_EQ(phase0->inclusion_delay[0], 4);
}

std::string validators_error(const std::string& json) {
    const auto table = parse_validator_table(json);
    return table ? std::string("(parsed)") : table.error().message;
}

TEST(MonitoringIngest, ValidatorErrorsNameTheJsonPath) {
    const std::string good = validator_json(0, "active_ongoing", 1, 1);
    const auto second = [&good](const std::string& bad) { return answer("[" + good + "," + bad + "]"); };

    EXPECT_THAT(validators_error(second(validator_json(1, "active_ongoing", 1, 1, false, "0xab"))),
                HasSubstr("data[1].validator.pubkey: expected 0x + 96 hex digits, got \"0xab\""));
    EXPECT_THAT(validators_error(second(validator_json(1, "active_ongoing", 1, 1, false, "0x" + std::string(96, 'g')))),
                HasSubstr("data[1].validator.pubkey: expected 0x + 96 hex digits"));
    EXPECT_THAT(validators_error(second(validator_json(1, "active_ongoing", 1, 1, false, "0x" + std::string(98, 'a')))),
                HasSubstr("data[1].validator.pubkey"));
    EXPECT_THAT(validators_error(second(validator_json(1, "active", 1, 1))),
                HasSubstr("data[1].status: expected a beacon-APIs validator status"));
    EXPECT_THAT(validators_error(second(R"({"index":"1","balance":"1","status":"active_ongoing"})")),
                HasSubstr("data[1].validator: missing"));
    EXPECT_THAT(validators_error(answer(R"([{"index":"1","balance":"1","status":"active_ongoing","validator":{}}])")),
                HasSubstr("data[0].validator.pubkey: missing"));
    EXPECT_THAT(validators_error(answer("[" + good + ",3]")), HasSubstr("data[1]: expected an object, got 3"));
    EXPECT_THAT(validators_error(answer("{}")), HasSubstr("data: expected an array"));
    EXPECT_THAT(validators_error(R"({"finalized":true})"), HasSubstr("data: missing"));
    EXPECT_THAT(validators_error("[1]"), HasSubstr("expected a JSON object"));
    EXPECT_THAT(validators_error(answer("[" + good + "]") + " {}"), HasSubstr("trailing content"));
    EXPECT_THAT(validators_error(answer("[" + good)), HasSubstr("malformed JSON"));
    EXPECT_NE(validators_error(""), "(parsed)");
    EXPECT_NE(validators_error("not json"), "(parsed)");
}

TEST(MonitoringIngest, QuotedIntegersAreStrict) {
    const auto balance_error = [](std::string_view value) {
        const auto table = parse_balance_table(answer(fmt::format(R"([{{"index":"3","balance":{}}}])", value)));
        return table ? std::string("(parsed)") : table.error().message;
    };
    EXPECT_EQ(balance_error(R"("18446744073709551615")"), "(parsed)");
    EXPECT_EQ(balance_error("12"), "(parsed)");  // a bare integer, as some clients send
    for (const std::uint64_t value : {0ULL, 7ULL, 12345678ULL, 99999999ULL, 100000000ULL, 32000000001ULL,
                                      1234567890123456789ULL, 9999999999999999999ULL, 18446744073709551615ULL}) {
        const auto table = parse_balance_table(answer(fmt::format(R"([{{"index":"1","balance":"{}"}}])", value)));
        ASSERT_TRUE(table) << table.error().message;
        EXPECT_EQ(table->balance[0], value);
    }
    EXPECT_THAT(balance_error(R"("1234567:9")"), HasSubstr("expected a quoted unsigned"));
    EXPECT_THAT(balance_error(R"("12345678/")"), HasSubstr("expected a quoted unsigned"));
    EXPECT_EQ(balance_error(R"("00000000000000000000001")"), "(parsed)");  // leading zeros: still 1
    EXPECT_THAT(balance_error(R"("99999999999999999999")"), HasSubstr("above the largest uint64"));
    EXPECT_THAT(balance_error(R"("99999999999999999999x")"), HasSubstr("expected a quoted unsigned"));
    EXPECT_THAT(balance_error(R"("18446744073709551616")"),
                HasSubstr("data[0].balance: above the largest uint64 (18446744073709551615)"));
    EXPECT_THAT(balance_error(R"("-1")"), HasSubstr("data[0].balance: expected a quoted unsigned decimal integer"));
    EXPECT_THAT(balance_error(R"("+1")"), HasSubstr("data[0].balance: expected a quoted unsigned"));
    EXPECT_THAT(balance_error(R"("12a")"), HasSubstr("got \"12a\""));
    EXPECT_THAT(balance_error(R"(" 12")"), HasSubstr("data[0].balance"));
    EXPECT_THAT(balance_error(R"("")"), HasSubstr("data[0].balance"));
    EXPECT_THAT(balance_error(R"("1\u0030")"), HasSubstr("data[0].balance"));
    EXPECT_THAT(balance_error("1.5"), HasSubstr("data[0].balance"));
    EXPECT_THAT(balance_error("true"), HasSubstr("data[0].balance"));

    const auto reward_error = [](std::string_view head) {
        const auto table = parse_reward_table(answer(fmt::format(
            R"({{"ideal_rewards":[],"total_rewards":[{{"validator_index":"0","head":{},"target":"0","source":"0",)"
            R"("inactivity":"0"}}]}})",
            head)));
        return table ? std::string("(parsed)") : table.error().message;
    };
    EXPECT_EQ(reward_error(R"("-9223372036854775808")"), "(parsed)");
    EXPECT_EQ(reward_error(R"("9223372036854775807")"), "(parsed)");
    EXPECT_THAT(reward_error(R"("9223372036854775808")"),
                HasSubstr("data.total_rewards[0].head: outside the int64 range"));
    EXPECT_THAT(reward_error(R"("-9223372036854775809")"), HasSubstr("outside the int64 range"));
    EXPECT_THAT(reward_error(R"("-")"), HasSubstr("data.total_rewards[0].head: expected a quoted decimal integer"));
    EXPECT_THAT(reward_error(R"("--1")"), HasSubstr("data.total_rewards[0].head"));

    const auto missing_target = parse_reward_table(answer(
        R"({"ideal_rewards":[{"effective_balance":"1","head":"1","source":"1","inactivity":"0"}],"total_rewards":[]})"));
    ASSERT_FALSE(missing_target);
    EXPECT_THAT(missing_target.error().message, HasSubstr("data.ideal_rewards[0].target: missing"));
    const auto no_total = parse_reward_table(answer(R"({"ideal_rewards":[]})"));
    ASSERT_FALSE(no_total);
    EXPECT_THAT(no_total.error().message, HasSubstr("data.total_rewards: missing"));
    const auto bad_index = parse_balance_table(answer(R"([{"index":"x","balance":"1"}])"));
    ASSERT_FALSE(bad_index);
    EXPECT_THAT(bad_index.error().message, HasSubstr("data[0].index"));
}

// Answers above 4 MiB are parsed in chunks of whole elements; the result and the error paths must not change.
TEST(MonitoringIngest, LargeAnswersParseInChunksWithTheSamePaths) {
    constexpr std::size_t count = 12'000;  // about 6 MB
    std::string data = "[";
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) data += ',';
        data += validator_json(i, i % 7 == 0 ? "exited_slashed" : "active_ongoing", 32'000'000'000 + i, 32'000'000'000);
    }
    data += "]";
    const auto table = parse_validator_table(answer(data));
    ASSERT_TRUE(table) << table.error().message;
    ASSERT_EQ(table->size(), count);
    for (std::size_t i = 0; i < count; i += 997) {
        EXPECT_EQ(table->index[i], i);
        EXPECT_EQ(table->balance[i], 32'000'000'000 + i);
        EXPECT_EQ(table->status[i], i % 7 == 0 ? ValidatorStatus::exited_slashed : ValidatorStatus::active_ongoing);
    }
    EXPECT_EQ(table->index.back(), count - 1);

    // Two threads, each parsing a run of chunks: the same columns, in the same order.
    Ingester two_threads(2);
    const auto parallel = two_threads.validators(PaddedText::copy_of(answer(data)));
    ASSERT_TRUE(parallel) << parallel.error().message;
    EXPECT_EQ(parallel->index, table->index);
    EXPECT_EQ(parallel->balance, table->balance);
    EXPECT_EQ(parallel->status, table->status);
    EXPECT_EQ(parallel->pubkey, table->pubkey);

    // A bad value far into the text: the path counts every element before it.
    std::string bad = data;
    const std::string needle = R"("index":"11000","balance":")";
    const auto at = bad.find(needle);
    ASSERT_NE(at, std::string::npos);
    bad.replace(at + needle.size(), 1, "x");
    EXPECT_THAT(validators_error(answer(bad)), HasSubstr("data[11000].balance: expected a quoted unsigned"));
    const auto parallel_error = two_threads.validators(PaddedText::copy_of(answer(bad)));
    ASSERT_FALSE(parallel_error);
    EXPECT_THAT(parallel_error.error().message, HasSubstr("data[11000].balance"));
    // Broken structure in the middle, and other fields after data.
    std::string broken = data;
    broken.insert(broken.find(R"(,{"index":"6000")"), "]");
    EXPECT_THAT(validators_error(answer(broken)), HasSubstr("malformed JSON"));
    const auto after =
        parse_validator_table(R"({"data":)" + data + R"(,"finalized":false,"execution_optimistic":true})");
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_EQ(after->size(), count);
    // A nested array of objects beginning with "index" inside an element: the split there is wrong, and the whole
    // document is parsed instead.
    std::string nested = data;
    const std::string inner_needle = R"("withdrawal_credentials":)";
    const auto inner = nested.find(inner_needle, nested.size() / 2);
    std::string filler = R"("extra":[{"a":1})";
    for (int i = 0; i < 40'000; ++i) filler += R"(,{"index":"1"})";
    filler += "],";
    nested.insert(inner, filler);
    const auto nested_table = parse_validator_table(answer(nested));
    ASSERT_TRUE(nested_table) << nested_table.error().message;
    EXPECT_EQ(nested_table->size(), count);

    std::string balances = "[";
    for (std::size_t i = 0; i < 200'000; ++i) {
        balances += fmt::format(R"({}{{"index":"{}","balance":"{}"}})", i == 0 ? "" : ",", i, i * 3);
    }
    balances += "]";
    const auto balance_table = parse_balance_table(answer(balances));
    ASSERT_TRUE(balance_table) << balance_table.error().message;
    ASSERT_EQ(balance_table->size(), 200'000U);
    EXPECT_EQ(balance_table->balance[199'999], 599'997U);
}

void expect_same_table(const ValidatorTable& actual, const ValidatorTable& expected, std::string_view variant) {
    EXPECT_EQ(actual.index, expected.index) << variant;
    EXPECT_EQ(actual.balance, expected.balance) << variant;
    EXPECT_EQ(actual.status, expected.status) << variant;
    EXPECT_EQ(actual.pubkey, expected.pubkey) << variant;
    EXPECT_EQ(actual.effective_balance, expected.effective_balance) << variant;
    EXPECT_EQ(actual.slashed, expected.slashed) << variant;
    EXPECT_EQ(actual.activation_epoch, expected.activation_epoch) << variant;
    EXPECT_EQ(actual.exit_epoch, expected.exit_epoch) << variant;
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// The compact layout beacon nodes write is read straight from the text; the same values in any other layout go
// through the parser and must give the same table, and what the parser refuses stays refused.
TEST(MonitoringIngest, EveryLayoutGivesTheSameTable) {
    std::vector<std::string> elements;
    for (std::size_t i = 0; i < validator_status_count; ++i) {
        elements.push_back(validator_json(i, validator_status_names.at(i), 32'000'000'000 + i, 32'000'000'000,
                                          i % 2 == 1, "0x" + std::string(94, 'c') + fmt::format("{:02x}", i)));
    }
    const auto data = [&elements](std::size_t changed, const std::string& element) {
        std::string out = "[";
        for (std::size_t i = 0; i < elements.size(); ++i) {
            if (i > 0) out += ',';
            out += i == changed ? element : elements[i];
        }
        return out + "]";
    };
    const auto compact = parse_validator_table(answer(data(elements.size(), "")));
    ASSERT_TRUE(compact) << compact.error().message;
    ASSERT_EQ(compact->size(), validator_status_count);
    EXPECT_EQ(compact->status[8], ValidatorStatus::withdrawal_done);
    EXPECT_EQ(compact->pubkey[5][47], 0x05);
    EXPECT_EQ(compact->slashed[5], 1);

    const std::string& third = elements[3];  // index 3, active_exiting, balance 32000000003
    std::string spaced = third;
    for (std::size_t at = spaced.find(':'); at != std::string::npos; at = spaced.find(':', at + 2)) {
        spaced.insert(at + 1, " ");
    }
    const std::vector<std::pair<std::string, std::string>> variants{
        {"spaces", spaced},
        {"newlines", replaced(replaced(third, ",", ",\n  "), "{", "{\n")},
        {"fields reordered",
         replaced(replaced(third, R"("index":"3",)", ""), R"("status")", R"("index":"3","status")")},
        {"an escape in a string not read",
         replaced(third, R"("withdrawal_credentials":"0x)", R"("withdrawal_credentials":"\u0030x)")},
        {"UTF-8 in a string not read",
         replaced(third, R"("withdrawal_credentials":"0x)", "\"withdrawal_credentials\":\"\xc3\xa9")},
        {"another field", replaced(third, R"({"index")", R"({"extra":{"a":[1,{"b":null}]},"index")")},
        {"a field missing that is not read", replaced(third, R"("activation_eligibility_epoch":"0",)", "")},
        {"bare integers", replaced(replaced(third, R"("index":"3")", R"("index":3)"),
                                   R"("exit_epoch":"18446744073709551615")", R"("exit_epoch":18446744073709551615)")},
        {"upper-case hex", replaced(third, std::string(94, 'c'), std::string(94, 'C'))},
        {"leading zeros past 20 digits",
         replaced(third, R"("balance":"32000000003")", R"("balance":"0000000000000032000000003")")},
        {"a number where a string was",
         replaced(third, R"("withdrawable_epoch":"18446744073709551615")", R"("withdrawable_epoch":1.5e3)")},
    };
    for (const auto& [variant, element] : variants) {
        const auto table = parse_validator_table(answer(data(3, element)));
        ASSERT_TRUE(table) << variant << ": " << table.error().message;
        expect_same_table(*table, *compact, variant);
    }

    const std::vector<std::pair<std::string, std::string>> refused{
        {replaced(third, R"("slashed":true)", R"("slashed":"true")"),
         "data[3].validator.slashed: expected true or false"},
        {replaced(third, R"("balance":"32000000003")", R"("balance":"18446744073709551616")"),
         "data[3].balance: above the largest uint64"},
        {replaced(third, R"("exit_epoch":"18446744073709551615")", R"("exit_epoch":"184467440737095516150")"),
         "data[3].validator.exit_epoch: above the largest uint64"},
        {replaced(third, "active_exiting", "active_exitinG"),
         "data[3].status: expected a beacon-APIs validator status"},
        {replaced(third, "active_exiting", "active_exiting_"), "data[3].status"},
        {replaced(third, "0x" + std::string(94, 'c'), "0x" + std::string(93, 'c') + "g"),
         "data[3].validator.pubkey: expected 0x + 96 hex digits"},
        {replaced(third, "0x" + std::string(94, 'c'), "0x" + std::string(93, 'c') + "\xc3\xa9"),
         "data[3].validator.pubkey"},
        {replaced(third, R"("index":"3")", R"("index":"")"), "data[3].index: expected a quoted unsigned"},
        {replaced(third, R"("index":"3")", R"("index":"-3")"), "data[3].index: expected a quoted unsigned"},
        {replaced(third, "}}", "}"), "malformed JSON"},
        {replaced(third, "}}", "}}}"), "malformed JSON"},
    };
    for (const auto& [element, message] : refused) {
        EXPECT_THAT(validators_error(answer(data(3, element))), HasSubstr(message)) << element;
    }
    // A comma too many, or none, between elements.
    EXPECT_THAT(validators_error(answer(replaced(data(9, ""), "},{", "},,{"))), HasSubstr("data[1]"));
    EXPECT_THAT(validators_error(answer(replaced(data(9, ""), "},{", "}{"))), HasSubstr("malformed JSON"));
}

// Every width of quoted integer, through the direct read and through the parser (a space after the element).
TEST(MonitoringIngest, IntegersOfEveryWidth) {
    std::uint64_t power = 1;  // 10^(digits - 1)
    for (std::uint64_t digits = 1; digits <= 20; ++digits) {
        const std::uint64_t largest = digits < 20 ? power * 10 - 1 : std::numeric_limits<std::uint64_t>::max();
        for (const std::uint64_t value : std::array<std::uint64_t, 3>{power, power + 7, largest}) {
            for (const std::string_view after : {"", " "}) {
                const auto table = parse_balance_table(
                    answer(fmt::format(R"([{{"index":"{}","balance":"{}"}}{}])", digits, value, after)));
                ASSERT_TRUE(table) << value << ": " << table.error().message;
                EXPECT_EQ(table->balance[0], value);
                EXPECT_EQ(table->index[0], digits);
            }
        }
        if (digits < 20) power *= 10;
    }
    const auto rewards = parse_reward_table(
        answer(R"({"ideal_rewards":[],"total_rewards":[{"validator_index":"0","head":"-9223372036854775808",)"
               R"("target":"9223372036854775807","source":"-0","inclusion_delay":"-12345678","inactivity":"-1"}]})"));
    ASSERT_TRUE(rewards) << rewards.error().message;
    EXPECT_EQ(rewards->head[0], std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(rewards->target[0], std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(rewards->source[0], 0);
    EXPECT_EQ(rewards->inclusion_delay[0], -12'345'678);
    EXPECT_EQ(rewards->inactivity[0], -1);
}

std::string total_reward_json(std::size_t index, bool phase0) {
    const auto value = static_cast<std::int64_t>(index);
    return fmt::format(R"({{"validator_index":"{}","head":"{}","target":"{}","source":"{}",{}"inactivity":"{}"}})",
                       index, value * 3, -value, value % 1000,
                       phase0 ? fmt::format(R"("inclusion_delay":"{}",)", value % 7) : "", -(value % 13));
}

// total_rewards in chunks, by one thread or two; other layouts of the answer read the same.
TEST(MonitoringIngest, LargeRewardAnswersParseInChunks) {
    constexpr std::size_t count = 40'000;  // about 3.5 MB: several chunks
    const std::string ideal =
        R"("ideal_rewards":[{"effective_balance":"32000000000","head":"1","target":"2","source":"3","inactivity":"0"}])";
    const auto totals = [](bool phase0) {
        std::string out = "[";
        for (std::size_t i = 0; i < count; ++i) {
            if (i > 0) out += ',';
            out += total_reward_json(i, phase0 && i % 2 == 0);
        }
        return out + "]";
    };
    const std::string text = answer("{" + ideal + R"(,"total_rewards":)" + totals(false) + "}");
    const auto table = parse_reward_table(text);
    ASSERT_TRUE(table) << table.error().message;
    ASSERT_EQ(table->size(), count);
    ASSERT_EQ(table->ideal.size(), 1U);
    EXPECT_EQ(table->ideal[0].total(), 6);
    for (std::size_t i = 0; i < count; i += 1999) {
        const auto value = static_cast<std::int64_t>(i);
        EXPECT_EQ(table->validator_index[i], i);
        EXPECT_EQ(table->head[i], value * 3);
        EXPECT_EQ(table->target[i], -value);
        EXPECT_EQ(table->source[i], value % 1000);
        EXPECT_EQ(table->inclusion_delay[i], 0);
        EXPECT_EQ(table->inactivity[i], -(value % 13));
    }
    const auto same = [&table](const Result<RewardTable>& other, std::string_view variant) {
        ASSERT_TRUE(other) << variant << ": " << other.error().message;
        EXPECT_EQ(other->validator_index, table->validator_index) << variant;
        EXPECT_EQ(other->head, table->head) << variant;
        EXPECT_EQ(other->target, table->target) << variant;
        EXPECT_EQ(other->source, table->source) << variant;
        EXPECT_EQ(other->inactivity, table->inactivity) << variant;
        EXPECT_EQ(other->inclusion_delay, table->inclusion_delay) << variant;
        ASSERT_EQ(other->ideal.size(), 1U) << variant;
        EXPECT_EQ(other->ideal[0].total(), 6) << variant;
    };
    Ingester two_threads(2);
    same(two_threads.rewards(PaddedText::copy_of(text)), "two threads");
    same(parse_reward_table(answer(R"({"total_rewards":)" + totals(false) + "," + ideal + "}")), "ideal after total");
    same(parse_reward_table(
             answer(R"({"extra":{"total_rewards":[]},)" + ideal + R"(,"total_rewards":)" + totals(false) + "}")),
         "total_rewards in another object first");
    same(parse_reward_table(
             answer(R"({"extra":"\"total_rewards\":[",)" + ideal + R"(,"total_rewards":)" + totals(false) + "}")),
         "total_rewards in a string first");
    same(parse_reward_table(answer("{" + ideal + R"(,"total_rewards": )" + totals(false) + "}")), "a space");

    const auto phase0 =
        two_threads.rewards(PaddedText::copy_of(answer("{" + ideal + R"(,"total_rewards":)" + totals(true) + "}")));
    ASSERT_TRUE(phase0) << phase0.error().message;
    EXPECT_EQ(phase0->inclusion_delay[20'000], static_cast<std::int64_t>(20'000 % 7));
    EXPECT_EQ(phase0->inclusion_delay[20'001], 0);
    EXPECT_EQ(phase0->head, table->head);

    std::string bad = text;
    const std::string needle = R"("validator_index":"30000","head":")";
    bad.replace(bad.find(needle) + needle.size(), 1, "+");
    for (const auto& error : {parse_reward_table(bad), two_threads.rewards(PaddedText::copy_of(bad))}) {
        ASSERT_FALSE(error);
        EXPECT_THAT(error.error().message,
                    HasSubstr("data.total_rewards[30000].head: expected a quoted decimal integer"));
    }
    const auto twice =
        parse_reward_table(answer("{" + ideal + R"(,"total_rewards":[],"total_rewards":)" + totals(false) + "}"));
    same(twice, "total_rewards twice");
}

TEST(MonitoringIngest, IngesterReusesItsParser) {
    Ingester ingester;
    const auto first = ingester.balances(PaddedText::copy_of(answer(R"([{"index":"1","balance":"5"}])")));
    ASSERT_TRUE(first) << first.error().message;
    const auto second = ingester.balances(PaddedText::copy_of(answer(R"([{"index":"2","balance":"6"}])")));
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->balance[0], 6U);
    // Text read into a buffer with the padding already there is parsed where it lies.
    std::string buffer = answer(R"([{"index":"3","balance":"7"}])");
    const std::size_t length = buffer.size();
    buffer.resize(length + json_padding);
    const auto third = ingester.balances(PaddedText(std::move(buffer), length));
    ASSERT_TRUE(third) << third.error().message;
    EXPECT_EQ(third->index[0], 3U);
}

// Five validators, four balances, rewards for four of them; every figure below is worked out by hand.
TEST(MonitoringAggregate, SmallEpochByHand) {
    constexpr std::uint64_t eth = 1'000'000'000;
    const auto validators =
        parse_validator_table(answer("[" + validator_json(0, "active_ongoing", 32 * eth, 32 * eth) + "," +
                                     validator_json(1, "active_ongoing", 31 * eth, 31 * eth) + "," +
                                     validator_json(2, "active_slashed", 20 * eth, 20 * eth, true) + "," +
                                     validator_json(3, "pending_queued", 32 * eth, 32 * eth) + "," +
                                     validator_json(4, "exited_unslashed", 0, 0) + "]"));
    ASSERT_TRUE(validators) << validators.error().message;
    const auto balances =
        parse_balance_table(answer(R"([{"index":"0","balance":"32000000100"},{"index":"1","balance":"31000000000"},)"
                                   R"({"index":"2","balance":"19000000000"},{"index":"3","balance":"32000000000"}])"));
    ASSERT_TRUE(balances) << balances.error().message;
    // Ideal for 32 ETH: 100+200+300 = 600; for 31 ETH: 90+180+270 = 540; none for 20 ETH.
    const auto rewards = parse_reward_table(
        answer(R"({"ideal_rewards":[{"effective_balance":"32000000000","head":"100","target":"200","source":"300",)"
               R"("inactivity":"0"},{"effective_balance":"31000000000","head":"90","target":"180","source":"270",)"
               R"("inactivity":"0"}],"total_rewards":[)"
               R"({"validator_index":"0","head":"100","target":"200","source":"300","inactivity":"0"},)"
               R"({"validator_index":"1","head":"0","target":"180","source":"270","inactivity":"0"},)"
               R"({"validator_index":"2","head":"0","target":"-200","source":"-300","inactivity":"-50"},)"
               R"({"validator_index":"9","head":"7","target":"7","source":"7","inactivity":"0"}]})"));
    ASSERT_TRUE(rewards) << rewards.error().message;

    const std::vector<Watched> watched{{"mine", {1, 2, 42}}, {"none", {}}};
    const auto epoch = aggregate_epoch(*validators, *balances, &*rewards, watched);

    EXPECT_EQ(epoch.validators, 5U);
    EXPECT_EQ(epoch.status_counts[static_cast<std::size_t>(ValidatorStatus::active_ongoing)], 2U);
    EXPECT_EQ(epoch.status_counts[static_cast<std::size_t>(ValidatorStatus::active_slashed)], 1U);
    EXPECT_EQ(epoch.status_counts[static_cast<std::size_t>(ValidatorStatus::pending_queued)], 1U);
    EXPECT_EQ(epoch.status_counts[static_cast<std::size_t>(ValidatorStatus::exited_unslashed)], 1U);
    EXPECT_EQ(epoch.active, 3U);
    EXPECT_EQ(epoch.balances, 4U);
    EXPECT_EQ(epoch.total_balance, 114 * eth + 100);
    EXPECT_DOUBLE_EQ(epoch.mean_balance, static_cast<double>(114 * eth + 100) / 4);
    EXPECT_EQ(epoch.total_effective_balance, 115 * eth);

    ASSERT_TRUE(epoch.has_rewards);
    EXPECT_EQ(epoch.rewards.validators, 4U);
    EXPECT_EQ(epoch.rewards.head, 107);
    EXPECT_EQ(epoch.rewards.target, 187);
    EXPECT_EQ(epoch.rewards.source, 277);
    EXPECT_EQ(epoch.rewards.inactivity, -50);
    EXPECT_EQ(epoch.rewards.total(), 521);
    EXPECT_EQ(epoch.rewards.positive_head, 2U);    // validators 0 and 9
    EXPECT_EQ(epoch.rewards.positive_target, 3U);  // 0, 1, 9
    EXPECT_EQ(epoch.rewards.positive_source, 3U);
    EXPECT_DOUBLE_EQ(epoch.rewards.source_share(), 0.75);
    // Matched: validator 0 (600 of 600) and 1 (450 of 540); 2 has no 20 ETH ideal, 9 is not in the table.
    EXPECT_EQ(epoch.rewards.matched_validators, 2U);
    EXPECT_EQ(epoch.rewards.matched_total, 1050);
    EXPECT_EQ(epoch.rewards.matched_ideal, 1140);
    EXPECT_DOUBLE_EQ(epoch.rewards.effectiveness(), 1050.0 / 1140.0);

    ASSERT_EQ(epoch.groups.size(), 2U);
    const auto& mine = epoch.groups[0];
    EXPECT_EQ(mine.label, "mine");
    EXPECT_EQ(mine.found, 2U);
    EXPECT_EQ(mine.missing, 1U);
    EXPECT_EQ(mine.active, 2U);
    EXPECT_EQ(mine.total_balance, 50 * eth);  // from the balances table: 31 + 19
    EXPECT_EQ(mine.total_effective_balance, 51 * eth);
    EXPECT_EQ(mine.rewards.validators, 2U);
    EXPECT_EQ(mine.rewards.total(), 450 - 550);
    EXPECT_EQ(mine.rewards.matched_total, 450);
    EXPECT_EQ(mine.rewards.matched_ideal, 540);
    ASSERT_EQ(mine.validators.size(), 3U);
    EXPECT_EQ(mine.validators[1].index, 2U);
    EXPECT_TRUE(mine.validators[1].slashed);
    EXPECT_EQ(mine.validators[1].balance, 19 * eth);
    EXPECT_EQ(mine.validators[1].reward_total(), -550);
    EXPECT_FALSE(mine.validators[1].has_ideal);
    EXPECT_TRUE(mine.validators[0].has_ideal);
    EXPECT_EQ(mine.validators[0].ideal_total, 540);
    EXPECT_FALSE(mine.validators[2].found);
    EXPECT_FALSE(mine.validators[2].has_reward);
    EXPECT_EQ(epoch.groups[1].found, 0U);
    EXPECT_TRUE(epoch.groups[1].validators.empty());

    // Without rewards, and with sparse indices (the bisection path) and no balances table.
    ValidatorTable sparse;
    for (const std::uint64_t index : {5'000'000ULL, 17ULL}) {
        sparse.index.push_back(index);
        sparse.balance.push_back(eth);
        sparse.status.push_back(ValidatorStatus::active_exiting);
        sparse.pubkey.push_back({});
        sparse.effective_balance.push_back(eth);
        sparse.slashed.push_back(0);
        sparse.activation_epoch.push_back(0);
        sparse.exit_epoch.push_back(0);
    }
    const auto no_rewards = aggregate_epoch(sparse, BalanceTable{}, nullptr, {{"far", {5'000'000, 3}}});
    EXPECT_FALSE(no_rewards.has_rewards);
    EXPECT_EQ(no_rewards.total_balance, 2 * eth);
    EXPECT_EQ(no_rewards.groups[0].found, 1U);
    EXPECT_EQ(no_rewards.groups[0].validators[0].balance, eth);
}

}  // namespace
}  // namespace ephemery::monitoring
