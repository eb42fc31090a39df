#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "analytics/report.hpp"
#include "analytics/report_format.hpp"
#include "core/time_format.hpp"

namespace ephemery::analytics {
namespace {

using detail::percent;
using detail::performance_headers;
using detail::performance_values;
using detail::short_pubkey;
using detail::signed_decimal;
using detail::signed_number;

// Distinguishable on white and for the common colour-vision deficiencies.
constexpr std::array<std::string_view, 8> palette{"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                                  "#56b4e9", "#d55e00", "#f0e442", "#000000"};

constexpr std::string_view style = R"(
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f5f5f5; }
td.text, th.text { text-align: left; }
td.detail { text-align: left; white-space: normal; }
code { font-size: 0.95em; }
svg { display: block; margin: 0.5em 0; max-width: 100%; height: auto; }
svg text { font-family: system-ui, sans-serif; font-size: 12px; fill: #333; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1.2em; }
span.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.35em; vertical-align: middle; }
)";

std::string text_cell(std::string_view text) {
    return "<td class=\"text\">" + html_escape(text) + "</td>";
}
std::string number_cell(std::string_view text) {
    return "<td>" + html_escape(text) + "</td>";
}

// The short form on screen, the whole key on hover.
std::string pubkey_cell(std::string_view pubkey) {
    return fmt::format(R"(<td class="text" title="{}"><code>{}</code></td>)", html_escape(pubkey),
                       html_escape(short_pubkey(pubkey)));
}

std::string header_row(const std::vector<std::string_view>& headers, std::size_t text_columns) {
    std::string row = "<tr>";
    for (std::size_t i = 0; i < headers.size(); ++i) {
        row += i < text_columns ? "<th class=\"text\">" : "<th>";
        row += html_escape(headers[i]);
        row += "</th>";
    }
    return row + "</tr>\n";
}

std::string performance_html_cells(const Performance& performance) {
    std::string cells;
    for (const std::string& value : performance_values(performance)) cells += number_cell(value);
    return cells;
}

std::vector<std::string_view> with_performance_headers(std::vector<std::string_view> leading) {
    leading.insert(leading.end(), performance_headers.begin(), performance_headers.end());
    return leading;
}

std::string trend_caption(const std::optional<Trend>& trend) {
    if (!trend) return "no trend (fewer than 2 samples)";
    return fmt::format("{} Gwei/day, {} Gwei/30 days, {}%/year (r\u00b2 {:.3f}, {} samples)",
                       signed_decimal(trend->gwei_per_day, 0), signed_decimal(trend->gwei_per_30_days, 0),
                       signed_decimal(trend->annualised_percent, 3), trend->r_squared, trend->samples);
}

std::string groups_table(const Report& report) {
    std::vector<std::string_view> headers = with_performance_headers({"label", "validators"});
    headers.emplace_back("trend");
    std::string html = "<table>\n" + header_row(headers, 1);
    std::vector<const GroupSummary*> groups{&report.aggregates.overall};
    for (const GroupSummary& group : report.aggregates.labels) groups.push_back(&group);
    for (const GroupSummary* group : groups) {
        html += "<tr>" + text_cell(group->overall ? "(all)" : group->label) +
                number_cell(fmt::format("{}", group->validators)) + performance_html_cells(group->performance) +
                text_cell(trend_caption(group->trend)) + "</tr>\n";
    }
    html += "</table>\n";

    html += "<h3>Per iteration</h3>\n<table>\n" +
            header_row(with_performance_headers({"label", "iteration", "validators"}), 1);
    for (const GroupSummary* group : groups) {
        for (const GroupIteration& iteration : group->iterations) {
            html += "<tr>" + text_cell(group->overall ? "(all)" : group->label) +
                    number_cell(fmt::format("{}", iteration.iteration)) +
                    number_cell(fmt::format("{}", iteration.validators)) +
                    performance_html_cells(iteration.performance) + "</tr>\n";
        }
    }
    return html + "</table>\n";
}

// Cumulative balance change per label against time.
std::string balance_chart(const Report& report) {
    constexpr double width = 860;
    constexpr double height = 320;
    constexpr double left = 100;
    constexpr double right = 20;
    constexpr double top = 20;
    constexpr double bottom = 40;
    std::string svg = fmt::format(
        "<svg viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" "
        "aria-label=\"cumulative balance change per label\">\n",
        width, height, width, height);
    std::int64_t first = std::numeric_limits<std::int64_t>::max();
    std::int64_t last = std::numeric_limits<std::int64_t>::min();
    std::int64_t low = 0;
    std::int64_t high = 0;
    for (const LabelSeries& series : report.series) {
        for (const BalancePoint& point : series.points) {
            first = std::min(first, point.time);
            last = std::max(last, point.time);
            low = std::min(low, point.cumulative_gwei);
            high = std::max(high, point.cumulative_gwei);
        }
    }
    if (first > last) {
        svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\">No balance figures in the window.</text>\n</svg>\n", left,
                           height / 2);
        return svg;
    }
    if (last == first) last = first + 1;
    if (high == low) high = low + 1;
    const double plot_width = width - left - right;
    const double plot_height = height - top - bottom;
    const auto x_of = [&](std::int64_t time) {
        return left + static_cast<double>(time - first) / static_cast<double>(last - first) * plot_width;
    };
    const auto y_of = [&](std::int64_t value) {
        return top + static_cast<double>(high - value) / static_cast<double>(high - low) * plot_height;
    };
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"#ccc\"/>\n", left,
        top, plot_width, plot_height);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
        left, y_of(0), left + plot_width, y_of(0));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{} Gwei</text>\n", left - 6, top + 10,
                       signed_number(high));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{} Gwei</text>\n", left - 6,
                       top + plot_height, signed_number(low));
    if (low < 0 && high > 0) {
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">0</text>\n", left - 6, y_of(0) + 4);
    }
    svg +=
        fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", left, height - 12, html_escape(format_utc(first)));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left + plot_width,
                       height - 12, html_escape(format_utc(last)));
    for (std::size_t i = 0; i < report.series.size(); ++i) {
        const LabelSeries& series = report.series[i];
        const std::string_view colour = palette[i % palette.size()];
        if (series.points.size() == 1) {
            svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{}</title></circle>\n",
                               x_of(series.points.front().time), y_of(series.points.front().cumulative_gwei), colour,
                               html_escape(series.label));
            continue;
        }
        std::string points;
        for (const BalancePoint& point : series.points) {
            if (!points.empty()) points += ' ';
            points += fmt::format("{:.1f},{:.1f}", x_of(point.time), y_of(point.cumulative_gwei));
        }
        svg += fmt::format(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"><title>{}</title></polyline>\n",
            points, colour, html_escape(series.label));
    }
    svg += "</svg>\n<ul class=\"legend\">\n";
    for (std::size_t i = 0; i < report.series.size(); ++i) {
        const LabelSeries& series = report.series[i];
        svg += fmt::format("<li><span class=\"swatch\" style=\"background: {}\"></span>{}: {}</li>\n",
                           palette[i % palette.size()], html_escape(series.label),
                           html_escape(trend_caption(series.trend)));
    }
    return svg + "</ul>\n";
}

// One horizontal bar per validator, best first, with 100% marked.
std::string effectiveness_chart(const Report& report) {
    constexpr double width = 860;
    constexpr double left = 300;
    constexpr double right = 70;
    constexpr double row_height = 22;
    constexpr double top = 10;
    const double height =
        top * 2 + row_height * static_cast<double>(std::max<std::size_t>(1, report.ranking.size())) + 16;
    std::string svg = fmt::format(
        "<svg viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" "
        "aria-label=\"attestation effectiveness per validator\">\n",
        width, height, width, height);
    if (report.ranking.empty()) {
        return svg + fmt::format("<text x=\"10\" y=\"{:.0f}\">No validators in the window.</text>\n</svg>\n", top + 14);
    }
    double scale = 1.0;
    for (const RankedValidator& entry : report.ranking) scale = std::max(scale, entry.effectiveness.value_or(0.0));
    const double plot_width = width - left - right;
    for (std::size_t i = 0; i < report.ranking.size(); ++i) {
        const RankedValidator& entry = report.ranking[i];
        const double y = top + row_height * static_cast<double>(i);
        const double share = std::clamp(entry.effectiveness.value_or(0.0), 0.0, scale);
        const double effectiveness = entry.effectiveness.value_or(0.0);
        const std::string_view colour = !entry.effectiveness    ? "#bbbbbb"
                                        : effectiveness >= 0.95 ? "#009e73"
                                        : effectiveness >= 0.8  ? "#e69f00"
                                                                : "#d55e00";
        const std::string name = entry.label.empty() ? short_pubkey(entry.pubkey)
                                                     : fmt::format("{} ({})", short_pubkey(entry.pubkey), entry.label);
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 8, y + 15,
                           html_escape(name));
        svg += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}</title></rect>\n",
            left, y + 3, share / scale * plot_width, row_height - 6, colour, html_escape(entry.pubkey));
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", left + share / scale * plot_width + 4, y + 15,
                           html_escape(percent(entry.effectiveness)));
    }
    const double full = left + 1.0 / scale * plot_width;
    const double bottom = top + row_height * static_cast<double>(report.ranking.size());
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#555\" stroke-dasharray=\"3 3\"/>\n",
        full, top, full, bottom);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">100%</text>\n", full, bottom + 14);
    return svg + "</svg>\n";
}

std::string validators_table(const Report& report) {
    std::string html =
        "<table>\n" +
        header_row(with_performance_headers({"rank", "pubkey", "label", "index", "iterations", "percentile"}), 3);
    for (const RankedValidator& entry : report.ranking) {
        const auto found =
            std::find_if(report.validators.begin(), report.validators.end(),
                         [&entry](const ValidatorSummary& summary) { return summary.pubkey == entry.pubkey; });
        if (found == report.validators.end()) continue;
        html += "<tr>" + number_cell(fmt::format("{}", entry.rank)) + pubkey_cell(found->pubkey) +
                text_cell(found->label) + number_cell(fmt::format("{}", found->latest_index)) +
                number_cell(fmt::format("{}", found->iterations.size())) +
                number_cell(fmt::format("{:.1f}", entry.percentile)) + performance_html_cells(found->performance) +
                "</tr>\n";
    }
    return html + "</table>\n";
}

std::string anomalies_table(const Report& report) {
    if (report.anomalies.empty()) return "<p>None.</p>\n";
    std::string html =
        "<table>\n" + header_row({"iteration", "epoch", "pubkey", "label", "kind", "score", "detail"}, 0);
    for (const Anomaly& anomaly : report.anomalies) {
        html += "<tr>" + number_cell(fmt::format("{}", anomaly.iteration)) +
                number_cell(fmt::format("{}", anomaly.epoch)) + pubkey_cell(anomaly.pubkey) + text_cell(anomaly.label) +
                text_cell(anomaly_kind_name(anomaly.kind)) + number_cell(fmt::format("{:.2f}", anomaly.score)) +
                "<td class=\"detail\">" + html_escape(anomaly.detail) + "</td></tr>\n";
    }
    return html + "</table>\n";
}

std::string node_table(const Report& report) {
    std::string html;
    if (!report.node) {
        html += "<p>No node samples in the window.</p>\n";
    } else {
        const NodeSummary& node = *report.node;
        const auto row = [](std::string_view name, const std::string& value) {
            return "<tr>" + text_cell(name) + number_cell(value) + "</tr>\n";
        };
        html += "<table>\n";
        html += row("samples", fmt::format("{}", node.samples));
        html += row("sync distance mean / max",
                    fmt::format("{:.1f} / {}", node.mean_sync_distance, node.max_sync_distance));
        html += row("peers min / mean", fmt::format("{} / {:.1f}", node.min_peers, node.mean_peers));
        html += row("finality lag max (epochs)", fmt::format("{}", node.max_finality_lag_epochs));
        html += row("synced", percent(node.synced_share));
        html += row("CPU max (cores)", node.max_cpu_cores ? fmt::format("{:.2f}", *node.max_cpu_cores) : "-");
        html += row("memory max (bytes)", fmt::format("{}", node.max_resident_bytes));
        html += row("data dir (bytes)", fmt::format("{}", node.latest_data_dir_bytes));
        html += row(
            "data dir growth (bytes/day)",
            node.data_dir_bytes_per_day
                ? fmt::format("{} ({} samples)", signed_decimal(*node.data_dir_bytes_per_day, 0), node.data_dir_samples)
                : "-");
        html += "</table>\n";
    }
    if (report.network) {
        const NetworkSummary& network = *report.network;
        html +=
            "<p>" +
            html_escape(fmt::format(
                "Network participation, mean: source {}, target {}, head {}; lowest target {} "
                "({} samples).",
                percent(network.mean_source_participation), percent(network.mean_target_participation),
                percent(network.mean_head_participation), percent(network.min_target_participation), network.samples)) +
            "</p>\n";
    }
    return html;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': escaped += "&amp;"; break;
            case '<': escaped += "&lt;"; break;
            case '>': escaped += "&gt;"; break;
            case '"': escaped += "&quot;"; break;
            case '\'': escaped += "&#39;"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

std::string render_html(const Report& report) {
    const std::string title = report.title.empty() ? std::string("Validator report") : report.title;
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    html += "<title>" + html_escape(title) + "</title>\n<style>" + std::string(style) + "</style>\n</head>\n<body>\n";
    html += "<h1>" + html_escape(title) + "</h1>\n";
    html += "<p class=\"meta\">" +
            html_escape(fmt::format(
                "Window {}: {} .. {}; {} validator rows, {} node rows, {} network rows.", window_name(report.window),
                report.from ? format_utc(*report.from) : std::string("start of history"), format_utc(report.now),
                report.validator_rows, report.node_rows, report.network_rows)) +
            "</p>\n";
    html += "<h2>Groups</h2>\n" + groups_table(report);
    html += "<h2>Balance change</h2>\n" + balance_chart(report);
    html += "<h2>Effectiveness</h2>\n" + effectiveness_chart(report);
    html += "<h2>Validators</h2>\n" + validators_table(report);
    html += "<h2>Anomalies</h2>\n" + anomalies_table(report);
    html += "<h2>Node and network</h2>\n" + node_table(report);
    return html + "</body>\n</html>\n";
}

}  // namespace ephemery::analytics
