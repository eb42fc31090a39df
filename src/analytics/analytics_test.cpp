#include "analytics/analytics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace ephemery::analytics {
namespace {

constexpr std::int64_t seconds_per_epoch = 384;
constexpr std::int64_t first_genesis = 1'700'000'000;
constexpr std::int64_t iteration_length = 28 * seconds_per_day;

std::int64_t epoch_time(std::uint64_t iteration, std::uint64_t epoch) {
    return first_genesis + static_cast<std::int64_t>(iteration - 1) * iteration_length +
           static_cast<std::int64_t>(epoch) * seconds_per_epoch;
}

// A validator that voted correctly and earned `reward` of `ideal` in the epoch.
ValidatorEpoch row(const std::string& pubkey, const std::string& label, std::uint64_t iteration, std::uint64_t epoch,
                   std::int64_t reward = 1000, std::int64_t ideal = 1000) {
    ValidatorEpoch record;
    record.iteration = iteration;
    record.epoch = epoch;
    record.time = epoch_time(iteration, epoch);
    record.label = label;
    record.pubkey = pubkey;
    record.index = 7;
    record.status = "active_ongoing";
    record.balance = 32'000'000'000;
    record.effective_balance = 32'000'000'000;
    record.source = FigureSource::rewards_api;
    record.source_hit = true;
    record.target_hit = true;
    record.head_hit = true;
    record.live = true;
    record.attestation_reward = reward;
    record.ideal_attestation_reward = ideal;
    return record;
}

ValidatorEpoch missed(const std::string& pubkey, std::uint64_t iteration, std::uint64_t epoch) {
    ValidatorEpoch record = row(pubkey, "a", iteration, epoch, -300, 1000);
    record.source_hit = false;
    record.target_hit = false;
    record.head_hit = false;
    record.live = false;
    return record;
}

NetworkEpoch network_epoch(std::uint64_t iteration, std::uint64_t epoch, double target_participation) {
    NetworkEpoch record;
    record.iteration = iteration;
    record.epoch = epoch;
    record.time = epoch_time(iteration, epoch);
    record.active_validators = 1000;
    record.source_participation = target_participation;
    record.target_participation = target_participation;
    record.head_participation = target_participation;
    record.mean_balance_gwei = 32e9;
    return record;
}

TEST(Window, ParsesTheFiveNamesAndListsThemOnError) {
    EXPECT_EQ(parse_window("1d").value(), Window::d1);
    EXPECT_EQ(parse_window("7d").value(), Window::d7);
    EXPECT_EQ(parse_window("30d").value(), Window::d30);
    EXPECT_EQ(parse_window("90d").value(), Window::d90);
    EXPECT_EQ(parse_window("all").value(), Window::all);
    for (const Window window : {Window::d1, Window::d7, Window::d30, Window::d90, Window::all}) {
        EXPECT_EQ(parse_window(window_name(window)).value(), window);
    }

    const Result<Window> bad = parse_window("7");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::invalid_argument);
    EXPECT_NE(bad.error().message.find("'7'"), std::string::npos) << bad.error().message;
    EXPECT_NE(bad.error().message.find("1d, 7d, 30d, 90d, all"), std::string::npos) << bad.error().message;
    EXPECT_NE(bad.error().message.find("did you mean '7d'"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(parse_window("").ok());
    EXPECT_FALSE(parse_window("7D").ok());
}

TEST(Window, SelectsRowsByTimeIncludingTheStartAndNothingFromTheFuture) {
    const std::int64_t now = 1'800'000'000;
    std::vector<NodeEpoch> rows(5);
    rows[0].time = now - 2 * seconds_per_day;
    rows[1].time = now - seconds_per_day;  // exactly the 1d boundary: inside
    rows[2].time = now - 3600;
    rows[3].time = now;
    rows[4].time = now + 1;  // not yet happened
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].epoch = i;

    const std::vector<NodeEpoch> day = select(std::span<const NodeEpoch>(rows), Window::d1, now);
    ASSERT_EQ(day.size(), 3U);
    EXPECT_EQ(day[0].epoch, 1U);
    EXPECT_EQ(day[2].epoch, 3U);
    EXPECT_EQ(select(std::span<const NodeEpoch>(rows), Window::d7, now).size(), 4U);
    EXPECT_EQ(select(std::span<const NodeEpoch>(rows), Window::all, now).size(), 4U);
    EXPECT_EQ(window_start(Window::d30, now), now - 30 * seconds_per_day);
    EXPECT_FALSE(window_start(Window::all, now).has_value());
}

TEST(Summary, EffectivenessAndHitRatesByHand) {
    std::vector<ValidatorEpoch> rows{
        row("0xaa", "a", 1, 10, 900, 1000),
        row("0xaa", "a", 1, 11, -200, 1000),
        row("0xaa", "a", 1, 12, 50, 0),  // no ideal reward: left out of effectiveness
        row("0xaa", "a", 1, 13, 1000, 1000),
    };
    rows[1].target_hit = false;
    rows[1].head_hit = false;
    rows[2].source_hit.reset();  // no vote figures at all
    rows[2].target_hit.reset();
    rows[2].head_hit.reset();
    rows[2].live.reset();
    rows[3].head_hit = false;
    rows[3].proposals_made = 1;
    rows[0].proposals_missed = 1;

    const std::vector<ValidatorSummary> summaries = summarize_validators(rows);
    ASSERT_EQ(summaries.size(), 1U);
    const Performance& performance = summaries[0].performance;
    EXPECT_EQ(performance.epochs_observed, 4U);
    EXPECT_EQ(performance.attestation_reward, 1700);
    EXPECT_EQ(performance.ideal_attestation_reward, 3000);
    ASSERT_TRUE(performance.effectiveness().has_value());
    EXPECT_DOUBLE_EQ(*performance.effectiveness(), 1700.0 / 3000.0);
    // Rates over the three rows that have figures.
    EXPECT_EQ(performance.source.known, 3U);
    EXPECT_DOUBLE_EQ(*performance.source.rate(), 1.0);
    EXPECT_DOUBLE_EQ(*performance.target.rate(), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(*performance.head.rate(), 1.0 / 3.0);
    EXPECT_EQ(performance.missed_attestations, 0U);
    EXPECT_EQ(performance.proposals_made, 1U);
    EXPECT_EQ(performance.proposals_missed, 1U);
    EXPECT_EQ(performance.sources.rewards_api, 4U);
}

// Misses judged from participation flags or liveness carry no reward figures; they must still count against
// effectiveness (a report once showed 100 % beside 48 misses).
TEST(Summary, MissesWithoutRewardFiguresLowerEffectiveness) {
    std::vector<ValidatorEpoch> rows{row("0xaa", "a", 1, 10), row("0xaa", "a", 1, 11), row("0xaa", "a", 1, 12)};
    for (std::uint64_t epoch = 13; epoch < 15; ++epoch) {
        ValidatorEpoch miss = missed("0xaa", 1, epoch);
        miss.attestation_reward = 0;
        miss.ideal_attestation_reward = 0;
        miss.source = FigureSource::participation_flags;
        rows.push_back(miss);
    }
    const std::vector<ValidatorSummary> summaries = summarize_validators(rows);
    ASSERT_EQ(summaries.size(), 1U);
    const Performance& performance = summaries[0].performance;
    EXPECT_EQ(performance.missed_attestations, 2U);
    ASSERT_TRUE(performance.effectiveness().has_value());
    EXPECT_DOUBLE_EQ(*performance.effectiveness(), 3000.0 / 5000.0);
}

TEST(Summary, NoFiguresMeansNoRatesRatherThanZero) {
    ValidatorEpoch blank = row("0xaa", "a", 1, 1, 0, 0);
    blank.source_hit.reset();
    blank.target_hit.reset();
    blank.head_hit.reset();
    blank.source = FigureSource::none;
    const std::vector<ValidatorSummary> summaries = summarize_validators(std::vector<ValidatorEpoch>{blank});
    ASSERT_EQ(summaries.size(), 1U);
    EXPECT_FALSE(summaries[0].performance.source.rate().has_value());
    EXPECT_FALSE(summaries[0].performance.effectiveness().has_value());
    EXPECT_EQ(summaries[0].performance.sources.none, 1U);
    EXPECT_FALSE(summaries[0].trend.has_value());
}

TEST(Summary, LongestMissedStreakStaysWithinConsecutiveEpochsOfOneIteration) {
    const std::vector<ValidatorEpoch> rows{
        missed("0xaa", 1, 1),   missed("0xaa", 1, 2), missed("0xaa", 1, 3),
        row("0xaa", "a", 1, 4), missed("0xaa", 1, 5), missed("0xaa", 1, 7),  // a gap in the history breaks the streak
        missed("0xaa", 1, 8),   missed("0xaa", 2, 0),                        // so does a reset
    };
    const std::vector<ValidatorSummary> summaries = summarize_validators(rows);
    ASSERT_EQ(summaries.size(), 1U);
    EXPECT_EQ(summaries[0].performance.missed_attestations, 7U);
    EXPECT_EQ(summaries[0].performance.longest_missed_streak, 3U);
    EXPECT_EQ(summaries[0].iterations[1].performance.longest_missed_streak, 1U);
}

TEST(Summary, ResetsKeepOneValidatorPerPubkeyWithAnIterationBreakdown) {
    // Iteration 1: index 5, balance grows 10 Gwei per epoch. Iteration 2 (after a reset): index 9, the balance is
    // back at 32 ETH (lower than before) but the first row's delta is 0, so the reset is no loss.
    std::vector<ValidatorEpoch> rows;
    for (std::uint64_t epoch = 0; epoch < 3; ++epoch) {
        ValidatorEpoch record = row("0xAbCd", "a", 1, epoch);
        record.index = 5;
        record.balance = 32'000'000'000 + epoch * 10;
        record.balance_delta = epoch == 0 ? 0 : 10;
        rows.push_back(record);
    }
    for (std::uint64_t epoch = 0; epoch < 2; ++epoch) {
        ValidatorEpoch record = row("0xabcd", "a", 2, epoch, 800, 1000);
        record.index = 9;
        record.balance = 32'000'000'000 + epoch * 20;
        record.balance_delta = epoch == 0 ? 0 : 20;
        rows.push_back(record);
    }
    std::swap(rows[0], rows[4]);  // history order must not matter

    const std::vector<ValidatorSummary> summaries = summarize_validators(rows);
    ASSERT_EQ(summaries.size(), 1U);
    const ValidatorSummary& summary = summaries[0];
    EXPECT_EQ(summary.pubkey, "0xabcd");
    EXPECT_EQ(summary.latest_iteration, 2U);
    EXPECT_EQ(summary.latest_index, 9U);
    EXPECT_EQ(summary.performance.balance_change, 40);
    EXPECT_EQ(summary.performance.epochs_observed, 5U);
    EXPECT_DOUBLE_EQ(*summary.performance.effectiveness(), (3 * 1000.0 + 2 * 800.0) / 5000.0);
    ASSERT_EQ(summary.iterations.size(), 2U);
    EXPECT_EQ(summary.iterations[0].iteration, 1U);
    EXPECT_EQ(summary.iterations[0].index, 5U);
    EXPECT_EQ(summary.iterations[0].performance.balance_change, 20);
    EXPECT_EQ(summary.iterations[0].performance.epochs_observed, 3U);
    EXPECT_EQ(summary.iterations[0].first_time, epoch_time(1, 0));
    EXPECT_EQ(summary.iterations[0].last_time, epoch_time(1, 2));
    EXPECT_EQ(summary.iterations[1].iteration, 2U);
    EXPECT_EQ(summary.iterations[1].index, 9U);
    EXPECT_EQ(summary.iterations[1].performance.balance_change, 20);
    EXPECT_DOUBLE_EQ(*summary.iterations[1].performance.effectiveness(), 0.8);
}

TEST(Aggregate, PerLabelAndOverallPerIterationAndAcross) {
    const std::vector<ValidatorEpoch> rows{
        row("0x01", "alpha", 1, 1, 1000, 1000),
        row("0x01", "alpha", 2, 1, 500, 1000),
        row("0x02", "alpha", 1, 1, 800, 1000),
        row("0x03", "beta", 2, 1, 900, 1000),
    };
    const Aggregates aggregates = aggregate(rows);
    ASSERT_EQ(aggregates.labels.size(), 2U);
    const GroupSummary& alpha = aggregates.labels[0];
    EXPECT_EQ(alpha.label, "alpha");
    EXPECT_FALSE(alpha.overall);
    EXPECT_EQ(alpha.validators, 2U);
    EXPECT_DOUBLE_EQ(*alpha.performance.effectiveness(), 2300.0 / 3000.0);
    ASSERT_EQ(alpha.iterations.size(), 2U);
    EXPECT_EQ(alpha.iterations[0].iteration, 1U);
    EXPECT_EQ(alpha.iterations[0].validators, 2U);
    EXPECT_DOUBLE_EQ(*alpha.iterations[0].performance.effectiveness(), 0.9);
    EXPECT_EQ(alpha.iterations[1].validators, 1U);
    EXPECT_DOUBLE_EQ(*alpha.iterations[1].performance.effectiveness(), 0.5);
    EXPECT_EQ(aggregates.labels[1].label, "beta");
    EXPECT_EQ(aggregates.labels[1].validators, 1U);

    const GroupSummary& overall = aggregates.overall;
    EXPECT_TRUE(overall.overall);
    EXPECT_EQ(overall.validators, 3U);
    EXPECT_EQ(overall.performance.epochs_observed, 4U);
    EXPECT_DOUBLE_EQ(*overall.performance.effectiveness(), 3200.0 / 4000.0);
    ASSERT_EQ(overall.iterations.size(), 2U);
    EXPECT_EQ(overall.iterations[1].validators, 2U);
    EXPECT_DOUBLE_EQ(*overall.iterations[1].performance.effectiveness(), 1400.0 / 2000.0);
}

TEST(Regression, KnownLineAndHandComputedFit) {
    const std::vector<Point> line{{0, 1}, {1, 3}, {2, 5}, {3, 7}};
    const std::optional<LinearFit> exact = fit_line(line);
    ASSERT_TRUE(exact.has_value());
    EXPECT_NEAR(exact->slope, 2.0, 1e-12);
    EXPECT_NEAR(exact->intercept, 1.0, 1e-12);
    EXPECT_NEAR(exact->r_squared, 1.0, 1e-12);
    EXPECT_EQ(exact->samples, 4U);

    // slope = Sxy / Sxx = 3 / 5; r^2 = 1 - 0.2 / 2.
    const std::vector<Point> noisy{{0, 0}, {1, 1}, {2, 1}, {3, 2}};
    const std::optional<LinearFit> fit = fit_line(noisy);
    ASSERT_TRUE(fit.has_value());
    EXPECT_NEAR(fit->slope, 0.6, 1e-12);
    EXPECT_NEAR(fit->intercept, 0.1, 1e-12);
    EXPECT_NEAR(fit->r_squared, 0.9, 1e-12);

    const std::vector<Point> flat{{0, 4}, {1, 4}, {2, 4}};
    EXPECT_NEAR(fit_line(flat)->slope, 0.0, 1e-12);
    EXPECT_NEAR(fit_line(flat)->r_squared, 1.0, 1e-12);
}

TEST(Regression, TooFewPointsOrOneTimeGivesNoFit) {
    EXPECT_FALSE(fit_line({}).has_value());
    const std::vector<Point> one{{1, 1}};
    EXPECT_FALSE(fit_line(one).has_value());
    const std::vector<Point> vertical{{1, 1}, {1, 5}};
    EXPECT_FALSE(fit_line(vertical).has_value());

    EXPECT_FALSE(balance_trend({}).has_value());
    const std::vector<ValidatorEpoch> single{row("0xaa", "a", 1, 1)};
    EXPECT_FALSE(balance_trend(single).has_value());
    // Two validators in the same epoch are one sample.
    const std::vector<ValidatorEpoch> same_time{row("0xaa", "a", 1, 1), row("0xbb", "a", 1, 1)};
    EXPECT_FALSE(balance_trend(same_time).has_value());
}

TEST(Trend, ProjectsAConstantGainPerEpoch) {
    std::vector<ValidatorEpoch> rows;
    for (std::uint64_t epoch = 0; epoch < 10; ++epoch) {
        for (const char* pubkey : {"0xaa", "0xbb"}) {
            ValidatorEpoch record = row(pubkey, "a", 1, epoch);
            record.balance_delta = 1000;
            rows.push_back(record);
        }
    }
    const std::optional<Trend> trend = balance_trend(rows);
    ASSERT_TRUE(trend.has_value());
    const double per_day = 2000.0 * static_cast<double>(seconds_per_day) / static_cast<double>(seconds_per_epoch);
    EXPECT_EQ(trend->samples, 10U);
    EXPECT_EQ(trend->validators, 2U);
    EXPECT_EQ(trend->from, epoch_time(1, 0));
    EXPECT_EQ(trend->to, epoch_time(1, 9));
    EXPECT_NEAR(trend->gwei_per_day, per_day, 1e-6);
    EXPECT_NEAR(trend->gwei_per_30_days, per_day * 30, 1e-4);
    EXPECT_NEAR(trend->r_squared, 1.0, 1e-12);
    // 225000 Gwei a day per validator on 32 ETH: about 0.2568% a year.
    EXPECT_NEAR(trend->annualised_percent, per_day / 2 * 365.25 / 32e9 * 100, 1e-9);
    EXPECT_NEAR(trend->annualised_percent, 0.2568, 1e-4);

    const std::vector<BalancePoint> series = cumulative_balance_change(rows);
    ASSERT_EQ(series.size(), 10U);
    EXPECT_EQ(series.front().cumulative_gwei, 2000);
    EXPECT_EQ(series.back().cumulative_gwei, 20000);

    const std::vector<ValidatorSummary> summaries = summarize_validators(rows);
    ASSERT_EQ(summaries.size(), 2U);
    ASSERT_TRUE(summaries[0].trend.has_value());
    EXPECT_NEAR(summaries[0].trend->gwei_per_day, per_day / 2, 1e-6);
}

// Five validators near 100% and one at 20% in the same epoch.
std::vector<ValidatorEpoch> one_outlier() {
    return {row("0x01", "a", 1, 10, 1000, 1000), row("0x02", "a", 1, 10, 990, 1000),
            row("0x03", "a", 1, 10, 1000, 1000), row("0x04", "b", 1, 10, 980, 1000),
            row("0x05", "b", 1, 10, 1000, 1000), row("0x06", "b", 1, 10, 200, 1000)};
}

TEST(Anomalies, FlagsTheOutlierAgainstTheWatchedSet) {
    const std::vector<Anomaly> anomalies = detect_anomalies(one_outlier(), {}, AnomalySettings{});
    ASSERT_EQ(anomalies.size(), 1U);
    EXPECT_EQ(anomalies[0].pubkey, "0x06");
    EXPECT_EQ(anomalies[0].label, "b");
    EXPECT_EQ(anomalies[0].iteration, 1U);
    EXPECT_EQ(anomalies[0].epoch, 10U);
    EXPECT_EQ(anomalies[0].kind, AnomalyKind::below_watched_set);
    // Others: mean 0.994, spread below the 0.02 floor: z = (0.2 - 0.994) / 0.02.
    EXPECT_NEAR(anomalies[0].score, (0.2 - 0.994) / 0.02, 1e-9);
    EXPECT_NE(anomalies[0].detail.find("20.0%"), std::string::npos) << anomalies[0].detail;
    EXPECT_EQ(anomaly_kind_name(anomalies[0].kind), "below_watched_set");
}

TEST(Anomalies, NoneForUniformData) {
    std::vector<ValidatorEpoch> rows;
    std::vector<NetworkEpoch> network;
    for (std::uint64_t epoch = 0; epoch < 20; ++epoch) {
        for (const char* pubkey : {"0x01", "0x02", "0x03", "0x04", "0x05"}) rows.push_back(row(pubkey, "a", 1, epoch));
        network.push_back(network_epoch(1, epoch, 0.97));
    }
    EXPECT_TRUE(detect_anomalies(rows, network, AnomalySettings{}).empty());
}

TEST(Anomalies, ZeroVarianceAndTinySamplesAreGuarded) {
    // Identical peers: no spread at all. A tiny difference stays below the floor; a real one gives a finite score.
    std::vector<ValidatorEpoch> rows{row("0x01", "a", 1, 1, 900, 1000), row("0x02", "a", 1, 1, 900, 1000),
                                     row("0x03", "a", 1, 1, 900, 1000), row("0x04", "a", 1, 1, 899, 1000)};
    EXPECT_TRUE(detect_anomalies(rows, {}, AnomalySettings{}).empty());
    rows[3].attestation_reward = 0;
    const std::vector<Anomaly> flagged = detect_anomalies(rows, {}, AnomalySettings{});
    ASSERT_EQ(flagged.size(), 1U);
    EXPECT_TRUE(std::isfinite(flagged[0].score));
    EXPECT_NEAR(flagged[0].score, -0.9 / 0.02, 1e-9);

    // Two validators are too few to judge each other, however different.
    const std::vector<ValidatorEpoch> pair{row("0x01", "a", 1, 1, 1000, 1000), row("0x02", "a", 1, 1, 0, 1000)};
    EXPECT_TRUE(detect_anomalies(pair, {}, AnomalySettings{}).empty());

    // A drop in the first epochs of a validator's history is not judged against a baseline not yet formed.
    const std::vector<ValidatorEpoch> young{row("0x01", "a", 1, 1), row("0x01", "a", 1, 2, 0, 1000)};
    EXPECT_TRUE(detect_anomalies(young, {}, AnomalySettings{}).empty());
}

TEST(Anomalies, AMissWhileTheNetworkWasHealthy) {
    const std::vector<ValidatorEpoch> rows{missed("0x01", 1, 5), missed("0x01", 1, 6), row("0x01", "a", 1, 7)};
    const std::vector<NetworkEpoch> network{network_epoch(1, 5, 0.95), network_epoch(1, 6, 0.5),
                                            network_epoch(1, 7, 0.99)};
    const std::vector<Anomaly> anomalies = detect_anomalies(rows, network, AnomalySettings{});
    ASSERT_EQ(anomalies.size(), 1U);  // epoch 6: half the network missed too
    EXPECT_EQ(anomalies[0].epoch, 5U);
    EXPECT_EQ(anomalies[0].kind, AnomalyKind::missed_while_network_healthy);
    EXPECT_NEAR(anomalies[0].score, -0.95 / std::sqrt(0.95 * 0.05), 1e-9);
    EXPECT_NE(anomalies[0].detail.find("95.0%"), std::string::npos) << anomalies[0].detail;

    // Full participation: the spread is zero, the score still finite.
    const std::vector<NetworkEpoch> perfect{network_epoch(1, 5, 1.0)};
    const std::vector<Anomaly> against_perfect = detect_anomalies(rows, perfect, AnomalySettings{});
    ASSERT_EQ(against_perfect.size(), 1U);
    EXPECT_TRUE(std::isfinite(against_perfect[0].score));
}

TEST(Anomalies, EwmaFlagsADropBelowTheValidatorsOwnBaseline) {
    std::vector<ValidatorEpoch> rows;
    for (std::uint64_t epoch = 0; epoch < 10; ++epoch) rows.push_back(row("0x01", "a", 1, epoch, 1000, 1000));
    rows.push_back(row("0x01", "a", 1, 10, 300, 1000));
    rows.push_back(row("0x01", "a", 1, 11, 1000, 1000));
    const std::vector<Anomaly> anomalies = detect_anomalies(rows, {}, AnomalySettings{});
    ASSERT_EQ(anomalies.size(), 1U);
    EXPECT_EQ(anomalies[0].kind, AnomalyKind::effectiveness_drop);
    EXPECT_EQ(anomalies[0].epoch, 10U);
    EXPECT_NEAR(anomalies[0].score, (0.3 - 1.0) / 0.02, 1e-9);

    // A shallower drop than k sigma is not flagged: with k = 50 the same epoch passes.
    AnomalySettings lenient;
    lenient.ewma_sigma = 50;
    EXPECT_TRUE(detect_anomalies(rows, {}, lenient).empty());
}

TEST(Anomalies, SettingsAreCheckedAllAtOnce) {
    EXPECT_TRUE(check_anomaly_settings(AnomalySettings{}).ok());
    AnomalySettings bad;
    bad.ewma_alpha = 1.5;
    bad.z_threshold = -1;
    bad.healthy_network_participation = 2;
    const Status status = check_anomaly_settings(bad);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("ewma_alpha is 1.5"), std::string::npos) << status.error().message;
    EXPECT_NE(status.error().message.find("z_threshold"), std::string::npos) << status.error().message;
    EXPECT_NE(status.error().message.find("healthy_network_participation"), std::string::npos)
        << status.error().message;
    // detect_anomalies clamps instead of failing.
    EXPECT_EQ(detect_anomalies(one_outlier(), {}, bad).size(), 1U);
}

TEST(Ranking, ByEffectivenessThenMissedThenPubkey) {
    std::vector<ValidatorSummary> summaries(5);
    const auto set = [](ValidatorSummary& summary, const char* pubkey, std::int64_t reward, std::int64_t ideal,
                        std::uint64_t missed_count) {
        summary.pubkey = pubkey;
        summary.label = "a";
        summary.performance.attestation_reward = reward;
        summary.performance.ideal_attestation_reward = ideal;
        summary.performance.missed_attestations = missed_count;
    };
    set(summaries[0], "0x0a", 900, 1000, 1);
    set(summaries[1], "0x0d", 900, 1000, 0);
    set(summaries[2], "0x0c", 950, 1000, 4);
    set(summaries[3], "0x0b", 900, 1000, 0);
    set(summaries[4], "0x0e", 0, 0, 0);  // no figures: last

    const std::vector<RankedValidator> ranking = rank_validators(summaries);
    ASSERT_EQ(ranking.size(), 5U);
    const std::vector<std::string> order{"0x0c", "0x0b", "0x0d", "0x0a", "0x0e"};
    const std::vector<double> percentiles{100, 75, 50, 25, 0};
    for (std::size_t i = 0; i < ranking.size(); ++i) {
        EXPECT_EQ(ranking[i].pubkey, order[i]) << i;
        EXPECT_EQ(ranking[i].rank, i + 1);
        EXPECT_DOUBLE_EQ(ranking[i].percentile, percentiles[i]);
    }
    EXPECT_FALSE(ranking[4].effectiveness.has_value());
    EXPECT_DOUBLE_EQ(*ranking[0].effectiveness, 0.95);

    const std::vector<RankedValidator> alone = rank_validators(std::span<const ValidatorSummary>(summaries).first(1));
    ASSERT_EQ(alone.size(), 1U);
    EXPECT_DOUBLE_EQ(alone[0].percentile, 100);
    EXPECT_TRUE(rank_validators({}).empty());
}

TEST(Node, SummaryAndDataDirGrowthOverTheLatestIteration) {
    std::vector<NodeEpoch> rows;
    const auto sample = [](std::uint64_t iteration, std::int64_t time, std::uint64_t data_dir_bytes) {
        NodeEpoch record;
        record.iteration = iteration;
        record.time = time;
        record.data_dir_bytes = data_dir_bytes;
        return record;
    };
    // Iteration 1 ended with a big data dir; the reset emptied it.
    rows.push_back(sample(1, 0, 90'000'000'000));
    rows.push_back(sample(1, seconds_per_day, 91'000'000'000));
    for (std::int64_t day = 0; day < 4; ++day) {
        NodeEpoch record = sample(2, 2 * seconds_per_day + day * seconds_per_day,
                                  1'000'000'000 + static_cast<std::uint64_t>(day) * 2'000'000'000);
        record.sync_distance = static_cast<std::uint64_t>(day);
        record.is_syncing = day == 0;
        record.peers = 10 + static_cast<std::uint64_t>(day);
        record.finality_lag_epochs = day == 1 ? 6 : 2;
        record.cpu_seconds = static_cast<double>(day) * 43'200.0;  // half a core
        record.resident_bytes = 4'000'000'000 - static_cast<std::uint64_t>(day);
        rows.push_back(record);
    }
    rows.back().cpu_seconds = 5;  // the clients restarted: CPU seconds fell, the pair says nothing
    rows[1].peers = 50;

    const std::optional<NodeSummary> summary = summarize_node(rows);
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->samples, 6U);
    EXPECT_EQ(summary->max_sync_distance, 3U);
    EXPECT_DOUBLE_EQ(summary->mean_sync_distance, 6.0 / 6.0);
    EXPECT_EQ(summary->min_peers, 0U);
    EXPECT_DOUBLE_EQ(summary->mean_peers, (0 + 50 + 10 + 11 + 12 + 13) / 6.0);
    EXPECT_EQ(summary->max_finality_lag_epochs, 6U);
    EXPECT_DOUBLE_EQ(summary->synced_share, 5.0 / 6.0);
    ASSERT_TRUE(summary->max_cpu_cores.has_value());
    EXPECT_NEAR(*summary->max_cpu_cores, 0.5, 1e-12);
    EXPECT_EQ(summary->max_resident_bytes, 4'000'000'000U);
    EXPECT_EQ(summary->latest_data_dir_bytes, 7'000'000'000U);
    EXPECT_EQ(summary->data_dir_samples, 4U);
    ASSERT_TRUE(summary->data_dir_bytes_per_day.has_value());
    EXPECT_NEAR(*summary->data_dir_bytes_per_day, 2e9, 1e-3);

    EXPECT_FALSE(summarize_node({}).has_value());
    const std::optional<NodeSummary> one = summarize_node(std::span<const NodeEpoch>(rows).first(1));
    ASSERT_TRUE(one.has_value());
    EXPECT_FALSE(one->data_dir_bytes_per_day.has_value());
    EXPECT_FALSE(one->max_cpu_cores.has_value());
}

TEST(Network, MeanAndLowestParticipation) {
    const std::vector<NetworkEpoch> rows{network_epoch(1, 1, 0.9), network_epoch(1, 2, 0.8), network_epoch(1, 3, 1.0)};
    const std::optional<NetworkSummary> summary = summarize_network(rows);
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->samples, 3U);
    EXPECT_NEAR(summary->mean_target_participation, 0.9, 1e-12);
    EXPECT_DOUBLE_EQ(summary->min_target_participation, 0.8);
    EXPECT_FALSE(summarize_network({}).has_value());
}

TEST(SourceLabel, NamesEverySource) {
    EXPECT_EQ(source_label(FigureSource::rewards_api), "rewards_api");
    EXPECT_EQ(source_label(FigureSource::participation_flags), "participation_flags");
    EXPECT_EQ(source_label(FigureSource::liveness), "liveness");
    EXPECT_EQ(source_label(FigureSource::none), "none");
}

}  // namespace
}  // namespace ephemery::analytics
