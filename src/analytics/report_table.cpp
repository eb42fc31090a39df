#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "analytics/report.hpp"
#include "analytics/report_format.hpp"
#include "core/time_format.hpp"

namespace ephemery::analytics {
namespace {

using detail::display_width;
using detail::percent;
using detail::performance_headers;
using detail::performance_values;
using detail::short_pubkey;
using detail::signed_decimal;
using detail::signed_number;

// Labels come from operator config: control characters (terminal escape sequences) are shown as '?'.
std::string printable(std::string_view text) {
    std::string shown(text);
    for (char& c : shown) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20U || byte == 0x7FU) c = '?';
    }
    return shown;
}

// Columns padded to their widest cell; numbers right-aligned.
class TextTable {
  public:
    TextTable(std::vector<std::string> headers, std::vector<bool> right_aligned)
        : headers_(std::move(headers)), right_aligned_(std::move(right_aligned)) {}

    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

    [[nodiscard]] std::string render() const {
        std::vector<std::size_t> widths(headers_.size(), 0);
        const auto measure = [&widths](const std::vector<std::string>& row) {
            for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
                widths[i] = std::max(widths[i], display_width(row[i]));
            }
        };
        measure(headers_);
        for (const auto& row : rows_) measure(row);
        std::string text;
        const auto line = [&](const std::vector<std::string>& row) {
            std::string rendered;
            for (std::size_t i = 0; i < widths.size(); ++i) {
                const std::string cell = i < row.size() ? printable(row[i]) : std::string();
                const std::string padding(widths[i] - display_width(cell), ' ');
                if (i > 0) rendered += "  ";
                const bool right = i < right_aligned_.size() && right_aligned_[i];
                rendered += right ? padding + cell : cell + padding;
            }
            while (!rendered.empty() && rendered.back() == ' ') rendered.pop_back();
            text += rendered;
            text += '\n';
        };
        line(headers_);
        std::vector<std::string> rule;
        rule.reserve(widths.size());
        for (const std::size_t width : widths) rule.emplace_back(width, '-');
        line(rule);
        for (const auto& row : rows_) line(row);
        return text;
    }

  private:
    std::vector<std::string> headers_;
    std::vector<bool> right_aligned_;
    std::vector<std::vector<std::string>> rows_;
};

std::string trend_per_day(const std::optional<Trend>& trend) {
    if (!trend) return "-";
    return fmt::format("{} Gwei/day", signed_decimal(trend->gwei_per_day, 0));
}

std::vector<std::string> with_performance(std::vector<std::string> leading) {
    leading.insert(leading.end(), performance_headers.begin(), performance_headers.end());
    return leading;
}

std::vector<bool> alignment(std::size_t left_columns, std::size_t total) {
    std::vector<bool> right(total, true);
    for (std::size_t i = 0; i < left_columns && i < total; ++i) right[i] = false;
    return right;
}

std::string group_name(const GroupSummary& group) {
    return group.overall ? "(all)" : group.label;
}

std::string trend_sentence(std::string_view subject, const Trend& trend) {
    return fmt::format(
        "{}: {} Gwei/day, {} Gwei per 30 days, {}%/year on 32 ETH x {} (r2 {:.3f}, {} samples, {} .. {})\n", subject,
        signed_decimal(trend.gwei_per_day, 0), signed_decimal(trend.gwei_per_30_days, 0),
        signed_decimal(trend.annualised_percent, 3), trend.validators, trend.r_squared, trend.samples,
        format_utc(trend.from), format_utc(trend.to));
}

void section(std::string& text, std::string_view title) {
    text += '\n';
    text += title;
    text += '\n';
}

}  // namespace

std::string render_table(const Report& report) {
    std::string text = printable(report.title.empty() ? std::string("Validator report") : report.title) + "\n";
    text += fmt::format("window {}: {} .. {} ({} validator rows, {} node rows, {} network rows)\n",
                        window_name(report.window), report.from ? format_utc(*report.from) : std::string("start"),
                        format_utc(report.now), report.validator_rows, report.node_rows, report.network_rows);

    section(text, "Groups");
    {
        std::vector<std::string> headers = with_performance({"label", "validators"});
        headers.emplace_back("trend");
        TextTable table(headers, alignment(1, headers.size()));
        std::vector<const GroupSummary*> groups{&report.aggregates.overall};
        for (const GroupSummary& group : report.aggregates.labels) groups.push_back(&group);
        for (const GroupSummary* group : groups) {
            std::vector<std::string> row{group_name(*group), fmt::format("{}", group->validators)};
            for (std::string& cell : performance_values(group->performance)) row.push_back(std::move(cell));
            row.push_back(trend_per_day(group->trend));
            table.add(std::move(row));
        }
        text += table.render();
    }

    section(text, "Per iteration");
    {
        const std::vector<std::string> headers = with_performance({"label", "iteration", "validators"});
        TextTable table(headers, alignment(1, headers.size()));
        std::vector<const GroupSummary*> groups{&report.aggregates.overall};
        for (const GroupSummary& group : report.aggregates.labels) groups.push_back(&group);
        for (const GroupSummary* group : groups) {
            for (const GroupIteration& iteration : group->iterations) {
                std::vector<std::string> row{group_name(*group), fmt::format("{}", iteration.iteration),
                                             fmt::format("{}", iteration.validators)};
                for (std::string& cell : performance_values(iteration.performance)) row.push_back(std::move(cell));
                table.add(std::move(row));
            }
        }
        text += table.render();
    }

    section(text, "Balance trend");
    bool any_trend = false;
    if (report.aggregates.overall.trend) {
        text += trend_sentence("(all)", *report.aggregates.overall.trend);
        any_trend = true;
    }
    for (const GroupSummary& group : report.aggregates.labels) {
        if (!group.trend) continue;
        text += trend_sentence(printable(group.label), *group.trend);
        any_trend = true;
    }
    if (!any_trend) text += "no trend: fewer than 2 epochs with balance figures in the window\n";

    section(text, "Validators");
    {
        const std::vector<std::string> headers =
            with_performance({"rank", "pubkey", "label", "index", "iterations", "percentile"});
        std::vector<bool> right = alignment(3, headers.size());
        right[0] = true;
        TextTable table(headers, right);
        for (const RankedValidator& entry : report.ranking) {
            const auto found =
                std::find_if(report.validators.begin(), report.validators.end(),
                             [&entry](const ValidatorSummary& summary) { return summary.pubkey == entry.pubkey; });
            if (found == report.validators.end()) continue;
            std::vector<std::string> row{fmt::format("{}", entry.rank),
                                         short_pubkey(found->pubkey),
                                         found->label,
                                         fmt::format("{}", found->latest_index),
                                         fmt::format("{}", found->iterations.size()),
                                         fmt::format("{:.1f}", entry.percentile)};
            for (std::string& cell : performance_values(found->performance)) row.push_back(std::move(cell));
            table.add(std::move(row));
        }
        text += table.render();
    }

    section(text, "Anomalies");
    if (report.anomalies.empty()) {
        text += "none\n";
    } else {
        TextTable table({"iteration", "epoch", "pubkey", "label", "kind", "score", "detail"},
                        {true, true, false, false, false, true, false});
        for (const Anomaly& anomaly : report.anomalies) {
            table.add({fmt::format("{}", anomaly.iteration), fmt::format("{}", anomaly.epoch),
                       short_pubkey(anomaly.pubkey), anomaly.label, std::string(anomaly_kind_name(anomaly.kind)),
                       fmt::format("{:.2f}", anomaly.score), anomaly.detail});
        }
        text += table.render();
    }

    section(text, "Node");
    if (!report.node) {
        text += "no node samples in the window\n";
    } else {
        const NodeSummary& node = *report.node;
        TextTable table({"figure", "value"}, {false, true});
        table.add({"samples", fmt::format("{}", node.samples)});
        table.add(
            {"sync distance mean / max", fmt::format("{:.1f} / {}", node.mean_sync_distance, node.max_sync_distance)});
        table.add({"peers min / mean", fmt::format("{} / {:.1f}", node.min_peers, node.mean_peers)});
        table.add({"finality lag max (epochs)", fmt::format("{}", node.max_finality_lag_epochs)});
        table.add({"synced", percent(node.synced_share)});
        table.add({"CPU max (cores)", node.max_cpu_cores ? fmt::format("{:.2f}", *node.max_cpu_cores) : "-"});
        table.add({"memory max (bytes)", fmt::format("{}", node.max_resident_bytes)});
        table.add({"data dir (bytes)", fmt::format("{}", node.latest_data_dir_bytes)});
        table.add({"data dir growth (bytes/day)",
                   node.data_dir_bytes_per_day
                       ? fmt::format("{} ({} samples)", signed_decimal(*node.data_dir_bytes_per_day, 0),
                                     node.data_dir_samples)
                       : "-"});
        text += table.render();
    }

    section(text, "Network");
    if (!report.network) {
        text += "no network samples in the window\n";
    } else {
        const NetworkSummary& network = *report.network;
        text += fmt::format("participation mean: source {}, target {}, head {}; target min {} ({} samples)\n",
                            percent(network.mean_source_participation), percent(network.mean_target_participation),
                            percent(network.mean_head_participation), percent(network.min_target_participation),
                            network.samples);
    }
    return text;
}

}  // namespace ephemery::analytics
