#pragma once
// Analysis of the per-epoch history rows (monitoring/record.hpp): summaries per validator, label and overall,
// balance trends, anomalies, rankings and the node's health. Pure: rows in, values out; no clock, disk or network.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "monitoring/record.hpp"

namespace ephemery::analytics {

using monitoring::FigureSource;
using monitoring::NetworkEpoch;
using monitoring::NodeEpoch;
using monitoring::ValidatorEpoch;

inline constexpr std::int64_t seconds_per_day = 86'400;
inline constexpr double full_effective_balance_gwei = 32e9;  // 32 ETH: the base of annualised percentages

// ---- Windows ---------------------------------------------------------------------------------------------------

// How far back from "now" a report looks.
enum class Window { d1, d7, d30, d90, all };

// "1d", "7d", "30d", "90d" or "all"; anything else is an error listing those.
[[nodiscard]] Result<Window> parse_window(std::string_view text);
[[nodiscard]] std::string_view window_name(Window window);
// The window's length in seconds; nullopt for `all`.
[[nodiscard]] std::optional<std::int64_t> window_seconds(Window window);
// The first Unix second inside the window ending at `now`; nullopt for `all`.
[[nodiscard]] std::optional<std::int64_t> window_start(Window window, std::int64_t now);

// Rows whose time lies in the window: now - length <= time <= now (`all`: time <= now). Order is kept.
template <typename Row>
requires requires(const Row& row) {
    { row.time } -> std::convertible_to<std::int64_t>;
}
[[nodiscard]] std::vector<Row> select(std::span<const Row> rows, Window window, std::int64_t now) {
    const std::optional<std::int64_t> start = window_start(window, now);
    std::vector<Row> selected;
    for (const Row& row : rows) {
        if (row.time > now) continue;
        if (start && row.time < *start) continue;
        selected.push_back(row);
    }
    return selected;
}

// ---- Summaries -------------------------------------------------------------------------------------------------

// Timely votes among the rows whose figures say either way.
struct HitRate {
    std::uint64_t hits{0};
    std::uint64_t known{0};  // rows where the figure exists
    // hits / known; nullopt when no row had the figure.
    [[nodiscard]] std::optional<double> rate() const;
};

// How many rows each figure source produced (an operator must know whose numbers these are).
struct SourceCounts {
    std::uint64_t rewards_api{0};
    std::uint64_t participation_flags{0};
    std::uint64_t liveness{0};
    std::uint64_t none{0};
};

// The figures shared by a validator, one iteration of it, a label and the whole watched set.
struct Performance {
    std::uint64_t epochs_observed{0};  // rows (validator-epochs for a group)
    HitRate source;
    HitRate target;
    HitRate head;
    // Sums over the rows with an ideal reward > 0, so epochs without reward figures do not dilute; a missed epoch
    // without figures adds the validator's mean ideal reward to the ideal and nothing to the reward.
    std::int64_t attestation_reward{0};
    std::int64_t ideal_attestation_reward{0};
    std::uint64_t missed_attestations{0};    // no timely source vote (or, without vote figures, not live)
    std::uint32_t longest_missed_streak{0};  // consecutive epochs of one iteration; a group takes the longest
    std::uint64_t proposals_made{0};
    std::uint64_t proposals_missed{0};
    // Sum of balance_delta: per epoch within an iteration, so a reset's new deposit never shows as a loss.
    std::int64_t balance_change{0};
    SourceCounts sources;
    // attestation_reward / ideal_attestation_reward; nullopt when no row had an ideal reward.
    [[nodiscard]] std::optional<double> effectiveness() const;
};

// Adds b's figures to a's (sums, the longer streak).
[[nodiscard]] Performance combine(const Performance& a, const Performance& b);

// Least-squares line y = slope * x + intercept.
struct Point {
    double x{0};
    double y{0};
};
struct LinearFit {
    double slope{0};
    double intercept{0};
    double r_squared{0};  // 1 when every point lies on the line (a constant series included)
    std::size_t samples{0};
};
// nullopt with fewer than 2 points or when every x is the same.
[[nodiscard]] std::optional<LinearFit> fit_line(std::span<const Point> points);

// The trend of the cumulative balance change (Gwei) over time, and what it projects.
struct Trend {
    std::size_t samples{0};     // points of the regression: distinct epoch times
    std::size_t validators{0};  // distinct pubkeys the balance belongs to
    std::int64_t from{0};       // first and last sample time (Unix seconds)
    std::int64_t to{0};
    double gwei_per_day{0};  // the slope
    double r_squared{0};
    double gwei_per_30_days{0};
    // gwei_per_day over a year against 32 ETH per validator, in percent.
    double annualised_percent{0};
};

// A point of the cumulative balance change series (charts and trends).
struct BalancePoint {
    std::int64_t time{0};
    std::int64_t cumulative_gwei{0};
};

// Sum of balance_delta per epoch time, accumulated in time order.
[[nodiscard]] std::vector<BalancePoint> cumulative_balance_change(std::span<const ValidatorEpoch> rows);
// The regression over cumulative_balance_change; nullopt with fewer than 2 distinct times.
[[nodiscard]] std::optional<Trend> balance_trend(std::span<const ValidatorEpoch> rows);

// One iteration of one validator.
struct IterationSummary {
    std::uint64_t iteration{0};
    std::uint64_t index{0};  // this iteration's validator index (the latest row's)
    std::int64_t first_time{0};
    std::int64_t last_time{0};
    Performance performance;
};

// One validator, identified by pubkey across resets.
struct ValidatorSummary {
    std::string pubkey;  // lower case
    std::string label;   // the latest row's
    std::uint64_t latest_iteration{0};
    std::uint64_t latest_index{0};
    Performance performance;                   // across iterations
    std::vector<IterationSummary> iterations;  // oldest first; its size is the iterations seen
    std::optional<Trend> trend;
};

// One per pubkey (compared case-insensitively), ordered by label then pubkey.
[[nodiscard]] std::vector<ValidatorSummary> summarize_validators(std::span<const ValidatorEpoch> rows);

// The figures of a group of validators in one iteration.
struct GroupIteration {
    std::uint64_t iteration{0};
    std::size_t validators{0};
    Performance performance;
};

// A label's validators, or all of them (label empty, `overall` true).
struct GroupSummary {
    std::string label;
    bool overall{false};
    std::size_t validators{0};
    Performance performance;                 // across iterations
    std::vector<GroupIteration> iterations;  // oldest first
    std::optional<Trend> trend;
};

struct Aggregates {
    std::vector<GroupSummary> labels;  // ordered by label
    GroupSummary overall;
};

[[nodiscard]] Aggregates aggregate(std::span<const ValidatorEpoch> rows);

// ---- Ranking ---------------------------------------------------------------------------------------------------

struct RankedValidator {
    std::size_t rank{0};   // 1 = best
    double percentile{0};  // share of the others ranked below, 0..100 (100 for a single validator)
    std::string pubkey;
    std::string label;
    std::optional<double> effectiveness;
    std::uint64_t missed_attestations{0};
};

// Best first: effectiveness descending (none last), then fewer missed attestations, then pubkey.
[[nodiscard]] std::vector<RankedValidator> rank_validators(std::span<const ValidatorSummary> summaries);

// ---- Anomalies -------------------------------------------------------------------------------------------------

enum class AnomalyKind {
    below_watched_set,             // reward ratio far below the other watched validators in the epoch
    missed_while_network_healthy,  // no target vote while the network's target participation was high
    effectiveness_drop,            // reward ratio far below the validator's own EWMA baseline
};
[[nodiscard]] std::string_view anomaly_kind_name(AnomalyKind kind);

struct AnomalySettings {
    double z_threshold{3.0};   // flag when the z-score against the watched set is at or below -z_threshold
    std::size_t min_peers{3};  // other watched validators with figures an epoch needs before z-scores are judged
    // Floor of the standard deviation of reward ratios: identical peers (zero variance) make no division by zero,
    // and a difference of a fraction of a percent is never called an anomaly.
    double min_sigma{0.02};
    double healthy_network_participation{0.9};  // network target participation above which a miss is an anomaly
    double ewma_alpha{0.3};                     // weight of the newest epoch in the baseline, (0, 1]
    double ewma_sigma{3.0};                     // flag drops of more than this many sigma below the baseline
    std::size_t ewma_warmup{5};                 // epochs of baseline before drops are judged
};

// Errors name the field, its value and the allowed range (every problem at once).
[[nodiscard]] Status check_anomaly_settings(const AnomalySettings& settings);

struct Anomaly {
    std::string pubkey;
    std::string label;
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    AnomalyKind kind{AnomalyKind::below_watched_set};
    double score{0};     // a z-score: negative is worse
    std::string detail;  // one sentence for an operator
};

// Ordered by iteration, epoch, pubkey, kind. Settings outside their ranges are clamped into them.
[[nodiscard]] std::vector<Anomaly> detect_anomalies(std::span<const ValidatorEpoch> validators,
                                                    std::span<const NetworkEpoch> network,
                                                    const AnomalySettings& settings);

// ---- Node and network ------------------------------------------------------------------------------------------

struct NodeSummary {
    std::size_t samples{0};
    double mean_sync_distance{0};
    std::uint64_t max_sync_distance{0};
    std::uint64_t min_peers{0};
    double mean_peers{0};
    std::uint64_t max_finality_lag_epochs{0};
    double synced_share{0};  // share of samples not syncing, 0..1
    // The highest CPU use between consecutive samples of one iteration, in cores; nullopt with no such pair.
    std::optional<double> max_cpu_cores;
    std::uint64_t max_resident_bytes{0};
    std::uint64_t latest_data_dir_bytes{0};
    // Data-dir growth by regression over the latest iteration's samples (a reset empties the directory).
    std::optional<double> data_dir_bytes_per_day;
    std::size_t data_dir_samples{0};
};

// nullopt when there are no rows.
[[nodiscard]] std::optional<NodeSummary> summarize_node(std::span<const NodeEpoch> rows);

struct NetworkSummary {
    std::size_t samples{0};
    double mean_source_participation{0};
    double mean_target_participation{0};
    double mean_head_participation{0};
    double min_target_participation{0};
};

// nullopt when there are no rows.
[[nodiscard]] std::optional<NetworkSummary> summarize_network(std::span<const NetworkEpoch> rows);

// "rewards_api", ... (a local name: the report's own vocabulary).
[[nodiscard]] std::string_view source_label(FigureSource source);

}  // namespace ephemery::analytics
