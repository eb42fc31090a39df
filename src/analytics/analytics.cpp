#include "analytics/analytics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/text.hpp"

namespace ephemery::analytics {
namespace {

using RowRefs = std::vector<const ValidatorEpoch*>;

constexpr std::array<std::pair<std::string_view, Window>, 5> window_names{{
    {"1d", Window::d1},
    {"7d", Window::d7},
    {"30d", Window::d30},
    {"90d", Window::d90},
    {"all", Window::all},
}};

bool earlier(const ValidatorEpoch* a, const ValidatorEpoch* b) {
    return std::tie(a->iteration, a->epoch, a->time) < std::tie(b->iteration, b->epoch, b->time);
}

// No timely source vote; without vote figures, liveness decides; with neither, the epoch is not counted as missed.
bool attestation_missed(const ValidatorEpoch& row) {
    if (row.source_hit) return !*row.source_hit;
    if (row.live) return !*row.live;
    return false;
}

// No target vote; without vote figures, liveness decides; nullopt when nothing says.
std::optional<bool> target_missed(const ValidatorEpoch& row) {
    if (row.target_hit) return !*row.target_hit;
    if (row.live) return !*row.live;
    return std::nullopt;
}

void count_hit(HitRate& rate, const std::optional<bool>& hit) {
    if (!hit) return;
    ++rate.known;
    if (*hit) ++rate.hits;
}

void count_source(SourceCounts& counts, FigureSource source) {
    switch (source) {
        case FigureSource::rewards_api: ++counts.rewards_api; return;
        case FigureSource::participation_flags: ++counts.participation_flags; return;
        case FigureSource::liveness: ++counts.liveness; return;
        case FigureSource::none: ++counts.none; return;
    }
    ++counts.none;
}

// The figures of rows sorted by iteration and epoch (one validator's).
Performance performance_of(const RowRefs& rows) {
    Performance performance;
    std::uint32_t streak = 0;
    const ValidatorEpoch* previous = nullptr;
    std::uint64_t rows_with_ideal = 0;
    std::uint64_t misses_without_ideal = 0;
    for (const ValidatorEpoch* row : rows) {
        ++performance.epochs_observed;
        count_hit(performance.source, row->source_hit);
        count_hit(performance.target, row->target_hit);
        count_hit(performance.head, row->head_hit);
        if (row->ideal_attestation_reward > 0) {
            performance.attestation_reward += row->attestation_reward;
            performance.ideal_attestation_reward += row->ideal_attestation_reward;
            ++rows_with_ideal;
        }
        if (attestation_missed(*row)) {
            if (row->ideal_attestation_reward <= 0) ++misses_without_ideal;
            ++performance.missed_attestations;
            const bool continues = previous != nullptr && streak > 0 && previous->iteration == row->iteration &&
                                   previous->epoch + 1 == row->epoch;
            streak = continues ? streak + 1 : 1;
            performance.longest_missed_streak = std::max(performance.longest_missed_streak, streak);
        } else {
            streak = 0;
        }
        performance.proposals_made += row->proposals_made;
        performance.proposals_missed += row->proposals_missed;
        performance.balance_change += row->balance_delta;
        count_source(performance.sources, row->source);
        previous = row;
    }
    // A missed epoch often comes without reward figures (the node judged it from participation flags or
    // liveness). Left out, misses would never lower effectiveness: each counts as nothing earned of the
    // validator's mean ideal reward per epoch.
    if (rows_with_ideal > 0 && misses_without_ideal > 0) {
        performance.ideal_attestation_reward += static_cast<std::int64_t>(
            std::llround(static_cast<double>(performance.ideal_attestation_reward) *
                         static_cast<double>(misses_without_ideal) / static_cast<double>(rows_with_ideal)));
    }
    return performance;
}

std::vector<BalancePoint> cumulative_of(const RowRefs& rows) {
    std::map<std::int64_t, std::int64_t> delta_by_time;
    for (const ValidatorEpoch* row : rows) delta_by_time[row->time] += row->balance_delta;
    std::vector<BalancePoint> points;
    points.reserve(delta_by_time.size());
    std::int64_t cumulative = 0;
    for (const auto& [time, delta] : delta_by_time) {
        cumulative += delta;
        points.push_back(BalancePoint{.time = time, .cumulative_gwei = cumulative});
    }
    return points;
}

std::optional<Trend> trend_of(const RowRefs& rows) {
    const std::vector<BalancePoint> series = cumulative_of(rows);
    if (series.size() < 2) return std::nullopt;
    const std::int64_t origin = series.front().time;
    std::vector<Point> points;
    points.reserve(series.size());
    for (const BalancePoint& point : series) {
        points.push_back(Point{.x = static_cast<double>(point.time - origin) / static_cast<double>(seconds_per_day),
                               .y = static_cast<double>(point.cumulative_gwei)});
    }
    const std::optional<LinearFit> fit = fit_line(points);
    if (!fit) return std::nullopt;
    std::set<std::string> pubkeys;
    for (const ValidatorEpoch* row : rows) pubkeys.insert(to_lower(row->pubkey));
    Trend trend;
    trend.samples = fit->samples;
    trend.validators = pubkeys.size();
    trend.from = series.front().time;
    trend.to = series.back().time;
    trend.gwei_per_day = fit->slope;
    trend.r_squared = fit->r_squared;
    trend.gwei_per_30_days = fit->slope * 30;
    trend.annualised_percent =
        fit->slope * 365.25 /
        (full_effective_balance_gwei * static_cast<double>(std::max<std::size_t>(1, pubkeys.size()))) * 100;
    return trend;
}

RowRefs refs_of(std::span<const ValidatorEpoch> rows) {
    RowRefs refs;
    refs.reserve(rows.size());
    for (const ValidatorEpoch& row : rows) refs.push_back(&row);
    return refs;
}

// Rows grouped by lower-case pubkey, each group sorted by iteration and epoch.
std::map<std::string, RowRefs> rows_by_pubkey(std::span<const ValidatorEpoch> rows) {
    std::map<std::string, RowRefs> groups;
    for (const ValidatorEpoch& row : rows) groups[to_lower(row.pubkey)].push_back(&row);
    for (auto& [pubkey, group] : groups) std::stable_sort(group.begin(), group.end(), earlier);
    return groups;
}

ValidatorSummary summarize_one(const std::string& pubkey, const RowRefs& rows) {
    ValidatorSummary summary;
    summary.pubkey = pubkey;
    const ValidatorEpoch& latest = *rows.back();
    summary.label = latest.label;
    summary.latest_iteration = latest.iteration;
    summary.latest_index = latest.index;
    summary.performance = performance_of(rows);
    std::size_t begin = 0;
    while (begin < rows.size()) {
        std::size_t end = begin;
        while (end < rows.size() && rows[end]->iteration == rows[begin]->iteration) ++end;
        const RowRefs iteration_rows(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                                     rows.begin() + static_cast<std::ptrdiff_t>(end));
        IterationSummary iteration;
        iteration.iteration = rows[begin]->iteration;
        iteration.index = iteration_rows.back()->index;
        iteration.first_time = iteration_rows.front()->time;
        iteration.last_time = iteration_rows.back()->time;
        for (const ValidatorEpoch* row : iteration_rows) {
            iteration.first_time = std::min(iteration.first_time, row->time);
            iteration.last_time = std::max(iteration.last_time, row->time);
        }
        iteration.performance = performance_of(iteration_rows);
        summary.iterations.push_back(iteration);
        begin = end;
    }
    summary.trend = trend_of(rows);
    return summary;
}

GroupSummary group_of(std::string label, bool overall, const std::vector<const ValidatorSummary*>& members,
                      const RowRefs& rows) {
    GroupSummary group;
    group.label = std::move(label);
    group.overall = overall;
    group.validators = members.size();
    std::map<std::uint64_t, GroupIteration> by_iteration;
    for (const ValidatorSummary* member : members) {
        group.performance = combine(group.performance, member->performance);
        for (const IterationSummary& iteration : member->iterations) {
            GroupIteration& entry = by_iteration[iteration.iteration];
            entry.iteration = iteration.iteration;
            ++entry.validators;
            entry.performance = combine(entry.performance, iteration.performance);
        }
    }
    for (auto& [iteration, entry] : by_iteration) group.iterations.push_back(entry);
    group.trend = trend_of(rows);
    return group;
}

double mean_of(double sum, std::size_t count) {
    return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

AnomalySettings clamped(const AnomalySettings& settings) {
    const AnomalySettings defaults;
    AnomalySettings result = settings;
    const auto positive_or = [](double value, double fallback) {
        return std::isfinite(value) && value > 0 ? value : fallback;
    };
    result.z_threshold = positive_or(settings.z_threshold, defaults.z_threshold);
    result.min_sigma = positive_or(settings.min_sigma, defaults.min_sigma);
    result.ewma_sigma = positive_or(settings.ewma_sigma, defaults.ewma_sigma);
    result.ewma_alpha = std::min(1.0, positive_or(settings.ewma_alpha, defaults.ewma_alpha));
    result.healthy_network_participation = std::isfinite(settings.healthy_network_participation)
                                               ? std::clamp(settings.healthy_network_participation, 0.0, 1.0)
                                               : defaults.healthy_network_participation;
    return result;
}

std::optional<double> reward_ratio(const ValidatorEpoch& row) {
    if (row.ideal_attestation_reward <= 0) return std::nullopt;
    return static_cast<double>(row.attestation_reward) / static_cast<double>(row.ideal_attestation_reward);
}

Anomaly make_anomaly(const ValidatorEpoch& row, AnomalyKind kind, double score, std::string detail) {
    return Anomaly{.pubkey = to_lower(row.pubkey),
                   .label = row.label,
                   .iteration = row.iteration,
                   .epoch = row.epoch,
                   .kind = kind,
                   .score = score,
                   .detail = std::move(detail)};
}

// Each validator's ratio against the mean and spread of the *other* watched validators in the same epoch, so one
// outlier cannot hide by inflating the spread it is judged against.
void watched_set_anomalies(std::span<const ValidatorEpoch> rows, const AnomalySettings& settings,
                           std::vector<Anomaly>& out) {
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<std::pair<const ValidatorEpoch*, double>>> epochs;
    for (const ValidatorEpoch& row : rows) {
        if (const std::optional<double> ratio = reward_ratio(row))
            epochs[{row.iteration, row.epoch}].emplace_back(&row, *ratio);
    }
    for (const auto& [key, members] : epochs) {
        if (members.size() < settings.min_peers + 1) continue;
        double sum = 0;
        double sum_of_squares = 0;
        for (const auto& [row, ratio] : members) {
            sum += ratio;
            sum_of_squares += ratio * ratio;
        }
        const auto others = static_cast<double>(members.size() - 1);
        for (const auto& [row, ratio] : members) {
            const double mean = (sum - ratio) / others;
            const double variance = std::max(0.0, (sum_of_squares - ratio * ratio) / others - mean * mean);
            const double sigma = std::max(std::sqrt(variance), settings.min_sigma);
            const double z = (ratio - mean) / sigma;
            if (z > -settings.z_threshold) continue;
            out.push_back(
                make_anomaly(*row, AnomalyKind::below_watched_set, z,
                             fmt::format("earned {:.1f}% of its ideal attestation reward in epoch {} while the "
                                         "other {} watched validators averaged {:.1f}% (z = {:.2f})",
                                         ratio * 100, row->epoch, members.size() - 1, mean * 100, z)));
        }
    }
}

// A missed target vote judged as a Bernoulli draw with the network's participation as the chance of a hit.
void network_anomalies(std::span<const ValidatorEpoch> rows, std::span<const NetworkEpoch> network,
                       const AnomalySettings& settings, std::vector<Anomaly>& out) {
    std::map<std::pair<std::uint64_t, std::uint64_t>, const NetworkEpoch*> baseline;
    for (const NetworkEpoch& epoch : network) baseline[{epoch.iteration, epoch.epoch}] = &epoch;
    for (const ValidatorEpoch& row : rows) {
        const std::optional<bool> missed = target_missed(row);
        if (!missed || !*missed) continue;
        const auto found = baseline.find({row.iteration, row.epoch});
        if (found == baseline.end()) continue;
        const double participation = found->second->target_participation;
        if (!(participation > settings.healthy_network_participation)) continue;
        // Full participation would make the spread zero; a floor keeps the score finite.
        const double sigma = std::max(std::sqrt(participation * (1 - participation)), 1e-3);
        const double z = (0 - participation) / sigma;
        out.push_back(make_anomaly(row, AnomalyKind::missed_while_network_healthy, z,
                                   fmt::format("missed the target vote in epoch {} while the network's target "
                                               "participation was {:.1f}% (z = {:.2f})",
                                               row.epoch, participation * 100, z)));
    }
}

// Each validator's ratio against an exponentially weighted mean and variance of its own earlier epochs.
void ewma_anomalies(std::span<const ValidatorEpoch> rows, const AnomalySettings& settings, std::vector<Anomaly>& out) {
    for (const auto& [pubkey, group] : rows_by_pubkey(rows)) {
        double mean = 0;
        double variance = 0;
        std::size_t seen = 0;
        for (const ValidatorEpoch* row : group) {
            const std::optional<double> ratio = reward_ratio(*row);
            if (!ratio) continue;
            if (seen == 0) {
                mean = *ratio;
            } else {
                if (seen >= settings.ewma_warmup) {
                    const double sigma = std::max(std::sqrt(variance), settings.min_sigma);
                    const double z = (*ratio - mean) / sigma;
                    if (z < -settings.ewma_sigma) {
                        out.push_back(make_anomaly(
                            *row, AnomalyKind::effectiveness_drop, z,
                            fmt::format(
                                "earned {:.1f}% of its ideal attestation reward in epoch {}, {:.1f} sigma below "
                                "its own baseline of {:.1f}%",
                                *ratio * 100, row->epoch, -z, mean * 100)));
                    }
                }
                const double difference = *ratio - mean;
                const double increment = settings.ewma_alpha * difference;
                mean += increment;
                variance = (1 - settings.ewma_alpha) * (variance + difference * increment);
            }
            ++seen;
        }
    }
}

}  // namespace

Result<Window> parse_window(std::string_view text) {
    for (const auto& [name, window] : window_names) {
        if (name == text) return window;
    }
    std::vector<std::string> names;
    names.reserve(window_names.size());
    for (const auto& [name, window] : window_names) names.emplace_back(name);
    std::string message = fmt::format("unknown window '{}': use one of {}", text, join(names, ", "));
    if (const std::optional<std::string> guess = closest_match(text, names))
        message += fmt::format(" (did you mean '{}'?)", *guess);
    return make_error(Errc::invalid_argument, std::move(message));
}

std::string_view window_name(Window window) {
    for (const auto& [name, candidate] : window_names) {
        if (candidate == window) return name;
    }
    return "all";
}

std::optional<std::int64_t> window_seconds(Window window) {
    switch (window) {
        case Window::d1: return seconds_per_day;
        case Window::d7: return 7 * seconds_per_day;
        case Window::d30: return 30 * seconds_per_day;
        case Window::d90: return 90 * seconds_per_day;
        case Window::all: return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::int64_t> window_start(Window window, std::int64_t now) {
    const std::optional<std::int64_t> length = window_seconds(window);
    if (!length) return std::nullopt;
    return now - *length;
}

std::optional<double> HitRate::rate() const {
    if (known == 0) return std::nullopt;
    return static_cast<double>(hits) / static_cast<double>(known);
}

std::optional<double> Performance::effectiveness() const {
    if (ideal_attestation_reward <= 0) return std::nullopt;
    return static_cast<double>(attestation_reward) / static_cast<double>(ideal_attestation_reward);
}

Performance combine(const Performance& a, const Performance& b) {
    const auto add = [](const HitRate& x, const HitRate& y) {
        return HitRate{.hits = x.hits + y.hits, .known = x.known + y.known};
    };
    Performance sum;
    sum.epochs_observed = a.epochs_observed + b.epochs_observed;
    sum.source = add(a.source, b.source);
    sum.target = add(a.target, b.target);
    sum.head = add(a.head, b.head);
    sum.attestation_reward = a.attestation_reward + b.attestation_reward;
    sum.ideal_attestation_reward = a.ideal_attestation_reward + b.ideal_attestation_reward;
    sum.missed_attestations = a.missed_attestations + b.missed_attestations;
    sum.longest_missed_streak = std::max(a.longest_missed_streak, b.longest_missed_streak);
    sum.proposals_made = a.proposals_made + b.proposals_made;
    sum.proposals_missed = a.proposals_missed + b.proposals_missed;
    sum.balance_change = a.balance_change + b.balance_change;
    sum.sources = SourceCounts{.rewards_api = a.sources.rewards_api + b.sources.rewards_api,
                               .participation_flags = a.sources.participation_flags + b.sources.participation_flags,
                               .liveness = a.sources.liveness + b.sources.liveness,
                               .none = a.sources.none + b.sources.none};
    return sum;
}

std::optional<LinearFit> fit_line(std::span<const Point> points) {
    if (points.size() < 2) return std::nullopt;
    const auto count = static_cast<double>(points.size());
    double mean_x = 0;
    double mean_y = 0;
    for (const Point& point : points) {
        mean_x += point.x;
        mean_y += point.y;
    }
    mean_x /= count;
    mean_y /= count;
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (const Point& point : points) {
        const double dx = point.x - mean_x;
        const double dy = point.y - mean_y;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0)) return std::nullopt;
    LinearFit fit;
    fit.samples = points.size();
    fit.slope = sxy / sxx;
    fit.intercept = mean_y - fit.slope * mean_x;
    double residual = 0;
    for (const Point& point : points) {
        const double error = point.y - (fit.slope * point.x + fit.intercept);
        residual += error * error;
    }
    fit.r_squared = syy > 0 ? std::clamp(1 - residual / syy, 0.0, 1.0) : 1.0;
    return fit;
}

std::vector<BalancePoint> cumulative_balance_change(std::span<const ValidatorEpoch> rows) {
    return cumulative_of(refs_of(rows));
}

std::optional<Trend> balance_trend(std::span<const ValidatorEpoch> rows) {
    return trend_of(refs_of(rows));
}

std::vector<ValidatorSummary> summarize_validators(std::span<const ValidatorEpoch> rows) {
    std::vector<ValidatorSummary> summaries;
    for (const auto& [pubkey, group] : rows_by_pubkey(rows)) summaries.push_back(summarize_one(pubkey, group));
    std::stable_sort(summaries.begin(), summaries.end(), [](const ValidatorSummary& a, const ValidatorSummary& b) {
        return std::tie(a.label, a.pubkey) < std::tie(b.label, b.pubkey);
    });
    return summaries;
}

Aggregates aggregate(std::span<const ValidatorEpoch> rows) {
    const std::vector<ValidatorSummary> summaries = summarize_validators(rows);
    std::map<std::string, std::string> label_of;  // pubkey -> the label its summary carries
    std::map<std::string, std::vector<const ValidatorSummary*>> members;
    std::vector<const ValidatorSummary*> everyone;
    for (const ValidatorSummary& summary : summaries) {
        label_of[summary.pubkey] = summary.label;
        members[summary.label].push_back(&summary);
        everyone.push_back(&summary);
    }
    std::map<std::string, RowRefs> rows_of_label;
    for (const ValidatorEpoch& row : rows) rows_of_label[label_of[to_lower(row.pubkey)]].push_back(&row);

    Aggregates aggregates;
    for (const auto& [label, group] : members)
        aggregates.labels.push_back(group_of(label, false, group, rows_of_label[label]));
    aggregates.overall = group_of("", true, everyone, refs_of(rows));
    return aggregates;
}

std::vector<RankedValidator> rank_validators(std::span<const ValidatorSummary> summaries) {
    std::vector<RankedValidator> ranking;
    ranking.reserve(summaries.size());
    for (const ValidatorSummary& summary : summaries) {
        RankedValidator entry;
        entry.pubkey = summary.pubkey;
        entry.label = summary.label;
        entry.effectiveness = summary.performance.effectiveness();
        entry.missed_attestations = summary.performance.missed_attestations;
        ranking.push_back(std::move(entry));
    }
    std::sort(ranking.begin(), ranking.end(), [](const RankedValidator& a, const RankedValidator& b) {
        if (a.effectiveness.has_value() != b.effectiveness.has_value()) return a.effectiveness.has_value();
        if (a.effectiveness && *a.effectiveness != *b.effectiveness) return *a.effectiveness > *b.effectiveness;
        if (a.missed_attestations != b.missed_attestations) return a.missed_attestations < b.missed_attestations;
        return a.pubkey < b.pubkey;
    });
    const std::size_t count = ranking.size();
    for (std::size_t position = 0; position < count; ++position) {
        ranking[position].rank = position + 1;
        ranking[position].percentile =
            count == 1 ? 100.0 : static_cast<double>(count - 1 - position) / static_cast<double>(count - 1) * 100;
    }
    return ranking;
}

std::string_view anomaly_kind_name(AnomalyKind kind) {
    switch (kind) {
        case AnomalyKind::below_watched_set: return "below_watched_set";
        case AnomalyKind::missed_while_network_healthy: return "missed_while_network_healthy";
        case AnomalyKind::effectiveness_drop: return "effectiveness_drop";
    }
    return "unknown";
}

Status check_anomaly_settings(const AnomalySettings& settings) {
    std::vector<std::string> problems;
    const auto require_positive = [&problems](std::string_view name, double value) {
        if (!(std::isfinite(value) && value > 0))
            problems.push_back(fmt::format("{} is {}: use a number above 0", name, value));
    };
    require_positive("z_threshold", settings.z_threshold);
    require_positive("min_sigma", settings.min_sigma);
    require_positive("ewma_sigma", settings.ewma_sigma);
    if (!(settings.ewma_alpha > 0 && settings.ewma_alpha <= 1)) {
        problems.push_back(fmt::format("ewma_alpha is {}: use a number in (0, 1], e.g. 0.3", settings.ewma_alpha));
    }
    if (!(settings.healthy_network_participation >= 0 && settings.healthy_network_participation <= 1)) {
        problems.push_back(fmt::format("healthy_network_participation is {}: use a share in [0, 1], e.g. 0.9",
                                       settings.healthy_network_participation));
    }
    if (problems.empty()) return {};
    return make_error(Errc::invalid_argument, "anomaly settings: " + join(problems, "; "));
}

std::vector<Anomaly> detect_anomalies(std::span<const ValidatorEpoch> validators, std::span<const NetworkEpoch> network,
                                      const AnomalySettings& settings) {
    const AnomalySettings usable = clamped(settings);
    std::vector<Anomaly> anomalies;
    watched_set_anomalies(validators, usable, anomalies);
    network_anomalies(validators, network, usable, anomalies);
    ewma_anomalies(validators, usable, anomalies);
    std::stable_sort(anomalies.begin(), anomalies.end(), [](const Anomaly& a, const Anomaly& b) {
        return std::tie(a.iteration, a.epoch, a.pubkey, a.kind) < std::tie(b.iteration, b.epoch, b.pubkey, b.kind);
    });
    return anomalies;
}

std::optional<NodeSummary> summarize_node(std::span<const NodeEpoch> rows) {
    if (rows.empty()) return std::nullopt;
    std::vector<const NodeEpoch*> sorted;
    sorted.reserve(rows.size());
    for (const NodeEpoch& row : rows) sorted.push_back(&row);
    std::stable_sort(sorted.begin(), sorted.end(), [](const NodeEpoch* a, const NodeEpoch* b) {
        return std::tie(a->iteration, a->time, a->epoch) < std::tie(b->iteration, b->time, b->epoch);
    });

    NodeSummary summary;
    summary.samples = sorted.size();
    summary.min_peers = sorted.front()->peers;
    double sync_distance_sum = 0;
    double peers_sum = 0;
    std::size_t synced = 0;
    const NodeEpoch* previous = nullptr;
    for (const NodeEpoch* row : sorted) {
        sync_distance_sum += static_cast<double>(row->sync_distance);
        summary.max_sync_distance = std::max(summary.max_sync_distance, row->sync_distance);
        peers_sum += static_cast<double>(row->peers);
        summary.min_peers = std::min(summary.min_peers, row->peers);
        summary.max_finality_lag_epochs = std::max(summary.max_finality_lag_epochs, row->finality_lag_epochs);
        if (!row->is_syncing) ++synced;
        summary.max_resident_bytes = std::max(summary.max_resident_bytes, row->resident_bytes);
        // CPU seconds are cumulative per process; a restart makes them fall, and such a pair says nothing.
        if (previous != nullptr && previous->iteration == row->iteration && row->time > previous->time &&
            row->cpu_seconds >= previous->cpu_seconds) {
            const double cores =
                (row->cpu_seconds - previous->cpu_seconds) / static_cast<double>(row->time - previous->time);
            summary.max_cpu_cores = std::max(summary.max_cpu_cores.value_or(0.0), cores);
        }
        previous = row;
    }
    summary.mean_sync_distance = mean_of(sync_distance_sum, sorted.size());
    summary.mean_peers = mean_of(peers_sum, sorted.size());
    summary.synced_share = mean_of(static_cast<double>(synced), sorted.size());
    summary.latest_data_dir_bytes = sorted.back()->data_dir_bytes;

    const std::uint64_t latest_iteration = sorted.back()->iteration;
    std::vector<Point> growth;
    std::int64_t origin = 0;
    for (const NodeEpoch* row : sorted) {
        if (row->iteration != latest_iteration) continue;
        if (growth.empty()) origin = row->time;
        growth.push_back(Point{.x = static_cast<double>(row->time - origin) / static_cast<double>(seconds_per_day),
                               .y = static_cast<double>(row->data_dir_bytes)});
    }
    summary.data_dir_samples = growth.size();
    if (const std::optional<LinearFit> fit = fit_line(growth)) summary.data_dir_bytes_per_day = fit->slope;
    return summary;
}

std::optional<NetworkSummary> summarize_network(std::span<const NetworkEpoch> rows) {
    if (rows.empty()) return std::nullopt;
    NetworkSummary summary;
    summary.samples = rows.size();
    summary.min_target_participation = rows.front().target_participation;
    double source = 0;
    double target = 0;
    double head = 0;
    for (const NetworkEpoch& row : rows) {
        source += row.source_participation;
        target += row.target_participation;
        head += row.head_participation;
        summary.min_target_participation = std::min(summary.min_target_participation, row.target_participation);
    }
    summary.mean_source_participation = mean_of(source, rows.size());
    summary.mean_target_participation = mean_of(target, rows.size());
    summary.mean_head_participation = mean_of(head, rows.size());
    return summary;
}

std::string_view source_label(FigureSource source) {
    switch (source) {
        case FigureSource::rewards_api: return "rewards_api";
        case FigureSource::participation_flags: return "participation_flags";
        case FigureSource::liveness: return "liveness";
        case FigureSource::none: return "none";
    }
    return "none";
}

}  // namespace ephemery::analytics
