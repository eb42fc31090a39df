#include "analytics/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <utility>

#include "core/text.hpp"

namespace ephemery::analytics {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, Format>, 4> format_names{{
    {"table", Format::table},
    {"json", Format::json},
    {"csv", Format::csv},
    {"html", Format::html},
}};

// ---- JSON ----

json optional_number(const std::optional<double>& value) {
    return value ? json(*value) : json(nullptr);
}

json hit_rate_json(const HitRate& rate) {
    return json{{"hits", rate.hits}, {"known", rate.known}, {"rate", optional_number(rate.rate())}};
}

json performance_json(const Performance& performance) {
    return json{
        {"epochs_observed", performance.epochs_observed},
        {"source", hit_rate_json(performance.source)},
        {"target", hit_rate_json(performance.target)},
        {"head", hit_rate_json(performance.head)},
        {"attestation_reward_gwei", performance.attestation_reward},
        {"ideal_attestation_reward_gwei", performance.ideal_attestation_reward},
        {"effectiveness", optional_number(performance.effectiveness())},
        {"missed_attestations", performance.missed_attestations},
        {"longest_missed_streak", performance.longest_missed_streak},
        {"proposals_made", performance.proposals_made},
        {"proposals_missed", performance.proposals_missed},
        {"balance_change_gwei", performance.balance_change},
        {"figure_sources",
         json{{std::string(source_label(FigureSource::rewards_api)), performance.sources.rewards_api},
              {std::string(source_label(FigureSource::participation_flags)), performance.sources.participation_flags},
              {std::string(source_label(FigureSource::liveness)), performance.sources.liveness},
              {std::string(source_label(FigureSource::none)), performance.sources.none}}},
    };
}

json trend_json(const std::optional<Trend>& trend) {
    if (!trend) return nullptr;
    return json{{"samples", trend->samples},
                {"validators", trend->validators},
                {"from", trend->from},
                {"to", trend->to},
                {"gwei_per_day", trend->gwei_per_day},
                {"gwei_per_30_days", trend->gwei_per_30_days},
                {"r_squared", trend->r_squared},
                {"annualised_percent", trend->annualised_percent}};
}

json group_json(const GroupSummary& group) {
    json iterations = json::array();
    for (const GroupIteration& iteration : group.iterations) {
        iterations.push_back(json{{"iteration", iteration.iteration},
                                  {"validators", iteration.validators},
                                  {"performance", performance_json(iteration.performance)}});
    }
    return json{{"label", group.overall ? json(nullptr) : json(group.label)},
                {"validators", group.validators},
                {"performance", performance_json(group.performance)},
                {"iterations", std::move(iterations)},
                {"trend", trend_json(group.trend)}};
}

json validator_json(const ValidatorSummary& summary) {
    json iterations = json::array();
    for (const IterationSummary& iteration : summary.iterations) {
        iterations.push_back(json{{"iteration", iteration.iteration},
                                  {"index", iteration.index},
                                  {"first_time", iteration.first_time},
                                  {"last_time", iteration.last_time},
                                  {"performance", performance_json(iteration.performance)}});
    }
    return json{{"pubkey", summary.pubkey},
                {"label", summary.label},
                {"latest_iteration", summary.latest_iteration},
                {"latest_index", summary.latest_index},
                {"iterations_seen", summary.iterations.size()},
                {"performance", performance_json(summary.performance)},
                {"iterations", std::move(iterations)},
                {"trend", trend_json(summary.trend)}};
}

json node_json(const std::optional<NodeSummary>& node) {
    if (!node) return nullptr;
    return json{{"samples", node->samples},
                {"mean_sync_distance", node->mean_sync_distance},
                {"max_sync_distance", node->max_sync_distance},
                {"min_peers", node->min_peers},
                {"mean_peers", node->mean_peers},
                {"max_finality_lag_epochs", node->max_finality_lag_epochs},
                {"synced_share", node->synced_share},
                {"max_cpu_cores", optional_number(node->max_cpu_cores)},
                {"max_resident_bytes", node->max_resident_bytes},
                {"latest_data_dir_bytes", node->latest_data_dir_bytes},
                {"data_dir_bytes_per_day", optional_number(node->data_dir_bytes_per_day)},
                {"data_dir_samples", node->data_dir_samples}};
}

json network_json(const std::optional<NetworkSummary>& network) {
    if (!network) return nullptr;
    return json{{"samples", network->samples},
                {"mean_source_participation", network->mean_source_participation},
                {"mean_target_participation", network->mean_target_participation},
                {"mean_head_participation", network->mean_head_participation},
                {"min_target_participation", network->min_target_participation}};
}

// ---- CSV ----

std::string optional_decimal(const std::optional<double>& value) {
    return value ? fmt::format("{:.6f}", *value) : std::string();
}

}  // namespace

Report make_report(const ReportInput& input) {
    Report report;
    report.title = input.title;
    report.window = input.window;
    report.now = input.now;
    report.from = window_start(input.window, input.now);
    const std::vector<ValidatorEpoch> validators =
        select(std::span<const ValidatorEpoch>(input.validators), input.window, input.now);
    const std::vector<NodeEpoch> node = select(std::span<const NodeEpoch>(input.node), input.window, input.now);
    const std::vector<NetworkEpoch> network =
        select(std::span<const NetworkEpoch>(input.network), input.window, input.now);
    report.validator_rows = validators.size();
    report.node_rows = node.size();
    report.network_rows = network.size();
    report.validators = summarize_validators(validators);
    report.aggregates = aggregate(validators);
    report.ranking = rank_validators(report.validators);
    report.anomalies = detect_anomalies(validators, network, input.anomaly_settings);
    report.node = summarize_node(node);
    report.network = summarize_network(network);

    std::map<std::string, std::string> label_of;
    for (const ValidatorSummary& summary : report.validators) label_of[summary.pubkey] = summary.label;
    std::map<std::string, std::vector<ValidatorEpoch>> rows_of_label;
    for (const ValidatorEpoch& row : validators) rows_of_label[label_of[to_lower(row.pubkey)]].push_back(row);
    for (const auto& [label, rows] : rows_of_label) {
        report.series.push_back(
            LabelSeries{.label = label, .points = cumulative_balance_change(rows), .trend = balance_trend(rows)});
    }
    return report;
}

Result<Format> parse_format(std::string_view text) {
    for (const auto& [name, format] : format_names) {
        if (name == text) return format;
    }
    std::vector<std::string> names;
    names.reserve(format_names.size());
    for (const auto& [name, format] : format_names) names.emplace_back(name);
    std::string message = fmt::format("unknown format '{}': use one of {}", text, join(names, ", "));
    if (const std::optional<std::string> guess = closest_match(text, names)) {
        message += fmt::format(" (did you mean '{}'?)", *guess);
    }
    return make_error(Errc::invalid_argument, std::move(message));
}

std::string_view format_name(Format format) {
    for (const auto& [name, candidate] : format_names) {
        if (candidate == format) return name;
    }
    return "table";
}

std::string render_json(const Report& report) {
    json labels = json::array();
    for (const GroupSummary& group : report.aggregates.labels) labels.push_back(group_json(group));
    json validators = json::array();
    for (const ValidatorSummary& summary : report.validators) validators.push_back(validator_json(summary));
    json ranking = json::array();
    for (const RankedValidator& entry : report.ranking) {
        ranking.push_back(json{{"rank", entry.rank},
                               {"percentile", entry.percentile},
                               {"pubkey", entry.pubkey},
                               {"label", entry.label},
                               {"effectiveness", optional_number(entry.effectiveness)},
                               {"missed_attestations", entry.missed_attestations}});
    }
    json anomalies = json::array();
    for (const Anomaly& anomaly : report.anomalies) {
        anomalies.push_back(json{{"pubkey", anomaly.pubkey},
                                 {"label", anomaly.label},
                                 {"iteration", anomaly.iteration},
                                 {"epoch", anomaly.epoch},
                                 {"kind", std::string(anomaly_kind_name(anomaly.kind))},
                                 {"score", anomaly.score},
                                 {"detail", anomaly.detail}});
    }
    json series = json::array();
    for (const LabelSeries& entry : report.series) {
        json points = json::array();
        for (const BalancePoint& point : entry.points) {
            points.push_back(json{{"time", point.time}, {"cumulative_gwei", point.cumulative_gwei}});
        }
        series.push_back(
            json{{"label", entry.label}, {"points", std::move(points)}, {"trend", trend_json(entry.trend)}});
    }
    const json document{
        {"title", report.title},
        {"window", std::string(window_name(report.window))},
        {"now", report.now},
        {"from", report.from ? json(*report.from) : json(nullptr)},
        {"rows",
         json{{"validators", report.validator_rows}, {"node", report.node_rows}, {"network", report.network_rows}}},
        {"overall", group_json(report.aggregates.overall)},
        {"labels", std::move(labels)},
        {"validators", std::move(validators)},
        {"ranking", std::move(ranking)},
        {"anomalies", std::move(anomalies)},
        {"balance_series", std::move(series)},
        {"node", node_json(report.node)},
        {"network", network_json(report.network)},
    };
    // Labels come from operator config: replace invalid UTF-8 rather than throw.
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string render_csv(const Report& report) {
    static constexpr std::array<std::string_view, 22> columns{"rank",
                                                              "percentile",
                                                              "pubkey",
                                                              "label",
                                                              "latest_iteration",
                                                              "latest_index",
                                                              "iterations_seen",
                                                              "epochs_observed",
                                                              "source_rate",
                                                              "target_rate",
                                                              "head_rate",
                                                              "effectiveness",
                                                              "attestation_reward_gwei",
                                                              "ideal_attestation_reward_gwei",
                                                              "missed_attestations",
                                                              "longest_missed_streak",
                                                              "proposals_made",
                                                              "proposals_missed",
                                                              "balance_change_gwei",
                                                              "trend_gwei_per_day",
                                                              "trend_r_squared",
                                                              "trend_samples"};
    std::map<std::string, const RankedValidator*> rank_of;
    for (const RankedValidator& entry : report.ranking) rank_of[entry.pubkey] = &entry;

    std::string text;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) text += ',';
        text += columns[i];
    }
    text += "\r\n";
    for (const ValidatorSummary& summary : report.validators) {
        const Performance& performance = summary.performance;
        const auto found = rank_of.find(summary.pubkey);
        const RankedValidator* rank = found == rank_of.end() ? nullptr : found->second;
        const std::array<std::string, 22> fields{
            rank != nullptr ? fmt::format("{}", rank->rank) : std::string(),
            rank != nullptr ? fmt::format("{:.2f}", rank->percentile) : std::string(),
            summary.pubkey,
            summary.label,
            fmt::format("{}", summary.latest_iteration),
            fmt::format("{}", summary.latest_index),
            fmt::format("{}", summary.iterations.size()),
            fmt::format("{}", performance.epochs_observed),
            optional_decimal(performance.source.rate()),
            optional_decimal(performance.target.rate()),
            optional_decimal(performance.head.rate()),
            optional_decimal(performance.effectiveness()),
            fmt::format("{}", performance.attestation_reward),
            fmt::format("{}", performance.ideal_attestation_reward),
            fmt::format("{}", performance.missed_attestations),
            fmt::format("{}", performance.longest_missed_streak),
            fmt::format("{}", performance.proposals_made),
            fmt::format("{}", performance.proposals_missed),
            fmt::format("{}", performance.balance_change),
            summary.trend ? fmt::format("{:.3f}", summary.trend->gwei_per_day) : std::string(),
            summary.trend ? fmt::format("{:.6f}", summary.trend->r_squared) : std::string(),
            summary.trend ? fmt::format("{}", summary.trend->samples) : std::string(),
        };
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i > 0) text += ',';
            text += csv_field(fields[i]);
        }
        text += "\r\n";
    }
    return text;
}

std::string render(const Report& report, Format format) {
    switch (format) {
        case Format::table: return render_table(report);
        case Format::json: return render_json(report);
        case Format::csv: return render_csv(report);
        case Format::html: return render_html(report);
    }
    return render_table(report);
}

}  // namespace ephemery::analytics
